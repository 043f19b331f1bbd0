"""The curators' import (upload → preview → confirm) and export of catalogue programs, as
pages of the admin: `urls(model_admin)` is added by CatalogueProgramAdmin.get_urls, so every
view runs behind the admin's own gate (staff, second factor, CSRF, never cached), and each
checks the model admin's permissions itself. The logic is in catalogue/importer.py.

Nothing is written before the confirmation: the upload is read and validated, and only a
file without errors is kept, as its rows of text (never the file), in the curator's session;
the confirmation validates those rows again against the catalogue as it is now, and applies
them in one transaction.
"""

from functools import partial

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from . import importer

SESSION_KEY = "catalogue_import"
NAME = "catalogue_catalogueprogram"


class CatalogueImportForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet (.csv or .xlsx)",
        help_text=(
            f"At most {importer.MAX_BYTES // importer.MB} MB and {importer.MAX_ROWS:,} rows; "
            "CSV files in UTF-8. The first row names the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    replace_manual = forms.BooleanField(
        label="Replace curators' edits",
        required=False,
        help_text="Unticked, a fact a curator edited by hand keeps its value.",
    )


def may_import(model_admin, request: HttpRequest) -> bool:
    return model_admin.has_add_permission(request) and model_admin.has_change_permission(request)


def context(model_admin, request, form, results=None, **extra) -> dict:
    results = results or []
    counts = {action: 0 for action in ("create", "update", "unchanged", "error")}
    for result in results:
        counts[result.action] += 1
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import catalogue programs",
        "form": form,
        "results": results,
        "counts": counts,
        "changes": counts["create"] + counts["update"],
        "kept": sum(len(result.kept) for result in results),
        "columns": importer.PROGRAM_COLUMNS,
        "fact_kinds": importer.FactKind.choices,
        "max_rows": importer.MAX_ROWS,
        "max_fact_writes": importer.MAX_FACT_WRITES,
        **extra,
    }


def render(model_admin, request, form, results=None, **extra) -> TemplateResponse:
    return TemplateResponse(
        request,
        "admin/catalogue/catalogueprogram/import.html",
        context(model_admin, request, form, results, **extra),
    )


def import_view(model_admin, request: HttpRequest) -> HttpResponse:
    """Upload: read and validate every row, write nothing, show the preview."""
    if not may_import(model_admin, request):
        raise PermissionDenied
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return render(model_admin, request, form)
    upload = form.cleaned_data["file"]
    replace = form.cleaned_data["replace_manual"]
    try:
        sheet = importer.read_upload(upload)
    except importer.UploadError as error:
        form.add_error("file", str(error))
        return render(model_admin, request, form)
    results = importer.validate(sheet.rows, sheet.formulas, replace_manual=replace)
    too_much = importer.too_much_work(results)
    if too_much:
        request.session.pop(SESSION_KEY, None)
        form.add_error("file", too_much)
        return render(model_admin, request, form)
    name = upload.name[:100]
    if any(result.errors for result in results):
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = {
            "rows": sheet.rows,
            "formulas": {str(number): cells for number, cells in sheet.formulas.items()},
            "name": name,
            "replace": replace,
        }
    form = CatalogueImportForm(initial={"replace_manual": replace})
    return render(
        model_admin, request, form, results, file_name=name, found=sheet.found, replace=replace
    )


def confirm_view(model_admin, request: HttpRequest) -> HttpResponse:
    """Apply the previewed rows, validated again now, in one transaction (all or nothing)."""
    if not may_import(model_admin, request):
        raise PermissionDenied
    here = reverse(f"admin:{NAME}_import")
    pending = request.session.get(SESSION_KEY)
    if not pending:
        messages.error(request, "There is nothing to import: upload the file again.")
        return redirect(here)
    formulas = {int(number): cells for number, cells in pending["formulas"].items()}
    replace = pending["replace"]
    try:
        with transaction.atomic():
            results = importer.validate(pending["rows"], formulas, replace_manual=replace)
            if any(result.errors for result in results) or importer.too_much_work(results):
                request.session.pop(SESSION_KEY, None)
                form = CatalogueImportForm(initial={"replace_manual": replace})
                return render(
                    model_admin, request, form, results, file_name=pending["name"], stale=True
                )
            outcome = importer.apply(results, by=request.user)
    except (IntegrityError, importer.ImportFailed) as error:
        shown = str(error) if isinstance(error, importer.ImportFailed) else "the data changed"
        messages.error(request, f"Nothing was imported ({shown[:300]}). Upload the file again.")
        return redirect(here)
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        f"Imported {pending['name']}: {outcome.created} program{pluralize(outcome.created)} "
        f"added, {outcome.updated} updated, {outcome.unchanged} unchanged; "
        f"{outcome.facts_changed} fact{pluralize(outcome.facts_changed)} changed, "
        f"{outcome.facts_refreshed} re-sourced, {outcome.kept} curators' "
        f"edit{pluralize(outcome.kept)} kept.",
    )
    return redirect(reverse(f"admin:{NAME}_changelist"))


def export_view(model_admin, request: HttpRequest, kind: str) -> HttpResponse:
    """The whole catalogue in the import's layout: the template for an import."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if kind == "csv":
        response = HttpResponse(importer.export_csv(), content_type="text/csv; charset=utf-8")
    elif kind == "xlsx":
        response = HttpResponse(
            importer.export_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="catalogue-{stamp}.{kind}"'
    return response


def urls(model_admin) -> list:
    """The import's URLs, before the admin's own (whose `<path:object_id>/` would catch them)."""

    def view(function, methods):
        return model_admin.admin_site.admin_view(
            require_http_methods(methods)(partial(function, model_admin))
        )

    return [
        path(
            "import/",
            view(import_view, ["GET", "HEAD", "POST"]),
            name=f"{NAME}_import",
        ),
        path("import/confirm/", view(confirm_view, ["POST"]), name=f"{NAME}_import_confirm"),
        path("export/<str:kind>/", view(export_view, ["GET", "HEAD"]), name=f"{NAME}_export"),
    ]
