"""SOAP readiness (issue 18): the cycle's Match Week, the checklist milestone, a reminder the
week before, and Match Week day by day on the dashboard."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from lib.dates import MONDAY
from pathways.cycles import default_dates
from pathways.models import MatchCycle, Slugs
from pathways.roadmap import roadmap_for
from reminders.models import ReminderPreference, SentReminder
from reminders.tasks import plan_member
from tests.factories import record

D = datetime.date


@pytest.mark.parametrize("year", range(2021, 2029))
def test_match_week_starts_on_the_monday_four_days_before_match_day(year):
    dates = default_dates(year)
    assert dates["match_week_starts"].weekday() == MONDAY
    assert dates["match_day"] - dates["match_week_starts"] == datetime.timedelta(days=4)


def test_the_shipped_match_weeks(curated):
    cycle_2026 = MatchCycle.objects.get(year=2026)
    info = cycle_2026.info("match_week_starts")
    assert info.date == D(2026, 3, 16) and info.verified  # NRMP's own newsletter
    assert "medical-school-welcome-newsletter-2" in info.source_url
    info = MatchCycle.objects.get(year=2027).info("match_week_starts")
    assert info.date == D(2027, 3, 15) and info.proposed


def test_the_checklist_is_on_every_roadmap_due_before_match_week(member, curated):
    item = roadmap_for(member, D(2027, 2, 1)).item(Slugs.SOAP_READY)
    assert item.applies and item.deadline == D(2027, 3, 15) and item.deadline_proposed


def test_a_reminder_the_week_before_sent_once(member, curated):
    prefs = ReminderPreference.for_user(member)
    week_before = D(2027, 3, 8)
    claimed = plan_member(member.profile, prefs, week_before, [])
    keys = list(SentReminder.objects.filter(pk__in=claimed).values_list("subject_key", "horizon"))
    assert (f"{Slugs.SOAP_READY}-match_week_starts", 7) in keys
    assert plan_member(member.profile, prefs, week_before, []) == []  # once
    again = plan_member(member.profile, prefs, week_before + datetime.timedelta(days=1), [])
    soap = SentReminder.objects.filter(pk__in=again, subject_key__startswith=Slugs.SOAP_READY)
    assert not soap.exists()  # the 1-day reminder comes on the Sunday, not before


def dashboard_on(client, member, day: datetime.date) -> str:
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(15)), tick=False):
        client.force_login(member)  # a session of that day (sessions expire when idle)
        return client.get(reverse("pathways:dashboard")).content.decode()


def test_match_week_day_by_day_on_the_dashboard(client, member, curated):
    page = dashboard_on(client, member, D(2027, 3, 16))
    assert "Match Week: day by day" in page
    assert "Monday 15 Mar" in page and "Friday 19 Mar" in page
    assert "Match Week: day by day" not in dashboard_on(client, member, D(2027, 3, 12))
    record(member, Slugs.MATCH, status="done")  # the outcome recorded: the roadmap moves on
    assert "Match Week: day by day" not in dashboard_on(client, member, D(2027, 3, 17))


def test_after_match_day_the_dashboard_asks_for_the_result_or_the_next_year(client, curated):
    from tests.factories import make_member

    member = make_member("again@example.com", match_year=2026)
    page = dashboard_on(client, member, D(2026, 12, 5))
    assert "The 2026 Match is over" in page and "Record your result" in page
    assert "choose your next Match year" in page
    record(member, Slugs.MATCH, status="done")
    assert "Match is over" not in dashboard_on(client, member, D(2026, 12, 5))
    assert "Match is over" not in dashboard_on(
        client, make_member("next@example.com"), D(2026, 12, 5)
    )
