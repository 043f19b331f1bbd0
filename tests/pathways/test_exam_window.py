"""ECFMG's seven-year window as a cascade, computed once by the roadmap and shown the same
everywhere: the dashboard, the milestone page, the timeline, the Match check, the calendar
feed, the reminders and the alerts (season review B).

The member of the issue: a 2018 graduate on the J-1 route, Step 1 passed 15 Mar 2019, Step 2
CS passed June 2019, Step 2 CK not taken, aiming at the 2027 Match; today is 5 Dec 2026.
"""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from pathways.alerts import compute_alerts
from pathways.models import Slugs
from pathways.roadmap import Pass, exam_window, roadmap_for
from reminders.models import SentReminder
from reminders.schedule import dated_items
from tests.factories import make_member, record

D = datetime.date
TODAY = D(2026, 12, 5)
NEEDED = [Slugs.STEP1, Slugs.STEP2CK]
STEP1 = Pass(Slugs.STEP1, "Step 1", D(2019, 3, 15))
CS = Pass(Slugs.STEP2CS, "Step 2 CS", D(2019, 6, 1))


# --- The rule, pure --------------------------------------------------------------------


def test_one_pass_runs_out_and_the_window_restarts_from_the_next():
    ck = Pass(Slugs.STEP2CK, "Step 2 CK", D(2026, 8, 1))  # after Step 1's window closed
    window = exam_window([STEP1, ck], NEEDED, 7, TODAY)
    assert [(lapse.slug, lapse.stopped_on) for lapse in window.lapsed] == [
        (Slugs.STEP1, D(2026, 3, 15))
    ]
    assert window.first == ck
    assert window.closes_on == D(2033, 8, 1)
    assert window.still_to_pass == (Slugs.STEP1,)
    assert not window.complete


def test_the_day_before_it_runs_out_the_pass_still_counts():
    window = exam_window([STEP1], NEEDED, 7, D(2026, 3, 14))
    assert window.lapsed == ()
    assert window.closes_on == D(2026, 3, 15)
    assert window.still_to_pass == (Slugs.STEP2CK,)
    assert exam_window([STEP1], NEEDED, 7, D(2026, 3, 15)).lapsed[0].stopped_on == D(2026, 3, 15)


def test_two_passes_run_out_in_a_row():
    window = exam_window([STEP1, CS], NEEDED, 7, TODAY)
    assert [(lapse.slug, lapse.stopped_on) for lapse in window.lapsed] == [
        (Slugs.STEP1, D(2026, 3, 15)),
        (Slugs.STEP2CS, D(2026, 6, 1)),
    ]
    assert window.counting == ()
    assert window.closes_on is None
    assert window.still_to_pass == (Slugs.STEP1, Slugs.STEP2CK)


def test_between_the_two_the_cs_pass_still_counts():
    window = exam_window([STEP1, CS], NEEDED, 7, D(2026, 4, 1))
    assert [lapse.slug for lapse in window.lapsed] == [Slugs.STEP1]
    assert window.first == CS and window.closes_on == D(2026, 6, 1)


def test_a_retake_passed_inside_the_new_window_starts_a_clock_of_its_own():
    retake = Pass(Slugs.STEP1, "Step 1", D(2026, 10, 1))  # the row now holds the retake
    window = exam_window([retake, CS], NEEDED, 7, TODAY)
    assert [lapse.slug for lapse in window.lapsed] == [Slugs.STEP2CS]
    assert window.first == retake and window.closes_on == D(2033, 10, 1)
    assert window.still_to_pass == (Slugs.STEP2CK,)
    ck = Pass(Slugs.STEP2CK, "Step 2 CK", D(2027, 1, 10))
    done = exam_window([retake, CS, ck], NEEDED, 7, D(2027, 2, 1))
    assert done.complete and done.closes_on is None and done.still_to_pass == ()


def test_passes_complete_within_seven_years_never_run_out():
    ck = Pass(Slugs.STEP2CK, "Step 2 CK", D(2020, 1, 10))
    window = exam_window([STEP1, CS, ck], NEEDED, 7, D(2040, 1, 1))
    assert window.complete and window.lapsed == ()


