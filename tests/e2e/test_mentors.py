"""Mentor link in a real browser: the member makes one, a mentor (no login) opens it
read-only at 375 px, the member revokes it and the mentor gets a 404."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import MOBILE, assert_accessible, assert_fits_width, log_in_as
from tests.factories import record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_share_open_and_revoke_a_mentor_link(browser, live_url, member, console_messages, curated):
    member.first_name = "Alice"
    member.save()
    record(member, "step-2-ck", status="in_progress", score=231, notes="Private: retake plan")
    member_context = browser.new_context(viewport=MOBILE)
    page = member_context.new_page()
    page.on("console", lambda msg: console_messages.append(f"{msg.type}: {msg.text}"))
    log_in_as(page, live_url, member)

    page.goto(live_url + "/me/settings/")
    page.get_by_role("link", name="Mentor links").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentor links")
    page.get_by_role("link", name="Create a mentor link").click()
    page.get_by_label("Who is it for?").fill("Dr Rao, my adviser")
    assert_accessible(page)
    assert_fits_width(page)
    page.get_by_role("button", name="Create the link").click()
    url = page.locator("#new-link-url").input_value()
    assert url.startswith(live_url + "/mentor/")
    expect(page.locator(".mentor-link")).to_have_count(1)
    expect(page.locator(".mentor-link")).to_contain_text("Active")
    expect(page.locator(".mentor-link")).to_contain_text("never")
    assert_accessible(page)
    assert_fits_width(page)

    mentor_context = browser.new_context(viewport=MOBILE)  # fresh: no cookies, no login
    mentor = mentor_context.new_page()
    response = mentor.goto(url)
    assert response.status == 200
    assert "no-store" in response.headers["cache-control"]
    expect(mentor.get_by_role("heading", level=1)).to_have_text("Roadmap of Alice")
    expect(mentor.locator("main")).to_contain_text("Read-only, shared by them until")
    expect(mentor.locator("main")).to_contain_text("231")
    expect(mentor.locator("main")).not_to_contain_text("retake plan")
    expect(mentor.locator("main form")).to_have_count(0)
    expect(mentor.get_by_role("link", name="Log in")).to_be_visible()  # not logged in
    assert_accessible(mentor)
    assert_fits_width(mentor)

    page.reload()
    expect(page.locator(".mentor-link")).not_to_contain_text("never")  # last opened
    expect(page.locator("#new-link-url")).to_have_count(0)  # the URL was shown once
    page.get_by_role("button", name="Revoke the link for Dr Rao, my adviser").click()
    expect(page.locator(".mentor-link")).to_contain_text("Revoked")

    response = mentor.goto(url)
    assert response.status == 404
    expect(mentor.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert not [m for m in console_messages if "error" in m], console_messages
    member_context.close()
    mentor_context.close()
