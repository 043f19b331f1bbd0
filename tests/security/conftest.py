"""Fixtures for the security sweeps: the curated site, sample URLs for every pattern, and a
count of every table's rows."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import resolve

from accounts.models import User
from pathways.models import Milestone, Progress
from resources.models import Resource
from tests.conftest import make_member
from tests.security.url_classes import Route

CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
# Values for regex groups and converters that no object provides.
DEFAULTS = {"app_label": "auth", "key": "not-a-real-key", "uidb36": "1", "url": "not-a-page/"}


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
    return "/" + path.replace("^", "").replace("$", "")


@pytest.fixture(scope="module")
def _shared_site(django_db_setup, django_db_blocker):
    """Loaded once per module (the curated content takes a second to load): the content, the
    three personas and Alice's progress rows. Each test still runs in its own rolled-back
    transaction; the module's data is flushed at its end."""
    from django.test import Client

    with django_db_blocker.unblock():
        call_command("load_curated_content", verbosity=0)
        call_command("setup_curators", verbosity=0)
        alice = make_member("alice@example.com")
        bob = make_member("bob@example.com", visa="h1b", match_year=2028)
        carla = make_member("carla@example.com")
        call_command("setup_curators", add=[carla.email], verbosity=0)
        for user in (alice, bob):  # the first roadmap view creates the progress rows
            client = Client()
            client.force_login(user)
            client.get("/roadmap/")
        milestone = Milestone.objects.order_by("order").first()
        yield {
            "member": alice,
            "other_member": bob,
            "curator": User.objects.get(pk=carla.pk),
            "milestone": milestone,
            "progress": Progress.objects.get(user=alice, milestone=milestone),
            "resource": Resource.objects.published().order_by("slug").first(),
        }
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def site(_shared_site, db):
    return _shared_site


@pytest.fixture
def member(site):
    return site["member"]


@pytest.fixture
def other_member(site):
    return site["other_member"]


@pytest.fixture
def curator(site):
    return site["curator"]


@pytest.fixture
def url_for(site):
    """A concrete URL for any route, using real objects where the route names them."""

    def build(route: Route) -> str:
        name = route.name or ""
        values: dict = {}
        if name.startswith("pathways:"):
            values = {"slug": site["milestone"].slug, "pk": site["progress"].pk}
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


def row_counts() -> dict[str, int]:
    """The number of rows in every table the project's models own."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


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
