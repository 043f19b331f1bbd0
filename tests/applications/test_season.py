"""Signals, interviews (with clash warnings), letters and the rank order list."""

import csv
import datetime
import io

import pytest
from django.core.cache import caches
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from applications.interviews import clashes, interval
from applications.models import Application, Interview, Letter, SignalAllowance
from tests.applications.conftest import HTMX
from tests.factories import make_application, make_interview, make_letter, make_program

INTERVIEWS = reverse("applications:interviews")
LETTERS = reverse("applications:letters")
RANK = reverse("applications:rank")


# --- Signals --------------------------------------------------------------------


def test_signal_without_allowance_says_so_and_links_nothing(member_client, alice_application):
    url = reverse("applications:application_signal", args=[alice_application.pk])
    member_client.post(url, {"signal": "gold"})
    alice_application.refresh_from_db()
    assert alice_application.signal == "gold"
    page = member_client.get(reverse("applications:index"))
    assertContains(page, "1 gold, 0 silver used.")
    assertContains(page, "Allowance not recorded — check the ERAS signalling page.")


def test_signal_allowance_is_enforced_when_recorded(member_client, member):
    SignalAllowance.objects.create(
        cycle=2027,
        specialty="Internal Medicine",
        gold=1,
        silver=2,
        source_url="https://example.org/allowance",
        last_reviewed=datetime.date(2026, 11, 25),
    )
    first, second = make_application(member), make_application(member)
    member_client.post(
        reverse("applications:application_signal", args=[first.pk]), {"signal": "gold"}
    )
    response = member_client.post(
        reverse("applications:application_signal", args=[second.pk]),
        {"signal": "gold"},
        follow=True,
    )
    assertContains(
        response, "You have used all 1 gold signals for Internal Medicine in Match 2027."
    )
    second.refresh_from_db()
    assert second.signal == ""
    page = member_client.get(reverse("applications:index"))
    assertContains(page, "Allowance: 1 gold, 2 silver")
    assertContains(page, "proposed")


def test_signal_bad_value_and_other_member(member_client, alice_application, bob_application):
    url = reverse("applications:application_signal", args=[alice_application.pk])
    member_client.post(url, {"signal": "platinum"})
    alice_application.refresh_from_db()
    assert alice_application.signal == ""
    other = reverse("applications:application_signal", args=[bob_application.pk])
    assert member_client.post(other, {"signal": "gold"}).status_code == 404


# --- Interviews -----------------------------------------------------------------


def interview_data(application, **overrides):
    data = {
        "application": application.pk,
        "date": "2026-11-10",
        "start_time": "09:00",
        "time_zone": "America/New_York",
        "duration_minutes": "120",
        "format": "virtual",
        "notes": "",
    }
    return {**data, **overrides}


def test_interviews_with_a_clash_across_time_zones(member_client, member):
    a = make_application(member, make_program(member, name="East Coast Program"))
    b = make_application(member, make_program(member, name="Chicago Program"))
    c = make_application(member, make_program(member, name="Late Program"))
    member_client.post(INTERVIEWS, interview_data(a))  # 09:00-11:00 New York = 14:00-16:00 UTC
    member_client.post(
        INTERVIEWS, interview_data(b, start_time="09:30", time_zone="America/Chicago")
    )
    member_client.post(INTERVIEWS, interview_data(c, start_time="15:00"))
    assert Interview.objects.filter(user=member).count() == 3
    page = member_client.get(INTERVIEWS)
    # 09:30 Chicago = 10:30 New York: overlaps East Coast; 15:00 New York overlaps nothing.
    assertContains(page, "<strong>Clash:</strong> overlaps Chicago Program", html=False)
    assertContains(page, "<strong>Clash:</strong> overlaps East Coast Program", html=False)
    assert page.content.decode().count("<strong>Clash:</strong>") == 2


