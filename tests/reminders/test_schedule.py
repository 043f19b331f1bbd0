"""What is due when: pure functions, with frozen dates on both sides of each boundary."""

import datetime

import pytest

from pathways.models import MatchCycle
from reminders.models import ReminderPreference
from reminders.schedule import (
    Dated,
    dated_items,
    digest_items,
    due_horizon,
    due_reminders,
    member_roadmap,
)
from tests.factories import record
from tests.reminders.conftest import MONDAY

TODAY = datetime.date(2026, 11, 23)


def on(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(31, None), (30, 30), (15, 30), (14, 14), (8, 14), (7, 7), (2, 7), (1, 1), (0, 1), (-1, None)],
)
def test_due_horizon_is_the_tightest_reached(days_left, expected):
    assert due_horizon(on(days_left), TODAY, [30, 14, 7, 1]) == expected


def test_due_horizon_only_uses_the_chosen_horizons():
    assert due_horizon(on(8), TODAY, [7]) is None
    assert due_horizon(on(7), TODAY, [7]) == 7
    assert due_horizon(on(3), TODAY, []) is None


def item(kind="cycle_deadlines", days=7, key="x") -> Dated:
    return Dated(key=key, kind=kind, title="T", date=on(days), path="/")


def test_due_reminders_follow_the_preferences():
    prefs = ReminderPreference()
    items = [item("cycle_deadlines", 7, "a"), item("planned_dates", 30, "b"), item(days=40)]
    assert [(i.key, h) for i, h in due_reminders(items, prefs, TODAY)] == [("a", 7), ("b", 30)]
    prefs.planned_dates = False
    assert [i.key for i, _ in due_reminders(items, prefs, TODAY)] == ["a"]
    prefs.enabled = False
    assert due_reminders(items, prefs, TODAY) == []


def test_weekly_digest_replaces_single_reminders_and_comes_on_mondays_only():
    prefs = ReminderPreference(frequency=ReminderPreference.Frequency.WEEKLY)
    items = [item(days=3, key="soon"), item(days=30, key="edge"), item(days=31, key="later")]
    assert due_reminders(items, prefs, TODAY) == []
    assert TODAY.weekday() == 0
    assert [i.key for i in digest_items(items, prefs, TODAY)] == ["soon", "edge"]
    assert digest_items(items, prefs, TODAY + datetime.timedelta(days=1)) == []
    assert digest_items(items, ReminderPreference(), TODAY) == []  # "each" gets no digest


@pytest.fixture
def roadmap_of(curated):
    def build(user, today=MONDAY):
        return member_roadmap(user, today)

    return build


def test_proposed_is_per_date_not_per_cycle(member, roadmap_of):
    """A verified date loses its "(proposed)" mark; the other dates of the cycle keep it."""
    cycle = MatchCycle.objects.get(year=2027)
    cycle.verify("nrmp_early_registration_deadline", "https://www.nrmp.org", MONDAY)
    cycle.save()
    assert cycle.needs_review  # the cycle flag no longer decides
    items = {i.key: i for i in dated_items(roadmap_of(member), member)}
    verified = items["nrmp-registration-nrmp_early_registration_deadline"]
    assert not verified.proposed and not verified.display_title.endswith("(proposed)")
    assert items["match-match_day"].proposed  # the "match" milestone is due on Match Day


def test_dated_items_of_a_member(member, roadmap_of, record):
    record(member, "step-1", planned_date=on(14), attempts=3)
    record(
        member,
        "step-2-ck",
        status="done",
        outcome="passed",
        completed_date=datetime.date(2020, 3, 1),
    )
    items = {i.key: i for i in dated_items(roadmap_of(member), member)}
    deadline = items["nrmp-registration-nrmp_early_registration_deadline"]
    assert deadline.date == datetime.date(2027, 1, 29)
    assert deadline.proposed and deadline.hard
    assert deadline.display_title.endswith("(proposed)")
    assert deadline.path == "/roadmap/m/nrmp-registration/"
    assert items["step-1-planned_date"].date == on(14)
    assert not items["step-1-planned_date"].proposed
    # 3 of 4 attempts used: the planned exam is the last attempt.
    assert items["step-1-last_attempt"].kind == "attempts"
    # Step 2 CK passed on 1 Mar 2020, Step 1 still open: the window closes 1 Mar 2027.
    window = items["ecfmg-exam-window-closes"]
    assert window.date == datetime.date(2027, 3, 1) and window.hard
    assert items["ecfmg-exam-window-closes"].uid == "ecfmg-exam-window-closes@imgportal"


def test_done_milestones_and_settled_dates_drop_out(member, roadmap_of, record):
    record(member, "nrmp-registration", status="done")
    record(member, "step-1", status="done", planned_date=on(3))
    keys = {i.key for i in dated_items(roadmap_of(member), member)}
    assert "nrmp-registration-nrmp_early_registration_deadline" not in keys
    assert "step-1-planned_date" not in keys


def test_no_roadmap_before_onboarding(new_member, curated):
    assert member_roadmap(new_member, MONDAY) is None


def test_a_step2cs_pass_that_stops_counting_is_a_date(db, curated, roadmap_of):
    from tests.factories import make_member

    cs = make_member(
        "cs@example.com", has_step2cs=True, step2cs_passed_on=datetime.date(2020, 3, 1)
    )
    item = {i.key: i for i in dated_items(roadmap_of(cs), cs)}["step2cs-counts-until"]
    assert item.date == datetime.date(2027, 3, 1) and item.hard and item.kind == "exam_window"
    # Step 1 and Step 2 CK passed before then: the pass counts for good, no date.
    for slug in ("step-1", "step-2-ck"):
        record(cs, slug, status="done", outcome="passed", completed_date=datetime.date(2026, 1, 5))
    assert "step2cs-counts-until" not in {i.key for i in dated_items(roadmap_of(cs), cs)}
