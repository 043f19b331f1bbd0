"""Resource fixtures: a small published directory and a milestone to link to."""

import datetime
import itertools

import pytest

from pathways.models import Milestone
from resources.models import Resource, Tag

_numbers = itertools.count(1)


@pytest.fixture
def make_resource(db):
    """Create a resource; published and reviewed recently unless told otherwise."""

    def make(**fields) -> Resource:
        number = next(_numbers)
        tags = fields.pop("tags", [])
        milestones = fields.pop("milestones", [])
        defaults = {
            "title": f"Resource {number}",
            "slug": f"resource-{number}",
            "organisation": "ECFMG (Intealth)",
            "category": Resource.Category.ECFMG,
            "summary": "A short summary.",
            "description": "",
            "url": f"https://www.ecfmg.org/page-{number}/",
            "cost": Resource.Cost.FREE,
            "location": "Online",
            "published": True,
            "last_reviewed": datetime.date(2025, 12, 1),
        }
        resource = Resource.objects.create(**{**defaults, **fields})
        resource.tags.set(tags)
        resource.milestones.set(milestones)
        return resource

    return make


@pytest.fixture
def tag(db) -> Tag:
    return Tag.objects.create(name="visa", slug="visa")


@pytest.fixture
def milestone(db) -> Milestone:
    return Milestone.objects.create(
        slug="ecfmg-certificate",
        title="Receive your ECFMG Certificate",
        category="ecfmg",
        summary="The certificate.",
        source_url="https://www.ecfmg.org/certification/",
        last_reviewed=datetime.date(2025, 12, 1),
    )


@pytest.fixture
def resource(make_resource, tag, milestone) -> Resource:
    return make_resource(
        title="Exchange Visitor Sponsorship Program",
        slug="ecfmg-evsp",
        category=Resource.Category.VISAS,
        summary="J-1 sponsorship for physicians in US graduate medical education.",
        description="ECFMG sponsors **J-1** physicians. See the [EVSP page](https://www.ecfmg.org/evsp/).",
        url="https://www.ecfmg.org/evsp/",
        cost=Resource.Cost.PAID,
        eligibility="IMGs with a residency contract",
        location="United States",
        tags=[tag],
        milestones=[milestone],
    )
