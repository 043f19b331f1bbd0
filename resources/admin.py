import datetime

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from import_export.admin import ImportExportModelAdmin

from accounts.spreadsheets import UnreadableSheet
from resources import directory_cache
from resources.models import STALE_AFTER_DAYS, ProblemReport, Resource, Tag
from resources.spreadsheets import BoundedCSV, ResourceSheet


class StaleFilter(admin.SimpleListFilter):
    title = "review age"
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [
            ("yes", "Not reviewed for 12 months"),
            ("no", "Reviewed in the last 12 months"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.stale()
        if self.value() == "no":
            cutoff = timezone.localdate() - datetime.timedelta(days=STALE_AFTER_DAYS)
            return queryset.filter(last_reviewed__gte=cutoff)
        return queryset


class ProblemReportInline(admin.TabularInline):
    model = ProblemReport
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "message", "user", "resolved"]
    readonly_fields = ["created_at", "kind", "message", "user"]
    ordering = ["resolved", "-created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Resource)
class ResourceAdmin(ImportExportModelAdmin):
    resource_classes = [ResourceSheet]
    formats = [BoundedCSV]
    list_display = [
        "title",
        "organisation",
        "category",
        "published",
        "needs_review",
        "last_reviewed",
    ]
    list_filter = ["category", "published", "needs_review", StaleFilter, "cost"]
    search_fields = ["title", "organisation", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags", "milestones"]
    date_hierarchy = "last_reviewed"
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ProblemReportInline]
    actions = ["publish", "unpublish", "mark_reviewed_today"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "organisation", "category", "summary", "url"]}),
        ("Details", {"fields": ["description", "cost", "eligibility", "location", "tags"]}),
        ("Roadmap", {"fields": ["milestones"]}),
        ("Curation", {"fields": ["published", "last_reviewed", "needs_review"]}),
        (
            "History",
            {"fields": ["created_at", "updated_at"], "classes": ["collapse"]},
        ),
    ]

    def add_data_read_fail_error_to_form(self, form, e):
        """A file refused by the upload bounds says why (not only the exception's name)."""
        if isinstance(e, UnreadableSheet):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def save_formset(self, request, form, formset, change):
        if formset.model is ProblemReport:
            for report in formset.save(commit=False):
                report.record_resolution(request.user)
                report.save()
            return
        super().save_formset(request, form, formset, change)

    @admin.action(description="Publish selected resources", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.update(published=True, updated_at=timezone.now())
        directory_cache.forget()  # update() sends no signals
        self.message_user(request, f"Published {count} resource(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected resources", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.update(published=False, updated_at=timezone.now())
        directory_cache.forget()
        self.message_user(request, f"Unpublished {count} resource(s).", messages.SUCCESS)

    @admin.action(description="Mark selected resources as reviewed today", permissions=["change"])
    def mark_reviewed_today(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.update(
            last_reviewed=timezone.localdate(), needs_review=False, updated_at=timezone.now()
        )
        directory_cache.forget()  # the cards show "Being re-checked"
        self.message_user(request, f"Marked {count} resource(s) as reviewed today.")


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin):
    list_display = ["resource", "kind", "created_at", "user", "resolved", "resolved_by"]
    list_filter = ["resolved", "kind"]
    list_select_related = ["resource", "user", "resolved_by"]
    search_fields = ["resource__title", "message", "user__email"]
    date_hierarchy = "created_at"
    fields = [
        "resource",
        "user",
        "kind",
        "message",
        "created_at",
        "resolved",
        "resolved_at",
        "resolved_by",
    ]
    readonly_fields = [
        "resource",
        "user",
        "kind",
        "message",
        "created_at",
        "resolved_at",
        "resolved_by",
    ]
    actions = ["mark_resolved"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        obj.record_resolution(request.user)
        super().save_model(request, obj, form, change)

    @admin.action(description="Mark selected reports as resolved", permissions=["change"])
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.filter(resolved=False).update(
            resolved=True, resolved_at=timezone.now(), resolved_by=request.user
        )
        self.message_user(request, f"Resolved {count} report(s).", messages.SUCCESS)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
