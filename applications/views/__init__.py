"""Pages of the application season, one module per section. Every object is fetched scoped
to request.user, and every write into a past cycle is refused in one place (season.py)."""
