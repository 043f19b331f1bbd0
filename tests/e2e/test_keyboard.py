"""Keyboard alone: update a milestone from the dashboard, search the resource directory."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from pathways.models import Progress
from tests.e2e.browser import log_in_as
from tests.factories import make_resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, predicate: str, limit: int = 200) -> None:
    """Press Tab until the focused element matches a JavaScript predicate on `el`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"never reached focus: {predicate}")


def test_update_a_milestone_by_keyboard_alone(page, live_url, member):
    call_command("load_curated_content", verbosity=0)
    log_in_as(page, live_url, member)
    page.goto(live_url + "/roadmap/")
    # Open the Exams category, then the Step 1 row: the row's form loads on open.
    tab_to(page, "el.tagName === 'SUMMARY' && el.textContent.trim() === 'Exams'")
    page.keyboard.press("Enter")
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
