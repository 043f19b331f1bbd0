"""Curators maintain the roadmap content here. Members' progress is theirs: read-only."""

import datetime

from django import forms
from django.contrib import admin
from django.utils import timezone

from pathways import history
from pathways.cycles import DEFAULT_RULES, NOT_COMPUTED, default_dates
from pathways.models import (
    DateChange,
    EntryRestriction,
    MatchCycle,
    Milestone,
    Prerequisite,
    Progress,
    Rule,
)


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

    def get_readonly_fields(self, request, obj=None):
        """A slug is read-only once the milestone exists: URLs and content refer to it."""
        if obj is not None:
            return [*self.readonly_fields, "slug"]
        return self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        saved_with_history(self, request, obj, form, change, history.record_milestone)

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
                    "lead_time_rule",
                    "lead_time_applies",
                    "lead_time_note",
                ]
            },
        ),
    ]


class MatchCycleBaseForm(forms.ModelForm):
    """A cycle's dates, each with where it was verified.

    Dates left empty are proposed from the default rules for the year when saved. A date is
    *verified* once the curator gives the official page and the day they checked it; a date
    without both stays *proposed* and is shown to members as such.
    """

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
                "filled in from those rules when you save. Next to each date, give the official "
                "page and the day you checked it: only then is it shown to members as official."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in MatchCycle.DATE_FIELDS:
            self.fields[name].required = False
            if self.instance.pk and not self.is_bound:
                info = self.instance.info(name)
                if info.verified:
                    self.initial[f"{name}_source"] = info.source_url
                    self.initial[f"{name}_checked"] = info.checked_on
            self.fields[name].help_text = self.basis_of(name)

    def basis_of(self, name: str) -> str:
        if not self.instance.pk:
            return DEFAULT_RULES.get(name, NOT_COMPUTED)
        info = self.instance.info(name)
        return ("Verified: " if info.verified else "Proposed: ") + info.basis

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        if year:
            for name, proposed in default_dates(year).items():
                if cleaned.get(name) is None and name not in self.errors:
                    cleaned[name] = proposed
        verified = {}
        today = timezone.localdate()
        for name in MatchCycle.DATE_FIELDS:
            source, checked = cleaned.get(f"{name}_source"), cleaned.get(f"{name}_checked")
            if not source and not checked:
                continue
            if not (source and checked):
                missing = f"{name}_checked" if source else f"{name}_source"
                self.add_error(missing, "Give both the official page and the day you checked.")
            elif cleaned.get(name) is None:
                self.add_error(f"{name}_source", "There is no date to verify.")
            elif checked > today:
                self.add_error(f"{name}_checked", "The day you checked cannot be in the future.")
            elif not source.startswith("https://"):
                self.add_error(f"{name}_source", "Give the official page's https:// address.")
            else:
                verified[name] = {
                    "date": cleaned[name].isoformat(),
                    "source_url": source,
                    "checked_on": checked.isoformat(),
                }
        self.instance.verified = verified
        return cleaned


def verification_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for name in MatchCycle.DATE_FIELDS:
        fields[f"{name}_source"] = forms.URLField(
            label="verified on (official page)", required=False, assume_scheme="https"
        )
        fields[f"{name}_checked"] = forms.DateField(
            label="checked on", required=False, widget=admin.widgets.AdminDateWidget
        )
    return fields


MatchCycleForm = type("MatchCycleForm", (MatchCycleBaseForm,), verification_fields())


def date_rows(*names: str) -> list[tuple[str, str, str]]:
    return [(name, f"{name}_source", f"{name}_checked") for name in names]


@admin.register(MatchCycle)
class MatchCycleAdmin(admin.ModelAdmin):
    form = MatchCycleForm
    list_display = ["__str__", "proposed_dates", "match_day", "rol_deadline", "needs_review"]
    list_filter = ["needs_review"]
    fieldsets = [
        ("Cycle", {"fields": ["year", "needs_review", "last_reviewed", "source_url", "notes"]}),
        (
            "ERAS",
            {"fields": date_rows("eras_opens", "applicants_may_submit", "programs_review_starts")},
        ),
        (
            "NRMP",
            {
                "fields": date_rows(
                    "nrmp_registration_opens",
                    "nrmp_early_registration_deadline",
                    "ranking_opens",
                    "rol_deadline",
                    "match_week_starts",
                    "match_day",
                    "training_starts",
                )
            },
        ),
        (
            "ECFMG",
            {
                "fields": date_rows(
                    "oet_recommended_by", "oet_valid_from", "pathway_application_deadline"
                )
            },
        ),
    ]

    @admin.display(description="proposed dates")
    def proposed_dates(self, cycle: MatchCycle) -> str:
        infos = [cycle.info(name) for name in MatchCycle.DATE_FIELDS]
        proposed = [i for i in infos if i.date and i.proposed]
        missing = [i for i in infos if i.date is None]
        text = f"{len(proposed)} proposed"
        return text + (f", {len(missing)} not set" if missing else "")

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


@admin.register(EntryRestriction)
class EntryRestrictionAdmin(admin.ModelAdmin):
    """Entry restrictions by nationality: members of that citizenship are warned, with the
    source and the review date (older than 90 days: "may be out of date")."""

    list_display = [
        "country",
        "kind",
        "j_visas_suspended",
        "h_visas_suspended",
        "effective_from",
        "ends_on",
        "last_reviewed",
        "needs_review",
    ]
    list_filter = ["kind", "needs_review", "j_visas_suspended", "h_visas_suspended"]
    search_fields = ["country", "measure", "note"]


@admin.register(DateChange)
class DateChangeAdmin(admin.ModelAdmin):
    """The history of curated dates: read-only, written by the save hooks above and by the
    content loader (no curator; the release's reason)."""

    list_display = ["changed_at", "label", "old_value", "new_value", "reason", "changed_by"]
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
