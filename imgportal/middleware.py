"""Site-wide middleware that belongs to no single app."""

import logging
import time
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


request_logger = logging.getLogger("imgportal.requests")


def request_log(get_response: Callable) -> Callable:
    """One line per request: method, the matched URL pattern (never the raw path, which can
    carry tokens and slugs, nor the query string), status, htmx or not, and duration. No user
    identity, no form data. Outermost middleware, so it sees the final status (403 from CSRF,
    the 503 of a database outage)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = get_response(request)
        match = getattr(request, "resolver_match", None)
        route = f"/{match.route}" if match is not None else "(unmatched)"
        request_logger.info(
            "%s %s %s%s %dms",
            request.method,
            route,
            response.status_code,
            " htmx" if request.headers.get("HX-Request") else "",
            (time.monotonic() - started) * 1000,
        )
        return response

    return middleware
