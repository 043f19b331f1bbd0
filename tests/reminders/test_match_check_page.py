"""The page "Can I still make Match Y?" (reminders/views.py match_check) over a member's
roadmap; the arithmetic itself is tested in tests/pathways/test_feasibility.py."""

import datetime

import pytest
from django.urls import reverse

from pathways.models import MatchCycle, Progress, Rule
from tests.factories import record, verify_cycle

D = datetime.date


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


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
            URL, {"year": 2027, "fail_exam": "step-2-ck", "fail_on": "2027-01-07"}
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
    member_client.get(URL)  # warms the curated-content cache
    # session, user, profile with progress; every cycle comes from the curated-content cache
    with django_assert_num_queries(3):
        assert member_client.get(URL, {"year": 2028, "needs_h1b": "on"}).status_code == 200
