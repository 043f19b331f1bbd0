"""/me/settings/ open in two tabs: the second save must not silently undo the first."""

import re

import pytest
from django.urls import reverse

from accounts.models import Profile

pytestmark = pytest.mark.django_db

URL = reverse("accounts:settings")
BASE = {
    "school_country": "India",
    "school_name": "Example Medical College",
    "graduation_year": "2024",
    "specialty": "Internal Medicine",
    "match_year": "2028",
    "visa": "j1",
}


def opened(client) -> dict:
    """The form's hidden fields as a tab that opened the page holds them."""
    page = client.get(URL).content.decode()
    hidden = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page)
    return {name: value for name, value in hidden if name != "csrfmiddlewaretoken"}


def test_a_save_from_a_stale_tab_is_refused_with_both_values(member_client, member):
    first, second = opened(member_client), opened(member_client)
    assert "version" in first
    response = member_client.post(URL, {**first, **BASE, "specialty": "Pediatrics"})
    assert response.status_code == 302
    response = member_client.post(URL, {**second, **BASE, "specialty": "Neurology"})
    assert response.status_code == 200
    assert Profile.objects.get(user=member).specialty == "Pediatrics"
    text = response.content.decode()
    assert "changed in another tab" in text
    assert "Target specialty: saved Pediatrics, yours Neurology" in text
    # The member's input is kept, and saving again (now knowing) keeps theirs.
    form = response.context["form"]
    assert form["specialty"].value() == "Neurology"
    again = member_client.post(
        URL, {**BASE, "specialty": "Neurology", "version": form["version"].value()}
    )
    assert again.status_code == 302
    assert Profile.objects.get(user=member).specialty == "Neurology"


def test_a_double_click_is_not_a_conflict(member_client, member):
    tab = opened(member_client)
    data = {**tab, **BASE, "specialty": "Pediatrics"}
    assert member_client.post(URL, data).status_code == 302
    assert member_client.post(URL, data).status_code == 302
    assert Profile.objects.get(user=member).specialty == "Pediatrics"


def test_onboarding_a_new_member_still_saves(client, member_without_profile):
    client.force_login(member_without_profile)
    tab = {}
    page = client.get(reverse("accounts:onboarding")).content.decode()
    tab = dict(re.findall(r'<input type="hidden" name="(version)" value="([^"]*)"', page))
    response = client.post(reverse("accounts:onboarding"), {**tab, **BASE})
    assert response.status_code == 302
    assert Profile.objects.get(user=member_without_profile).is_onboarded
