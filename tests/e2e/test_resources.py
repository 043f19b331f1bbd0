"""Real browser: search as you type, filter, open a result, save it, find it on the saved page."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import MOBILE, assert_accessible, assert_fits_width, log_in_as
from tests.factories import make_resource as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_filter_open_save_and_find_on_saved_page(page: Page, live_url, member):
    make(
        title="Exchange Visitor Sponsorship Program",
        slug="evsp",
        category="visa",
        summary="J-1 sponsorship for physicians.",
    )
    make(
        title="Conrad 30 Waiver Program",
        slug="conrad-30",
        category="visa",
        organisation="USCIS",
        summary="A waiver of the two-year home requirement.",
    )
    make(
        title="Residency Explorer",
        slug="residency-explorer",
        category="match",
        organisation="AAMC",
        summary="Compare your profile.",
    )
    log_in_as(page, live_url, member)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{live_url}/resources/")
    expect(page.locator(".result-count")).to_contain_text("3 resources")
    page.evaluate("window.notReloaded = true")

    page.locator("#id_q").press_sequentially("progr", delay=40)
    results = page.locator("#results")
    expect(results).not_to_contain_text("Residency Explorer")
    expect(results).to_contain_text("Exchange Visitor Sponsorship Program")
    expect(results).to_contain_text("Conrad 30 Waiver Program")
    expect(page).to_have_url(re.compile(r"q=progr"))
    assert page.evaluate("window.notReloaded") is True  # updated in place

    page.locator("#id_q").fill("")
    page.locator("#id_q").press_sequentially("waiver", delay=20)
    expect(results).not_to_contain_text("Exchange Visitor")
    page.locator("#id_q").fill("")
    page.select_option("#id_category", "match")
    expect(results).to_contain_text("Residency Explorer")
    expect(results).not_to_contain_text("Conrad 30")
    expect(page).to_have_url(re.compile(r"category=match"))
    assert page.evaluate("window.notReloaded") is True

    page.get_by_role("link", name="Residency Explorer").click()
    expect(page).to_have_url(f"{live_url}/resources/residency-explorer/")
    expect(page.locator("h1")).to_have_text("Residency Explorer")

    save = page.locator(".save-form button")
    expect(save).to_have_attribute("aria-pressed", "false")
    save.click()
    expect(page.locator(".save-form button")).to_have_attribute("aria-pressed", "true")

    page.goto(f"{live_url}/resources/saved/")
    expect(page.locator(".resource-list")).to_contain_text("Residency Explorer")
    expect(page.locator(".resource-list")).not_to_contain_text("Conrad 30")
    assert errors == []  # no CSP violations or script errors on the way


def test_resource_pages_are_accessible_at_375px(page: Page, live_url, member):
    resource = make(title="Exchange Visitor Sponsorship Program", slug="evsp", category="visa")
    page.set_viewport_size(MOBILE)
    log_in_as(page, live_url, member)
    for path in [
        "/resources/",
        "/resources/?q=zzzz",
        resource.get_absolute_url(),
        f"{resource.get_absolute_url()}report/",
        "/resources/saved/",
    ]:
        page.goto(live_url + path)
        assert_accessible(page)
        assert_fits_width(page)
