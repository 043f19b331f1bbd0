from django import forms

from reminders.models import ReminderPreference

WHAT = [
    "cycle_deadlines",
    "planned_dates",
    "interviews",
    "attempts",
    "exam_window",
    "expiries",
    "official_changes",
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
