""" "Can I still make Match Y?": each boundary from both sides, with frozen dates."""

import datetime
from dataclasses import replace

import pytest

from pathways import feasibility
from pathways.feasibility import NOT_POSSIBLE, ON_TRACK, TIGHT, CycleDates, Exam, Situation
from pathways.roadmap import Pass

D = datetime.date
ROL = D(2027, 3, 3)  # the 2027 ROL deadline (proposed: Match Day - 16 days)
TEST_BY = ROL - datetime.timedelta(days=28)  # 3 Feb 2027
CYCLE = CycleDates(2027, ROL, D(2027, 3, 19), D(2027, 7, 1), D(2027, 1, 31), False)


def situation(**changes) -> Situation:
    base = Situation(
        today=D(2026, 6, 1),
        exams={
            "step-1": Exam("step-1", "Step 1", passed=True),
            "step-2-ck": Exam("step-2-ck", "Step 2 CK"),
            "step-3": Exam("step-3", "Step 3"),
        },
        needs_visa=False,
        j1=False,
        needs_h1b=False,
        needs_pathway=False,
        pathway_done=False,
        credentials_done=True,
        diploma_on=None,
        attempt_limit=4,
        results_days=28,
        evsp_days=42,
    )
    return replace(base, **changes)


def with_ck(s: Situation, **changes) -> Situation:
    return replace(s, exams={**s.exams, "step-2-ck": replace(s.exams["step-2-ck"], **changes)})


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def test_on_track_with_time_to_spare():
    verdict = feasibility.check(with_ck(situation(), planned=D(2026, 9, 1)), CYCLE)
    assert verdict.status == ON_TRACK


@pytest.mark.parametrize(
    ("planned", "status"),
    [
        (TEST_BY - days(42), ON_TRACK),
        (TEST_BY - days(41), TIGHT),
        (TEST_BY, TIGHT),
        (TEST_BY + days(1), TIGHT),  # too late as planned, but an earlier date still works
    ],
)
def test_results_before_the_rol_deadline(planned, status):
    verdict = feasibility.check(with_ck(situation(), planned=planned), CYCLE)
    assert verdict.status == status
    assert verdict.binding.rule == "reported_by_rol"


@pytest.mark.parametrize(("today", "status"), [(TEST_BY, TIGHT), (TEST_BY + days(1), NOT_POSSIBLE)])
def test_no_time_left_to_test(today, status):
    verdict = feasibility.check(situation(today=today), CYCLE)
    assert verdict.status == status


@pytest.mark.parametrize(("attempts", "possible"), [(3, True), (4, False)])
def test_attempt_limit(attempts, possible):
    s = with_ck(situation(), attempts=attempts, last_attempt=D(2025, 1, 10))
    verdict = feasibility.check(s, CYCLE)
    assert (verdict.status != NOT_POSSIBLE) is possible


def test_fourth_attempt_spacing_boundaries():
    first, last = D(2025, 9, 1), D(2026, 4, 1)
    exam = Exam("step-2-ck", "CK", attempts=3, first_attempt=first, last_attempt=last)
    # 12 months after the first (1 Sep 2026) is later than 6 after the last (1 Oct 2026)? No:
    assert feasibility.earliest_attempt(exam, D(2026, 6, 1), 4, 28) == D(2026, 10, 1)
    exam = replace(exam, last_attempt=D(2026, 1, 15))
    assert feasibility.earliest_attempt(exam, D(2026, 6, 1), 4, 28) == D(2026, 9, 1)
    # Fewer than 3 attempts: only the result of the last one to wait for.
    exam = replace(exam, attempts=2)
    assert feasibility.earliest_attempt(exam, D(2026, 1, 20), 4, 28) == D(2026, 2, 12)
    assert feasibility.earliest_attempt(replace(exam, attempts=4), D(2026, 6, 1), 4, 28) is None


@pytest.mark.parametrize(
    ("fail_on", "status"),
    [
        (D(2026, 7, 1), ON_TRACK),  # retake after the result: early August
        (D(2026, 11, 27), TIGHT),  # retake from 25 Dec: 40 days before 3 Feb
        (D(2027, 1, 7), NOT_POSSIBLE),  # the result arrives after 3 Feb
    ],
)
def test_what_if_i_fail_step_2_ck(fail_on, status):
    s = feasibility.with_failure(situation(), "step-2-ck", fail_on)
    assert feasibility.check(s, CYCLE).status == status


def test_fourth_attempt_what_if_moves_the_earliest_year():
    s = with_ck(situation(), attempts=2, first_attempt=D(2025, 9, 1), last_attempt=D(2026, 3, 1))
    failed = feasibility.with_failure(s, "step-2-ck", D(2026, 6, 15))
    # 4th attempt from 1 Sep 2026 (12 months after the first) / 15 Dec (6 after the last).
    assert feasibility.earliest_attempt(failed.exams["step-2-ck"], failed.today, 4, 28) == D(
        2026, 12, 15
    )
    assert feasibility.check(failed, CYCLE).status == ON_TRACK  # 50 days before 3 Feb
    failed = feasibility.with_failure(s, "step-2-ck", D(2026, 7, 7))  # from 7 Jan: 27 days
    assert feasibility.check(failed, CYCLE).status == TIGHT
    failed = feasibility.with_failure(s, "step-2-ck", D(2026, 8, 4))  # from 4 Feb: too late
    assert feasibility.check(failed, CYCLE).status == NOT_POSSIBLE
    assert feasibility.earliest_year(failed, {}).year == 2028


