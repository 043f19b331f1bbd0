"""An address pending on another account never takes a sign-up, a reset or a confirmation.

The attack (issue 20, item 1): member M adds the victim's address as an unverified second
address; the victim signs up with it, asks for a password reset, and follows the
confirmation link M's request had sent them. Each step must land on the victim's own
account, never on M's.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mentors.models import MentorLink, hash_token, new_token
from reminders.models import CalendarFeed
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.com"
NEW_PASSWORD = "the-victims-own-passphrase"


def links_in(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def add_address(client, user, email) -> str:
    """Log in as `user` through the form (and again for the email page) and add `email`;
    the confirmation link that the request mailed to `email`."""
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    mail.outbox.clear()
    response = client.post(reverse("account_email"), {"action_add": "", "email": email})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=user, email=email, verified=False).exists()
    [message] = [m for m in mail.outbox if m.to == [email]]
    [link] = [u for u in links_in(message) if "/confirm-email/" in u]
    client.logout()
    return link


@pytest.fixture
def holder(db):
    """M: a member with a live mentor link and a calendar feed."""
    user = make_member("mallory@example.com")
    MentorLink.objects.create(
        user=user,
        label="Dr X",
        token_hash=hash_token(new_token()),
        expires_on=timezone.localdate() + timezone.timedelta(days=30),
    )
    CalendarFeed.objects.create(user=user)
    return user


def test_whole_sequence_lands_on_the_victims_own_account(client, holder):
    confirm_link = add_address(client, holder, VICTIM)

    # 1. The victim signs up: the account is made and the verification mail sent.
    mail.outbox.clear()
    response = client.post(
        reverse("account_signup"),
        {"email": VICTIM, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    victim = User.objects.get(email=VICTIM)
    assert victim != holder
    [verification] = mail.outbox
    assert verification.to == [VICTIM]
    assert any("/confirm-email/" in u for u in links_in(verification))
    # The pending address is gone from M's account.
    assert not EmailAddress.objects.filter(user=holder, email=VICTIM).exists()
    client.logout()

    # 2. The victim asks for a password reset: the link resets the victim's account.
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": VICTIM})
    [reset] = mail.outbox
    [reset_link] = [u for u in links_in(reset) if "/password/reset/key/" in u]
    response = client.get(reset_link, follow=True)
    client.post(
        response.redirect_chain[-1][0] if response.redirect_chain else reset_link,
        {"password1": "reset-to-this-passphrase", "password2": "reset-to-this-passphrase"},
    )
    victim.refresh_from_db()
    holder.refresh_from_db()
    assert victim.check_password("reset-to-this-passphrase")
    assert holder.check_password(PASSWORD)

    # 3. The victim follows the link M's request mailed them: it confirms nothing.
    response = client.get(confirm_link)
    if response.status_code == 200 and b"<form" in response.content:
        client.post(confirm_link)
    holder.refresh_from_db()
    assert holder.email == "mallory@example.com"
    assert not EmailAddress.objects.filter(user=holder, email=VICTIM).exists()
    assert EmailAddress.objects.get(email=VICTIM).user == victim


def test_reset_never_goes_to_an_account_where_the_address_is_pending(client, holder):
    add_address(client, holder, VICTIM)
    mail.outbox.clear()
    response = client.post(reverse("account_reset_password"), {"email": VICTIM})
    assert response.status_code == 302
    # No reset link at all: nobody holds this address (the "unknown account" mail).
    assert not [u for m in mail.outbox for u in links_in(m) if "/password/reset/key/" in u]


def test_reset_still_reaches_a_verified_address(client, holder):
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": holder.email})
    assert [u for m in mail.outbox for u in links_in(m) if "/password/reset/key/" in u]


def test_reset_still_reaches_a_new_members_own_unverified_address(client):
    client.post(
        reverse("account_signup"),
        {"email": VICTIM, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    client.logout()
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": VICTIM})
    assert [u for m in mail.outbox for u in links_in(m) if "/password/reset/key/" in u]


def test_signup_with_an_address_verified_elsewhere_still_makes_no_account(client, holder):
    response = client.post(
        reverse("account_signup"),
        {"email": holder.email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.count() == 1


def test_confirming_a_new_primary_address_revokes_links_and_feed(client, holder):
    """When M's own address change goes through, what M shared under the old one stops."""
    confirm_link = add_address(client, holder, "mallory.new@example.com")
    response = client.get(confirm_link)
    assert response.status_code == 200
    client.post(confirm_link)
    holder.refresh_from_db()
    assert holder.email == "mallory.new@example.com"
    assert not MentorLink.objects.usable(timezone.localdate()).filter(user=holder).exists()
    assert not CalendarFeed.objects.filter(user=holder).exists()


def test_links_survive_a_confirmation_that_changes_nothing(client):
    """A new member confirming their first address keeps what they made meanwhile."""
    client.post(
        reverse("account_signup"),
        {"email": VICTIM, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    user = User.objects.get(email=VICTIM)
    CalendarFeed.objects.create(user=user)
    [link] = [u for m in mail.outbox for u in links_in(m) if "/confirm-email/" in u]
    client.post(link)
    assert EmailAddress.objects.get(email=VICTIM).verified
    assert CalendarFeed.objects.filter(user=user).exists()


def test_a_link_for_an_address_another_account_holds_confirms_nothing(client, holder):
    """The victim signed up (not verified yet); M then asks for the address again: the
    link M's request mails the victim must not move the address to M (nor fail)."""
    client.post(
        reverse("account_signup"),
        {"email": VICTIM, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    client.logout()
    victim = User.objects.get(email=VICTIM)
    cache.clear()  # minutes later: the address's mail cooldown is over
    confirm_link = add_address(client, holder, VICTIM)
    assert client.get(confirm_link).status_code == 200
    response = client.post(confirm_link)
    assert response.status_code in (200, 302)
    holder.refresh_from_db()
    assert holder.email == "mallory@example.com"
    assert not EmailAddress.objects.filter(user=holder, email=VICTIM, verified=True).exists()
    assert User.objects.get(email=VICTIM) == victim
    assert MentorLink.objects.usable(timezone.localdate()).filter(user=holder).exists()
