"""Fixtures of the application season (easy to move into tests/factories.py)."""

import datetime
import itertools

import pytest

from applications.models import Program
from pathways.models import Milestone, Progress

_numbers = itertools.count(1)
HTMX = {"HX-Request": "true"}


def make_program(user, **fields) -> Program:
    number = next(_numbers)
    defaults = {"name": f"Program {number}", "specialty": "Internal Medicine", "city": "Newark"}
    return Program.objects.create(user=user, **{**defaults, **fields})


def record(user, slug: str, **fields) -> Progress:
    """Save the member's progress on a milestone (created on first use)."""
    milestone, _ = Milestone.objects.get_or_create(
        slug=slug,
        defaults={
            "title": slug,
            "category": "exams",
            "summary": slug,
            "source_url": "https://www.usmle.org/",
            "last_reviewed": datetime.date(2025, 12, 1),
        },
    )
    progress, _ = Progress.objects.update_or_create(user=user, milestone=milestone, defaults=fields)
    return progress


@pytest.fixture
def program_factory(db):
    return make_program


@pytest.fixture
def alice_program(member):
    return make_program(member, name="Alice Medical Center")


@pytest.fixture
def bob_program(other_member):
    return make_program(other_member, name="Bob General Hospital")


def make_application(user, program=None, **fields):
    from applications.models import Application, StatusChange

    program = program or make_program(user)
    defaults = {
        "specialty": program.specialty,
        "cycle": 2027,
        "status": "researching",
        "status_changed_on": datetime.date(2026, 9, 1),
    }
    application = Application.objects.create(user=user, program=program, **{**defaults, **fields})
    StatusChange.objects.create(
        user=user,
        application=application,
        to_status=application.status,
        changed_on=application.status_changed_on,
    )
    return application


@pytest.fixture
def alice_application(member, alice_program):
    return make_application(member, alice_program)


@pytest.fixture
def bob_application(other_member, bob_program):
    return make_application(other_member, bob_program, cycle=2028)