def test_clashes_is_pure_and_exclusive_at_the_end():
    def make(pk, hour, minutes=60, zone="UTC"):
        return Interview(
            pk=pk,
            date=datetime.date(2026, 11, 10),
            start_time=datetime.time(hour),
            time_zone=zone,
            duration_minutes=minutes,
        )

    back_to_back = [make(1, 9), make(2, 10)]
    assert clashes(back_to_back) == {}
    overlapping = [make(1, 9, 90), make(2, 10)]
    assert set(clashes(overlapping)) == {1, 2}


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"time_zone": "Mars/Olympus"}, "Enter the IANA name of the place"),
        ({"time_zone": "EST"}, "Enter the IANA name of the place"),
        ({"time_zone": "US/Eastern"}, "Enter the IANA name of the place"),
        ({"date": "2025-02-30"}, "Enter a valid date"),
        ({"start_time": "25:00"}, "Enter a valid time"),
        ({"duration_minutes": "0"}, "greater than or equal to 15"),
    ],
)
def test_bad_interview_input_saves_nothing(member_client, alice_application, overrides, message):
    response = member_client.post(INTERVIEWS, interview_data(alice_application, **overrides))
    assertContains(response, message)
    assert not Interview.objects.exists()


def test_zone_names_are_taken_in_any_case_and_stored_canonical(member_client, alice_application):
    member_client.post(INTERVIEWS, interview_data(alice_application, time_zone="asia/kolkata"))
    assert Interview.objects.get().time_zone == "Asia/Kolkata"


def test_a_time_the_clocks_skip_is_refused_with_the_reason(member_client, alice_application):
    # 8 March 2026 in New York: 02:00 EST is followed by 03:00 EDT.
    data = interview_data(alice_application, date="2026-03-08", start_time="02:30")
    response = member_client.post(INTERVIEWS, data)
    assertContains(
        response,
        "02:30 does not exist on 8 March 2026 in America/New_York: that night the clocks go "
        "forward (EST, UTC-05:00, then EDT, UTC-04:00)",
    )
    assert not Interview.objects.exists()


def test_a_time_shown_twice_asks_which_then_keeps_the_answer(member_client, alice_application):
    # 1 November 2026 in New York: 01:00-02:00 happens in EDT, then again in EST.
    data = interview_data(alice_application, date="2026-11-01", start_time="01:30")
    response = member_client.post(INTERVIEWS, data)
    assertContains(
        response,
        "01:30 happens twice on 1 November 2026 in America/New_York: that night the clocks go "
        "back (EDT, UTC-04:00, then EST, UTC-05:00). Choose which one the program means.",
    )
    assert not Interview.objects.exists()
    member_client.post(INTERVIEWS, {**data, "later_of_two": "later"})
    interview = Interview.objects.get()
    assert interview.later_of_two is True
    start, _ = interval(interview)
    assert start == datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.UTC)  # 01:30 EST
    page = member_client.get(INTERVIEWS)
    assertContains(page, "(the second 01:30, after the clocks go back)")
    interview.delete()
    member_client.post(INTERVIEWS, {**data, "later_of_two": "earlier"})
    assert interval(Interview.objects.get())[0].hour == 5  # 01:30 EDT = 05:30 UTC
    # An ordinary time ignores the question.
    Interview.objects.all().delete()
    member_client.post(INTERVIEWS, {**interview_data(alice_application), "later_of_two": "later"})
    assert Interview.objects.get().later_of_two is False


def test_an_interview_after_match_day_is_flagged(member_client, alice_application, curated):
    # Match 2027: Match Day is Friday 19 March 2027.
    member_client.post(INTERVIEWS, interview_data(alice_application, date="2027-04-02"))
    page = member_client.get(INTERVIEWS)
    assertContains(page, "<strong>After Match Day:</strong> this date is after Match Day 2027")
    Interview.objects.update(date=datetime.date(2027, 1, 12))
    assert "After Match Day" not in member_client.get(INTERVIEWS).content.decode()


def test_interview_for_another_members_application_is_refused(member_client, bob_application):
    response = member_client.post(INTERVIEWS + "?cycle=2028", interview_data(bob_application))
    assertContains(response, "Select a valid choice")
    assert not Interview.objects.exists()


def test_interviews_are_owned(member_client, other_member, bob_application):
    interview = make_interview(
        other_member, bob_application, date=datetime.date(2026, 11, 1), time_zone="UTC"
    )
    assert (
        member_client.get(reverse("applications:interview", args=[interview.pk])).status_code == 404
    )
    url = reverse("applications:interview_delete", args=[interview.pk])
    assert member_client.post(url).status_code == 404
    assert Interview.objects.filter(pk=interview.pk).exists()


