"""Site-wide pages that belong to no single app: home, health check, errors."""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache

from accounts.forms import PreviewForm

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("pathways:dashboard")
    # auto_id keeps the home form's ids apart from any other form's.
    return render(request, "home.html", {"preview_form": PreviewForm(auto_id="preview_%s")})


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        response["Retry-After"] = "30"
        return response
    return JsonResponse({"status": "ok", "database": "ok"})


def database_unavailable(exc: BaseException | None) -> bool:
    """Connection loss (or SQLite's lock timeout), not every OperationalError.

    On SQLite, syntax errors and missing tables are OperationalError too; a
    broad mapping would hide real bugs behind a 503.
    """
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        if connection.vendor == "sqlite":
            return "database is locked" in str(exc)
        return True
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        logger.error("Database unavailable, answering 503", exc_info=exc)
        # The page needs no database: no context processors that read it, no session.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return render(request, "500.html", status=500)
