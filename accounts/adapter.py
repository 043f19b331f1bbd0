import datetime
import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.signup import prevent_enumeration
from allauth.account.models import EmailAddress
from allauth.core import context, ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from django.conf import settings
from django.contrib import messages
from django.contrib.sites.shortcuts import get_current_site
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts import addresses
from accounts.emails import canonical_email
from accounts.models import Profile, User

# A sign-up for an address whose account was made this recently, and is not verified, is
# the same person's second submission (a double click), not a second sign-up.
DOUBLE_SUBMISSION = datetime.timedelta(seconds=30)
# How long the second submission waits for the first to store the address it mails.
FIRST_SUBMISSION_WAIT = 3.0


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Send members who have not finished onboarding there first."""
        onboarded = Profile.objects.filter(user=request.user, onboarded_at__isnull=False).exists()
        if not onboarded:
            return reverse("accounts:onboarding")
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mails under the portal's name: without django.contrib.sites its site
        name is the request's host ("Hello from 127.0.0.1:8101!")."""
        site = get_current_site(context.get("request") or globals()["context"].request)
        site.name = settings.SITE_NAME
        super().send_mail(template_prefix, email, {"current_site": site, **context})

    def clean_email(self, email: str) -> str:
        """Every address entered (sign-up, email change, reset) in its canonical form."""
        return canonical_email(super().clean_email(email))

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        """Save a new account; a double-submitted sign-up gets the normal answer.

        Two submissions with the same address can both pass the form's uniqueness
        check; the second insert then hits the case-insensitive unique index. That
        submission is answered exactly like a sign-up with a known address (the
        "verification sent" page, and a notice to the owner), never a 500.

        The new account takes its address from any account that had only asked to change
        to it (accounts/addresses.py), in the same transaction. The confirmation mail that
        request sent used up the address's mail allowance (one per cooldown): it is given
        back, or the new member would get no verification mail.
        """
        if not commit:
            return super().save_user(request, user, form, commit=False)
        email = form.cleaned_data.get("email", "")
        try:
            with transaction.atomic():
                if addresses.drop_pending(email):
                    ratelimit.clear(request, action="confirm_email", key=email.lower())
                return super().save_user(request, user, form, commit=True)
        except IntegrityError:
            if not User.objects.filter(email__iexact=email).exists():
                raise
            raise ImmediateHttpResponse(prevent_enumeration(request, email=email)) from None

    def confirm_email(self, request: HttpRequest, email_address) -> bool:
        """Confirm an address; if that changed the account's own address, revoke what the
        account shared under the old one (mentor links, calendar feed).

        An address another account holds (accounts/addresses.py) is never confirmed for this
        one: a member who asked to change to it must not receive it from a click by its
        owner (that also hit the unique index on User.email: a 500).
        """
        held = addresses.holders(email_address.email).exclude(pk=email_address.user_id)
        if held.exists():
            self.add_message(
                request,
                messages.ERROR,
                "account/messages/email_confirmation_failed.txt",
                {"email": email_address.email},
            )
            return False
        before = User.objects.filter(pk=email_address.user_id).values_list("email", flat=True)
        before = before.first()
        confirmed = super().confirm_email(request, email_address)
        user = User.objects.filter(pk=email_address.user_id).first()
        if confirmed and user is not None and user.email.lower() != (before or "").lower():
            addresses.address_changed(user)
        return confirmed

    def send_account_already_exists_mail(self, email: str) -> None:
        """The notice to an address that already has an account; for a double-submitted
        sign-up, the first submission's verification mail instead.

        allauth sends one mail per address per cooldown (the confirm_email rate limit). When
        the second of two submissions answered first, its "account already exists" notice
        used that allowance and the first one's verification mail was then suppressed: the
        new member got no link (5 of 20 double clicks). So, for an account made seconds ago
        and not verified: the verification mail goes out from here once allauth has stored
        the address (the first submission's own, later attempt is then the one suppressed);
        if it never appears, the allowance is given back for the first submission to use.
        An older unverified account (possibly made by someone else with this address) gets
        the usual notice, never a verification link.
        """
        recent = timezone.now() - DOUBLE_SUBMISSION
        user = User.objects.filter(email__iexact=email, date_joined__gte=recent).first()
        verified = EmailAddress.objects.filter(email__iexact=email, verified=True).exists()
        if user is None or verified:
            return super().send_account_already_exists_mail(email)
        deadline = time.monotonic() + FIRST_SUBMISSION_WAIT
        while True:
            address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
            if address is not None:
                address.send_confirmation(context.request, signup=True)
                return None
            if time.monotonic() >= deadline:
                ratelimit.clear(context.request, action="confirm_email", key=email.lower())
                return None
            time.sleep(0.05)
