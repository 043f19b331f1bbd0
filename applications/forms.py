"""Forms of the application season. Fields are listed explicitly; dates are bounded."""

import datetime
import zoneinfo

from django import forms

from lib.dates import canonical_zone
from lib.text import without_bidi_controls

from .fit import Level
from .interviews import WallTime, clock_change, wall_time
from .models import Application, CostEntry, Interview, Letter, Program, Signal, Status

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


class PlainText:
    """Every text a member types in the season's forms, without bidirectional controls
    (lib/text.py); a required field holding nothing else is then empty, and says so."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if not isinstance(value, str):
                continue
            cleaned[name] = without_bidi_controls(value).strip()
            if value and not cleaned[name] and self.fields[name].required:
                self.add_error(name, self.fields[name].error_messages["required"])
        return cleaned


OUT_OF_DATE = "This page is out of date: reload it and make your change again."


class VersionedForm(PlainText, forms.ModelForm):
    """An edit form carries the version of the row it was read at, so a save from a stale
    tab is refused (pipeline.save_unless_stale) instead of overwriting the other tab's."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].required = True
            self.initial.setdefault("version", self.instance.version)

    def clean(self):
        cleaned = super().clean()
        if "version" in self.errors:  # a hidden field: its error is shown above the form
            del self.errors["version"]
            self.add_error(None, OUT_OF_DATE)
        return cleaned


class ProgramForm(VersionedForm):
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


class NewApplicationForm(PlainText, forms.Form):
    """Track a program in a Match cycle (one application per program, specialty, cycle)."""

    program = forms.ModelChoiceField(queryset=Program.objects.none())
    specialty = forms.CharField(
        max_length=100, required=False, help_text="Leave empty for the program's specialty."
    )
    cycle = forms.IntegerField(label="Match year", min_value=2024, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.for_user(user)

    def clean(self):
        cleaned = super().clean()
        program = cleaned.get("program")
        if program is not None:
            cleaned["specialty"] = (cleaned.get("specialty") or "").strip() or program.specialty
        return cleaned


class StatusForm(forms.Form):
    """The inline status change on an application card."""

    status = forms.ChoiceField(choices=Status.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ApplicationForm(PlainText, forms.Form):
    """The full edit form of one application: status with its date, and notes."""

    status = forms.ChoiceField(choices=Status.choices)
    changed_on = BoundedDateField(
        label="Status changed on", help_text="Used only when the status changes."
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class BulkStatusForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=[],
        error_messages={
            "required": "Select at least one application.",
        },
    )
    status = forms.ChoiceField(label="New status", choices=Status.choices)

    def __init__(self, *args, pks: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(pk, pk) for pk in pks]


class ApplicationFilterForm(forms.Form):
    """The query string of the season's long lists (applications, rank list, letters):
    filters and search kept in the URL, applied only from `cleaned_data`."""

    cycle = forms.IntegerField(min_value=2024, max_value=2100, required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    q = forms.CharField(label="Search", max_length=100, required=False, strip=True)
    fit = forms.ChoiceField(label="Fit", choices=[("", "Any fit"), *Level.choices], required=False)
    # The one row whose form is open (a rank note, a status change): loaded on demand.
    open = forms.IntegerField(min_value=1, required=False)

    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data[name] for name in ("status", "q", "fit"))

    def matches(self, application, fit=None) -> bool:
        """Whether one application (its program loaded; `fit` its fit check) is shown."""
        data = self.cleaned_data
        if data["status"] and application.status != data["status"]:
            return False
        if data["fit"] and (fit is None or fit.level != data["fit"]):
            return False
        words = data["q"].casefold().split()
        program = application.program
        text = " ".join(
            [program.name, application.specialty, program.city, program.state, program.nrmp_code]
        ).casefold()
        return all(word in text for word in words)


RANK_DIRECTIONS = [("to", "Move to"), ("up", "Up"), ("down", "Down")]


class RankMoveForm(forms.Form):
    """One row's move on the rank list: up, down, or to a place; `was` is the place the page
    showed, so a move from a stale tab is refused (pipeline.move_to)."""

    direction = forms.ChoiceField(choices=RANK_DIRECTIONS, initial="to")
    position = forms.IntegerField(label="Move to", min_value=1, max_value=1000, required=False)
    was = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def clean(self):
        cleaned = super().clean()
        missing = cleaned.get("direction") == "to" and cleaned.get("position") is None
        if missing and "position" not in self.errors:
            self.add_error("position", "Enter the place to move it to (1 = first).")
        return cleaned


class CostEntryForm(VersionedForm):
    date = BoundedDateField(required=False)

    class Meta:
        model = CostEntry
        fields = ["category", "description", "amount", "state", "date"]


class SignalForm(forms.Form):
    signal = forms.ChoiceField(choices=Signal.choices, required=False)


class RankNoteForm(PlainText, forms.Form):
    """A rank row's note, and which NRMP list the program is ranked on."""

    rank_note = forms.CharField(label="Note", max_length=300, required=False)
    supplemental = forms.BooleanField(
        label="On a supplemental list (preliminary or transitional)", required=False
    )


def cycle_applications(user, cycle: int):
    return Application.objects.filter(user=user, cycle=cycle).select_related("program")


class ApplicationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.program.name} ({obj.specialty})"


class ApplicationsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.program.name} ({obj.specialty})"


