"""Two tabs on the same edit page: the first saves, the second is refused ("saved X, yours
Y"), its input kept in the form; saving again from that page then applies it on purpose.
(Applications have the same refusal: tests/applications/test_applications.py.)"""

import datetime
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import CostEntry, Interview, Letter
from tests.factories import make_application, make_program


def program_case(member):
    program = make_program(member, name="Alice Medical Center", city="Newark")
    data = {
        "name": "Alice Medical Center",
        "specialty": "Internal Medicine",
        "visas": "unknown",
        "certificate_by": "unknown",
        "interview_format": "unknown",
    }
    url = reverse("applications:program_edit", args=[program.pk])
    return program, url, data, "city", "Camden", "Trenton"


def cost_case(member):
    entry = CostEntry.objects.create(
        user=member, cycle=2027, category="travel", description="Flight", amount=100
    )
    data = {"category": "travel", "description": "Flight", "state": "planned"}
    return entry, reverse("applications:cost", args=[entry.pk]), data, "amount", "250.00", "300.00"


def interview_case(member):
    application = make_application(member)
    interview = Interview.objects.create(
        user=member,
        application=application,
        date=datetime.date(2026, 11, 10),
        start_time=datetime.time(9),
        time_zone="America/New_York",
    )
    data = {
        "application": application.pk,
        "date": "2026-11-10",
        "start_time": "09:00",
        "time_zone": "America/New_York",
        "duration_minutes": "60",
        "format": "virtual",
    }
    url = reverse("applications:interview", args=[interview.pk])
    return interview, url, data, "notes", "Ask about nights", "Ask about research"


def letter_case(member):
    letter = Letter.objects.create(user=member, writer="Dr Rao")
    data = {"writer": "Dr Rao"}
    url = reverse("applications:letter", args=[letter.pk])
    return letter, url, data, "request_form_id", "LRF-111", "LRF-222"


CASES = {
    "program": program_case,
    "cost": cost_case,
    "interview": interview_case,
    "letter": letter_case,
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_stale_tab_is_refused_and_keeps_its_input(member_client, member, kind):
    row, url, data, field, first, second = CASES[kind](member)
    page = member_client.get(url).content.decode()
    assert 'name="version" value="1"' in page  # both tabs read version 1

    saved = member_client.post(url, {**data, field: first, "version": 1})
    assert saved.status_code == 302
    row.refresh_from_db()
    assert str(getattr(row, field)) == first
    assert row.version == 2

    stale = member_client.post(url, {**data, field: second, "version": 1})
    assert stale.status_code == 200
    page = html.unescape(stale.content.decode())
    assert "Not saved: this changed since you opened it" in page
    assert f"saved {first}, yours {second}." in page.replace("<strong>", "").replace(
        "</strong>", ""
    )
    assert second in page.split("Your values are kept", 1)[1]  # the form holds their input
    assert 'name="version" value="2"' in page  # at the saved version now
    row.refresh_from_db()
    assert str(getattr(row, field)) == first  # nothing overwritten

    again = member_client.post(url, {**data, field: second, "version": 2})
    assert again.status_code == 302
    row.refresh_from_db()
    assert str(getattr(row, field)) == second
    assert row.version == 3


def test_an_import_that_updates_a_program_makes_an_open_edit_stale(member_client, member):
    program, url, data, *_ = program_case(member)
    sheet = b"program_name,specialty,city\nAlice Medical Center,Internal Medicine,Hoboken\n"
    member_client.post(reverse("applications:import"), {"file": SimpleUploadedFile("a.csv", sheet)})
    member_client.post(reverse("applications:import_confirm"))
    program.refresh_from_db()
    assert program.city == "Hoboken" and program.version == 2
    stale = member_client.post(url, {**data, "city": "Camden", "version": 1})
    assert "Not saved" in stale.content.decode()
    program.refresh_from_db()
    assert program.city == "Hoboken"


@pytest.mark.parametrize("kind", sorted(CASES))
def test_an_edit_without_its_version_is_refused(member_client, member, kind):
    row, url, data, field, first, _ = CASES[kind](member)
    response = member_client.post(url, {**data, field: first})
    assert response.status_code == 200
    assert "This page is out of date: reload it and make your change again." in (
        response.content.decode()
    )
    row.refresh_from_db()
    assert str(getattr(row, field)) != first and row.version == 1


def test_a_letters_assignments_in_other_cycles_are_no_conflict(member_client, member):
    """The letter form offers one cycle's applications: others are not 'saved X, yours Y'."""
    letter, url, data, *_ = letter_case(member)
    letter.applications.add(make_application(member, cycle=2026, status="rejected"))
    member_client.post(url, {**data, "notes": "first", "version": 1})
    stale = member_client.post(url, {**data, "notes": "second", "version": 1})
    page = html.unescape(stale.content.decode())
    assert "Not saved" in page and "Notes: saved" in page
    assert "Assigned to:" not in page.split("Your values are kept", 1)[0]
