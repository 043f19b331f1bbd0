"""The form a member uses to record progress on one milestone.

Which fields it has depends on what the milestone records. Decisions:
- Score milestones (Step 2 CK, Step 3): the outcome is derived from the score and the
  passing score in force on the test date (Rule by date), so a test date is required with a
  score. A score below the passing score is saved (the member may want to record it) but
  shows as failed, and such a milestone cannot be marked done.
- Pass/fail milestones: "done" with no result means passed; "done" with "failed" is refused.
- Prerequisites order the plan; they never refuse "done": a member records what already
  happened (a 2019 pass) whatever else is still open on their roadmap.

`ExamsSoFarForm` is onboarding's second step: which exams the member has passed, and when.
"""

import copy
import datetime
import functools

from django import forms
from django.db import transaction
from django.utils import timezone

from lib import rows
from pathways.models import Milestone, Progress, Rule
from pathways.roadmap import Item, RuleBook, copy_of

EARLIEST_DATE = datetime.date(1960, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
ORDINALS = {
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "eighth",
    9: "ninth",
    10: "tenth",
}
OET_FIELDS = ["oet_listening", "oet_reading", "oet_writing", "oet_speaking", "oet_single_sitting"]


def date_field(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def oet_field(label: str) -> forms.IntegerField:
    message = "An OET sub-score is between 0 and 500."
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=500,
        error_messages={"min_value": message, "max_value": message},
    )


class InitialInput(forms.HiddenInput):
    """A field's hidden "initial-" twin (the value it had when the form was opened). The
    aria-* attributes Django gives a field belong to the visible input only."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        return {key: value for key, value in attrs.items() if not key.startswith("aria-")}


class StaleEdit(Exception):
    """The row changed (another tab or device) since the form was opened."""

    def __init__(self, current: Progress | None):
        self.current = current


class ProgressForm(forms.ModelForm):
    # The row's updated_at when the form was opened ("" for a row not saved yet): a save from
    # a stale tab is refused instead of silently overwriting another tab's change.
    version = forms.CharField(required=False, widget=forms.HiddenInput)
    planned_date = date_field("Planned date")
    completed_date = date_field("Completed on", "For an exam: the test date.")
    score = forms.IntegerField(
        label="Score",
        required=False,
        min_value=1,
        max_value=300,
        error_messages={
            "min_value": "A USMLE score is between 1 and 300.",
            "max_value": "A USMLE score is between 1 and 300.",
        },
    )
    attempts = forms.IntegerField(
        label="Attempts so far",
        min_value=0,
        max_value=10,
        help_text="Count every attempt, incomplete ones included.",
    )
    oet_listening = oet_field("Listening")
    oet_reading = oet_field("Reading")
    oet_writing = oet_field("Writing")
    oet_speaking = oet_field("Speaking")
    expires_on = date_field("Certificate valid through")

    class Meta:
        model = Progress
        fields = [
            "status",
            "planned_date",
            "completed_date",
            "outcome",
            "score",
            "attempts",
            "oet_listening",
            "oet_reading",
            "oet_writing",
            "oet_speaking",
            "oet_single_sitting",
            "expires_on",
            "notes",
        ]
        labels = {"outcome": "Result", "oet_single_sitting": "All four scores from one sitting"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(
        self, *args, milestone: Milestone, rules: RuleBook, today: datetime.date, **kwargs
    ):
        self.milestone, self.rules, self.today = milestone, rules, today
        # Only the fields this milestone records, shared by every instance (SharedFields).
        self.base_fields = recorded_fields(
            milestone.records, milestone.counts_attempts, milestone.records_expiry
        )
        super().__init__(*args, **kwargs)
        # The saved row as read, before validation sets this form's values on the instance
        # (None for a row never saved): what a save compares with and updates.
        self.read = copy_of(self.instance) if self.instance.pk else None
        # Unique ids per row: the dashboard shows one form per milestone.
        self.auto_id = f"id_{self.milestone.slug}_%s"
        self.initial["version"] = version_of(self.instance if self.instance.pk else None)

    def validate_constraints(self) -> None:
        """Skip Django's per-constraint SELECTs (6 queries a save): every field of this form
        already limits its value to what the database's check constraints allow, and the
        constraints themselves still refuse anything else at the database."""

    def save_unless_stale(self) -> Progress:
        """Save if the row is as it was when the form was opened; else raise StaleEdit.

        The usual save (a row the member already has, opened at the version this request
        read, or sent without a version) is one conditional UPDATE: it writes only while the
        row still has the version this request read, so it is atomic by itself. Anything else
        (a new row, or a row changed since the form was opened or since this request read it)
        takes the locked path: the row is
        locked while checking (select_for_update on PostgreSQL; SQLite's IMMEDIATE
        transactions serialise writers), so two tabs saving at once cannot both win. A second
        identical submission (a double click) is not a conflict: it returns the saved row.
        Nor is a save that changes nothing written: the row is returned as it is (`wrote` is
        False), so its version, the member's data version and their cached pages stand.
        """
        instance = self.instance
        self.wrote = False
        checked = "version" in self.data  # forms always send one; a client without opts out
        read = self.read  # the row as it was read, before this form's values
        opened = self.cleaned_data["version"]
        if read is not None and (not checked or version_of(read) == opened):
            names = self.compared_fields()
            values = {
                n: getattr(instance, n) for n in names if getattr(instance, n) != getattr(read, n)
            }
            if not values:
                return read  # a save of what is already saved
            now = timezone.now()
            where = {"pk": read.pk, "updated_at": read.updated_at}
            if rows.update(Progress, {**values, "updated_at": now}, where):
                instance.updated_at = now
                self.wrote = True
                return instance
        with transaction.atomic():
            current = (
                Progress.objects.select_for_update()
                .filter(user_id=instance.user_id, milestone_id=instance.milestone_id)
                .first()
            )
            if current is not None and self.same_as(current):
                return current  # a double click, or a save of what is already saved
            if checked and version_of(current) != self.cleaned_data.get("version", ""):
                raise StaleEdit(current)
            if current is not None:
                instance.pk, instance.created_at = current.pk, current.created_at
                instance._state.adding = False
            self.wrote = True
            return self.save()

    def compared_fields(self) -> list[str]:
        """The row's values this form sets (the outcome is derived for score milestones)."""
        names = [name for name in self.Meta.fields if name in self.fields]
        return names if "outcome" in names else [*names, "outcome"]

    def same_as(self, row: Progress) -> bool:
        return all(getattr(row, n) == getattr(self.instance, n) for n in self.compared_fields())

    def conflict(self, current: Progress | None) -> None:
        """Tell the member what changed, with both values. The fields they changed keep their
        input; the fields they never touched now show the saved values, so saving again does
        not send back values the other tab has replaced."""
        touched = set(self.changed_data)
        rows = []
        for name in self.compared_fields():
            if name in self.fields and name not in touched:
                continue
            saved = getattr(current, name) if current else Progress._meta.get_field(name).default
            if getattr(self.instance, name) != saved:
                label = self.fields[name].label if name in self.fields else "Result"
                mine = shown(self.instance, name)
                rows.append(f"{label}: saved {shown(current, name)}, yours {mine}")
        message = (
            "This milestone was changed in another tab or on another device after you opened "
            "it, so nothing was saved. "
            + ("; ".join(rows) + ". " if rows else "")
            + "Check your values below and save again to keep yours; the fields you did not "
            "change show the saved values."
        )
        self.add_error(None, message)
        data = self.data.copy()
        data["version"] = version_of(current)
        for name, field in self.fields.items():
            if name == "version" or name in touched:
                continue
            value = getattr(current, name) if current else field.initial
            for key in (name, f"initial-{name}"):
                data.pop(key, None)
                if isinstance(field, forms.BooleanField):
                    if value:
                        data[key] = "on"
                elif value is not None:
                    data[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        self.data = data

    def clean_date(self, name: str) -> datetime.date | None:
        value = self.cleaned_data.get(name)
        if value and value < EARLIEST_DATE:
            raise forms.ValidationError(f"Enter a date from {EARLIEST_DATE.year} onwards.")
        if value and value > LATEST_DATE:
            raise forms.ValidationError(f"Enter a date no later than {LATEST_DATE.year}.")
        return value

    def clean_planned_date(self):
        return self.clean_date("planned_date")

    def clean_expires_on(self):
        return self.clean_date("expires_on")

    def clean_completed_date(self):
        value = self.clean_date("completed_date")
        if value and value > self.today:
            raise forms.ValidationError("The completion date cannot be in the future.")
        return value

    def clean_attempts(self):
        """Histories from before the limit was lowered (6, then 4 from July 2021) are real."""
        attempts = self.cleaned_data["attempts"]
        limit = self.rules.highest(Rule.Key.USMLE_ATTEMPT_LIMIT)
        if limit is not None and attempts > limit:
            nth = ORDINALS.get(limit + 1, f"{limit + 1}th")
            raise forms.ValidationError(
                f"USMLE has never allowed more than {limit} attempts per Step; a {nth} is not "
                "possible."
            )
        return attempts

    def clean(self):
        cleaned = super().clean()
        done = cleaned.get("status") == Progress.Status.DONE
        # Prerequisites order the plan; they never block recording what already happened
        # (a 2019 Step 1 pass is recorded as it was, whatever else is still open).
        if "outcome" in self.fields:
            if done and cleaned.get("outcome") == Progress.Outcome.FAILED:
                self.add_error("outcome", "A failed result cannot be marked done.")
            elif done and "outcome" in cleaned and not cleaned["outcome"]:
                cleaned["outcome"] = Progress.Outcome.PASSED
        if "score" in self.fields:
            self.clean_score_outcome(cleaned, done)
        return cleaned

    def clean_score_outcome(self, cleaned: dict, done: bool) -> None:
        """Derive the outcome of a score milestone; set on the instance (no outcome field)."""
        score, tested = cleaned.get("score"), cleaned.get("completed_date")
        rule = self.milestone.passing_score_rule
        outcome = Progress.Outcome.PASSED if done else Progress.Outcome.UNKNOWN
        if score is not None and rule:
            if tested is None:
                if "completed_date" not in self.errors:
                    self.add_error(
                        "completed_date", "Enter your test date: the passing score depends on it."
                    )
                return
            passing = self.rules.in_force(rule, tested)
            if passing is not None:
                failed = score < passing
                outcome = Progress.Outcome.FAILED if failed else Progress.Outcome.PASSED
                if failed and done:
                    self.add_error(
                        "score",
                        f"{score} is below {passing}, the passing score on {tested:%-d %b %Y}: "
                        "a failing score cannot be marked done.",
                    )
        self.instance.outcome = outcome


class SharedFields(dict):
    """A form's fields that every instance shares: Django deep-copies a form's base fields
    for each instance, so that one may change its own (a third of a progress form's cost,
    docs/performance.md); ProgressForm changes none, so its instances share these (a copy
    of the dict only). tests/pathways/test_forms.py renders and validates forms and checks
    the shared fields are as they were."""

    def __deepcopy__(self, memo) -> dict:
        return dict(self)


@functools.cache
def recorded_fields(records: str, counts_attempts: bool, records_expiry: bool) -> SharedFields:
    """ProgressForm's fields for a milestone that records these. Each also carries the value
    it had when the form was opened (a hidden "initial-" input), so a save refused as stale
    can tell what the member changed from what they never touched (`conflict`)."""
    unused = set()
    if records != Milestone.Records.PASS_FAIL:
        unused.add("outcome")
    if records != Milestone.Records.SCORE:
        unused.add("score")
    if records != Milestone.Records.OET:
        unused.update(OET_FIELDS)
    if not counts_attempts:
        unused.add("attempts")
    if not records_expiry:
        unused.add("expires_on")
    fields = SharedFields()
    for name, field in ProgressForm.base_fields.items():
        if name not in unused:
            fields[name] = field = copy.deepcopy(field)
            field.show_hidden_initial = name != "version"
            field.hidden_widget = InitialInput
    return fields


def version_of(progress: Progress | None) -> str:
    return progress.updated_at.isoformat() if progress is not None else ""


def shown(progress: Progress | None, name: str) -> str:
    """A progress value as a member reads it in a conflict message."""
    if progress is None:
        return "nothing"
    value = getattr(progress, name)
    display = getattr(progress, f"get_{name}_display", None)
    if display is not None:
        return display() or "none"
    if value in (None, ""):
        return "none"
    if isinstance(value, datetime.date):
        return f"{value:%-d %b %Y}"
    return str(value)


class ExamsSoFarForm(forms.Form):
    """Onboarding's second step: the exams ECFMG counts that the member has already passed.

    One optional date per exam (and the score of a score milestone, whose passing score
    depends on the date). Only filled-in exams are written; a row the member already has is
    not overwritten here (they edit it on the roadmap). The roadmap then follows ECFMG's
    seven-year window from these dates.
    """

    def __init__(self, *args, items: list[Item], rules: RuleBook, today: datetime.date, **kw):
        super().__init__(*args, **kw)
        self.items, self.rules, self.today = items, rules, today
        for item in items:
            milestone = item.milestone
            self.fields[f"{milestone.slug}_on"] = date_field(
                f"{milestone.title}: the day you passed",
                "Leave empty if you have not passed it.",
            )
            if milestone.records == Milestone.Records.SCORE:
                self.fields[f"{milestone.slug}_score"] = forms.IntegerField(
                    label=f"{milestone.title}: your score",
                    required=False,
                    min_value=1,
                    max_value=300,
                )

    def clean(self):
        cleaned = super().clean()
        for item in self.items:
            slug, milestone = item.milestone.slug, item.milestone
            passed_on = cleaned.get(f"{slug}_on")
            if passed_on and not EARLIEST_DATE <= passed_on <= self.today:
                self.add_error(f"{slug}_on", "Enter a date from 1960 up to today.")
                continue
            if milestone.records != Milestone.Records.SCORE:
                continue
            score = cleaned.get(f"{slug}_score")
            if score is not None and passed_on is None:
                message = "Enter the day you passed: the passing score depends on it."
                self.add_error(f"{slug}_on", message)
            elif score is not None and milestone.passing_score_rule:
                passing = self.rules.in_force(milestone.passing_score_rule, passed_on)
                if passing is not None and score < passing:
                    self.add_error(
                        f"{slug}_score",
                        f"{score} is below {passing}, the passing score on "
                        f"{passed_on:%-d %b %Y}: record a failed attempt on the roadmap instead.",
                    )
        return cleaned

    def passes(self) -> list[tuple[Item, datetime.date, int | None]]:
        """(item, date, score) of each exam the member filled in."""
        found = []
        for item in self.items:
            passed_on = self.cleaned_data.get(f"{item.milestone.slug}_on")
            if passed_on:
                found.append(
                    (item, passed_on, self.cleaned_data.get(f"{item.milestone.slug}_score"))
                )
        return found

    def save(self, user) -> int:
        """Write the passes (a row already saved is left as it is); how many were written."""
        written = 0
        with transaction.atomic():
            for item, passed_on, score in self.passes():
                _, created = Progress.objects.get_or_create(
                    user=user,
                    milestone=item.milestone,
                    defaults={
                        "status": Progress.Status.DONE,
                        "outcome": Progress.Outcome.PASSED,
                        "completed_date": passed_on,
                        "score": score,
                    },
                )
                written += created
        return written
