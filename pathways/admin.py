"""Curators maintain the roadmap content here. Members' progress is theirs: read-only."""

import datetime

from django import forms
from django.contrib import admin
from django.utils import timezone

from pathways.cycles import default_dates
from pathways.models import MatchCycle, Milestone, Prerequisite, Progress, Rule


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

    def get_readonly_fields(self, request, obj=None):
        """A slug is read-only once the milestone exists: URLs and content refer to it."""
        if obj is not None:
            return [*self.readonly_fields, "slug"]
        return self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields

    fieldsets = [
        ("Review", {"fields": ["needs_review", "last_reviewed", "source_url", "updated_at"]}),
        ("Content", {"fields": ["title", "slug", "category", "order", "summary", "explanation"]}),
        (
            "Roadmap behaviour",
            {
                "fields": [
                    "applies",
                    "records",
                    "counts_attempts",
                    "records_expiry",
                    "passing_score_rule",
                    "ecfmg_exam",
                    "reported_to_nrmp",
                    "deadline",
                    "deadline_note",
                ]
            },
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
            *MatchCycle.DATE_FIELDS,
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
        for name in MatchCycle.DATE_FIELDS:
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


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["key", "value", "effective_from", "needs_review", "last_reviewed"]
    list_filter = ["needs_review", "key"]
    search_fields = ["key", "note"]


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
