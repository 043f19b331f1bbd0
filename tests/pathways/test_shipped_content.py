"""The shipped content says what the sources say (docs/sources.md)."""

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
    assert rules.in_force("oet_min_writing", datetime.date(2026, 1, 1)) == 300
    assert rules.in_force("oet_min_listening", datetime.date(2026, 1, 1)) == 350
    assert rules.in_force("ecfmg_exam_window_years", datetime.date(2026, 1, 1)) == 7
    cycle = MatchCycle.objects.get(year=2026)
    assert (cycle.match_day, cycle.rol_deadline) == (
        datetime.date(2026, 3, 20),
        datetime.date(2026, 3, 4),  # corrected 2026-12-05 (docs/sources.md)
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


def history(rules: RuleBook, key: str, changes: list[tuple[datetime.date, int, int]]) -> None:
    """Each change: the old value on the day before, the new value from the day itself."""
    one_day = datetime.timedelta(days=1)
    for day, before, after in changes:
        assert rules.in_force(key, day - one_day) == before, (key, day, "day before")
        assert rules.in_force(key, day) == after, (key, day, "on the day")


# The 2027-season review, section B: value before and from each change, by test date.
STEP2CK_CHANGES = [
    (datetime.date(2012, 7, 1), 189, 196),
    (datetime.date(2013, 7, 1), 196, 203),
    (datetime.date(2014, 7, 1), 203, 209),
    (datetime.date(2022, 7, 1), 209, 214),
    (datetime.date(2025, 7, 1), 214, 218),
]
STEP3_CHANGES = [
    (datetime.date(2016, 1, 1), 190, 196),
    (datetime.date(2020, 1, 1), 196, 198),
    (datetime.date(2024, 1, 1), 198, 200),
]


def test_passing_scores_follow_the_test_date_back_to_2012(curated):
    rules = RuleBook(list(Rule.objects.all()))
    assert rules.in_force("step2ck_passing_score", datetime.date(2005, 1, 1)) == 189
    history(rules, "step2ck_passing_score", STEP2CK_CHANGES)
    assert rules.in_force("step2ck_passing_score", datetime.date(2027, 3, 1)) == 218
    assert rules.in_force("step3_passing_score", datetime.date(2010, 1, 1)) == 190
    history(rules, "step3_passing_score", STEP3_CHANGES)
    assert rules.in_force("step3_passing_score", datetime.date(2027, 3, 1)) == 200


def test_attempt_limit_was_6_before_july_2021_and_4_from_then(curated):
    rules = RuleBook(list(Rule.objects.all()))
    history(rules, "usmle_attempt_limit", [(datetime.date(2021, 7, 1), 6, 4)])
    assert rules.in_force("usmle_attempt_limit", datetime.date(2027, 1, 1)) == 4
    limit = Rule.objects.get(key="usmle_attempt_limit", effective_from=datetime.date(2021, 7, 1))
    assert "ineligible for all Steps" in limit.note and "Step 2 CS included" in limit.note


def test_only_the_verified_scores_ship_without_needs_review(curated):
    """V facts (Step 2 CK to 214, attempt limits) are settled; S facts wait for a curator."""
    flagged = {
        (rule.key, rule.value)
        for rule in Rule.objects.filter(key__in=["step2ck_passing_score", "step3_passing_score"])
        if rule.needs_review
    }
    assert flagged == {
        ("step2ck_passing_score", 218),
        ("step3_passing_score", 190),
        ("step3_passing_score", 196),
        ("step3_passing_score", 198),
        ("step3_passing_score", 200),
    }
    assert not Rule.objects.filter(key="usmle_attempt_limit", needs_review=True).exists()
    reviewed = Rule.objects.filter(
        key__in=["step2ck_passing_score", "step3_passing_score", "usmle_attempt_limit"]
    )
    assert {r.last_reviewed for r in reviewed} == {datetime.date(2026, 11, 25)}
    assert all(r.source_url.startswith("https://www.usmle.org/") for r in reviewed)
    assert all("Confidence " in r.note for r in reviewed)
