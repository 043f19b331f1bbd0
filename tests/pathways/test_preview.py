"""Visitors preview their road before signing up; sign-up keeps the answers."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Profile

pytestmark = pytest.mark.django_db
PREVIEW = "/roadmap/preview/"
ANSWERS = {
    "graduation_year": "2022",
    "specialty": "Emergency Medicine",
    "match_year": "2027",
    "visa": "h1b",
    "has_step2cs": "on",
    "step2cs_month": "11",
    "step2cs_year": "2019",
}


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12), tick=False):
        yield


def test_the_home_page_asks_the_key_questions(client, curated):
    html = client.get("/").content.decode()
    assert f'action="{PREVIEW}"' in html and 'method="get"' in html
    for name in ("graduation_year", "match_year", "visa", "has_step2cs", "step2cs_month"):
        assert f'name="{name}"' in html
    assert 'name="school_name"' not in html


def test_a_visitor_sees_their_roadmap_read_only_and_nothing_is_saved(client, curated):
    before = Profile.objects.count()
    response = client.get(PREVIEW, ANSWERS)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your road to the 2027 Match" in html
    assert "Apply through ResidencyCAS" in html and "Get your ERAS token" not in html  # EM
    assert "Secure an H-1B for residency" in html
    assert "Step 2 CS pass stopped counting on 1 Nov 2026" in html  # Nov 2019 + 7 years
    assert "Pass OET Medicine" in html  # back on the road since the CS pass stopped counting
    assert "about" in html and "proposed, not yet confirmed" in html
    assert 'name="status"' not in html  # read-only
    assert Profile.objects.count() == before


def test_bad_answers_get_messages_next_to_the_fields(client, curated):
    html = client.get(PREVIEW, {**ANSWERS, "match_year": "2020"}).content.decode()
    assert "The 2020 Match is already over" in html and "Your road to" not in html


def test_sign_up_keeps_the_answers_for_onboarding(client, curated, member_without_profile):
    response = client.post(reverse("pathways:keep_preview"), ANSWERS)
    assert response.status_code == 302 and response.url == reverse("account_signup")
    # The visitor signs up and verifies (as member_without_profile), same browser session.
    session_key = client.session.session_key
    client.force_login(member_without_profile)
    assert client.session.session_key != session_key  # login rotates the key, data kept
    html = client.get(reverse("accounts:onboarding")).content.decode()
    assert 'value="2022"' in html and 'value="Emergency Medicine"' in html
    assert '<option value="11" selected>November</option>' in html
    assert re.search(r'<input[^>]*value="h1b"[^>]*checked', html)
    data = {**ANSWERS, "school_country": "Egypt", "school_name": "Cairo University"}
    assert client.post(reverse("accounts:onboarding"), data).status_code == 302
    profile = Profile.objects.get(user=member_without_profile)
    assert (profile.visa, profile.specialty) == ("h1b", "Emergency Medicine")
    assert profile.step2cs_passed_on == datetime.date(2019, 11, 1)
    assert "preview_answers" not in client.session


def test_keeping_needs_valid_answers_and_csrf(client, curated):
    from django.test import Client

    response = client.post(reverse("pathways:keep_preview"), {**ANSWERS, "visa": "x"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("pathways:keep_preview"), ANSWERS).status_code == 403
