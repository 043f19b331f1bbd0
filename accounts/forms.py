import datetime

from allauth.account.adapter import get_adapter
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts import addresses
from accounts.emails import use_canonical_email
from accounts.models import LAST_STEP2CS_MONTH, Profile
from lib.dates import canonical_zone, third_friday_of_march, zone_links
from lib.text import without_format_characters

# A graduation year further ahead than this is almost certainly a typo
# (medical school is at most six years long in most countries).
MAX_YEARS_TO_GRADUATION = 6
MAX_YEARS_TO_MATCH = 10


def earliest_match_year(today: datetime.date) -> int:
    """The first Match whose Match Day (third Friday of March) is still ahead."""
    return today.year if today <= third_friday_of_march(today.year) else today.year + 1


MONTHS = [
    ("", "Month"),
    *[(str(n), datetime.date(2000, n, 1).strftime("%B")) for n in range(1, 13)],
]


def version_of(profile: Profile | None) -> str:
    """What a tab's form holds of the row it opened ("" before the first save)."""
    return profile.updated_at.isoformat() if profile is not None and profile.pk else ""


class StaleProfile(Exception):
    """The profile was saved (another tab or device) after the form was opened."""

    def __init__(self, current: Profile | None):
        self.current = current


class ProfileForm(forms.ModelForm):
    # The row's updated_at when the form was opened: a save from a stale tab is refused
    # instead of silently overwriting another tab's change (as the progress form does).
    version = forms.CharField(required=False, widget=forms.HiddenInput)
    # The month of a former Step 2 CS pass, asked as month + year (ECFMG's seven-year clock).
    step2cs_month = forms.TypedChoiceField(
        label="If so: the month you passed Step 2 CS",
        choices=MONTHS,
        coerce=int,
        empty_value=None,
        required=False,
    )
    step2cs_year = forms.IntegerField(
        label="If so: the year you passed Step 2 CS",
        required=False,
        help_text="A CS pass counts for ECFMG for seven years unless your exams are complete "
        "by then; your roadmap follows that clock.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = Profile
        fields = [
            "school_country",
            "school_name",
            "graduation_year",
            "specialty",
            "match_year",
            "visa",
            "citizenship",
            "has_step2cs",
        ]
        widgets = {
            "visa": forms.RadioSelect,
            "school_country": forms.TextInput(attrs={"autocomplete": "country-name"}),
            # Text with a numeric keyboard (not type=number): a mistyped year comes back as
            # typed, next to its error, and the page stays valid HTML.
            "graduation_year": forms.TextInput(attrs={"inputmode": "numeric"}),
            "match_year": forms.TextInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {
            "graduation_year": "The year on your diploma, or the year you expect to graduate.",
            "specialty": "For example Internal Medicine, Pediatrics, Family Medicine.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("school_country", "school_name", "graduation_year", "match_year"):
            if name in self.fields:
                self.fields[name].required = True
        self.fields["visa"].choices = Profile.Visa.choices
        self.initial["version"] = version_of(self.instance)
        passed = self.instance.step2cs_passed_on
        if passed and not self.is_bound:
            self.initial |= {"step2cs_month": passed.month, "step2cs_year": passed.year}
        # Shown right after the Step 2 CS question.
        order = [*self.Meta.fields, "step2cs_month", "step2cs_year"]
        self.order_fields(order)

    # What a save writes: the listed fields and the Step 2 CS month they make.
    def saved_fields(self) -> list[str]:
        return [*self.Meta.fields, "step2cs_passed_on"]

    def is_stale(self, current: Profile | None) -> bool:
        """Whether the row changed since this form was opened. Forms always send a version;
        a client that sends none opts out. Saving the same values again (a double click) is
        not a conflict."""
        if "version" not in self.data or self.cleaned_data.get("version", "") == version_of(
            current
        ):
            return False
        return current is None or any(
            getattr(current, name) != self.cleaned_data.get(name) for name in self.saved_fields()
        )

    def conflict(self, current: Profile | None) -> None:
        """Tell the member what changed, with both values; keep their input in the form."""
        rows = []
        for name in self.saved_fields():
            saved = getattr(current, name) if current is not None else None
            mine = self.cleaned_data.get(name)
            if saved != mine:
                label = Profile._meta.get_field(name).verbose_name
                rows.append(
                    f"{label[0].upper()}{label[1:]}: saved {shown(saved)}, yours {shown(mine)}"
                )
        self.add_error(
            None,
            "Your profile was changed in another tab or on another device after you opened "
            "this page, so nothing was saved. "
            + ("; ".join(rows) + ". " if rows else "")
            + "Check your answers below and save again to keep yours.",
        )
        data = self.data.copy()
        data["version"] = version_of(current)
        self.data = data

    def tidy(self, name: str) -> str:
        """Drop invisible format characters (zero-width spaces, joiners, soft hyphens),
        collapse whitespace; what is left must still satisfy `required`."""
        value = without_format_characters(self.cleaned_data[name])
        value = " ".join(value.split())
        if not value and self.fields[name].required:
            raise forms.ValidationError(self.fields[name].error_messages["required"], "required")
        return value

    def clean_school_country(self):
        return self.tidy("school_country")

    def clean_school_name(self):
        return self.tidy("school_name")

    def clean_specialty(self):
        return self.tidy("specialty")

    def clean_graduation_year(self):
        year = self.cleaned_data["graduation_year"]
        this_year = timezone.localdate().year
        if year > this_year + MAX_YEARS_TO_GRADUATION:
            raise forms.ValidationError(
                f"Enter a graduation year no later than {this_year + MAX_YEARS_TO_GRADUATION}."
            )
        if year < Profile.MIN_GRADUATION_YEAR:
            raise forms.ValidationError(
                f"Enter a graduation year from {Profile.MIN_GRADUATION_YEAR} onwards."
            )
        return year

    def clean_match_year(self):
        year = self.cleaned_data["match_year"]
        earliest = earliest_match_year(timezone.localdate())
        if year < earliest:
            raise forms.ValidationError(
                f"The {year} Match is already over. Choose {earliest} or later."
            )
        if year > earliest + MAX_YEARS_TO_MATCH:
            raise forms.ValidationError(
                f"Choose a Match year no later than {earliest + MAX_YEARS_TO_MATCH}."
            )
        return year

    def clean_step2cs(self, cleaned: dict) -> None:
        """Month + year of a CS pass become step2cs_passed_on (the first of that month)."""
        month, year = cleaned.get("step2cs_month"), cleaned.get("step2cs_year")
        cleaned["step2cs_passed_on"] = None
        if not cleaned.get("has_step2cs"):
            return
        if month is None and "step2cs_month" not in self.errors:
            self.add_error("step2cs_month", "Choose the month you passed Step 2 CS.")
        if year is None and "step2cs_year" not in self.errors:
            self.add_error("step2cs_year", "Enter the year you passed Step 2 CS.")
        if month is None or year is None:
            return
        if year < Profile.MIN_GRADUATION_YEAR:
            self.add_error("step2cs_year", "Enter the year you passed Step 2 CS.")
            return
        # The year is compared first: a year past 9999 cannot even make a date (a 500).
        if year > LAST_STEP2CS_MONTH.year or datetime.date(year, month, 1) > LAST_STEP2CS_MONTH:
            self.add_error(
                "step2cs_year",
                "Step 2 CS was suspended in March 2020: a pass is from March 2020 or earlier.",
            )
            return
        cleaned["step2cs_passed_on"] = datetime.date(year, month, 1)

    def clean(self):
        cleaned = super().clean()
        self.clean_step2cs(cleaned)
        graduation, match = cleaned.get("graduation_year"), cleaned.get("match_year")
        if graduation and match and graduation > match:
            self.add_error(
                "match_year",
                "Your Match year cannot be before your graduation year: ECFMG needs your "
                "final diploma before residency starts on 1 July of the Match year.",
            )
        return cleaned


def shown(value) -> str:
    """A profile value as a member reads it in a conflict message."""
    if value in (None, ""):
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return f"{value:%B %Y}"
    if value in Profile.Visa.values:
        return Profile.Visa(value).label
    return str(value)


class SettingsForm(ProfileForm):
    """The profile as the settings page edits it: the onboarding's questions and the member's
    time zone (suggested by static/js/time-zone.js from the browser when empty)."""

    class Meta(ProfileForm.Meta):
        fields = [*ProfileForm.Meta.fields, "time_zone"]
        widgets = ProfileForm.Meta.widgets | {
            "time_zone": forms.TextInput(
                attrs={"autocomplete": "off", "data-suggest-time-zone": "", "spellcheck": "false"}
            )
        }
        help_texts = ProfileForm.Meta.help_texts | {
            "time_zone": "Where you live, as an IANA name such as Africa/Cairo, Asia/Kolkata or "
            "Europe/Berlin (not an abbreviation like EST). Your “today”, days left, reminders "
            "and deadline times follow it. Empty: US Eastern time."
        }

    def clean_time_zone(self):
        value = " ".join(self.cleaned_data["time_zone"].split())
        if not value:
            return ""
        zone = canonical_zone(value)
        if zone is None:
            instead = zone_links().get(value.lower())
            hint = f" Did you mean {instead}?" if instead else ""
            raise forms.ValidationError(
                f"“{value[:40]}” is not a time zone we know by that name.{hint} Enter the IANA "
                "name of a place, such as Africa/Cairo or America/New_York (abbreviations like "
                "EST and old names like US/Eastern are not accepted).",
                code="invalid",
            )
        return zone


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="I understand that my roadmap, progress and saved resources are deleted for good."
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        """Checked through allauth, so guesses count against log-in's limits and
        lock-out (5 failures per account per 5 minutes, 10 a minute per IP)."""
        password = self.cleaned_data["password"]
        if not get_adapter().reauthenticate(self.user, password):
            raise forms.ValidationError("That is not your password.")
        return password


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form with canonical addresses and even timing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_canonical_email(self)

    def validate_unique_email(self, value: str) -> str:
        """Taken only if an account holds the address (accounts/addresses.py): one that
        merely asked to change to it does not, and loses that request when this saves."""
        if not addresses.holders(value).exists():
            self.account_already_exists = False
            return get_adapter().validate_unique_email(value)
        return super().validate_unique_email(value)

    def try_save(self, request):
        if self.account_already_exists:
            # A new account costs a password hash; a known address must cost the
            # same, or the response time tells which addresses are registered.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's reset form, sending the link only to the account that holds the address:
    never to one where it is only a pending change (accounts/addresses.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_canonical_email(self)

    def clean_email(self) -> str:
        super().clean_email()
        email = get_adapter().clean_email(self.cleaned_data["email"].lower())
        holders = {user.pk for user in addresses.holders(email)}
        self.users = [user for user in self.users if user.pk in holders]
        return email


class AddEmailForm(AllauthAddEmailForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_canonical_email(self)


# Where a visitor's preview answers wait in their session until onboarding.
PREVIEW_SESSION_KEY = "preview_answers"


class PreviewForm(ProfileForm):
    """The roadmap's key questions, for a visitor's preview before signing up (GET)."""

    version = None  # a visitor's preview saves nothing

    # Answers a visitor may carry into onboarding after signing up.
    KEPT = ["graduation_year", "specialty", "match_year", "visa", "has_step2cs"]

    class Meta(ProfileForm.Meta):
        fields = ["graduation_year", "specialty", "match_year", "visa", "has_step2cs"]

    def kept_answers(self) -> dict:
        """The cleaned answers as JSON-safe values, for the session."""
        answers = {name: self.cleaned_data.get(name) for name in self.KEPT}
        passed = self.cleaned_data.get("step2cs_passed_on")
        answers["step2cs_passed_on"] = passed.isoformat() if passed else None
        return answers
