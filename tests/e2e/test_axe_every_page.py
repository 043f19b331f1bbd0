"""Accessibility of every page a visitor or a member can reach, in a real browser at 375 px:
axe-core's WCAG 2.2 A/AA rules (tests/e2e/browser.py) with 0 violations, nothing wider than
the viewport, and no console error or warning (a CSP violation lands there). One browser
context per persona, signed in once. The pages are the list in tests/e2e/pages.py, shared
with the HTML validator (test_valid_html.py), and that list is checked against the URL
classification so a new page cannot escape.
"""

import time
from urllib.parse import urlsplit

import pytest
from django.urls import resolve

from tests.e2e.browser import MOBILE, assert_accessible, assert_fits_width
from tests.e2e.pages import (
    EXCLUDED,
    NOT_FOUND,
    PERSONAS,
    POST_ONLY,
    add_page_objects,
    page_urls,
    session_cookie,
    signed_in_client,
)
from tests.security.conftest import build_site, make_url_for
from tests.security.url_classes import MEMBER, PUBLIC, TOKEN, all_routes


def route_key(url: str) -> str:
    """The URL_CLASSES key of the pattern a URL resolves to."""
    route = resolve(url.split("?")[0]).route.replace("^", "")
    keys = {r.route.replace("^", ""): r.key for r in all_routes()}
    return keys[route]


def test_page_list_covers_every_visitor_and_member_page(curated):
    """Each listed page answers its persona with an HTML page (the 404 page with a 404),
    and every public, member-only and token-based pattern is listed or excluded with a
    reason; POST-only exclusions really refuse a GET."""
    site = add_page_objects(build_site())
    urls = page_urls(site)
    assert set(urls) == set(PERSONAS)
    covered, wrong = set(), []
    for persona, persona_urls in urls.items():
        assert len(persona_urls) == len(set(persona_urls)), persona
        client = signed_in_client(persona, site)
        for url in persona_urls:
            response = client.get(url, follow=True)
            html = response.get("Content-Type", "").startswith("text/html")
            if url == NOT_FOUND:
                if response.status_code != 404 or not html:
                    wrong.append(f"{persona} {url}: {response.status_code}")
                continue
            # A redirect is followed only within the pattern (the reset key's form).
            landed = route_key(response.request["PATH_INFO"])
            if response.status_code != 200 or not html or landed != route_key(url):
                wrong.append(f"{persona} {url}: {response.status_code} {response.redirect_chain}")
            covered.add(route_key(url))
    assert not wrong, "Pages that do not answer as listed:\n" + "\n".join(wrong)

    reachable = {r.key for r in all_routes() if r.url_class in (PUBLIC, MEMBER, TOKEN)}
    missing = sorted(reachable - covered - set(EXCLUDED))
    assert not missing, (
        "Visitor/member URL patterns that no sweep visits: add a URL to page_urls() in "
        f"tests/e2e/pages.py, or exclude it there with its reason: {missing}"
    )
    stale = sorted(set(EXCLUDED) - reachable)
    assert not stale, f"Exclusions of patterns that are not visitor/member pages: {stale}"
    both = sorted(set(EXCLUDED) & covered)
    assert not both, f"Excluded yet visited (drop the exclusion): {both}"
    member = signed_in_client("member", site)
    url_for = make_url_for(site)
    routes = {r.key: r for r in all_routes()}
    statuses = {key: member.get(url_for(routes[key])).status_code for key in POST_ONLY}
    not_post_only = {key: status for key, status in statuses.items() if status != 405}
    assert not not_post_only, f"Excluded as POST-only but answering a GET: {not_post_only}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_passes_axe_and_fits_375px(persona, page, live_url, console_messages, curated):
    started = time.monotonic()
    site = add_page_objects(build_site())  # committed rows, for the live server's thread
    urls = page_urls(site)[persona]
    client = signed_in_client(persona, site)
    if persona != "visitor":
        name, value = session_cookie(client)
        page.context.add_cookies([{"name": name, "value": value, "url": live_url}])
    page.set_viewport_size(MOBILE)
    problems = []
    for url in urls:
        console_messages.clear()
        response = page.goto(live_url + url)
        expected = 404 if url == NOT_FOUND else 200
        landed = urlsplit(page.url).path
        if response.status != expected or (
            url != NOT_FOUND and route_key(landed) != route_key(url)
        ):
            problems.append(f"{url}: answered {response.status} at {page.url}")
            continue
        for check in (assert_fits_width, assert_accessible):
            try:
                check(page)
            except AssertionError as error:
                problems.append(str(error))
        if url == NOT_FOUND:  # the browser logs the 404 status itself
            console_messages[:] = [m for m in console_messages if "404 (Not Found)" not in m]
        problems.extend(f"{url}: console {message}" for message in console_messages)
    assert not problems, f"{len(problems)} problems on {len(urls)} {persona} pages:\n" + (
        "\n".join(problems)
    )
    print(f"{persona}: {len(urls)} pages, {time.monotonic() - started:.1f}s")
