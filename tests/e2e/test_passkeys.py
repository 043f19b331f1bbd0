"""Passkeys in a real browser: Chromium's virtual authenticator (DevTools WebAuthn domain)."""

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.e2e.browser import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_virtual_authenticator(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_add_a_passkey_then_sign_in_with_it_alone(
    page, live_url, member, password, console_messages
):
    add_virtual_authenticator(page)
    log_in(page, live_url, member.email, password)
    page.goto(live_url + "/accounts/2fa/webauthn/add/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Confirm Access"))
    page.fill("#id_password", password)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Add Security Key"))
    assert_accessible(page)
    page.fill("#id_name", "Laptop")
    page.get_by_label("Passwordless").check()
    page.get_by_role("button", name="Add").click()
    expect(page).not_to_have_url(re.compile("/webauthn/add/"))
    assert Authenticator.objects.filter(user=member, type="webauthn").count() == 1

    page.goto(live_url + "/roadmap/")
    page.get_by_role("button", name="Log out").click()
    page.goto(live_url + "/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page).to_have_url(re.compile("/roadmap/$"))
    assert not [m for m in console_messages if "Content Security Policy" in m], console_messages
