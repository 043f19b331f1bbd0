"""The whole journey of a new IMG in a real browser, plus keyboard, CSP and a11y checks."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Profile, User
from tests.e2e.browser import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_verify_log_in_onboard_and_land_on_dashboard(
    page, live_url, console_messages, curated
):
    page.goto(live_url + "/")
    page.get_by_role("link", name="Create your free roadmap").click()
    page.fill("#id_email", "amara@example.com")
    page.fill("#id_password1", "a-long-enough-passphrase")
    page.fill("#id_password2", "a-long-enough-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Verify"))

    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    # Confirming logs the member in and sends them to onboarding.
    expect(page).to_have_url(re.compile("/me/welcome/$"))
    page.fill("#id_school_country", "Egypt")
    page.fill("#id_school_name", "Cairo University Faculty of Medicine")
    page.fill("#id_graduation_year", "2024")
    page.fill("#id_specialty", "Internal Medicine")
    page.fill("#id_match_year", "2028")
    page.get_by_label("J-1 (ECFMG-sponsored exchange visitor)").check()
    page.get_by_role("button", name="Build my roadmap").click()

    # Then the exams already passed: Amara passed Step 1 in May 2024.
    expect(page.get_by_role("heading", level=1)).to_have_text("Exams you have passed")
    page.get_by_label("Pass USMLE Step 1: the day you passed").fill("2024-05-10")
    page.get_by_role("button", name="Save and see my roadmap").click()
    expect(page).to_have_url(re.compile("/roadmap/$"))
    expect(page.locator("#alerts")).to_contain_text("exams by 10 May 2031")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2028")
    profile = Profile.objects.get(user__email="amara@example.com")
    assert profile.is_onboarded and profile.visa == "j1"

    # Log out and back in: straight to the dashboard this time.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    log_in(page, live_url, "amara@example.com", "a-long-enough-passphrase")
    expect(page).to_have_url(re.compile("/roadmap/$"))
    assert not [m for m in console_messages if "Content Security Policy" in m], console_messages
    assert not [m for m in console_messages if m.startswith("pageerror")], console_messages


def test_sign_up_form_by_keyboard_alone(page, live_url):
    page.goto(live_url + "/accounts/signup/")
    # The first Tab lands on the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Enter")
    # Tab through to the email field, type, and keep tabbing through the form.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_email":
            break
    assert page.evaluate("document.activeElement.id") == "id_email"
    page.keyboard.type("kofi@example.com")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password1"
    page.keyboard.type("a-long-enough-passphrase")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password2"
    page.keyboard.type("a-long-enough-passphrase")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Verify"))
    assert User.objects.filter(email="kofi@example.com").exists()


def test_focus_is_visible_on_links_and_buttons(page, live_url):
    page.goto(live_url + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


# Every page at 375 px with axe and no console message: tests/e2e/test_axe_every_page.py.


def test_onboarding_errors_are_announced_next_to_fields(page, live_url, new_member, password):
    log_in(page, live_url, new_member.email, password)
    page.fill("#id_match_year", "2020")
    page.get_by_role("button", name="Build my roadmap").click()
    field = page.locator("#id_match_year")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_match_year_error")).to_contain_text("already over")
    assert_accessible(page)
