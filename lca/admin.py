"""LCA data in the admin: curators upload files and confirm which employer is which
catalogue institution (suggestions by normalised name and state; never linked silently)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods

from accounts.spreadsheets import MB, shorten

from . import importer
from .forms import DecisionForm, LcaUploadForm
from .matching import suggestions
from .models import Employer, EmployerLink, EmployerYear, LcaCase, LcaFile
from .tasks import import_lca_file


@admin.register(LcaFile)
class LcaFileAdmin(admin.ModelAdmin):
    list_display = [
        "original_name", "file_date", "status", "rows_read", "rows_kept", "rows_certified",
        "cases_new", "seconds", "peak_memory", "uploaded_by", "created_at", "short_error",
    ]  # fmt: skip
    list_filter = ["status"]
    list_select_related = ["uploaded_by"]
    readonly_fields = [
        "original_name", "file_date", "status", "size_bytes", "rows_read", "rows_kept",
        "rows_certified", "cases_new", "error", "uploaded_by", "created_at", "started_at",
        "finished_at", "seconds", "peak_memory",
    ]  # fmt: skip

    @admin.display(description="peak memory")
    def peak_memory(self, obj: LcaFile) -> str:
        return f"{obj.peak_memory_kb / 1024:,.0f} MiB" if obj.peak_memory_kb else "–"

    @admin.display(description="error")
    def short_error(self, obj: LcaFile) -> str:
        return shorten(obj.error, 80) if obj.error else ""

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = LcaUploadForm
            kwargs["fields"] = ["file_date"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["upload", "file_date"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the worker writes a file's status; nobody edits it

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # its cases point at it

    def save_model(self, request, obj: LcaFile, form, change) -> None:
        upload = form.cleaned_data["upload"]
        obj.original_name = form.original_name()
        obj.uploaded_by = request.user
        obj.size_bytes = upload.size
        obj.stored_path = str(importer.store_upload(upload))
        obj.save()
        transaction.on_commit(lambda: import_lca_file.enqueue(obj.pk))
        messages.info(
            request,
            f"{obj.original_name} ({upload.size / MB:,.1f} MB) is queued for import; "
            "this list shows its status.",
        )


class EmployerYearInline(admin.TabularInline):
    model = EmployerYear
    fields = ["fiscal_year", "certified", "kept"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class LinkedFilter(admin.SimpleListFilter):
    title = "link"
    parameter_name = "linked"

    def lookups(self, request, model_admin):
        return [("yes", "Linked to an institution"), ("no", "Not linked")]

    def queryset(self, request, queryset):
        confirmed = EmployerLink.objects.filter(decision=EmployerLink.Decision.CONFIRMED)
        ids = confirmed.values("employer_id")
        if self.value() == "yes":
            return queryset.filter(pk__in=ids)
        if self.value() == "no":
            return queryset.exclude(pk__in=ids)
        return queryset


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "city", "certified_by_year", "linked_to", "suggested"]
    list_filter = [LinkedFilter, "state"]
    search_fields = ["name", "normalised_name"]
    readonly_fields = ["name", "normalised_name", "state", "city"]
    inlines = [EmployerYearInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("years", "links__institution")

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        found = suggestions(changelist.result_list)  # the page's employers, 2 queries
        for employer in changelist.result_list:
            employer.suggested_institutions = found[employer.pk]
        return changelist

    def has_add_permission(self, request) -> bool:
        return False  # the importer writes employers

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="certified (by fiscal year)")
    def certified_by_year(self, obj: Employer) -> str:
        years = sorted(obj.years.all(), key=lambda year: -year.fiscal_year)
        return ", ".join(f"FY{y.fiscal_year}: {y.certified}" for y in years) or "–"

    @admin.display(description="linked to")
    def linked_to(self, obj: Employer) -> str:
        confirmed = [
            link.institution
            for link in obj.links.all()
            if link.decision == EmployerLink.Decision.CONFIRMED
        ]
        return str(confirmed[0]) if confirmed else "–"

    @admin.display(description="suggested institutions")
    def suggested(self, obj: Employer) -> str:
        found = getattr(obj, "suggested_institutions", [])
        names = format_html_join(", ", "{}", ((str(i),) for i in found)) if found else "none"
        url = reverse("admin:lca_employer_link", args=[obj.pk])
        return format_html('{} · <a href="{}">Decide</a>', names, url)

    def get_urls(self):
        view = self.admin_site.admin_view(self.decide_view)
        return [
            path("<int:pk>/link/", view, name="lca_employer_link"),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return decide(request, pk, self)


@require_http_methods(["GET", "HEAD", "POST"])
def decide(request: HttpRequest, pk: int, model_admin: EmployerAdmin) -> HttpResponse:
    """One employer: its counts, its links, the suggested institutions with Confirm and
    Reject. A POST records one decision (a double click records it once)."""
    if not (
        request.user.has_perm("lca.add_employerlink")
        and request.user.has_perm("lca.change_employerlink")
    ):
        raise PermissionDenied
    # nosemgrep: unscoped-get-object-or-404 (staff view of Labor data)
    employer = get_object_or_404(Employer.objects.prefetch_related("years"), pk=pk)
    here = reverse("admin:lca_employer_link", args=[employer.pk])
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        # An invalid decision (a forged or stale form: the page's buttons send valid ones)
        # shows the page again with the message, and records nothing.
        if form.is_valid():
            institution = form.cleaned_data["institution"]
            decision = form.cleaned_data["decision"]
            try:
                with transaction.atomic():
                    EmployerLink.objects.update_or_create(
                        employer=employer,
                        institution=institution,
                        defaults={"decision": decision, "decided_by": request.user},
                    )
            except IntegrityError:
                messages.error(
                    request,
                    f"{employer} is already linked to another institution: reject that link first.",
                )
            else:
                verb = "is" if decision == EmployerLink.Decision.CONFIRMED else "is not"
                messages.success(request, f"Recorded: {employer} {verb} {institution}.")
            return redirect(here)
        messages.error(request, "Choose an institution and a decision.")
    links = list(employer.links.select_related("institution", "decided_by"))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Employer._meta,
        "title": f"Which institution is {employer}?",
        "employer": employer,
        "years": sorted(employer.years.all(), key=lambda year: -year.fiscal_year),
        "links": links,
        "suggested": suggestions([employer])[employer.pk],
        "add_link_url": reverse("admin:lca_employerlink_add") + f"?employer={employer.pk}",
        "decisions": EmployerLink.Decision,
    }
    return TemplateResponse(request, "admin/lca/employer_link.html", context)


@admin.register(EmployerLink)
class EmployerLinkAdmin(admin.ModelAdmin):
    list_display = ["employer", "institution", "decision", "decided_by", "decided_at"]
    list_filter = ["decision"]
    list_select_related = ["employer", "institution", "decided_by"]
    search_fields = ["employer__name", "institution__name"]
    autocomplete_fields = ["employer", "institution"]
    fields = ["employer", "institution", "decision"]

    def save_model(self, request, obj: EmployerLink, form, change) -> None:
        obj.decided_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(LcaCase)
class LcaCaseAdmin(admin.ModelAdmin):
    list_display = [
        "case_number", "employer", "status", "fiscal_year", "begin_date", "job_title",
        "soc_code", "file_date",
    ]  # fmt: skip
    list_filter = ["certified", "fiscal_year"]
    list_select_related = ["employer"]
    search_fields = ["case_number", "employer__name", "job_title"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
