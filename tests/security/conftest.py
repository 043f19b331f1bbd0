"""Fixtures for the security sweeps: the curated site, sample URLs for every pattern, and a
count of every table's rows."""

import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import resolve

from pathways.models import Milestone, Progress
from resources.models import Resource
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


@pytest.fixture
def site(db, member, other_member, curator):
    """The curated content, three personas, and one progress row of Alice's."""
    call_command("load_curated_content", verbosity=0)
    milestone = Milestone.objects.order_by("order").first()
    progress, _ = Progress.objects.get_or_create(user=member, milestone=milestone)
    resource = Resource.objects.published().order_by("slug").first()
    return {"milestone": milestone, "progress": progress, "resource": resource}


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
