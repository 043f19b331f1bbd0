"""Real browser: the reminder settings, the calendar page and the unsubscribe page at 375 px,
by keyboard, with axe."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from reminders.emails import unsubscribe_token
from reminders.models import CalendarFeed, ReminderPreference
from tests.e2e.conftest import MOBILE, assert_accessible, assert_fits_width, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reminder_pages_on_a_phone(browser, live_url, member, password, console_messages):
    context = browser.new_context(viewport=MOBILE)
    page = context.new_page()
    page.on(
        "console",
        lambda m: console_messages.append(f"{m.type}: {m.text}") if m.type == "error" else None,
    )
    log_in(page, live_url, member.email, password)

    page.goto(f"{live_url}/me/settings/")
    page.get_by_role("link", name="Reminder emails").click()
    expect(page.get_by_role("heading", name="Reminders", exact=True)).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page)
    # By keyboard: choose the weekly digest and save.
    page.get_by_label("One weekly digest, on Mondays").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save reminder settings").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your reminder settings are saved.")).to_be_visible()
    assert ReminderPreference.objects.get(user=member).frequency == "weekly"

    page.get_by_role("link", name="Subscribe to your roadmap's dates").click()
    page.get_by_role("button", name="Create my calendar link").click()
    feed = CalendarFeed.objects.get(user=member)
    expect(page.get_by_label("Your private calendar link")).to_have_value(
        f"http://127.0.0.1:8000/calendar/{feed.token}.ics"
    )
    assert_fits_width(page)
    assert_accessible(page)

    call_command("load_curated_content", verbosity=0)
    page.goto(f"{live_url}/me/settings/")
    page.get_by_role("link", name="Can I still make my Match year?").click()
    page.get_by_label("If I fail").select_option("step-2-ck")
    page.locator("#id_fail_on").fill("2026-12-31")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_test_id("verdict")).to_have_count(2)
    assert_fits_width(page)
    assert_accessible(page)

    page.goto(f"{live_url}/reminders/unsubscribe/{unsubscribe_token(member)}/")
    assert_fits_width(page)
    assert_accessible(page)
    page.get_by_role("button", name="Stop reminder emails").click()
    expect(page.get_by_role("heading", name="Reminder emails stopped")).to_be_visible()
    assert ReminderPreference.objects.get(user=member).enabled is False
    assert [m for m in console_messages if "error" in m] == []
    context.close()
