"""Fixtures for the security tests: the curated site shared per module, sample URLs for every
pattern, a count of every table's rows, and a superuser with a second factor for the admin."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import resolve

from accounts.models import User
from pathways.models import Milestone, Progress
from resources.models import Resource
from tests.factories import (
    give_authenticator_app,
    give_fact,
    make_catalogue_program,
    make_member,
    record,
)
from tests.security.url_classes import Route

CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
# Values for regex groups and converters that no object provides.
DEFAULTS = {
    "app_label": "auth",
    "key": "not-a-real-key",
    "token": "not-a-real-token-0123456789",
    "uidb36": "1",
    "url": "not-a-page/",
}


def sample_path(route: str, values: dict) -> str:
    """A concrete path for a route, from `values` by parameter name (or a harmless default)."""

    def value(name: str, converter: str | None) -> str:
        if name in values:
            return str(values[name])
        if name in DEFAULTS:
            return DEFAULTS[name]
        return "sample" if converter == "slug" else "1"

    path = GROUP.sub(lambda m: value(m["name"], None), route)  # regex groups first
    path = CONVERTER.sub(lambda m: value(m["name"], m["conv"]), path)
    path = re.sub(r"\\(.)", r"\1", path)  # a regex's escaped characters (`\.ics`) as themselves
    return "/" + path.replace("^", "").replace("$", "")


def build_site() -> dict:
    """The three personas and Alice's progress rows, on top of the curated content (the caller
    asks for the `curated_content` fixture). Also built per test by the browser sweep of
    tests/e2e/test_axe_every_page.py, whose live server needs committed rows."""
    call_command("setup_curators", verbosity=0)
    alice = make_member("alice@example.com")
    bob = make_member("bob@example.com", visa="h1b", match_year=2028)
    carla = make_member("carla@example.com")
    call_command("setup_curators", add=[carla.email], verbosity=0)
    give_authenticator_app(carla)  # the admin opens only to staff with a second factor
    milestone = Milestone.objects.order_by("order").first()
    # Saved progress, so pages and forms have rows to show (the catalogue's milestones too).
    for user in (alice, bob):
        for slug in (milestone.slug, "step-1", "step-2-ck", "oet"):
            record(user, slug, status="in_progress", notes="Own notes")
    # A published catalogue program with a sourced fact and its history (catalogue pages).
    catalogue_program = make_catalogue_program(name="Metro Internal Medicine")
    give_fact(catalogue_program, "sponsors_j1", "yes", by=carla)
    return {
        "catalogue_program": catalogue_program,
        "member": alice,
        "other_member": bob,
        "curator": User.objects.get(pk=carla.pk),
        "milestone": milestone,
        "progress": Progress.objects.get(user=alice, milestone=milestone),
        "resource": Resource.objects.published().order_by("slug").first(),
    }


@pytest.fixture(scope="module")
def _shared_site(curated_content, django_db_blocker):
    """Built once per module: see build_site. Each test still runs in its own rolled-back
    transaction; the module's data is flushed at its end (the curated content with it: the
    next test that needs the content loads it again, see tests/conftest.py)."""
    with django_db_blocker.unblock():
        curated_content.pinned = True  # the site's rows point at the content
        try:
            yield build_site()
        finally:
            call_command("flush", interactive=False, verbosity=0)
            curated_content.pinned = False


@pytest.fixture
def site(_shared_site, db):
    """The shared site. Its personas are site["member"] (Alice), site["other_member"] (Bob)
    and site["curator"] (Carla, staff with an authenticator app); the top-level fixtures of
    the same names stay as they are for this folder's other tests."""
    return _shared_site


def make_url_for(site: dict):
    """url_for(route): a concrete URL for any route, using the site's objects where the route
    names them."""

    def build(route: Route) -> str:
        name = route.name or ""
        values: dict = {}
        if name.startswith("pathways:"):
            values = {
                "slug": site["milestone"].slug,
                "pk": site["progress"].pk,
                "key": site["milestone"].category,
            }
        elif name.startswith("catalogue:") or name == "applications:program_add":
            values = {"pk": site["catalogue_program"].pk}
            values["catalogue_pk"] = values["pk"]
        elif name.startswith("resources:"):
            values = {"slug": site["resource"].slug}
        elif name.startswith("admin:") or route.route.startswith("admin/"):
            values = {"object_id": site["resource"].pk, "id": site["progress"].user_id}
        path = sample_path(route.route, values)
        match = resolve(path.split("?")[0])
        same = match.route.replace("^", "") == route.route.replace("^", "")
        assert same, f"{path} resolves to {match.route}, not {route.route}"
        return path

    return build


@pytest.fixture
def url_for(site):
    """A concrete URL for any route, using real objects where the route names them."""
    return make_url_for(site)


def row_counts() -> dict[str, int]:
    """The number of rows in every table the project's models own (every row: no manager's
    filter applies), in one query: the URL sweep counts after each of its ~1,300 requests."""
    models = apps.get_models()
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")  # nosec B608 - the models' own table names
        row = cursor.fetchone()
    return {model._meta.label: count for model, count in zip(models, row, strict=True)}


def project_app_configs() -> list:
    """The project's own apps: inside the repository, outside .venv (where Django and allauth
    are installed) and node_modules."""
    root = Path(__file__).resolve().parents[2]
    ours = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(root):
            first = path.relative_to(root).parts[0]
            if not first.startswith(".") and first != "node_modules":
                ours.append(config)
    return ours


@pytest.fixture
def superuser(db):
    user = User.objects.create_superuser(email="root@example.com", password="correct-horse-42")
    give_authenticator_app(user)
    return user


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
