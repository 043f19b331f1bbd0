"""The shipped content: what the loader makes of pathways/content/*.toml, and the invariants
every release of it must keep (docs/sources.md gives each fact its source).

These tests read the TOML files rather than retyping their values: a content release that
corrects a date or a score changes the TOML alone, and these tests then check that the
loader and the roadmap's rule lookup follow it, and that the release is consistent (dates
in the season's order, a verified date with its source, a rule's history in order, the
confidence in a note matching the review flag).
"""

import datetime
import re
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from django.db.models import F

from pathways.cycles import default_dates
from pathways.models import MatchCycle, Milestone, Rule, RuleKey
from pathways.roadmap import RuleBook

pytestmark = pytest.mark.django_db

CONTENT = Path(__file__).resolve().parents[2] / "pathways" / "content"
ONE_DAY = datetime.timedelta(days=1)
# The season's order: each date no later than the next (Match Day, then training).
SEASON_ORDER = [
    "eras_opens",
    "applicants_may_submit",
    "programs_review_starts",
    "ranking_opens",
    "rol_deadline",
    "match_day",
    "training_starts",
]


def shipped(name: str, table: str) -> list[dict]:
    with (CONTENT / name).open("rb") as file:
        return tomllib.load(file)[table]


def rule_histories() -> dict[str, list[dict]]:
    """The shipped rules by key, oldest first (the row without effective_from first)."""
    histories = defaultdict(list)
    for row in shipped("rules.toml", "rule"):
        histories[row["key"]].append(row)
    oldest = datetime.date.min
    return {
        key: sorted(rows, key=lambda row: row.get("effective_from") or oldest)
        for key, rows in histories.items()
    }


def test_every_shipped_date_is_loaded_with_its_provenance(curated):
    """A date given in cycles.toml is loaded as given: verified when [cycle.verified] names
    its source and the day it was checked, proposed otherwise; a proposed cycle's missing
    dates come from the default rules (pathways/cycles.py)."""
    rows = shipped("cycles.toml", "cycle")
    assert {row["year"] for row in rows} == set(MatchCycle.objects.values_list("year", flat=True))
    for row in rows:
        cycle = MatchCycle.objects.get(year=row["year"])
        defaults = default_dates(row["year"])
        checks = row.get("verified", {})
        if row.get("proposed"):  # computed dates wait for a curator
            assert cycle.needs_review, row["year"]
        for name in MatchCycle.DATE_FIELDS:
            info = cycle.info(name)
            if name in row:
                assert info.date == row[name], (row["year"], name)
            elif row.get("proposed"):
                assert info.date == defaults[name], (row["year"], name)
            if name in checks:
                assert info.verified, (row["year"], name)
                assert info.source_url == checks[name]["source_url"]
                assert info.checked_on == checks[name]["checked_on"].isoformat()
            elif info.date is not None:
                assert info.proposed and info.basis, (row["year"], name)


def test_every_cycle_keeps_the_seasons_order_and_match_day_on_a_march_friday(curated):
    for cycle in MatchCycle.objects.all():
        dates = [cycle.date_for(name) for name in SEASON_ORDER]
        assert dates == sorted(dates), (cycle.year, dates)
        assert cycle.match_day.year == cycle.year and cycle.match_day.month == 3
        assert cycle.match_day.weekday() == 4, cycle.match_day  # NRMP's Match Day: a Friday
        assert cycle.nrmp_registration_opens < cycle.nrmp_early_registration_deadline
        assert cycle.nrmp_early_registration_deadline < cycle.rol_deadline
        for name in MatchCycle.DATE_FIELDS:
            info = cycle.info(name)
            if info.verified:
                assert info.source_url.startswith("https://"), (cycle.year, name)
                checked = datetime.date.fromisoformat(info.checked_on)
                assert checked <= cycle.last_reviewed, (cycle.year, name)


def test_the_rule_lookup_follows_every_shipped_rule_by_date(curated):
    """RuleBook (what the roadmap reads) answers each shipped value from its effective date,
    and the previous value on the day before."""
    rules = RuleBook(list(Rule.objects.all()))
    for key, history in rule_histories().items():
        for before, row in zip([None, *history], history, strict=False):
            start = row.get("effective_from")
            if start is None:
                assert before is None, key  # only the oldest value has no start
                assert rules.in_force(key, datetime.date(1990, 1, 1)) == row["value"]
                continue
            assert rules.in_force(key, start) == row["value"], (key, start)
            if before is not None:
                assert rules.in_force(key, start - ONE_DAY) == before["value"], (key, start)


def test_shipped_rules_are_consistent(curated):
    """Each key is one the code reads, each date of a key's history distinct, passing scores
    never go down, a note's "(up from N)" names the value before, and a rule waits for a
    curator exactly when its note says the official page was not seen (confidence S)."""
    histories = rule_histories()
    assert set(histories) <= set(RuleKey.values)
    for key, history in histories.items():
        starts = [row.get("effective_from") for row in history]
        assert len(starts) == len(set(starts)), key
        if key.endswith("_passing_score"):
            values = [row["value"] for row in history]
            assert values == sorted(values), key
        for before, row in zip(history, history[1:], strict=False):
            if match := re.search(r"\(up from (\d+)\)", row.get("note", "")):
                assert int(match[1]) == before["value"], (key, row.get("effective_from"))
        for row in history:
            confidence = re.search(r"Confidence ([A-Z])", row.get("note", ""))
            if confidence:
                assert row["needs_review"] == (confidence[1] == "S"), (key, row["note"])
                assert row["last_reviewed"] <= datetime.date.today()
    loaded = Rule.objects.filter(needs_review=True).count()
    assert loaded == sum(row["needs_review"] for h in histories.values() for row in h)


def test_the_attempt_limit_note_says_who_is_ineligible(curated):
    latest = F("effective_from").desc(nulls_last=True)  # PostgreSQL puts NULL first
    limit = Rule.objects.filter(key="usmle_attempt_limit").order_by(latest).first()
    assert "ineligible for all Steps" in limit.note and "Step 2 CS included" in limit.note


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
    assert set(scores.values()) <= set(Rule.objects.values_list("key", flat=True))
    step1 = Milestone.objects.get(slug="step-1")
    assert step1.counts_attempts and step1.records == "pass_fail"
    assert Milestone.objects.get(slug="oet").applies == "no_step2cs"
