"""Fixtures for the reliability suites: a populated database (every member-owned table has rows)."""

import pytest

from pathways.models import Milestone, Progress
from resources.models import ProblemReport, Resource, SavedResource
from tests.factories import make_member


@pytest.fixture
def populated(db, curated_content):
    """Curated content, two members with progress, a saved resource and a problem report."""
    alice = make_member("alice@example.com")
    bob = make_member("bob@example.com", visa="h1b", match_year=2028)
    milestone = Milestone.objects.order_by("order").first()
    resource = Resource.objects.published().order_by("slug").first()
    for user in (alice, bob):
        Progress.objects.create(user=user, milestone=milestone, status="in_progress", notes="n")
        SavedResource.objects.create(user=user, resource=resource)
    ProblemReport.objects.create(user=alice, resource=resource, kind="outdated", message="m")
    return {"alice": alice, "bob": bob}