def test_edit_interview_marks_thank_you(member_client, member, alice_application):
    interview = make_interview(
        member, alice_application, date=datetime.date(2026, 11, 1), time_zone="UTC"
    )
    url = reverse("applications:interview", args=[interview.pk])
    member_client.post(url, interview_data(alice_application, thank_you_sent="on", version="1"))
    interview.refresh_from_db()
    assert interview.thank_you_sent and interview.time_zone == "America/New_York"
    assertContains(member_client.get(INTERVIEWS), "Thank-you sent")


# --- Letters --------------------------------------------------------------------


def test_letters_are_added_then_assigned_per_application(
    member_client, member, alice_application, bob_application
):
    response = member_client.post(
        LETTERS,
        {
            "writer": "Dr Rao",
            "requested_on": "2026-07-01",
            "uploaded_on": "2026-08-01",
            "request_form_id": "LRF-12345",
            "applications": [alice_application.pk],  # no longer a field of the add form
        },
    )
    assert response.status_code == 302
    letter = Letter.objects.get(user=member)
    assert list(letter.applications.all()) == []
    page = member_client.get(LETTERS)
    assertContains(page, "LRF-12345")
    assertNotContains(page, '<input type="checkbox"')  # no checkbox per letter and application
    assertContains(page, "Assigned to 0 applications in Match 2027")
    assign = reverse("applications:application_letters", args=[alice_application.pk])
    assertContains(page, f'action="{assign}?cycle=2027&amp;page=1"')
    # htmx: the row alone, with the letter now listed
    row = member_client.post(assign, {"letter": letter.pk, "action": "add"}, headers=HTMX)
    assertContains(row, "Added the letter from Dr Rao.")
    assertContains(row, "Letters: Dr Rao")
    assertNotContains(row, "<h1>")
    assert list(letter.applications.all()) == [alice_application]
    assertContains(member_client.get(LETTERS), "Assigned to 1 application in Match 2027")
    # without JavaScript: a redirect back to the row, then removed
    back = member_client.post(
        assign + "?cycle=2027&q=alice", {"letter": letter.pk, "action": "remove"}
    )
    assert back.url == f"{LETTERS}?cycle=2027&q=alice#assign-{alice_application.pk}"
    assert list(letter.applications.all()) == []
    # Another member's application is a 404; another member's letter is not a choice.
    other = reverse("applications:application_letters", args=[bob_application.pk])
    assert member_client.post(other, {"letter": letter.pk, "action": "add"}).status_code == 404
    bobs = make_letter(bob_application.user, writer="Bob's writer")
    refused = member_client.post(assign, {"letter": bobs.pk, "action": "add"}, headers=HTMX)
    assertContains(refused, "Choose one of your letters")
    assert list(bobs.applications.all()) == []
    backwards = member_client.post(
        LETTERS, {"writer": "Dr Y", "requested_on": "2026-08-01", "uploaded_on": "2026-07-01"}
    )
    assertContains(backwards, "cannot be uploaded before it was requested")
    assert Letter.objects.filter(user=member).count() == 1


def test_letters_are_owned(member_client, other_member):
    letter = make_letter(other_member, writer="Bob's writer")
    assert member_client.get(reverse("applications:letter", args=[letter.pk])).status_code == 404
    assert (
        member_client.post(reverse("applications:letter_delete", args=[letter.pk])).status_code
        == 404
    )
    assertNotContains(member_client.get(LETTERS), "Bob&#x27;s writer")


# --- Rank order list -------------------------------------------------------------


@pytest.fixture
def interviewed(member):
    return [
        make_application(member, make_program(member, name=name), status="interviewed")
        for name in ["Alpha", "Bravo", "Charlie"]
    ]


def order(response) -> list[str]:
    html = response.content.decode()
    return sorted(["Alpha", "Bravo", "Charlie"], key=lambda name: html.index(f">{name}</a>"))


