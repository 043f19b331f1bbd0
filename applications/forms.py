"""Forms of the application season. Fields are listed explicitly; dates are bounded."""

import datetime

from django import forms

from .fit import Level
from .models import Program

EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


class BoundedDateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not (EARLIEST_DATE <= value <= LATEST_DATE):
            raise forms.ValidationError(
                f"Enter a date between {EARLIEST_DATE:%Y} and {LATEST_DATE:%Y}."
            )


def fact_fields(name: str) -> list[str]:
    return [name, f"{name}_source", f"{name}_found_on"]


PROGRAM_FIELDS = [
    "name",
    "specialty",
    "city",
    "state",
    "program_url",
    "freida_url",
    "acgme_code",
    "nrmp_code",
    *(field for fact in Program.FACTS for field in fact_fields(fact)),
    "notes",
]


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = PROGRAM_FIELDS
        field_classes = {f"{fact}_found_on": BoundedDateField for fact in Program.FACTS}
        labels = {f"{fact}_source": "Where you found it" for fact in Program.FACTS} | {
            f"{fact}_found_on": "Date found" for fact in Program.FACTS
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for fact in Program.FACTS:
            self.fields[f"{fact}_source"].widget.attrs["placeholder"] = "e.g. program website"

    def clean(self):
        cleaned = super().clean()
        name, specialty = cleaned.get("name"), cleaned.get("specialty")
        if name and specialty:
            clash = Program.objects.filter(
                user=self.user, name__iexact=name.strip(), specialty__iexact=specialty.strip()
            )
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(
                    "You already keep this program in this specialty.", code="duplicate"
                )
        return cleaned

    def save(self, commit=True):
        self.instance.user = self.user
        return super().save(commit)


SORTS = [("fit", "Best fit first"), ("name", "Name"), ("updated", "Recently updated")]


class ProgramFilterForm(forms.Form):
    fit = forms.ChoiceField(label="Fit", choices=[("", "Any fit"), *Level.choices], required=False)
    specialty = forms.CharField(max_length=100, required=False)
    sort = forms.ChoiceField(choices=SORTS, required=False)
