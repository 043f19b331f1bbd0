"""The shipped content says what the sources say (see ../shared/content/)."""

import datetime

import pytest

from pathways.models import MatchCycle, Milestone, Rule
from pathways.roadmap import RuleBook

pytestmark = pytest.mark.django_db


def test_shipped_content_matches_the_brief(curated):
    step1 = Milestone.objects.get(slug="step-1")
    assert step1.counts_attempts and step1.records == "pass_fail"
    assert Milestone.objects.get(slug="oet").applies == "no_step2cs"
    assert Milestone.objects.get(slug="step-2-ck").needs_review  # 218 from July 2025 is 3P
    rules = RuleBook(list(Rule.objects.all()))
    assert rules.value_on("step2ck_passing_score", datetime.date(2022, 6, 30)) == 209
    assert rules.value_on("step2ck_passing_score", datetime.date(2022, 7, 1)) == 214
    assert rules.value_on("step2ck_passing_score", datetime.date(2025, 7, 1)) == 218
    assert rules.value_on("usmle_attempt_limit", datetime.date(2026, 1, 1)) == 4
    assert rules.value_on("oet_min_writing", datetime.date(2026, 1, 1)) == 300
    assert rules.value_on("oet_min_listening", datetime.date(2026, 1, 1)) == 350
    assert rules.value_on("ecfmg_exam_window_years", datetime.date(2026, 1, 1)) == 7
    cycle = MatchCycle.objects.get(year=2026)
    assert (cycle.match_day, cycle.rol_deadline) == (
        datetime.date(2026, 3, 20),
        datetime.date(2026, 2, 25),
    )
    proposed = MatchCycle.objects.get(year=2028)
    assert proposed.needs_review and proposed.match_day == datetime.date(2028, 3, 17)


def test_what_milestones_record_and_count_for_is_content_not_slugs(curated):
    """Renaming a slug cannot switch an alert off: these are fields, shipped in TOML."""
    flagged = {
        field: set(Milestone.objects.filter(**{field: True}).values_list("slug", flat=True))
        for field in ("records_expiry", "ecfmg_exam", "reported_to_nrmp")
    }
    assert flagged == {
        "records_expiry": {"pathway", "ecfmg-certificate"},
        "ecfmg_exam": {"step-1", "step-2-ck"},
        "reported_to_nrmp": {"step-1", "step-2-ck", "pathway"},
    }
    scores = dict(
        Milestone.objects.exclude(passing_score_rule="").values_list("slug", "passing_score_rule")
    )
    assert scores == {"step-2-ck": "step2ck_passing_score", "step-3": "step3_passing_score"}
