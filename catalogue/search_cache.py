"""What the catalogue's search shows everyone, cached under one version token of the catalogue.

The filters' choices (specialties and states) and the filter form's fields rendered for each
query string, and for each search and filter the count and each page's cards (their shared
HTML: name, institution, specialty, place, links, the "Add" button; catalogue/views.py
Card), change only when a catalogue program or an institution changes. Every such change
writes a new token: signals on CatalogueProgram and Institution (connected in
CatalogueConfig.ready, so the admin, the curators' import, an accepted proposal and the shell
are covered; the synthetic catalogue's bulk writes call `forget()`), once at the change and
again when it commits. Entries live in
the "directory" cache alias (settings.CACHES) beside the resource directory's, under their own
token (lib/token_cache.py). Nothing personal is cached: which programs the member keeps is
read for the page's cards on every request, and the CSRF token is in the page's one form,
rendered per request.
"""

from django.db import transaction

from lib.token_cache import TokenCache

# Raise the code version when what is cached changes shape (Card, the card template).
SEARCH = TokenCache("catalogue", "directory", code_version=2)


def forget(**kwargs) -> None:
    """A catalogue program or an institution changed: a new token now and on commit."""
    SEARCH.bump()
    transaction.on_commit(SEARCH.bump)
