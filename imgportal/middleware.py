"""Site-wide middleware that belongs to no single app."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


def no_store_for_members(get_response: Callable) -> Callable:
    """`Cache-Control: no-store` on every response to a logged-in user that sets no caching
    of its own: allauth's pages (email addresses, password change) and any new page show a
    member's data, and no browser or proxy cache may keep it."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response

    return middleware
