"""Fixtures of the application season (the factories are in tests/factories.py)."""

import datetime

import pytest

from applications.fit import FIT_SLUGS
from tests.factories import make_application, make_program

HTMX = {"HX-Request": "true"}


@pytest.fixture
def fit_milestones(db):
    """The three shipped milestones a fit check reads (Step 1, Step 2 CK, ECFMG certificate),
    without loading all the curated content."""
    from pathways.models import Milestone

    return [
        Milestone.objects.get_or_create(
            slug=slug,
            defaults={
                "title": slug,
                "category": "exams",
                "summary": slug,
                "source_url": "https://www.usmle.org/",
                "last_reviewed": datetime.date(2025, 12, 1),
            },
        )[0]
        for slug in FIT_SLUGS
    ]


@pytest.fixture
def program_factory(db):
    return make_program


@pytest.fixture
def alice_program(member):
    return make_program(member, name="Alice Medical Center")


@pytest.fixture
def bob_program(other_member):
    return make_program(other_member, name="Bob General Hospital")


@pytest.fixture
def alice_application(member, alice_program):
    return make_application(member, alice_program)


@pytest.fixture
def bob_application(other_member, bob_program):
    return make_application(other_member, bob_program, cycle=2028)
