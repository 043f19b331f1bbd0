"""Whose address is it: the one rule for sign-up, password reset and address changes.

An address belongs to an account when it is the account's own address (`User.email`, the
one it signed up with or changed to, verified or not yet) or a verified address of it. An
address a member merely *asked* to change to (allauth's unverified second address, pending
until its confirmation link is followed) belongs to nobody: anyone could type anyone's
address there. Left to allauth alone, such a pending address blocked the owner's sign-up,
took their password reset and, once they clicked its link, made their address another
member's (issue 20, pre-hijack).

When an account's own address changes, what it shared under the old one stops: its mentor
links are revoked and its calendar feed is switched off (the new holder of the address may
be someone else, and the person they were shared with knew the old one).
"""

from allauth.account.models import EmailAddress
from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User


def holders(email: str):
    """The accounts this (canonical) address belongs to: at most one, by the constraints."""
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), email__iexact=email, verified=True)
    return User.objects.filter(Q(email__iexact=email) | Q(Exists(verified)))


def pending_elsewhere(email: str, user=None):
    """Unverified addresses that are only a requested change on some other account."""
    rows = EmailAddress.objects.filter(email__iexact=email, verified=False).exclude(
        user__email__iexact=email
    )
    return rows.exclude(user=user) if user is not None else rows


def drop_pending(email: str) -> int:
    """A sign-up takes the address: requests by other accounts to change to it end here
    (their confirmation links stop working, as they point at the deleted row)."""
    deleted, _ = pending_elsewhere(email).delete()
    return deleted


def address_changed(user) -> None:
    """Revoke what the account shared under its previous address."""
    if apps.is_installed("mentors"):
        MentorLink = apps.get_model("mentors", "MentorLink")
        MentorLink.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    if apps.is_installed("reminders"):
        apps.get_model("reminders", "CalendarFeed").objects.filter(user=user).delete()
