import datetime

from django import forms
from django.utils import timezone

from accounts.models import Profile

# A graduation year further ahead than this is almost certainly a typo
# (medical school is at most six years long in most countries).
MAX_YEARS_TO_GRADUATION = 6
MAX_YEARS_TO_MATCH = 10


def third_friday_of_march(year: int) -> datetime.date:
    first = datetime.date(year, 3, 1)
    first_friday = first + datetime.timedelta(days=(4 - first.weekday()) % 7)
    return first_friday + datetime.timedelta(weeks=2)


def earliest_match_year(today: datetime.date) -> int:
    """The first Match whose Match Day (third Friday of March) is still ahead."""
    return today.year if today <= third_friday_of_march(today.year) else today.year + 1


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = [
            "school_country",
            "school_name",
            "graduation_year",
            "specialty",
            "match_year",
            "visa",
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
            self.fields[name].required = True
        self.fields["visa"].choices = Profile.Visa.choices

    def clean_school_country(self):
        return " ".join(self.cleaned_data["school_country"].split())

    def clean_school_name(self):
        return " ".join(self.cleaned_data["school_name"].split())

    def clean_specialty(self):
        return " ".join(self.cleaned_data["specialty"].split())

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

    def clean(self):
        cleaned = super().clean()
        graduation, match = cleaned.get("graduation_year"), cleaned.get("match_year")
        if graduation and match and graduation > match:
            self.add_error(
                "match_year",
                "Your Match year cannot be before your graduation year: ECFMG needs your "
                "final diploma before residency starts on 1 July of the Match year.",
            )
        return cleaned


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
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