def test_a_cs_pass_must_fall_within_the_window_while_it_counts():
    # Step 1 2010 and CK 2011 are complete on their own, but the CS pass of 2019 is needed
    # too while it counts: the earliest passes stop counting one after the other.
    s1 = Pass(Slugs.STEP1, "Step 1", D(2010, 1, 5))
    ck = Pass(Slugs.STEP2CK, "Step 2 CK", D(2011, 1, 5))
    cs = Pass(Slugs.STEP2CS, "Step 2 CS", D(2019, 1, 1))
    window = exam_window([s1, ck, cs], NEEDED, 7, TODAY)
    assert [lapse.slug for lapse in window.lapsed] == [Slugs.STEP1, Slugs.STEP2CK, Slugs.STEP2CS]


def test_an_undated_pass_counts_and_never_runs_out():
    window = exam_window([STEP1], NEEDED, 7, TODAY, undated=frozenset({Slugs.STEP2CK}))
    assert window.complete and window.lapsed == ()


# --- The member of the issue, everywhere -------------------------------------------------


@pytest.fixture
def her(curated):
    user = make_member(
        "her@example.com",
        graduation_year=2018,
        has_step2cs=True,
        step2cs_passed_on=D(2019, 6, 1),
        match_year=2027,
    )
    record(user, Slugs.STEP1, status="done", outcome="passed", completed_date=D(2019, 3, 15))
    return user


