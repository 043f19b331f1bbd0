"""Sign-up: double submissions, look-alike addresses and timing."""

import pytest
from allauth.account.internal.flows import manage_email
from django.core import mail
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

SIGNUP = {"password1": "a-long-enough-passphrase", "password2": "a-long-enough-passphrase"}


def signup(client, email):
    return client.post(reverse("account_signup"), {"email": email, **SIGNUP})


@pytest.fixture
def race(monkeypatch):
    """The other submission commits between this one's uniqueness check and its save."""
    real = manage_email.email_already_exists

    def not_yet(email, *args, **kwargs):
        real(email, *args, **kwargs)
        return email, False

    monkeypatch.setattr(manage_email, "email_already_exists", not_yet)


def test_second_of_two_simultaneous_signups_gets_the_normal_response(client, race, db):
    first = signup(client, "priya@example.com")
    assert first.status_code == 302
    client.cookies.clear()
    second = signup(client, "Priya@Example.com")  # its check saw no account; the insert clashes
    assert second.status_code == 302
    assert second.url == first.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="priya@example.com").count() == 1
    assert len(mail.outbox) == 1  # only the first sign-up's confirmation
