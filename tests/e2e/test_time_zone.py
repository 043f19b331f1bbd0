"""Real browser: the settings page suggests the browser's own time zone, and it is saved."""

import pytest
from playwright.sync_api import expect

from accounts.models import Profile
from tests.e2e.browser import MOBILE, assert_accessible, log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_settings_suggest_the_browsers_time_zone(browser, live_url, member):
    context = browser.new_context(timezone_id="Africa/Cairo", viewport=MOBILE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
    log_in_as(page, live_url, member)
    page.goto(f"{live_url}/me/settings/")
    field = page.locator("#id_time_zone")
    expect(field).to_have_value("Africa/Cairo")  # filled by static/js/time-zone.js
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your profile is saved")
    assert Profile.objects.get(user=member).time_zone == "Africa/Cairo"
    # A zone already chosen is never replaced by the browser's.
    Profile.objects.filter(user=member).update(time_zone="Asia/Kolkata")
    page.goto(f"{live_url}/me/settings/")
    expect(field).to_have_value("Asia/Kolkata")
    assert errors == []  # no CSP violation: the script is a file of ours
    context.close()
