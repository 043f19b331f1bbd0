from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Tell templates when emails only print in the terminal (no SMTP configured)."""
    backend = settings.MAILERS["default"]["BACKEND"]
    return {"emails_print_to_console": backend.endswith("console.EmailBackend")}
