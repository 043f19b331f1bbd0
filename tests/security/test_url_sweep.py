"""Sweeps over every URL pattern the resolver knows (admin and allauth included).

Each pattern must be classified in tests/security/url_classes.py; each class then gets its
checks: a visitor is sent to log in from member pages, a member gets nowhere in the admin, a
wrong token reveals nothing, no POST passes without a CSRF token, and no GET or HEAD changes
a single row of any table.
"""

import re

from django.test import Client

from tests.security.conftest import row_counts
from tests.security.url_classes import (
    CSRF_EXEMPT,
    MEMBER,
    PUBLIC,
    REDIRECT,
    STAFF,
    TOKEN,
    URL_CLASSES,
    all_routes,
)

LOGIN = "/accounts/login/"


def clients(member, curator) -> dict[str, Client]:
    visitor, member_client, staff_client = Client(), Client(), Client()
    member_client.force_login(member)
    staff_client.force_login(curator)
    return {"visitor": visitor, "member": member_client, "staff": staff_client}


def test_every_url_pattern_is_classified():
    routes = all_routes()
    unclassified = [
        f"{route.route!r} (name: {route.name})" for route in routes if route.url_class is None
    ]
    assert not unclassified, (
        "Unclassified URL patterns (add each to URL_CLASSES in tests/security/url_classes.py "
        "as public, member-only, staff-only, token-based or redirect):\n  "
        + "\n  ".join(unclassified)
    )
    stale = sorted(set(URL_CLASSES) - {route.key for route in routes})
    assert not stale, f"URL_CLASSES lists patterns that no longer exist: {stale}"
    # At least the 104 patterns of the probe of 2026-11-25.
    assert len(routes) >= 104


def test_member_pages_send_a_visitor_to_log_in(site, url_for):
    visitor = Client()
    wrong = []
    for route in all_routes():
        if route.url_class != MEMBER:
            continue
        url = url_for(route)
        for method in ("get", "post"):
            response = getattr(visitor, method)(url)
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith(LOGIN):
                wrong.append(f"{method.upper()} {route.route}: {response.status_code} {location}")
    assert not wrong, "Member pages that do not send a visitor to log in:\n" + "\n".join(wrong)


def test_staff_pages_refuse_visitors_and_members(site, url_for):
    member = site["member"]
    wrong = []
    for persona in ("visitor", "member"):
        client = Client()
        if persona == "member":
            client.force_login(member)
        for route in all_routes():
            if route.url_class != STAFF:
                continue
            response = client.get(url_for(route))
            status, location = response.status_code, response.get("Location", "")
            refused = status in (403, 404, 405) or (
                status == 302 and location.startswith(("/admin/login/", "/admin/", LOGIN))
            )
            if not refused:
                wrong.append(f"{persona} GET {route.route}: {status} {location}")
    assert not wrong, "Staff pages that let a non-staff user in:\n" + "\n".join(wrong)


def test_wrong_tokens_reveal_nothing(site, url_for):
    visitor = Client()
    checked = 0
    for route in all_routes():
        if route.url_class != TOKEN:
            continue
        response = visitor.get(url_for(route))
        checked += 1
        assert response.status_code in (200, 404), route.route
        if response.status_code == 200:
            text = response.content.decode().lower()
            assert "invalid" in text or "expired" in text, route.route
            # No password field (the inlined stylesheet names the selector, not a field).
            assert not re.search(r'<input[^>]*type="password"', text), route.route
    assert checked >= 2


def test_public_pages_and_redirects_answer_visitors(site, url_for):
    visitor = Client()
    for route in all_routes():
        if route.url_class == PUBLIC:
            response = visitor.get(url_for(route))
            location = response.get("Location", "")
            # 405: a POST-only public endpoint (keeping the preview's answers)
            assert response.status_code in (200, 302, 405), (route.route, response.status_code)
            # A public page never asks a visitor to log in first (?next= back to it).
            assert "next=" not in location, (route.route, location)
        elif route.url_class == REDIRECT:
            response = visitor.get(url_for(route))
            assert response.status_code == 301, route.route


def test_no_get_or_head_changes_any_row(site, url_for):
    """Every pattern (admin, allauth and token pages included), GET and HEAD, as a visitor, a
    member and a curator: no 5xx, and the row count of every table is unchanged.
    tests/test_reads_write_nothing.py is the finer check for member pages: three stages of a
    member (no profile, not onboarded, onboarded with data), any INSERT/UPDATE/DELETE seen
    in the SQL."""
    member, curator = site["member"], site["curator"]
    personas = clients(member, curator)
    changed, errors = [], []
    before = row_counts()
    requests = 0
    for route in all_routes():
        url = url_for(route)
        for persona, client in personas.items():
            for method in ("get", "head"):
                response = getattr(client, method)(url)
                requests += 1
                if response.status_code >= 500:
                    errors.append(f"{persona} {method.upper()} {url}: {response.status_code}")
                after = row_counts()
                diff = {k: after[k] - before[k] for k in after if after[k] != before[k]}
                if diff:
                    changed.append(f"{persona} {method.upper()} {url}: {diff}")
                before = after
    assert not errors, "\n".join(errors)
    assert not changed, "GET/HEAD requests that changed rows:\n" + "\n".join(changed)
    assert requests >= 104 * 6


def test_no_post_passes_without_a_csrf_token(site, url_for):
    """Every pattern, with and without HX-Request: a POST without a token is refused with the
    CSRF failure (before any view runs) and changes nothing. Member pages are tried as a
    member, admin pages as a curator, the others as a visitor."""
    member, curator = site["member"], site["curator"]
    personas = {"visitor": Client(enforce_csrf_checks=True)}
    for name, user in (("member", member), ("staff", curator)):
        personas[name] = Client(enforce_csrf_checks=True)
        personas[name].force_login(user)
    persona_for = {MEMBER: "member", STAFF: "staff"}
    before = row_counts()
    wrong, tried, exempt_checked = [], 0, 0
    for route in all_routes():
        client = personas[persona_for.get(route.url_class, "visitor")]
        url = url_for(route)
        for headers in ({}, {"HX-Request": "true"}):
            data = {"notes": "forged", "status": "done", "kind": "broken_link", "message": "x"}
            response = client.post(url, data, headers=headers)
            tried += 1
            if route.key in CSRF_EXEMPT:
                # Exempt by design, so the token in the URL must do the refusing: a wrong
                # one is a 404 that changes nothing.
                exempt_checked += 1
                if response.status_code != 404:
                    wrong.append(f"POST {url} {headers} (exempt): {response.status_code}")
                continue
            if response.status_code != 403 or b"CSRF verification failed" not in response.content:
                wrong.append(f"POST {url} {headers}: {response.status_code}")
    assert not wrong, "POSTs accepted without a CSRF token:\n" + "\n".join(wrong)
    assert row_counts() == before
    assert tried >= 208
    assert exempt_checked == 2 * len(CSRF_EXEMPT)
