"""Preferences, one-click unsubscribe and the calendar feed, for owners and outsiders."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.http import parse_http_date
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from pathways.models import Milestone
from reminders.emails import unsubscribe_token
from reminders.models import CalendarFeed, ReminderPreference, SentReminder
from tests.factories import record, verify_cycle

PREFS = reverse("reminders:preferences")
CALENDAR = reverse("reminders:calendar")
TOKEN_URL = reverse("reminders:calendar_token")


def form_data(**changes) -> dict:
    data = {
        "enabled": "on",
        "frequency": "each",
        "cycle_deadlines": "on",
        "planned_dates": "on",
        "interviews": "on",
        "attempts": "on",
        "exam_window": "on",
        "expiries": "on",
        "official_changes": "on",
        "days_30": "on",
        "days_14": "on",
        "days_7": "on",
        "days_1": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- Preferences ---------------------------------------------------------------


def test_preferences_need_a_login(client):
    response = client.get(PREFS)
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_preferences_get_shows_defaults_and_writes_nothing(member_client, member):
    response = member_client.get(PREFS)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("enabled", "cycle_deadlines", "official_changes", "days_30", "days_1"):
        assert f'name="{name}" id="id_{name}" checked' in html
    assert 'value="each" required id="id_frequency_0" checked' in html
    assert "no-store" in response["Cache-Control"]
    assert not ReminderPreference.objects.filter(user=member).exists()
    assert DBTaskResult.objects.count() == 0


def test_preferences_are_linked_from_settings(member_client):
    html = member_client.get(reverse("accounts:settings")).content.decode()
    assert f'href="{PREFS}"' in html
    assert f'href="{CALENDAR}"' in html


def test_onboarding_says_reminders_are_on_by_default(client, new_member):
    client.force_login(new_member)
    html = client.get(reverse("accounts:onboarding")).content.decode()
    assert "Email reminders are <strong>on by default</strong>" in html


def test_saving_preferences_creates_the_row_once_and_plans(member_client, member):
    data = form_data(days_30=None, frequency="weekly", expiries=None)
    response = member_client.post(PREFS, data)
    assert response.status_code == 302
    response = member_client.post(PREFS, data)  # a double submit
    prefs = ReminderPreference.objects.get(user=member)
    assert prefs.frequency == "weekly"
    assert (prefs.days_30, prefs.days_14, prefs.expiries) == (False, True, False)
    assert ReminderPreference.objects.filter(user=member).count() == 1
    # The member's reminders are re-planned in the background.
    assert DBTaskResult.objects.filter(task_path="reminders.tasks.plan_member_reminders").exists()


@pytest.mark.parametrize(
    "changes",
    [{"frequency": "hourly"}, {"days_30": None, "days_14": None, "days_7": None, "days_1": None}],
)
def test_bad_preferences_show_an_error_and_save_nothing(member_client, member, changes):
    response = member_client.post(PREFS, form_data(**changes))
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    # Not even a row of defaults: a rejected POST writes nothing.
    assert not ReminderPreference.objects.filter(user=member).exists()


def test_preferences_ignore_a_user_field(member_client, member, other_member):
    member_client.post(PREFS, form_data(user=other_member.pk, enabled=None))
    assert not ReminderPreference.objects.filter(user=other_member).exists()
    assert ReminderPreference.objects.get(user=member).enabled is False


def test_preferences_post_needs_csrf(member, db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(PREFS, form_data()).status_code == 403


# --- One-click unsubscribe (RFC 8058) ------------------------------------------


def test_unsubscribe_get_asks_and_writes_nothing(client, member):
    url = reverse("reminders:unsubscribe", args=[unsubscribe_token(member)])
    response = client.get(url)
    assert response.status_code == 200
    assert "Stop reminder emails" in response.content.decode()
    assert not ReminderPreference.objects.filter(user=member).exists()


def test_one_click_post_without_session_or_csrf_turns_reminders_off(member, db):
    client = Client(enforce_csrf_checks=True)  # a mail client: no cookie, no token
    url = reverse("reminders:unsubscribe", args=[unsubscribe_token(member)])
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert ReminderPreference.objects.get(user=member).enabled is False
    # Twice is fine, and it only ever switches off.
    assert client.post(url, {"enabled": "on"}).status_code == 200
    assert ReminderPreference.objects.get(user=member).enabled is False


def test_unsubscribe_links_last_long_but_not_for_ever(member, db):
    from reminders.emails import UNSUBSCRIBE_MAX_AGE

    client = Client(enforce_csrf_checks=True)  # a mail client's one-click POST
    with time_machine.travel(datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC), tick=False):
        url = reverse("reminders:unsubscribe", args=[unsubscribe_token(member)])
    assert datetime.timedelta(days=90) <= UNSUBSCRIBE_MAX_AGE
    late = datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC) + UNSUBSCRIBE_MAX_AGE
    with time_machine.travel(late + datetime.timedelta(seconds=1), tick=False):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 410
            assert "expired" in response.content.decode()
            assert reverse("reminders:preferences") in response.content.decode()
        assert not ReminderPreference.objects.filter(user=member).exists()
    with time_machine.travel(late - datetime.timedelta(minutes=1), tick=False):
        assert client.post(url).status_code == 200
    assert ReminderPreference.objects.get(user=member).enabled is False


@pytest.mark.parametrize("token", ["nonsense", "MQ:1xW:forged", "abc" * 30])
def test_unsubscribe_with_a_bad_token_is_404(client, member, token):
    url = reverse("reminders:unsubscribe", args=[token])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not ReminderPreference.objects.filter(user=member).exists()


def test_unsubscribe_token_is_salted(client, member):
    from django.core import signing

    unsalted = signing.dumps(member.pk)  # e.g. a value signed for another purpose
    url = reverse("reminders:unsubscribe", args=[unsalted])
    assert client.post(url).status_code == 404


def test_unsubscribe_only_touches_its_own_member(client, member, other_member):
    client.post(reverse("reminders:unsubscribe", args=[unsubscribe_token(other_member)]))
    assert ReminderPreference.objects.get(user=other_member).enabled is False
    assert not ReminderPreference.objects.filter(user=member).exists()


def test_unsubscribe_wrong_method(client, member):
    url = reverse("reminders:unsubscribe", args=[unsubscribe_token(member)])
    assert client.put(url).status_code == 405


# --- Calendar feed -------------------------------------------------------------


@pytest.fixture
def feed_of(curated):
    def make(user) -> CalendarFeed:
        return CalendarFeed.objects.create(user=user)

    return make


def fetch(client, feed: CalendarFeed) -> Calendar:
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_calendar_page_get_writes_nothing(member_client, member):
    response = member_client.get(CALENDAR)
    assert response.status_code == 200
    assert "Create my calendar link" in response.content.decode()
    assert not CalendarFeed.objects.filter(user=member).exists()


def test_calendar_page_needs_a_login(client):
    assert client.get(CALENDAR).status_code == 302
    assert client.post(TOKEN_URL).status_code == 302


def test_create_show_and_instructions(member_client, member):
    assert member_client.get(TOKEN_URL).status_code == 405
    response = member_client.post(TOKEN_URL, {"action": "create"}, follow=True)
    feed = CalendarFeed.objects.get(user=member)
    html = response.content.decode()
    assert f"http://127.0.0.1:8000/calendar/{feed.token}.ics" in html
    assert f"webcal://127.0.0.1:8000/calendar/{feed.token}.ics" in html
    for client_name in ("Google Calendar", "Apple Calendar", "Outlook"):
        assert client_name in html
    assert len(feed.token) >= 43
    assert str(member.pk) != feed.token


def test_feed_events_uids_proposed_titles_and_alarms(client, member, feed_of):
    feed = feed_of(member)
    first = events(fetch(client, feed))
    record(member, "step-1", planned_date=datetime.date(2027, 1, 10))
    second = events(fetch(client, feed))
    # Stable UIDs: the same events, plus the new planned date.
    assert set(first) <= set(second)
    assert set(second) - set(first) == {"step-1-planned_date@imgportal"}
    deadline = second["nrmp-registration-nrmp_early_registration_deadline@imgportal"]
    assert str(deadline["SUMMARY"]) == (
        "NRMP regular-registration deadline (late fee after) (Match 2027) (proposed)"
    )
    assert deadline.decoded("DTSTART") == datetime.date(2027, 1, 29)  # all-day
    assert deadline.decoded("DTEND") == datetime.date(2027, 1, 30)
    assert [a.decoded("TRIGGER") for a in deadline.walk("VALARM")] == [
        -datetime.timedelta(days=7),
        -datetime.timedelta(days=1),
    ]
    planned = second["step-1-planned_date@imgportal"]
    assert str(planned["SUMMARY"]) == "Pass USMLE Step 1 (your planned date)"
    assert planned.decoded("DTSTART") == datetime.date(2027, 1, 10)
    assert list(planned.walk("VALARM")) == []  # not a hard deadline
    assert str(planned["URL"]) == "http://127.0.0.1:8000/roadmap/m/step-1/"


def test_feed_titles_lose_proposed_once_verified(client, member, feed_of):
    verify_cycle(2027)
    calendar = fetch(client, feed_of(member))
    titles = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert titles and not any("proposed" in t for t in titles)


def test_feed_shows_the_closing_of_the_exam_window(client, member, feed_of):
    feed = feed_of(member)
    fetch(client, feed)
    record(
        member, "step-1", status="done", outcome="passed", completed_date=datetime.date(2021, 5, 4)
    )
    window = events(fetch(client, feed))["ecfmg-exam-window-closes@imgportal"]
    assert window.decoded("DTSTART") == datetime.date(2028, 5, 4)
    assert len(list(window.walk("VALARM"))) == 2


def test_feeds_never_mix_members(client, member, other_member, feed_of):
    alice, bob = feed_of(member), feed_of(other_member)
    fetch(client, alice)
    fetch(client, bob)
    record(member, "step-1", planned_date=datetime.date(2027, 1, 10))
    alice_events, bob_events = events(fetch(client, alice)), events(fetch(client, bob))
    assert "step-1-planned_date@imgportal" in alice_events
    assert "step-1-planned_date@imgportal" not in bob_events
    assert any("Match 2027" in str(e["SUMMARY"]) for e in alice_events.values())
    assert all("Match 2027" not in str(e["SUMMARY"]) for e in bob_events.values())
    assert any("Match 2028" in str(e["SUMMARY"]) for e in bob_events.values())


def test_regenerating_kills_the_old_url_and_revoking_kills_all(
    member_client, client, member, feed_of
):
    old = feed_of(member).token
    member_client.post(TOKEN_URL, {"action": "regenerate"})
    new = CalendarFeed.objects.get(user=member).token
    assert new != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    member_client.post(TOKEN_URL, {"action": "revoke"})
    assert client.get(f"/calendar/{new}.ics").status_code == 404
    assert not CalendarFeed.objects.filter(user=member).exists()


def test_unknown_feed_tokens_are_404(client, db):
    assert client.get("/calendar/" + "a" * 43 + ".ics").status_code == 404
    assert client.get("/calendar/short.ics").status_code == 404


def test_feed_of_a_member_before_onboarding_is_empty(client, new_member, feed_of):
    calendar = fetch(client, feed_of(new_member))
    assert list(calendar.walk("VEVENT")) == []


def test_calendar_token_actions_only_touch_the_own_feed(member_client, other_member, feed_of):
    bob = feed_of(other_member)
    member_client.post(TOKEN_URL, {"action": "revoke", "user": other_member.pk})
    assert CalendarFeed.objects.get(user=other_member).token == bob.token


# --- Account deletion ------------------------------------------------------------


def test_deleting_the_account_deletes_reminder_data(member_client, member, password, feed_of):
    feed_of(member)
    ReminderPreference.objects.create(user=member)
    SentReminder.objects.create(
        user=member, subject_key="k", due_date=datetime.date(2027, 1, 1), horizon=7
    )
    member_client.post(reverse("accounts:delete"), {"password": password, "confirm": "on"})
    assert not CalendarFeed.objects.exists()
    assert not ReminderPreference.objects.exists()
    assert not SentReminder.objects.exists()


def test_curators_get_no_permission_on_reminder_data(curator):
    for model in ("reminderpreference", "sentreminder", "calendarfeed"):
        for action in ("view", "add", "change", "delete"):
            assert not curator.has_perm(f"reminders.{action}_{model}")


# --- Query counts ------------------------------------------------------------------


def test_preferences_page_queries(member_client, member, django_assert_num_queries):
    with django_assert_num_queries(3):  # session, user, preferences
        assert member_client.get(PREFS).status_code == 200


def test_feed_queries_do_not_grow_with_the_dates(
    client, member, feed_of, django_assert_num_queries
):
    feed = feed_of(member)
    fetch(client, feed)  # warms the curated-content cache
    # feed + user, profile with progress, interviews with their program (milestones,
    # prerequisites, cycles, rules: cached)
    with django_assert_num_queries(3):
        before = len(list(fetch(client, feed).walk("VEVENT")))
    for slug in Milestone.objects.values_list("slug", flat=True):
        record(member, slug, planned_date=datetime.date(2027, 1, 10))
    with django_assert_num_queries(4):  # the same 3, + the feed's new version (changed)
        calendar = fetch(client, feed)
    assert len(list(calendar.walk("VEVENT"))) > before + 10
    with django_assert_num_queries(3):  # unchanged since: no write
        fetch(client, feed)


def test_feed_carries_interviews_at_their_time_and_time_zone(client, member, other_member, feed_of):
    from zoneinfo import ZoneInfo

    from tests.factories import make_application

    application = make_application(member, status="interview_scheduled")
    interview = member.interviews.create(
        application=application,
        date=datetime.date(2026, 12, 3),
        start_time=datetime.time(9, 30),
        time_zone="America/Chicago",
        duration_minutes=45,
    )
    bobs = make_application(other_member)
    other_member.interviews.create(  # never in Alice's feed
        application=bobs,
        date=datetime.date(2026, 12, 4),
        start_time=datetime.time(8),
        time_zone="America/New_York",
    )
    calendar = fetch(client, feed_of(member))
    event = events(calendar)[f"interview-{interview.pk}@imgportal"]
    start = event.decoded("DTSTART")
    assert start == datetime.datetime(2026, 12, 3, 9, 30, tzinfo=ZoneInfo("America/Chicago"))
    assert str(start.tzinfo) == "America/Chicago"
    assert event.decoded("DTEND") - start == datetime.timedelta(minutes=45)
    assert str(event["SUMMARY"]).startswith(f"Interview: {application.program.name}")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    assert not [
        uid
        for uid in events(calendar)
        if uid.startswith("interview-") and uid != (f"interview-{interview.pk}@imgportal")
    ]


def test_feed_answers_conditional_requests_with_304(client, member, feed_of):
    """Calendar clients poll the feed: an unchanged feed is a 304 to their validators, and
    a change gives a new ETag and a later Last-Modified."""
    feed = feed_of(member)
    url = f"/calendar/{feed.token}.ics"
    first = client.get(url)
    assert first.status_code == 200
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified
    assert "no-store" not in first["Cache-Control"]  # a client may keep it and revalidate
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    # The same feed again: the same validators, and a 304 to either of them.
    again = client.get(url)
    assert (again["ETag"], again["Last-Modified"], again.content) == (etag, modified, first.content)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.head(url, headers={"If-None-Match": etag}).status_code == 304
    # A change on the roadmap: a new ETag, and the old one gets the whole feed.
    with time_machine.travel(datetime.timedelta(minutes=5)):
        record(member, "step-1", planned_date=datetime.date(2027, 1, 10))
        changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert parse_http_date(changed["Last-Modified"]) > parse_http_date(modified)
    assert b"step-1-planned_date@imgportal" in changed.content
