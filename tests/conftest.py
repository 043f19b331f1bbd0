"""Fixtures for every test folder: personas, curated content, factories, browser set-up.

The data itself is made by tests/factories.py; these fixtures name it.
"""

import datetime
import os
import shutil

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# made by live-server tests from that thread are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.core.management import call_command  # noqa: E402

from tests import factories  # noqa: E402
from tests.factories import PASSWORD, give_authenticator_app, make_member  # noqa: E402

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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and before it is dropped at the end of the session,
    on PostgreSQL, the end of the live server's leftover connections.

    A live-server request thread keeps its connection (CONN_MAX_AGE, as in production) for
    as long as the browser keeps the HTTP connection alive, which can outlast the test; the
    DROP DATABASE then failed with "database ... is being accessed by other users" (seen
    when a worker's last tests were browser tests)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


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
def member_without_profile(db):
    """Nils: signed up and verified, has not opened the onboarding form yet."""
    return make_member("nils@example.com", profile=False)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


# --- Content -------------------------------------------------------------


@pytest.fixture
def curated(db):
    """The content shipped in pathways/content/ and resources/content/, by the real command."""
    call_command("load_curated_content", verbosity=0)


@pytest.fixture
def record(db):
    """record(user, slug, **fields): set a member's progress on a milestone."""
    return factories.record


@pytest.fixture
def progress_of(db):
    def get(user, slug: str):
        from pathways.models import Progress

        return Progress.objects.get(user=user, milestone__slug=slug)

    return get


@pytest.fixture
def mark_done(db):
    def mark(user, *slugs: str, **fields) -> None:
        for slug in slugs:
            factories.record(user, slug, status="done", **fields)

    return mark


@pytest.fixture
def milestones_factory(db):
    return factories.make_milestones


@pytest.fixture
def make_resource(db):
    return factories.make_resource


@pytest.fixture
def tag(db):
    from resources.models import Tag

    return Tag.objects.create(name="visa", slug="visa")


@pytest.fixture
def milestone(db):
    """One milestone of its own, for resource tests that do not need the curated content."""
    from pathways.models import Milestone

    return Milestone.objects.create(
        slug="ecfmg-certificate",
        title="Receive your ECFMG Certificate",
        category="ecfmg",
        summary="The certificate.",
        source_url="https://www.ecfmg.org/certification/",
        last_reviewed=datetime.date(2025, 12, 1),
    )


@pytest.fixture
def resource(make_resource, tag, milestone):
    from resources.models import Resource

    return make_resource(
        title="Exchange Visitor Sponsorship Program",
        slug="ecfmg-evsp",
        category=Resource.Category.VISA,
        summary="J-1 sponsorship for physicians in US graduate medical education.",
        description="ECFMG sponsors **J-1** physicians. See the [EVSP page](https://www.ecfmg.org/evsp/).",
        url="https://www.ecfmg.org/evsp/",
        cost=Resource.Cost.PAID,
        eligibility="IMGs with a residency contract",
        location="United States",
        tags=[tag],
        milestones=[milestone],
    )


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
