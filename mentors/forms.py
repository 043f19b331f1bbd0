import datetime

from django import forms

from mentors.models import DEFAULT_DAYS, MAX_DAYS, MentorLink


class MentorLinkForm(forms.ModelForm):
    class Meta:
        model = MentorLink
        fields = ["label", "expires_on", "include_notes"]
        labels = {
            "label": "Who is it for?",
            "expires_on": "Works until",
            "include_notes": "Show my notes on milestones",
        }
        widgets = {"expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = today
        self.fields["expires_on"].initial = today + datetime.timedelta(days=DEFAULT_DAYS)
        self.fields[
            "expires_on"
        ].help_text = f"The last day the link opens: at most {MAX_DAYS} days from today."
        self.fields[
            "include_notes"
        ].help_text = "Off by default: your notes stay private unless you tick this."

    def clean_label(self) -> str:
        label = " ".join(self.cleaned_data["label"].split())
        if not label:
            raise forms.ValidationError("Say who the link is for.")
        if MentorLink.objects.filter(user=self.user, label=label, revoked_at__isnull=True).exists():
            raise forms.ValidationError(
                "You already have a link with this name: revoke it first or choose another name."
            )
        return label

    def clean_expires_on(self) -> datetime.date:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on < self.today:
            raise forms.ValidationError("Choose today or a later day.")
        if expires_on > self.today + datetime.timedelta(days=MAX_DAYS):
            raise forms.ValidationError(f"A link can work for at most {MAX_DAYS} days.")
        return expires_on