def test_rank_list_moves_up_and_down_and_exports(member_client, member, interviewed):
    make_application(member, make_program(member, name="Never Interviewed"), status="applied")
    page = member_client.get(RANK)
    assertContains(page, "certify it in NRMP's R3 system")
    assertNotContains(page, "Never Interviewed")
    assert order(page) == ["Alpha", "Bravo", "Charlie"]
    charlie = interviewed[2]
    move = reverse("applications:rank_move", args=[charlie.pk])
    member_client.post(move, {"direction": "up"})
    member_client.post(move, {"direction": "up"})
    member_client.post(move, {"direction": "up"})  # already first: stays first
    assert order(member_client.get(RANK)) == ["Charlie", "Alpha", "Bravo"]
    member_client.post(
        reverse("applications:rank_move", args=[interviewed[0].pk]), {"direction": "down"}
    )
    assert order(member_client.get(RANK)) == ["Charlie", "Bravo", "Alpha"]
    member_client.post(
        reverse("applications:rank_note", args=[charlie.pk]), {"rank_note": "=HYPERLINK(1)"}
    )
    export = member_client.get(reverse("applications:rank_export"))
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:3] == ["rank", "program", "specialty"]
    assert [row[1] for row in rows[1:]] == ["Charlie", "Bravo", "Alpha"]
    assert rows[1][6] == "'=HYPERLINK(1)"  # formula made inert


def test_rank_move_refuses_bad_input_and_others(member_client, interviewed, bob_application):
    url = reverse("applications:rank_move", args=[interviewed[0].pk])
    response = member_client.post(url, {"direction": "sideways"}, follow=True)
    assertContains(response, "Select a valid choice")
    response = member_client.post(url, {"direction": "to", "position": "0"}, follow=True)
    assertContains(response, "greater than or equal to 1")
    response = member_client.post(url, {"direction": "to"}, follow=True)
    assertContains(response, "Enter the place to move it to")
    assert not Application.objects.filter(pk=interviewed[0].pk, rank__isnull=False).exists()
    assert member_client.get(url).status_code == 405
    other = reverse("applications:rank_move", args=[bob_application.pk])
    assert member_client.post(other, {"direction": "up"}).status_code == 404
    assert (
        member_client.post(
            reverse("applications:rank_note", args=[bob_application.pk]), {"rank_note": "x"}
        ).status_code
        == 404
    )
    assert Application.objects.get(pk=bob_application.pk).rank_note == ""


@pytest.mark.parametrize("count", [10, 150])
def test_rank_interview_and_letter_pages_query_counts_are_constant(
    member_client, member, count, django_assert_num_queries
):
    from pathways.curated_cache import curated

    curated()  # the curated content (the cycle's Match Day) comes from its warm cache
    for n in range(count):
        application = make_application(member, make_program(member), status="interviewed")
        make_interview(
            member,
            application,
            date=datetime.date(2026, 11, 1 + n % 28),
            start_time=datetime.time(9 + n % 8),
            time_zone="UTC",
        )
        make_letter(member, [application], writer=f"Writer {n}")
    member_client.get(RANK)  # warm the curated-content cache (the fit check's cycle)
    caches["situation"].clear()  # the rank page itself cold (applications/season_cache.py)
    # session, user, profile with its season's data version, progress (fit inputs), rank
    # list with programs
    with django_assert_num_queries(5):
        member_client.get(RANK)
    # nothing changed: session, user, the versioned profile; the content from the cache
    with django_assert_num_queries(3):
        member_client.get(RANK)
    # session, user, profile, interviews with applications and programs, form's applications
    with django_assert_num_queries(5):
        member_client.get(INTERVIEWS)
    # session, user, profile, letters, the cycle's applications with programs, their letters
    with django_assert_num_queries(6):
        member_client.get(LETTERS)


def test_editing_a_letter_keeps_assignments_of_other_cycles(member_client, member):
    old = make_application(member, cycle=2026, status="rejected")
    current = make_application(member)
    letter = make_letter(member, [old], writer="Dr Rao")
    url = reverse("applications:letter", args=[letter.pk])
    member_client.post(url, {"writer": "Dr Rao", "applications": [current.pk], "version": "1"})
    assert set(letter.applications.all()) == {old, current}
