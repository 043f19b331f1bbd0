from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.signup import prevent_enumeration
from allauth.core.exceptions import ImmediateHttpResponse
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse

from accounts.emails import canonical_email
from accounts.models import Profile, User


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Send members who have not finished onboarding there first."""
        onboarded = Profile.objects.filter(user=request.user, onboarded_at__isnull=False).exists()
        if not onboarded:
            return reverse("accounts:onboarding")
        return super().get_login_redirect_url(request)

    def clean_email(self, email: str) -> str:
        """Every address entered (sign-up, email change, reset) in its canonical form."""
        return canonical_email(super().clean_email(email))

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        """Save a new account; a double-submitted sign-up gets the normal answer.

        Two submissions with the same address can both pass the form's uniqueness
        check; the second insert then hits the case-insensitive unique index. That
        submission is answered exactly like a sign-up with a known address (the
        "verification sent" page, and a notice to the owner), never a 500.
        """
        if not commit:
            return super().save_user(request, user, form, commit=False)
        try:
            with transaction.atomic():
                return super().save_user(request, user, form, commit=True)
        except IntegrityError:
            email = form.cleaned_data.get("email", "")
            if not User.objects.filter(email__iexact=email).exists():
                raise
            raise ImmediateHttpResponse(prevent_enumeration(request, email=email)) from None