class InterviewForm(VersionedForm):
    application = ApplicationChoiceField(queryset=Application.objects.none())
    date = BoundedDateField()
    start_time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), input_formats=["%H:%M"]
    )
    time_zone = forms.CharField(
        max_length=64,
        help_text="IANA time zone of the start time, e.g. America/New_York or Asia/Kolkata.",
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
    later_of_two = forms.ChoiceField(
        label="If this time happens twice (the night the clocks go back)",
        choices=[
            ("earlier", "The first time, before the clocks go back"),
            ("later", "The second time, after the clocks go back"),
        ],
        required=False,
        widget=forms.RadioSelect,
        help_text="Only asked for a time that happens twice; leave it for any other.",
    )

    class Meta:
        model = Interview
        fields = [
            "application",
            "date",
            "start_time",
            "time_zone",
            "later_of_two",
            "duration_minutes",
            "format",
            "notes",
            "thank_you_sent",
        ]

    def __init__(self, *args, user, cycle: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = cycle_applications(user, cycle)
        self.user = user
        if self.instance.pk and not self.is_bound:
            self.initial["later_of_two"] = "later" if self.instance.later_of_two else ""

    def clean_time_zone(self):
        """A canonical IANA name, in any case (lib/dates.py: no EST, no US/Eastern)."""
        zone = canonical_zone(self.cleaned_data["time_zone"])
        if zone is None:
            raise forms.ValidationError(
                "Enter the IANA name of the place, such as America/New_York or Asia/Kolkata "
                "(abbreviations like EST and old names like US/Eastern are not accepted)."
            )
        return zone

    def clean(self):
        """A time the clocks skip is refused with the reason; a time they show twice asks
        which of the two is meant."""
        cleaned = super().clean()
        date, time, name = (cleaned.get(f) for f in ("date", "start_time", "time_zone"))
        choice = cleaned.get("later_of_two") or ""
        cleaned["later_of_two"] = False
        if not (date and time and name):
            return cleaned
        zone = zoneinfo.ZoneInfo(name)
        kind = wall_time(date, time, zone)
        if kind == WallTime.NORMAL:
            return cleaned
        before, after = clock_change(date, zone)
        day = f"{date.day} {date:%B %Y}"
        if kind == WallTime.MISSING:
            self.add_error(
                "start_time",
                f"{time:%H:%M} does not exist on {day} in {name}: that night the clocks go "
                f"forward ({before}, then {after}), so no clock shows {time:%H:%M}. Check the "
                "time with the program.",
            )
        elif not choice:
            self.add_error(
                "later_of_two",
                f"{time:%H:%M} happens twice on {day} in {name}: that night the clocks go back "
                f"({before}, then {after}). Choose which one the program means.",
            )
        else:
            cleaned["later_of_two"] = choice == "later"
        return cleaned

    def save(self, commit=True):
        self.instance.user = self.user
        return super().save(commit)


class LetterForm(VersionedForm):
    requested_on = BoundedDateField(required=False)
    uploaded_on = BoundedDateField(required=False)
    applications = ApplicationsChoiceField(
        queryset=Application.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Assigned to",
    )

    class Meta:
        model = Letter
        fields = [
            "writer",
            "requested_on",
            "uploaded_on",
            "request_form_id",
            "applications",
            "notes",
        ]

    def __init__(self, *args, user, cycle: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = cycle_applications(user, cycle)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        requested, uploaded = cleaned.get("requested_on"), cleaned.get("uploaded_on")
        if requested and uploaded and uploaded < requested:
            self.add_error("uploaded_on", "A letter cannot be uploaded before it was requested.")
        return cleaned

    def save(self, commit=True):
        self.instance.user = self.user
        # The form lists one cycle's applications: assignments in other cycles are kept.
        kept = []
        if self.instance.pk:
            shown = self.fields["applications"].queryset.values("pk")
            kept = list(self.instance.applications.exclude(pk__in=shown))
        letter = super().save(commit)
        if commit and kept:
            letter.applications.add(*kept)
        return letter


class NewLetterForm(LetterForm):
    """Adding a letter on the letters page: who, when, the form ID. It is assigned per
    application afterwards (LetterAssignForm), never through a checkbox per pair."""

    class Meta(LetterForm.Meta):
        fields = ["writer", "requested_on", "uploaded_on", "request_form_id", "notes"]

    def __init__(self, *args, user, cycle: int, **kwargs):
        super().__init__(*args, user=user, cycle=cycle, **kwargs)
        del self.fields["applications"]


class LetterAssignForm(forms.Form):
    """One application's row on the letters page: add or remove one of the member's letters."""

    letter = forms.ModelChoiceField(queryset=Letter.objects.none(), empty_label=None)
    action = forms.ChoiceField(choices=[("add", "Add"), ("remove", "Remove")])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["letter"].queryset = Letter.objects.filter(user=user)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet (.csv or .xlsx)",
        help_text=(
            "At most 2 MB and 1,000 rows; CSV files in UTF-8. The first row names the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