@pytest.mark.parametrize(
    ("today", "status"),
    [(D(2027, 1, 31) - days(42), ON_TRACK), (D(2027, 1, 31), TIGHT), (D(2027, 2, 1), NOT_POSSIBLE)],
)
def test_pathway_deadline(today, status):
    s = situation(today=today, needs_pathway=True, exams={})
    verdict = feasibility.check(s, CYCLE)
    assert verdict.status == status
    assert verdict.binding.rule == "pathway_deadline"


def test_an_unpublished_pathway_deadline_is_unknown_not_fine():
    s = situation(needs_pathway=True, exams={})
    verdict = feasibility.check(s, replace(CYCLE, pathway_deadline=None))
    [pathway] = [c for c in verdict.constraints if c.rule == "pathway_deadline"]
    assert pathway.status == "unknown"
    assert "check ECFMG" in pathway.note


@pytest.mark.parametrize(
    ("diploma_on", "j1", "status"),
    [
        (D(2027, 5, 20), True, TIGHT),  # 6 weeks before 1 Jul is 20 May
        (D(2027, 5, 21), True, NOT_POSSIBLE),
        (D(2027, 5, 21), False, TIGHT),  # no visa: before training starts is enough
        (D(2027, 7, 2), False, NOT_POSSIBLE),
    ],
)
def test_diploma_and_the_j1_lead_time(diploma_on, j1, status):
    s = situation(exams={}, credentials_done=False, diploma_on=diploma_on, j1=j1, needs_visa=j1)
    verdict = feasibility.check(s, CYCLE)
    assert verdict.status == status
    # For the J-1 the Rule evsp_processing_days (42) sets the lead time; otherwise none.
    assert verdict.binding.rule == ("evsp_processing_days" if j1 else "certificate_before_training")


@pytest.mark.parametrize(("step3_on", "status"), [(TEST_BY, TIGHT), (TEST_BY + days(1), TIGHT)])
def test_h1b_needs_step_3_before_ranking(step3_on, status):
    s = situation(exams={}, needs_h1b=True)
    s = replace(s, exams={"step-3": Exam("step-3", "Step 3", planned=step3_on)})
    verdict = feasibility.check(s, CYCLE)
    assert verdict.binding.rule == "h1b_step3"
    assert verdict.status == status
    late = replace(s, today=TEST_BY + days(1))
    assert feasibility.check(late, CYCLE).status == NOT_POSSIBLE


def step1_passed_on(day: datetime.date) -> dict:
    return {"passes": (Pass("step-1", "Step 1", day),), "window_years": 7}


def test_exam_window_open_until_the_next_pass_is_a_constraint_with_days_to_spare():
    # Step 1 passed 3 Oct 2019: it counts until 3 Oct 2026; Step 2 CK planned 2 Oct 2026.
    s = with_ck(situation(**step1_passed_on(D(2019, 10, 3))), planned=D(2026, 10, 2))
    verdict = feasibility.check(s, CYCLE)
    assert verdict.status == TIGHT
    assert verdict.binding.rule == "ecfmg_exam_window_years"
    assert verdict.binding.slack == 1
    assert verdict.must_pass_again == []
    s = with_ck(situation(**step1_passed_on(D(2019, 11, 13))), planned=D(2026, 10, 2))
    assert feasibility.check(s, CYCLE).status == ON_TRACK  # 42 days to spare


def test_a_pass_that_would_stop_counting_first_must_be_passed_again():
    # Step 1's pass stops counting on 2 Oct 2026, the day Step 2 CK is planned: it lapses
    # on this plan, so Step 1 is to be passed again (never "Tight, -N days to spare").
    s = with_ck(situation(**step1_passed_on(D(2019, 10, 2))), planned=D(2026, 10, 2))
    verdict = feasibility.check(s, CYCLE)
    assert verdict.must_pass_again == [
        "Step 1 (your pass of 2 Oct 2019 would stop counting on 2 Oct 2026, before the other "
        "exams can be passed)"
    ]
    titles = [c.title for c in verdict.constraints]
    assert any(t.startswith("Step 1: tested by") for t in titles)
    assert not any(c.rule == "ecfmg_exam_window_years" for c in verdict.constraints)
    assert all(c.slack >= 0 for c in verdict.constraints if c.status != NOT_POSSIBLE and c.slack)


def test_earliest_year_skips_years_that_are_not_possible(db):
    s = situation(today=D(2027, 2, 4))  # one day past "test by" for 2027
    assert feasibility.check(s, feasibility.CycleDates.of(2027, {})).status == NOT_POSSIBLE
    earliest = feasibility.earliest_year(s, {})
    assert earliest.year == 2028
    assert earliest.cycle.proposed


def test_ecfmg_oet_advice_makes_a_pathway_plan_tight_never_impossible():
    advised = replace(CYCLE, oet_by=D(2026, 12, 31))
    s = situation(today=D(2026, 12, 5), needs_pathway=True, oet_done=False)
    verdict = feasibility.check(s, advised)
    oet = next(c for c in verdict.constraints if c.rule == "oet_advice")
    assert (oet.status, oet.slack) == (TIGHT, 26)
    late = replace(s, today=D(2027, 1, 5))  # past the advised date: tight, not impossible
    assert (
        next(
            c for c in feasibility.check(late, advised).constraints if c.rule == "oet_advice"
        ).status
        == TIGHT
    )
    assert not [
        c
        for c in feasibility.check(replace(s, oet_done=True), advised).constraints
        if c.rule == "oet_advice"
    ]
