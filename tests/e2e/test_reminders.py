"""Real browser: the reminder settings, the calendar page and the unsubscribe page at 375 px,
by keyboard, with axe."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from reminders.emails import unsubscribe_token
from reminders.models import CalendarFeed, ReminderPreference
from tests.e2e.browser import MOBILE, assert_accessible, assert_fits_width, log_in

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


def test_date_changes_on_the_dashboard_and_the_milestone_page(
    browser, live_url, member, password, curated
):
    from pathways.models import DateChange, MatchCycle

    DateChange.objects.create(
        kind="cycle",
        cycle=MatchCycle.objects.get(year=2027),
        field="rol_deadline",
        label="Match 2027: Rank order list deadline",
        old_value="3 Mar 2027",
        new_value="24 Feb 2027",
        source_url="https://www.nrmp.org/",
    )
    context = browser.new_context(viewport=MOBILE)
    page = context.new_page()
    log_in(page, live_url, member.email, password)
    page.goto(f"{live_url}/roadmap/")
    notice = page.locator("#date-changes")
    expect(notice).to_contain_text("Rank order list deadline changed from 3 Mar 2027 to 24 Feb")
    assert_fits_width(page)
    assert_accessible(page)
    page.goto(f"{live_url}/roadmap/m/step-1/")
    history = page.get_by_role("region", name="History of this date")
    expect(history).to_contain_text("3 Mar 2027 → 24 Feb 2027")
    assert_fits_width(page)
    assert_accessible(page)
    context.close()
