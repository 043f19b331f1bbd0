"""Site-wide request guards and the request log, which belong to no single app."""

import logging
import time
from collections.abc import Callable

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers


def bad_request(message: str) -> HttpResponseBadRequest:
    """A 400 of this middleware, with the headers every other response gets from the
    middleware it bypasses (XFrameOptionsMiddleware, NoStoreForMembersMiddleware)."""
    response = HttpResponseBadRequest(message)
    response["X-Frame-Options"] = "DENY"
    add_never_cache_headers(response)
    return response


# Date parts a filter can compare (`?last_reviewed__year=2026`), with the values Python's
# dates can hold: a year past 9999 made Django build an impossible date (ValueError, a 500).
DATE_PARTS = {
    "year": (1, 9999),
    "iso_year": (1, 9999),
    "quarter": (1, 4),
    "month": (1, 12),
    "week": (1, 53),
    "day": (1, 31),
    "week_day": (1, 7),
    "iso_week_day": (1, 7),
    "hour": (0, 23),
    "minute": (0, 59),
    "second": (0, 59),
}


def bad_date_part(key: str, values: list[str]) -> bool:
    """A filter on a date part (`__year`, `__month`...) whose value is not such a number."""
    parts = key.split("__")
    bounds = next((DATE_PARTS[p] for p in parts[1:] if p in DATE_PARTS), None)
    if bounds is None:
        return False
    numbers = [n for value in values for n in value.split(",")] if parts[-1] == "in" else values
    for number in numbers:
        try:
            if not bounds[0] <= int(number) <= bounds[1]:
                return True
        except ValueError:
            return True
    return False


def bad_admin_input(request: HttpRequest, view) -> str | None:
    """What a staff member's request to an admin changelist holds that the admin would
    answer with a 500: why, or None. Checked here, once, for every ModelAdmin."""
    model_admin = getattr(view, "model_admin", None)
    match = request.resolver_match
    if model_admin is None or not (match.url_name or "").endswith("_changelist"):
        return None
    if not model_admin.admin_site.has_permission(request):
        return None  # the admin's own gate answers (a log-in redirect)
    if any(bad_date_part(key, values) for key, values in request.GET.lists()):
        return "This date filter is out of range. Remove it and retry."
    if request.method == "POST":
        pk = model_admin.model._meta.pk
        for value in request.POST.getlist("_selected_action"):
            try:
                pk.clean(value, None)
            except ValidationError:
                return "The selected items are not understood. Reload the list and retry."
    return None


def has_nul_byte(query) -> bool:
    return any(
        "\x00" in key or "\x00" in value for key, values in query.lists() for value in values
    )


class RefuseFileHandler(FileUploadHandler):
    """Upload handler for forms that take no file: a file part is skipped unread
    into memory or disk (the parser discards its bytes) and remembered."""

    def new_file(self, *args, **kwargs):
        self.request.file_part_refused = True
        raise SkipFile()

    def receive_data_chunk(self, raw_data, start):
        return None

    def file_complete(self, file_size):
        return None


def takes_files(request: HttpRequest) -> bool:
    """The admin (its import page), or a view marked `takes_files = True` (the member's
    spreadsheet import, applications/views/spreadsheets.py), which bounds the file itself."""
    if request.path.startswith(reverse("admin:index")):
        return True
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return False
    return getattr(view, "takes_files", False)


def refuses_files(request: HttpRequest) -> bool:
    """A multipart POST to a view that takes no file (see `takes_files`) that carries a
    file part. Forms post multipart too, so the parts are parsed, but no file is kept."""
    if request.method != "POST" or request.content_type != "multipart/form-data":
        return False
    if takes_files(request):
        return False
    request.upload_handlers = [RefuseFileHandler(request)]
    request.POST  # noqa: B018 (parse now, before CSRF and the view read it)
    return getattr(request, "file_part_refused", False)


class BadInputMiddleware:
    """Answer 400, not 500, to input nothing here can mean.

    - A file part on a form that takes no file (a 10 MB "attachment" to the
      progress form): refused; only the admin (import) and views marked
      `takes_files` (the applications spreadsheet import) accept files.

    - A NUL byte in a query string (e.g. an admin list filter `?category__exact=%00`)
      reaches PostgreSQL, which raises DataError: no field of ours holds one.
    - An unknown lookup on an admin page the changelist does not guard itself
      (django-import-export's export page builds a ChangeList from the query
      string) raises IncorrectLookupParameters.
    - On every admin changelist: a date part out of range (`?last_reviewed__year=99999`)
      and an action on ids that are not ids (`_selected_action=abc`, a NUL, an integer
      past the column's range) raised ValueError or OverflowError (`bad_admin_input`).

    Its 400s carry X-Frame-Options and no-store themselves (`bad_request`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul_byte(request.GET):
            return bad_request("A NUL byte is not allowed in the address.")
        if refuses_files(request):
            return bad_request("This form takes no file.")
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs):
        problem = bad_admin_input(request, view)
        return bad_request(problem) if problem else None

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, IncorrectLookupParameters):
            return bad_request("This filter is not understood. Remove it and retry.")
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


request_logger = logging.getLogger("imgportal.requests")


def request_log(get_response: Callable) -> Callable:
    """One line per request: method, the matched URL pattern (never the raw path, which can
    carry tokens and slugs, nor the query string), status, htmx or not, and duration. No user
    identity, no form data. Outermost middleware, so it sees the final status (403 from CSRF,
    400 from BadInputMiddleware, the 503 of a database outage)."""

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
