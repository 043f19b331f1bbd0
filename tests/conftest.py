"""Shared fixtures: personas (member, other member, curator) and the browser set-up."""

import os
import shutil

os.environ.setdefault("IMGPORTAL_TESTING", "1")
# Playwright's sync API runs an event loop in the test thread; the ORM calls
# made by live-server tests from that thread are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery-42"


def make_member(email: str, *, onboarded: bool = True, **profile_fields):
    from allauth.account.models import EmailAddress

    from accounts.models import Profile, User

    user = User.objects.create_user(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    defaults = {
        "school_country": "India",
        "school_name": "Example Medical College",
        "graduation_year": 2024,
        "specialty": "Internal Medicine",
        "match_year": 2027,
        "visa": Profile.Visa.J1,
        "has_step2cs": False,
        "onboarded_at": timezone.now() if onboarded else None,
    }
    defaults.update(profile_fields)
    Profile.objects.create(user=user, **defaults)
    return user


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's rate-limit counters live in the cache: start every test from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def member(db):
    """Alice: an onboarded IMG member on the J-1 route, aiming at the 2027 Match."""
    return make_member("alice@example.com")


@pytest.fixture
def other_member(db):
    """Bob: another member who should have no access to Alice's stuff."""
    return make_member("bob@example.com", visa="h1b", match_year=2028)


@pytest.fixture
def new_member(db):
    """Nora: signed up and verified, not onboarded yet."""
    return make_member("nora@example.com", onboarded=False)


def give_authenticator_app(user) -> str:
    """Activate TOTP for the user (staff need a second factor for the admin); the secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture
def curator(db):
    """Carla: staff member in the Curators group, with an authenticator app."""
    from accounts.models import User

    call_command("setup_curators", verbosity=0)
    user = make_member("carla@example.com")
    call_command("setup_curators", add=[user.email], verbosity=0)
    give_authenticator_app(user)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


# --- Browser tests (Playwright's Python package + Debian's Chromium) --------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    if executable is None:
        message = (
            "Debian's chromium is not installed (apt-get install -y chromium): "
            "the browser tests cannot run."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip("SKIPPED LOUDLY: " + message)
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture
def live_url(live_server):
    return live_server.url
