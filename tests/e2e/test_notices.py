"""Real browser: dismiss a dashboard notice, with htmx and without JavaScript."""

import pytest
from playwright.sync_api import expect

from accounts.models import Notice
from tests.e2e.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_dismiss_a_notice(browser, live_url, member, password, javascript, curated):
    for n in (1, 2):
        Notice.objects.create(
            user=member,
            key=f"catalogue-change:{n}",
            message=f"Example IM {n}: H-1B sponsorship changed from no to yes.",
            source_url="https://example.org/program/visas",
        )
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    log_in(page, live_url, member.email, password)
    page.wait_for_url(f"{live_url}/roadmap/")
    if javascript:
        page.evaluate("window.notReloaded = true")
    notices = page.locator("#notices")
    expect(notices).to_contain_text("Example IM 1:")
    page.locator("#notices li", has_text="Example IM 2:").get_by_role("button").click()
    if javascript:
        expect(notices).not_to_contain_text("Example IM 2:")
        expect(notices).to_contain_text("Example IM 1:")
        assert page.evaluate("window.notReloaded") is True  # swapped in place
    else:
        expect(page.locator("h1")).to_have_text("Dismiss this notice?")
        page.get_by_role("button", name="Dismiss").click()
        page.wait_for_url(f"{live_url}/roadmap/")
        expect(page.locator("#messages")).to_contain_text("Notice dismissed.")
    page.reload()
    expect(page.locator("#notices")).to_contain_text("Example IM 1:")
    expect(page.locator("#notices")).not_to_contain_text("Example IM 2:")
    assert Notice.objects.open().filter(user=member).count() == 1
    context.close()
