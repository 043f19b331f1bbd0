"""Keyboard alone (Tab, Enter, Space, arrows; no click): onboarding, updating a milestone from
the dashboard, searching the resource directory, moving an application along. Sign-up by
keyboard is in test_journey.py."""

import pytest
from playwright.sync_api import expect

from accounts.models import Profile
from applications.models import Application
from pathways.models import Progress
from tests.e2e.browser import log_in_as
from tests.factories import make_application, make_program, make_resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, predicate: str, limit: int = 200) -> None:
    """Press Tab until the focused element matches a JavaScript predicate on `el`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"never reached focus: {predicate}")


def test_update_a_milestone_by_keyboard_alone(page, live_url, member, curated):
    log_in_as(page, live_url, member)
    page.goto(live_url + "/roadmap/")
    # Open the Exams category, then the Step 1 row: the row's form loads on open.
    tab_to(page, "el.tagName === 'SUMMARY' && el.textContent.trim().startsWith('Exams')")
    page.keyboard.press("Enter")
    expect(page.locator("#row-step-1")).to_be_attached()  # the section's rows load on open
    tab_to(page, "el.tagName === 'SUMMARY' && el.parentElement.id === 'row-step-1'")
    page.keyboard.press("Enter")
    status = page.locator("#id_step-1_status")
    expect(status).to_be_attached()
    tab_to(page, "el.id === 'id_step-1_status'")
    page.keyboard.press("ArrowDown")  # Not started -> In progress
    tab_to(page, "el.id === 'id_step-1_attempts'")
    page.keyboard.press("Control+a")
    page.keyboard.type("1")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Save'")
    page.keyboard.press("Enter")
    expect(page.locator("#row-step-1 .status-badge")).to_have_text("In progress")
    progress = Progress.objects.get(user=member, milestone__slug="step-1")
    assert (progress.status, progress.attempts) == ("in_progress", 1)


def test_search_the_directory_by_keyboard_alone(page, live_url):
    make_resource(title="Exchange Visitor Sponsorship Program", category="visa")
    make_resource(title="USMLE Bulletin", category="exams")
    page.goto(live_url + "/resources/")
    tab_to(page, "el.type === 'search' || el.name === 'q'")
    page.keyboard.type("sponsorship")
    page.keyboard.press("Enter")
    results = page.locator("#results")
    expect(results).to_contain_text("Exchange Visitor Sponsorship Program")
    expect(results).not_to_contain_text("USMLE Bulletin")
    tab_to(page, "el.tagName === 'A' && el.textContent.includes('Exchange Visitor')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Exchange Visitor Sponsorship Program"
    )


def focused(page, predicate: str) -> bool:
    return page.evaluate(f"(el => {predicate})(document.activeElement)")


def test_onboarding_by_keyboard_alone(page, live_url, new_member, curated):
    log_in_as(page, live_url, new_member)
    page.goto(live_url + "/me/welcome/")
    answers = {
        "id_school_country": "Egypt",
        "id_school_name": "Cairo University Faculty of Medicine",
        "id_graduation_year": "2023",
        "id_specialty": "Pediatrics",
        "id_match_year": "2028",
    }
    for field_id, value in answers.items():
        tab_to(page, f"el.id === '{field_id}'")
        page.keyboard.press("Control+a")
        page.keyboard.type(value)
    # The visa radios: Tab reaches the group's checked (or first) radio; arrows choose.
    tab_to(page, "el.name === 'visa'")
    while not focused(page, "el.value === 'h1b'"):
        page.keyboard.press("ArrowDown")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.includes('Build my roadmap')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exams you have passed")
    profile = Profile.objects.get(user=new_member)
    assert profile.is_onboarded
    assert (profile.school_country, profile.graduation_year, profile.specialty) == (
        "Egypt",
        2023,
        "Pediatrics",
    )
    assert (profile.match_year, profile.visa) == (2028, "h1b")


def test_move_an_application_along_by_keyboard_alone(page, live_url, member):
    application = make_application(member, make_program(member, name="Harbor Hospital"))
    log_in_as(page, live_url, member)
    page.goto(live_url + "/applications/")
    select = f"status-{application.pk}"
    # The status form opens on demand (a link; htmx swaps in the card with its form).
    tab_to(page, f"el.id === 'change-{application.pk}'")
    page.keyboard.press("Enter")
    expect(page.locator(f"#{select}")).to_be_focused()  # autofocus
    page.keyboard.press("ArrowDown")  # Researching -> Applied
    tab_to(page, f"el.tagName === 'BUTTON' && el.closest('#application-{application.pk}')")
    page.keyboard.press("Enter")
    card = page.locator(f"#application-{application.pk}")
    expect(card.locator(".badge-info")).to_have_text("Applied")
    expect(card.get_by_role("status")).to_have_text("Saved.")
    # And on again from the refreshed card (its form stays open), with Space this time.
    page.keyboard.press("Shift+Tab")
    expect(page.locator(f"#{select}")).to_be_focused()
    page.keyboard.press("ArrowDown")  # Applied -> Interview invited
    tab_to(page, f"el.tagName === 'BUTTON' && el.closest('#application-{application.pk}')")
    page.keyboard.press("Space")
    expect(card.locator(".badge-info")).to_have_text("Interview invited")
    application.refresh_from_db()
    assert application.status == "interview_invited"
    assert list(application.history.values_list("to_status", flat=True)) == [
        "interview_invited",
        "applied",
        "researching",
    ]
    assert Application.objects.filter(user=member).count() == 1
