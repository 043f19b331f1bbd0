""" "Can I still make Match Y?": each boundary from both sides, with frozen dates."""

import datetime
from dataclasses import replace

import pytest
from django.urls import reverse

from pathways.models import MatchCycle, Progress, Rule
from reminders import planning
from reminders.planning import NOT_POSSIBLE, ON_TRACK, TIGHT, CycleDates, Exam, Situation
from tests.factories import record, verify_cycle

D = datetime.date
ROL = D(2027, 2, 24)
TEST_BY = ROL - datetime.timedelta(days=28)  # 27 Jan 2027
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
    verdict = planning.check(with_ck(situation(), planned=D(2026, 9, 1)), CYCLE)
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
    verdict = planning.check(with_ck(situation(), planned=planned), CYCLE)
    assert verdict.status == status
    assert verdict.binding.rule == "reported_by_rol"


@pytest.mark.parametrize(("today", "status"), [(TEST_BY, TIGHT), (TEST_BY + days(1), NOT_POSSIBLE)])
def test_no_time_left_to_test(today, status):
    verdict = planning.check(situation(today=today), CYCLE)
    assert verdict.status == status


@pytest.mark.parametrize(("attempts", "possible"), [(3, True), (4, False)])
def test_attempt_limit(attempts, possible):
    s = with_ck(situation(), attempts=attempts, last_attempt=D(2025, 1, 10))
    verdict = planning.check(s, CYCLE)
    assert (verdict.status != NOT_POSSIBLE) is possible


def test_fourth_attempt_spacing_boundaries():
    first, last = D(2025, 9, 1), D(2026, 4, 1)
    exam = Exam("step-2-ck", "CK", attempts=3, first_attempt=first, last_attempt=last)
    # 12 months after the first (1 Sep 2026) is later than 6 after the last (1 Oct 2026)? No:
    assert planning.earliest_attempt(exam, D(2026, 6, 1), 4, 28) == D(2026, 10, 1)
    exam = replace(exam, last_attempt=D(2026, 1, 15))
    assert planning.earliest_attempt(exam, D(2026, 6, 1), 4, 28) == D(2026, 9, 1)
    # Fewer than 3 attempts: only the result of the last one to wait for.
    exam = replace(exam, attempts=2)
    assert planning.earliest_attempt(exam, D(2026, 1, 20), 4, 28) == D(2026, 2, 12)
    assert planning.earliest_attempt(replace(exam, attempts=4), D(2026, 6, 1), 4, 28) is None


@pytest.mark.parametrize(
    ("fail_on", "status"),
    [
        (D(2026, 7, 1), ON_TRACK),  # retake after the result: early August
        (D(2026, 11, 20), TIGHT),  # retake from 18 Dec: 40 days before 27 Jan
        (D(2026, 12, 31), NOT_POSSIBLE),  # the result arrives after 27 Jan
    ],
)
def test_what_if_i_fail_step_2_ck(fail_on, status):
    s = planning.with_failure(situation(), "step-2-ck", fail_on)
    assert planning.check(s, CYCLE).status == status


def test_fourth_attempt_what_if_moves_the_earliest_year():
    s = with_ck(situation(), attempts=2, first_attempt=D(2025, 9, 1), last_attempt=D(2026, 3, 1))
    failed = planning.with_failure(s, "step-2-ck", D(2026, 6, 15))
    # 4th attempt from 1 Sep 2026 (12 months after the first) / 15 Dec (6 after the last).
    assert planning.earliest_attempt(failed.exams["step-2-ck"], failed.today, 4, 28) == D(
        2026, 12, 15
    )
    assert planning.check(failed, CYCLE).status == ON_TRACK  # 43 days before 27 Jan
    failed = planning.with_failure(s, "step-2-ck", D(2026, 6, 30))  # from 30 Dec: 28 days
    assert planning.check(failed, CYCLE).status == TIGHT
    failed = planning.with_failure(s, "step-2-ck", D(2026, 7, 28))  # from 28 Jan: too late
    assert planning.check(failed, CYCLE).status == NOT_POSSIBLE
    assert planning.earliest_year(failed, {}).year == 2028


@pytest.mark.parametrize(
    ("today", "status"),
    [(D(2027, 1, 31) - days(42), ON_TRACK), (D(2027, 1, 31), TIGHT), (D(2027, 2, 1), NOT_POSSIBLE)],
)
def test_pathway_deadline(today, status):
    s = situation(today=today, needs_pathway=True, exams={})
    verdict = planning.check(s, CYCLE)
    assert verdict.status == status
    assert verdict.binding.rule == "pathway_deadline"


def test_an_unpublished_pathway_deadline_is_unknown_not_fine():
    s = situation(needs_pathway=True, exams={})
    verdict = planning.check(s, replace(CYCLE, pathway_deadline=None))
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
    verdict = planning.check(s, CYCLE)
    assert verdict.status == status
    # For the J-1 the Rule evsp_processing_days (42) sets the lead time; otherwise none.
    assert verdict.binding.rule == ("evsp_processing_days" if j1 else "certificate_before_training")


