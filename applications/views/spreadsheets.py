"""Spreadsheet import (preview, then confirm) and export of a member's programs."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods, require_POST

from lib.dates import member_today

from .. import spreadsheets
from ..forms import UploadForm

IMPORT_KEY = "applications_import"
SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "applications-sample.csv"


def import_context(request, form, results=None, file_name="", found="") -> dict:
    errors = sum(1 for result in results or [] if result.errors)
    return {
        "form": form,
        "results": results,
        "error_rows": errors,
        "changed_rows": sum(1 for result in results or [] if result.changes),
        "file_name": file_name,
        "found": found,
        "columns": spreadsheets.COLUMNS,
        "max_rows": spreadsheets.MAX_ROWS,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_sheet(request: HttpRequest) -> HttpResponse:
    """Upload: read and validate every row, save nothing, show the preview."""
    today = member_today(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "applications/import.html", import_context(request, form))
    upload = form.cleaned_data["file"]
    try:
        _, rows, formulas, found = spreadsheets.read_upload(upload)
    except spreadsheets.UploadError as error:
        form.add_error("file", str(error))
        return render(request, "applications/import.html", import_context(request, form))
    results = spreadsheets.validate(request.user, rows, formulas, today)
    if not any(result.errors for result in results):
        request.session[IMPORT_KEY] = {
            "rows": rows,
            "formulas": {str(k): v for k, v in formulas.items()},
            "name": upload.name[:100],
        }
    else:
        request.session.pop(IMPORT_KEY, None)
    context = import_context(request, UploadForm(), results, upload.name, found)
    return render(request, "applications/import.html", context)


# imgportal.middleware.BadInputMiddleware refuses file parts except on views marked so;
# this one bounds the file itself (spreadsheets.read_upload: size, rows, columns).
import_sheet.takes_files = True


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Apply the previewed file, all or nothing (re-validated against the data now: a row
    whose cycle has become past since the preview is refused, like any other error)."""
    today = member_today(request.user)
    pending = request.session.get(IMPORT_KEY)
    if not pending:
        messages.error(request, "There is nothing to import: upload the file again.")
        return redirect("applications:import")
    formulas = {int(k): v for k, v in pending["formulas"].items()}
    results = spreadsheets.validate(request.user, pending["rows"], formulas, today)
    if any(result.errors for result in results):
        request.session.pop(IMPORT_KEY, None)
        context = import_context(request, UploadForm(), results, pending["name"])
        return render(request, "applications/import.html", context)
    try:
        created, updated, saved = spreadsheets.apply(request.user, results, today)
    except IntegrityError:
        messages.error(request, "The data changed while importing; nothing was saved. Try again.")
        return redirect("applications:import")
    request.session.pop(IMPORT_KEY, None)
    messages.success(
        request,
        f"Imported {pending['name']}: {created} program{pluralize(created)} added, "
        f"{updated} updated, {saved} application{pluralize(saved)} saved.",
    )
    return redirect("applications:index")


@login_required
@require_http_methods(["GET", "HEAD"])
def import_sample(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(SAMPLE.read_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="applications-sample.csv"'
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def export_sheet(request: HttpRequest, kind: str) -> HttpResponse:
    stamp = member_today(request.user).isoformat()
    if kind == "csv":
        response = HttpResponse(
            spreadsheets.export_csv(request.user), content_type="text/csv; charset=utf-8"
        )
    elif kind == "xlsx":
        response = HttpResponse(
            spreadsheets.export_xlsx(request.user),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="applications-{stamp}.{kind}"'
    return response
