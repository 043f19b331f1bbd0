"""Fixtures for the roadmap: the real curated content, and synthetic milestones in bulk."""

import datetime

import pytest
from django.core.management import call_command

from pathways.cycles import default_dates
from pathways.models import MatchCycle, Milestone, Prerequisite, Progress, Rule


@pytest.fixture
def curated(db):
    """The content shipped in pathways/content/, loaded by the real command."""
    call_command("load_curated_content", verbosity=0)


@pytest.fixture
def progress_of():
    def get(user, slug: str) -> Progress:
        return Progress.objects.get(user=user, milestone__slug=slug)

    return get


@pytest.fixture
def mark_done(progress_of):
    def mark(user, *slugs: str, **fields) -> None:
        for slug in slugs:
            Progress.objects.filter(user=user, milestone__slug=slug).update(status="done", **fields)

    return mark


def make_milestones(count: int, *, year: int = 2027) -> list[Milestone]:
    """`count` synthetic milestones, each (after the first) hard-requiring the previous one,
    spread over the categories and record kinds, plus the rules and the cycle for `year`."""
    kinds = ["dates", "pass_fail", "score", "oet", "nothing"]
    categories = ["exams", "ecfmg", "match", "visa", "licensure"]
    milestones = Milestone.objects.bulk_create(
        Milestone(
            slug=f"m-{n}",
            title=f"Milestone {n}",
            category=categories[n % 5],
            summary="Synthetic.",
            source_url="https://example.org/",
            last_reviewed=datetime.date(2025, 1, 1),
            order=n,
            records=kinds[n % 5],
            counts_attempts=n % 5 == 2,
            deadline="match_day" if n % 3 == 0 else "",
        )
        for n in range(count)
    )
    Prerequisite.objects.bulk_create(
        Prerequisite(milestone=b, required=a, kind="hard" if n % 2 else "soft")
        for n, (a, b) in enumerate(zip(milestones, milestones[1:], strict=False))
    )
    Rule.objects.get_or_create(key="usmle_attempt_limit", effective_from=None, value=4)
    MatchCycle.objects.get_or_create(year=year, defaults=default_dates(year))
    return milestones


@pytest.fixture
def milestones_factory(db):
    return make_milestones
