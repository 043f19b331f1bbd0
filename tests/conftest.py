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
    """pytest-django's test database with the curated content loaded once (committed: each
    test's rollback leaves it in place; see CuratedContent), and before the database is
    dropped at the end of the session, on PostgreSQL, the end of the live server's leftover
    connections.

    A live-server request thread keeps its connection (CONN_MAX_AGE, as in production) for
    as long as the browser keeps the HTTP connection alive, which can outlast the test; the
    DROP DATABASE then failed with "database ... is being accessed by other users" (seen
    when a worker's last tests were browser tests)."""
    with django_db_blocker.unblock():
        CURATED.load()
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
    """allauth's rate-limit counters live in the cache, dashboards in the situation cache:
    start every test from zero. The curated content's token is a database row that every
    test's rollback restores, so the process's copy of the content is dropped too: a test
    that changed curated rows reads them afresh, whatever test ran before."""
    from django.core.cache import cache, caches

    from pathways import curated_cache

    def clear():
        cache.clear()
        caches["situation"].clear()
        curated_cache._last = None

    clear()
    yield
    clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def member(db):
    """Alice: an onboarded IMG member on the J-1 route, aiming at the 2027 Match."""
    return make_member("alice@example.com")


@pytest.fixture
def alice(member, curated):
    """Alice (the `member` persona: J-1 route, Internal Medicine, target Match 2027) with the
    curated content, for tests of what her roadmap, alerts and reminders say."""
    return member


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


class CuratedContent:
    """The content shipped in pathways/content/, resources/content/ and applications/content/,
    loaded by the real command once per test process (pytest-xdist worker) instead of once per
    test: it takes about a second, and ~300 tests read it.

    - django_db_setup loads it, committed, right after the test database is made. A test that
      asks for it (the `curated` fixture, or anything depending on `curated_content`) finds
      it there; its own transaction is rolled back, so whatever it changes is undone.
    - Every other test that uses the database starts without it, as it always has (tests
      that build their own milestones, or run the loader themselves): the rows are deleted
      inside the test's transaction (rolled back afterwards) by `_no_curated_content`.
    - A transactional test (live server, browser) commits, and Django empties every table
      after it; so does the security sweep's module-wide site. Before each test that asks
      for the content, `pytest_runtest_setup` counts its rows (one query) and loads it again,
      committed, if they are not all there.
    """

    def __init__(self):
        self.counts: dict[type, int] = {}  # model -> rows after the load
        # Set while a module-wide fixture keeps committed rows that point at the content
        # (tests/security/conftest.py's site): every test of that module sees the content.
        self.pinned = False

    @staticmethod
    def row_counts(models) -> dict:
        from django.db import connection

        if not models:
            return {}
        quote = connection.ops.quote_name
        counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {counts}")  # nosec B608 - the models' own table names
            return dict(zip(models, cursor.fetchone(), strict=True))

    def load(self) -> None:
        """Load the content (committed) and remember which tables it fills and how much."""
        from django.apps import apps

        models = apps.get_models(include_auto_created=True)
        before = self.row_counts(models)
        call_command("load_curated_content", force=True, verbosity=0)
        after = self.row_counts(models)
        if not self.counts:  # the first load, into tables no migration fills
            grown = [m for m in models if after[m] != before[m]]
            assert all(before[m] == 0 for m in grown), "curated tables with other rows"
            self.counts = {m: after[m] for m in grown}

    def present(self) -> bool:
        return self.row_counts(list(self.counts)) == self.counts

    def remove(self) -> None:
        """Delete every curated row (in the test's transaction when it has one), without
        signals: the tables start as empty as they are in a fresh test database."""
        from django.db import transaction

        with transaction.atomic():  # foreign keys are checked at the end, not per table
            for model in self.counts:
                model._base_manager.all()._raw_delete(model._base_manager.db)


CURATED = CuratedContent()


def uses_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        {"_django_db_helper", "live_server"} & set(item.fixturenames)
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before the test's fixtures (so before its transaction starts): if it needs the curated
    content and a transactional test has flushed it, load it again, committed."""
    if CURATED.counts and "curated_content" in item.fixturenames:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            if not CURATED.present():
                CURATED.load()


@pytest.fixture(scope="session")
def curated_content(django_db_setup) -> CuratedContent:
    """The curated content, loaded once per process (see CuratedContent). Session-wide and
    module-wide fixtures ask for this; a test asks for `curated`."""
    return CURATED


@pytest.fixture(autouse=True)
def _no_curated_content(request):
    """A test that uses the database without asking for the curated content starts without
    it (see CuratedContent)."""
    if CURATED.pinned or "curated_content" in request.fixturenames:
        return
    if not uses_database(request.node):
        return
    request.getfixturevalue("_django_db_helper")  # inside the test's transaction, if any
    CURATED.remove()


@pytest.fixture
def curated(db, curated_content):
    """The content shipped in pathways/content/ and resources/content/, by the real command
    (loaded once per process; this test's changes to it are rolled back)."""
    return curated_content


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
