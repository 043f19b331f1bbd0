"""Site-wide request guards that belong to no single app."""

from collections.abc import Callable

from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers


def has_nul_byte(query) -> bool:
    return any(
        "\x00" in key or "\x00" in value for key, values in query.lists() for value in values
    )


class BadInputMiddleware:
    """Answer 400, not 500, to query strings nothing here can mean.

    - A NUL byte in a query string (e.g. an admin list filter `?category__exact=%00`)
      reaches PostgreSQL, which raises DataError: no field of ours holds one.
    - An unknown lookup on an admin page the changelist does not guard itself
      (django-import-export's export page builds a ChangeList from the query
      string) raises IncorrectLookupParameters.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul_byte(request.GET):
            return HttpResponseBadRequest("A NUL byte is not allowed in the address.")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, IncorrectLookupParameters):
            return HttpResponseBadRequest("This filter is not understood. Remove it and retry.")
        return None


class NoStoreForMembersMiddleware:
    """`Cache-Control: no-store` on every response to a logged-in member.

    Public pages (the directory, resource details) show a member's saved state
    once they are logged in, and allauth's email and password pages carry no
    cache header of their own; one rule here cannot be forgotten on a new view.
    Static files never get here (WhiteNoise answers them earlier).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
