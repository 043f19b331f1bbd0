"""Security headers on every kind of response: full pages, htmx fragments, error pages (403,
404, 500, 503), the admin, allauth's pages, JSON. Member pages are never stored by a cache.

A new kind of response is one more entry in RESPONSES."""

import re

import pytest
from django.test import Client, override_settings

from tests.security.url_classes import MEMBER, all_routes, progress_path, progress_url

NONCE = re.compile(r"'nonce-([^']+)'")


def visitor_get(path, **headers):
    return lambda c, site: c["visitor"].get(path, headers=headers)


def member_get(path, **headers):
    return lambda c, site: c["member"].get(path, headers=headers)


def raising(path):
    def call(c, site):
        client = Client(raise_request_exception=False)
        with override_settings(ROOT_URLCONF="tests.urls_raising"):
            return client.get(path)

    return call


def progress_htmx_invalid(c, site):
    url = progress_url(site["progress"])
    return c["member"].post(url, {"status": "step9"}, headers={"HX-Request": "true"})


def report_fragment(c, site):
    url = f"/resources/{site['resource'].slug}/report/"
    return c["member"].get(url, headers={"HX-Request": "true"})


def csrf_failure(c, site):
    return Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "x"})


# (name, how to get it, expected status, personal data?, full HTML page?)
RESPONSES = [
    ("home page", visitor_get("/"), 200, False, True),
    ("dashboard", member_get("/roadmap/"), 200, True, True),
    ("directory", visitor_get("/resources/?q=visa"), 200, False, True),
    ("directory fragment", visitor_get("/resources/?q=visa", HX_Request="true"), 200, False, False),
    ("progress fragment (invalid htmx POST)", progress_htmx_invalid, 200, True, False),
    ("report form fragment", report_fragment, 200, True, False),
    ("404 for a visitor", visitor_get("/no-such-page/"), 404, False, True),
    ("404 for a member", lambda c, site: c["member"].get(progress_path(999999)), 404, True, True),
    ("403 CSRF failure", csrf_failure, 403, False, False),
    ("500", raising("/bug/"), 500, False, True),
    ("503 database unavailable", raising("/lost/"), 503, False, False),
    ("admin log-in (handed to allauth's)", visitor_get("/admin/login/"), 302, False, False),
    ("curators' review queue", lambda c, site: c["staff"].get("/admin/review/"), 200, True, True),
    ("preview with answers", visitor_get("/roadmap/preview/?graduation_year=2022&specialty=IM"
     "&match_year=2028&visa=j1"), 200, False, True),
    ("progress form fragment (htmx GET)", lambda c, site: c["member"].get(
        progress_url(site["progress"]), headers={"HX-Request": "true"}), 200, True, False),
    ("400 NUL byte", visitor_get("/resources/?q=%00"), 400, False, False),
    ("two-factor settings", member_get("/accounts/2fa/"), 200, True, True),
    ("signed-in devices", member_get("/accounts/sessions/"), 200, True, True),
    ("admin index", lambda c, site: c["staff"].get("/admin/"), 200, True, True),
    ("admin resource list", lambda c, site: c["staff"].get("/admin/resources/resource/"), 200,
     True, True),
    ("allauth log-in", visitor_get("/accounts/login/"), 200, False, True),
    ("allauth sign-up", visitor_get("/accounts/signup/"), 200, False, True),
    ("allauth password reset", visitor_get("/accounts/password/reset/"), 200, False, True),
    ("allauth email addresses", member_get("/accounts/email/"), 200, True, True),
    ("allauth password change", member_get("/accounts/password/change/"), 200, True, True),
    ("health check JSON", visitor_get("/healthz"), 200, False, False),
]  # fmt: skip


@pytest.fixture
def personas(site):
    member, curator = site["member"], site["curator"]
    visitor, member_client, staff = Client(), Client(), Client()
    member_client.force_login(member)
    staff.force_login(curator)
    return {"visitor": visitor, "member": member_client, "staff": staff}


def assert_strict_csp(response, full_page: bool) -> None:
    csp = response["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip()
    )
    assert directives["default-src"] == "'self'"
    for name in ("object-src", "base-uri", "frame-ancestors"):
        assert directives[name] == "'none'", (name, csp)
    assert "unsafe-" not in csp, csp
    if full_page and response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        script_nonces = set(re.findall(r"<script[^>]*\snonce=\"([^\"]+)\"", html))
        if script_nonces:
            assert script_nonces == set(NONCE.findall(directives["script-src"])), csp
        style_nonces = set(re.findall(r"<style[^>]*\snonce=\"([^\"]+)\"", html))
        if style_nonces:  # the inlined stylesheet (imgportal/templatetags/stylesheet.py)
            assert style_nonces == set(NONCE.findall(directives["style-src"])), csp


@pytest.mark.parametrize(
    ("get", "status", "personal", "full_page"),
    [entry[1:] for entry in RESPONSES],
    ids=[entry[0] for entry in RESPONSES],
)
def test_security_headers_on_every_kind_of_response(
    site, personas, get, status, personal, full_page
):
    response = get(personas, site)
    assert response.status_code == status
    assert_strict_csp(response, full_page)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    if personal:
        assert "no-store" in response.get("Cache-Control", ""), response.get("Cache-Control")


def test_full_pages_carry_a_fresh_nonce_on_their_scripts(personas):
    first, second = (personas["visitor"].get("/") for _ in range(2))
    nonces = [NONCE.search(r["Content-Security-Policy"]).group(1) for r in (first, second)]
    assert nonces[0] != nonces[1]
    assert f'nonce="{nonces[0]}"' in first.content.decode()


def test_every_member_page_is_no_store(site, url_for):
    """Every member-only pattern (allauth's included), as that member: no cache keeps it."""
    member = site["member"]
    client = Client()
    client.force_login(member)
    stored = []
    for route in all_routes():
        if route.url_class != MEMBER:
            continue
        response = client.get(url_for(route))
        if "no-store" not in response.get("Cache-Control", ""):
            stored.append(f"{route.route}: {response.status_code} {response.get('Cache-Control')}")
    assert not stored, "Member pages without no-store:\n" + "\n".join(stored)


def test_a_visitors_public_page_may_be_cached(personas):
    """The no-store middleware is for members only: a visitor's directory page is not marked."""
    assert "no-store" not in personas["visitor"].get("/resources/").get("Cache-Control", "")