@pytest.mark.parametrize(("step3_on", "status"), [(TEST_BY, TIGHT), (TEST_BY + days(1), TIGHT)])
def test_h1b_needs_step_3_before_ranking(step3_on, status):
    s = situation(exams={}, needs_h1b=True)
    s = replace(s, exams={"step-3": Exam("step-3", "Step 3", planned=step3_on)})
    verdict = planning.check(s, CYCLE)
    assert verdict.binding.rule == "h1b_step3"
    assert verdict.status == status
    late = replace(s, today=TEST_BY + days(1))
    assert planning.check(late, CYCLE).status == NOT_POSSIBLE


def test_exam_window_closing_makes_it_tight_not_impossible():
    s = with_ck(situation(window_closes=D(2026, 10, 1)), planned=D(2026, 10, 2))
    verdict = planning.check(s, CYCLE)
    assert verdict.status == TIGHT
    assert verdict.binding.rule == "ecfmg_exam_window_years"
    s = with_ck(situation(window_closes=D(2026, 11, 12)), planned=D(2026, 10, 2))
    assert planning.check(s, CYCLE).status == TIGHT  # 41 days to spare
    s = with_ck(situation(window_closes=D(2026, 11, 13)), planned=D(2026, 10, 2))
    assert planning.check(s, CYCLE).status == ON_TRACK


def test_earliest_year_skips_years_that_are_not_possible(db):
    s = situation(today=D(2027, 1, 28))  # one day past "test by" for 2027
    assert planning.check(s, planning.CycleDates.of(2027, {})).status == NOT_POSSIBLE
    earliest = planning.earliest_year(s, {})
    assert earliest.year == 2028
    assert earliest.cycle.proposed


# --- The page ----------------------------------------------------------------------

URL = reverse("reminders:match_check")


def test_page_needs_login_and_onboarding(client, new_member, curated):
    assert client.get(URL).status_code == 302
    client.force_login(new_member)
    assert client.get(URL).url == reverse("accounts:onboarding")


def test_page_shows_a_verdict_and_the_rules(member_client, alice, on_day):
    with on_day(D(2026, 6, 1)):
        response = member_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Can I still make Match 2027?" in html
    assert 'data-testid="verdict"' in html
    assert "https://www.ecfmg.org/2024ib/reexamination-and-reapplication.html" in html
    assert "USMLE attempts allowed per Step: 4" in html
    assert "proposed" in html  # the 2027 cycle is under review
    assert "no-store" in response["Cache-Control"]


def test_what_if_side_by_side_and_nothing_saved(member_client, alice, on_day):
    record(alice, "step-2-ck", planned_date=D(2026, 9, 1))
    before = list(Progress.objects.filter(user=alice).values())
    with on_day(D(2026, 6, 1)):
        response = member_client.get(
            URL, {"year": 2027, "fail_exam": "step-2-ck", "fail_on": "2026-12-31"}
        )
    html = response.content.decode()
    assert "Your plan:" in html and "What if:" in html
    assert html.count('data-testid="verdict"') == 2
    assert "Not possible" in html
    assert list(Progress.objects.filter(user=alice).values()) == before


@pytest.mark.parametrize(
    "query",
    [
        {"year": "1999"},
        {"fail_exam": "step-9", "fail_on": "2026-01-01"},
        {"fail_exam": "step-1"},
        {"fail_on": "2026-02-30"},
        {"diploma_on": "9999-12-31"},
    ],
)
def test_bad_what_ifs_show_errors_not_500(member_client, alice, query):
    response = member_client.get(URL, query)
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()


def test_uses_the_cycle_record_when_there_is_one(member_client, alice, on_day):
    verify_cycle(2027)
    with on_day(D(2026, 6, 1)):
        html = member_client.get(URL, {"year": 2027}).content.decode()
    assert "are <strong>proposed</strong>" not in html


def test_lead_times_come_from_the_rules(member_client, alice, on_day):
    """The results and EVSP lead times are Rule records: a curator's change moves the verdict."""
    rol = MatchCycle.objects.get(year=2027).rol_deadline
    Rule.objects.filter(key="usmle_results_days").update(value=35)
    Rule.objects.filter(key="evsp_processing_days").update(value=50)
    with on_day(D(2026, 6, 1)):
        html = member_client.get(URL, {"year": 2027}).content.decode()
    assert f"tested by {rol - days(35):%-d %b %Y}" in html
    assert "ECFMG Certificate by 12 May 2027 (50 days before training, for the J-1)" in html
    assert "Days until USMLE results are reported: 35" in html


def test_page_queries(member_client, alice, django_assert_num_queries):
    member_client.get(URL)  # warms the curated-content cache (4 queries when cold)
    # session, user, profile, progress; every cycle comes from the curated-content cache
    with django_assert_num_queries(4):
        assert member_client.get(URL, {"year": 2028, "needs_h1b": "on"}).status_code == 200
