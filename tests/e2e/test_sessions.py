"""Sessions you can see, in a real browser: two devices, sign out of the other one."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import MOBILE, assert_accessible, assert_fits_width, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_devices(browser):
    phone, laptop = browser.new_context(viewport=MOBILE), browser.new_context()
    yield phone.new_page(), laptop.new_page()
    phone.close()  # open keep-alive connections must not outlive the test
    laptop.close()


def test_sign_out_of_the_other_device(two_devices, live_url, member, password):
    phone, laptop = two_devices
    log_in(phone, live_url, member.email, password)
    log_in(laptop, live_url, member.email, password)

    phone.goto(live_url + "/me/settings/")
    phone.get_by_role("link", name="Your sessions").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your sessions")
    expect(phone.locator(".session-item")).to_have_count(2)
    expect(phone.get_by_text("This device")).to_have_count(1)
    assert_accessible(phone)
    assert_fits_width(phone)
    phone.get_by_role("button", name="Sign out of the other sessions").click()
    expect(phone.locator(".session-item")).to_have_count(1)

    laptop.goto(live_url + "/me/settings/")
    expect(laptop).to_have_url(re.compile("/accounts/login/"))
