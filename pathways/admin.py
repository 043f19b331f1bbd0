"""Curators maintain the roadmap content here. Members' progress is theirs: read-only."""

import datetime

from django import forms
from django.contrib import admin
from django.utils import timezone

from pathways import history
from pathways.cycles import default_dates
from pathways.models import DateChange, MatchCycle, Milestone, Prerequisite, Progress, Rule


def saved_with_history(model_admin, request, obj, form, change, record) -> None:
    """Save the object, then record which curated dates changed (pathways/history.py)."""
    old = type(obj).objects.filter(pk=obj.pk).first() if change else None
    admin.ModelAdmin.save_model(model_admin, request, obj, form, change)
    record(old, obj, request.user)


class PrerequisiteInline(admin.TabularInline):
    model = Prerequisite
    fk_name = "milestone"
    autocomplete_fields = ["required"]
    extra = 0
    verbose_name = "prerequisite"
    verbose_name_plural = "prerequisites (what this milestone needs first)"


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "needs_review", "category", "applies", "records", "order", "slug"]
    list_display_links = ["title"]
    list_editable = ["needs_review"]
    list_filter = ["needs_review", "category", "applies", "records"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["updated_at"]
    inlines = [PrerequisiteInline]

    def save_model(self, request, obj, form, change):
        saved_with_history(self, request, obj, form, change, history.record_milestone)

    fieldsets = [
        ("Review", {"fields": ["needs_review", "last_reviewed", "source_url", "updated_at"]}),
        ("Content", {"fields": ["title", "slug", "category", "order", "summary", "explanation"]}),
        (
            "Roadmap behaviour",
            {"fields": ["applies", "records", "counts_attempts", "deadline", "deadline_note"]},
        ),
    ]


class MatchCycleForm(forms.ModelForm):
    """Dates left empty are proposed from the default rules for the year when saved."""

    class Meta:
        model = MatchCycle
        fields = [
            "year",
            "needs_review",
            "last_reviewed",
            "source_url",
            "notes",
            *default_dates(2026),
        ]
        help_texts = {
            "year": (
                "The year of Match Day. On a new cycle the dates are proposed from the default "
                "rules (e.g. Match Day = third Friday of March); any date you leave empty is "
                "filled in from those rules when you save. Check every date against the "
                "official sources and untick 'needs review' once verified."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in default_dates(2026):
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        if year:
            for name, proposed in default_dates(year).items():
                if cleaned.get(name) is None and name not in self.errors:
                    cleaned[name] = proposed
        return cleaned


@admin.register(MatchCycle)
class MatchCycleAdmin(admin.ModelAdmin):
    form = MatchCycleForm
    list_display = ["__str__", "needs_review", "match_day", "rol_deadline", "eras_opens"]
    list_filter = ["needs_review"]
    fieldsets = [
        ("Cycle", {"fields": ["year", "needs_review", "last_reviewed", "source_url", "notes"]}),
        ("ERAS", {"fields": ["eras_opens", "applicants_may_submit", "programs_review_starts"]}),
        (
            "NRMP",
            {
                "fields": [
                    "nrmp_registration_opens",
                    "nrmp_early_registration_deadline",
                    "ranking_opens",
                    "rol_deadline",
                    "match_day",
                    "training_starts",
                ]
            },
        ),
        (
            "ECFMG",
            {"fields": ["oet_recommended_by", "oet_valid_from", "pathway_application_deadline"]},
        ),
    ]

    def get_changeform_initial_data(self, request):
        """Propose the default dates: for ?year=YYYY, else the first year without a cycle."""
        initial = super().get_changeform_initial_data(request)
        try:
            year = int(request.GET.get("year", ""))
        except ValueError:
            taken = set(MatchCycle.objects.values_list("year", flat=True))
            year = timezone.localdate().year + 1
            while year in taken:
                year += 1
        if not 2020 <= year <= 2100:
            return initial
        dates: dict[str, datetime.date | None] = default_dates(year)
        return {**initial, "year": year, "needs_review": True, **dates}

    def save_model(self, request, obj, form, change):
        saved_with_history(self, request, obj, form, change, history.record_cycle)


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["key", "value", "effective_from", "needs_review", "last_reviewed"]
    list_filter = ["needs_review", "key"]
    search_fields = ["key", "note"]

    def save_model(self, request, obj, form, change):
        saved_with_history(self, request, obj, form, change, history.record_rule)


@admin.register(DateChange)
class DateChangeAdmin(admin.ModelAdmin):
    """The history of curated dates: read-only, written by the save hooks above."""

    list_display = ["changed_at", "label", "old_value", "new_value", "changed_by"]
    list_select_related = ["changed_by"]
    list_filter = ["kind"]
    search_fields = ["label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Progress)
class ProgressAdmin(admin.ModelAdmin):
    """Members' own records: visible to superusers only, and read-only."""

    list_display = ["user", "milestone", "status", "updated_at"]
    list_select_related = ["user", "milestone"]
    list_filter = ["status"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
