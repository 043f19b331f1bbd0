from django import forms

from pathways.models import Slugs
from reminders.models import ReminderPreference

WHAT = [
    "cycle_deadlines",
    "planned_dates",
    "interviews",
    "attempts",
    "exam_window",
    "expiries",
    "official_changes",
    "program_changes",
]
WHEN = ["days_30", "days_14", "days_7", "days_1"]


class ReminderPreferenceForm(forms.ModelForm):
    class Meta:
        model = ReminderPreference
        fields = ["enabled", "frequency", *WHAT, *WHEN]
        widgets = {"frequency": forms.RadioSelect}

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("enabled")
            and cleaned.get("frequency") == ReminderPreference.Frequency.EACH
            and not any(cleaned.get(name) for name in WHEN)
        ):
            self.add_error("days_30", "Choose at least one time before a date, or a weekly digest.")
        return cleaned

    def what_fields(self):
        return [self[name] for name in WHAT]

    def when_fields(self):
        return [self[name] for name in WHEN]


class WhatIfForm(forms.Form):
    """'Can I still make Match Y?': a target year and one or more assumptions (GET, unsaved)."""

    EXAMS = [("", "—"), (Slugs.STEP1, "USMLE Step 1"), (Slugs.STEP2CK, "USMLE Step 2 CK")]

    year = forms.TypedChoiceField(label="Match year", coerce=int, required=False)
    fail_exam = forms.ChoiceField(label="If I fail", choices=EXAMS, required=False)
    fail_on = forms.DateField(
        label="on the date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    diploma_on = forms.DateField(
        label="If my final diploma arrives on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    needs_h1b = forms.BooleanField(
        label="If I need an H-1B (Step 3 before ranking)", required=False
    )

    def __init__(self, *args, years: list[int], today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.today = today

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("fail_exam") and not cleaned.get("fail_on"):
            self.add_error("fail_on", "Enter the date of the exam you might fail.")
        if cleaned.get("fail_on") and not cleaned.get("fail_exam"):
            self.add_error("fail_exam", "Choose the exam.")
        for name in ("fail_on", "diploma_on"):
            value = cleaned.get(name)
            if value and not (self.today.year - 10 <= value.year <= self.today.year + 10):
                self.add_error(name, "Enter a date within ten years of today.")
        return cleaned

    @property
    def has_assumption(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("fail_exam") or data.get("diploma_on") or data.get("needs_h1b"))