@pytest.fixture
def on_her_day():
    with time_machine.travel(
        datetime.datetime(2026, 12, 5, 15, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield


def test_her_roadmap_puts_step_1_back_on_the_list_with_the_reason(her):
    roadmap = roadmap_for(her, TODAY)
    step1 = roadmap.item(Slugs.STEP1)
    assert step1.lapsed is not None and step1.lapsed.stopped_on == D(2026, 3, 15)
    assert not step1.is_done and not step1.is_settled
    assert step1.status_label == "To retake"
    assert step1.progress.completed_date == D(2019, 3, 15)  # her old result is kept
    exams = next(c for c in roadmap.categories if c.key == "exams")
    assert exams.done == 0
    # The CS pass stopped counting too: the OET and a Pathway are on her roadmap.
    assert roadmap.step2cs.counts is False and roadmap.step2cs.counts_until == D(2026, 6, 1)
    assert roadmap.item(Slugs.OET).applies and roadmap.item(Slugs.PATHWAY).applies


def test_her_alerts_name_step_1_and_never_count_it_as_passed(her):
    alerts = compute_alerts(roadmap_for(her, TODAY))
    window = next(a for a in alerts if "7-year window" in a.title)
    assert window.level == "danger"
    assert "closed on 15 Mar 2026" in window.title and "Step 1" in window.title
    assert "stopped counting on 1 Jun 2026" in window.message  # the CS pass, next in line
    rol = next(a for a in alerts if "rank order list" in a.title)
    assert "Pass USMLE Step 1" in rol.message and "Pass USMLE Step 2 CK" in rol.message
    assert not any("days left" in a.title and "-" in a.title for a in alerts)


def test_her_pages_say_so(her, client, on_her_day):
    client.force_login(her)
    dashboard = client.get(reverse("pathways:dashboard")).content.decode()
    assert "closed on 15 Mar 2026" in dashboard
    rows = client.get(reverse("pathways:category", args=["exams"])).content.decode()
    assert "To retake" in rows and "stopped counting on 15 Mar 2026" in rows
    page = client.get(reverse("pathways:milestone", args=[Slugs.STEP1])).content.decode()
    assert "To retake" in page and "stopped counting on 15 Mar 2026" in page
    assert client.get(reverse("pathways:timeline")).status_code == 200


def test_her_match_check_says_what_to_pass_again_and_never_negative_days(her, client, on_her_day):
    client.force_login(her)
    page = client.get(reverse("reminders:match_check")).content.decode()
    assert "Exams to pass again" in page
    assert "stopped counting on 15 Mar 2026" in page
    assert "Pathway" in page  # the CS pass no longer counts: a Pathway is needed
    verdict = client.get(reverse("reminders:match_check")).context["results"][0]["verdict"]
    # 26 days to ECFMG's advised OET date (31 Dec, advice): tight, never "on track".
    assert verdict.status == "tight" and verdict.binding.rule == "oet_advice"
    assert verdict.binding.slack == 26
    assert "-" not in "".join(
        part.split("days to spare")[0][-6:] for part in page.split("days to spare")[:-1]
    )


def test_her_calendar_and_reminders_tell_the_clock_that_ran_out_once(her, on_her_day):
    from reminders.models import ReminderPreference
    from reminders.tasks import plan_member

    items = {i.key: i for i in dated_items(roadmap_for(her, TODAY), her)}
    assert items["step-1-pass-stopped-counting"].date == D(2026, 3, 15)
    assert items["step-2-cs-pass-stopped-counting"].date == D(2026, 6, 1)
    assert "ecfmg-exam-window-closes" not in items  # nothing counts: no window is running
    prefs = ReminderPreference.for_user(her)
    first = plan_member(her.profile, prefs, TODAY, [])
    keys = set(SentReminder.objects.filter(pk__in=first).values_list("subject_key", flat=True))
    assert {"step-1-pass-stopped-counting", "step-2-cs-pass-stopped-counting"} <= keys
    assert plan_member(her.profile, prefs, TODAY, []) == []  # once
    assert plan_member(her.profile, prefs, TODAY + datetime.timedelta(days=1), []) == []
    assert mail.outbox == []  # claimed here; the worker sends (tests/reminders/test_tasks.py)


def test_she_records_her_2019_pass_with_prerequisites_still_open(curated, client):
    user = make_member("new@example.com", graduation_year=2018, match_year=2027)
    client.force_login(user)
    url = reverse("pathways:progress", args=[Slugs.STEP1])
    data = {"status": "done", "outcome": "passed", "completed_date": "2019-03-15", "attempts": "0"}
    response = client.post(url, data | {"version": ""})
    assert response.status_code == 302
    item = roadmap_for(user, TODAY).item(Slugs.STEP1)
    assert item.progress.completed_date == D(2019, 3, 15) and item.lapsed is not None


# --- Recording history as it happened ----------------------------------------------------


def test_onboarding_asks_which_exams_were_passed_and_when(curated, client):
    user = make_member("fresh@example.com", onboarded=False, graduation_year=2018)
    client.force_login(user)
    answers = {
        "school_country": "Egypt",
        "school_name": "Cairo University",
        "graduation_year": "2018",
        "specialty": "Internal Medicine",
        "match_year": "2027",
        "visa": "j1",
    }
    response = client.post(reverse("accounts:onboarding"), answers)
    assert response.url == reverse("pathways:exams_so_far")
    page = client.get(response.url).content.decode()
    assert "Pass USMLE Step 1: the day you passed" in page
    bad = client.post(response.url, {"step-1_on": "2019-03-15", "step-2-ck_score": "200"})
    assert "Enter the day you passed" in bad.content.decode()  # next to Step 2 CK's date
    assert not user.progress.exists()  # nothing half-written
    low = client.post(response.url, {"step-2-ck_on": "2024-05-01", "step-2-ck_score": "200"})
    assert "below 214" in low.content.decode() and not user.progress.exists()
    done = client.post(response.url, {"step-1_on": "2019-03-15"})
    assert done.url == reverse("pathways:dashboard")
    step1 = roadmap_for(user, TODAY).item(Slugs.STEP1)
    assert step1.progress.completed_date == D(2019, 3, 15) and step1.lapsed is not None
    # A second post (a double click, another tab) never overwrites the saved row.
    client.post(response.url, {"step-1_on": "2020-01-01"})
    assert user.progress.get(milestone__slug=Slugs.STEP1).completed_date == D(2019, 3, 15)


def test_a_save_plans_the_members_reminders_once_it_commits(
    her, client, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    client.force_login(her)
    url = reverse("pathways:progress", args=[Slugs.OET])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url, {"status": "in_progress", "version": ""})
    assert len(callbacks) == 1
    task = DBTaskResult.objects.get()
    assert task.task_path == "reminders.tasks.plan_member_reminders"
    assert task.args_kwargs["args"][0] == her.pk
