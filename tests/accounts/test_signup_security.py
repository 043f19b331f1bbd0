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


@pytest.mark.parametrize(
    "lookalike",
    [
        "\uff41lice@example.com",  # full-width a
        "alice@\uff45xample.com",  # full-width e in the domain
        "ALICE@EXAMPLE.COM",
    ],
)
def test_full_width_variants_are_the_same_address(client, member, lookalike):
    response = signup(client, lookalike)
    assert response.status_code == 302  # the normal "verification sent" answer
    assert User.objects.count() == 1
    # No confirmation mail to the existing member as if it were a new account.
    assert not [m for m in mail.outbox if "/confirm-email/" in m.body]


@pytest.mark.parametrize(
    "lookalike",
    [
        "\u0430lice@example.com",  # Cyrillic a
        "al\u0131ce@example.com",  # dotless i
        "alice@ex\u0430mple.com",  # Cyrillic a in the domain
        "alice@\u0435x\u0430mple.com",  # Cyrillic e and a: one script per label is not enough
        "alice@ex\u0101mple.com",  # a with macron: an ASCII letter under a mark
        "alice@exa\u0301mple.com",  # a + combining acute (NFKC composes it: á)
        "alice@xn--exmple-4nf.com",  # the Cyrillic-a domain typed as IDNA (punycode)
        "alice@xn--exmple-4za.com",  # ... and the macron one
        "carol@m\u0101ilprobe.org",  # the probe's: beside carol@mailprobe.org
    ],
)
def test_lookalike_addresses_are_refused_at_signup(client, member, lookalike):
    response = signup(client, lookalike)
    assert response.status_code == 200
    assert "look like" in " ".join(response.context["form"].errors["email"])
    assert User.objects.count() == 1


def test_lookalike_address_is_refused_when_adding_an_email(member_client, member):
    response = member_client.post(
        reverse("account_email"), {"action_add": "", "email": "bob@ex\u0430mple.com"}
    )
    assert response.status_code == 200
    assert "look like" in " ".join(response.context["form"].errors["email"])


def test_international_domain_is_stored_in_its_idna_form(client, db):
    """A domain in one non-Latin script is fine; an accented ASCII letter (`ex\u00e4mple`)
    is refused above, as a look-alike of the plain one."""
    response = signup(client, "Jose@\u4f8b\u5b50.com")
    assert response.status_code == 302
    assert User.objects.get().email == "jose@xn--fsqu00a.com"


def test_signup_hashes_a_password_for_known_and_new_addresses_alike(client, member, monkeypatch):
    """The response time must not tell which addresses are registered."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    calls = []
    real_encode = MD5PasswordHasher.encode

    def counting_encode(self, password, salt, *args, **kwargs):
        calls.append(password)
        return real_encode(self, password, salt, *args, **kwargs)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)
    assert signup(client, "newcomer@example.com").status_code == 302
    new_address_hashes = len(calls)
    calls.clear()
    client.cookies.clear()
    assert signup(client, member.email).status_code == 302
    assert new_address_hashes >= 1
    assert len(calls) == new_address_hashes


@pytest.fixture
def first_submission(db):
    """The first of two submissions of one sign-up, paused before it sends its verification
    mail: the account exists (unverified), `with_address` says whether allauth has made its
    EmailAddress row yet. Its `send()` is what the first request does next."""
    from allauth.account.internal.flows.email_verification import (
        send_verification_email_to_address,
    )
    from allauth.account.models import EmailAddress
    from allauth.core import context
    from django.test import RequestFactory

    def make(email: str, *, with_address: bool):
        user = User.objects.create_user(email=email, password=SIGNUP["password1"])
        if with_address:
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)

        def send():
            address, _ = EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"primary": True}
            )
            from django.contrib.messages.storage.fallback import FallbackStorage

            request = RequestFactory().post("/accounts/signup/")
            request.session = {}
            request._messages = FallbackStorage(request)
            with context.request_context(request):
                return send_verification_email_to_address(request, address, signup=True)

        return send

    return make


def confirmations_to(email: str) -> list:
    return [m for m in mail.outbox if m.to == [email] and "/confirm-email/" in m.body]


@pytest.mark.parametrize("with_address", [True, False])
def test_double_submitted_signup_still_sends_the_verification(
    client, first_submission, monkeypatch, with_address
):
    """The second submission answers first: its notice used the address's one mail per
    cooldown, and the first submission's verification was then suppressed (5 of 20 real
    double clicks left the member with only "account already exists")."""
    from accounts import adapter

    monkeypatch.setattr(adapter, "FIRST_SUBMISSION_WAIT", 0.2)
    send_first = first_submission("dana@example.com", with_address=with_address)
    second = signup(client, "dana@example.com")
    assert second.status_code == 302
    send_first()
    assert len(confirmations_to("dana@example.com")) == 1
    assert not [m for m in mail.outbox if "already" in m.subject.lower()]


def test_a_signup_with_an_old_unverified_address_gets_the_usual_notice(client, first_submission):
    """Only a double submission (seconds apart) is treated so: an account someone else made
    with this address earlier never gets a verification link sent for it."""
    import datetime

    from django.utils import timezone

    first_submission("erin@example.com", with_address=True)
    User.objects.filter(email="erin@example.com").update(
        date_joined=timezone.now() - datetime.timedelta(hours=1)
    )
    signup(client, "erin@example.com")
    assert confirmations_to("erin@example.com") == []
    assert [m for m in mail.outbox if m.to == ["erin@example.com"]]  # the usual notice
