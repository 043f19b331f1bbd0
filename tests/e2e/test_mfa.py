"""Two-factor in a real browser: enable an authenticator app, log out, log in with a code."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.accounts.totp import totp_code
from tests.e2e.browser import MOBILE, assert_accessible, assert_fits_width, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enable_authenticator_app_then_log_in_with_a_code(
    page, live_url, member, password, settings, console_messages
):
    # A code is good for one use; the test logs in with the next 30 s window's code
    # instead of sleeping until it starts.
    settings.MFA_TOTP_TOLERANCE = 1
    page.set_viewport_size(MOBILE)
    log_in(page, live_url, member.email, password)
    page.goto(live_url + "/me/settings/")
    page.get_by_role("link", name="Two-factor authentication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Two-Factor"))
    assert_accessible(page)
    assert_fits_width(page)
    page.get_by_role("link", name="Activate").click()
    # Setting up a second factor asks for the password again.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Confirm Access"))
    page.fill("#id_password", password)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Activate"))
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    assert_accessible(page)
    assert_fits_width(page)
    page.fill("#id_code", totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Recovery|Two-Factor"))
    assert Authenticator.objects.filter(user=member, type="totp").exists()
    assert Authenticator.objects.filter(user=member, type="recovery_codes").exists()

    page.goto(live_url + "/roadmap/")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    log_in(page, live_url, member.email, password)
    # The password alone is not enough now.
    expect(page).to_have_url(re.compile("/accounts/2fa/authenticate/"))
    assert_accessible(page)
    page.fill("#id_code", totp_code(secret, time.time() + 30))
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page).to_have_url(re.compile("/roadmap/$"))
    assert not [m for m in console_messages if "Content Security Policy" in m], console_messages
    assert not [m for m in console_messages if m.startswith("pageerror")], console_messages
