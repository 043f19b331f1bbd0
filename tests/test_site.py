"""Site-wide behaviour: home, health check, security headers, error pages, settings."""

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_home_tells_a_visitor_what_the_portal_does(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "one personal roadmap" in html
    assert reverse("account_signup") in html
    assert 'href="#main"' in html  # skip link


def test_home_sends_members_to_their_dashboard(member_client):
    assert member_client.get("/").url == reverse("pathways:dashboard")


def test_csp_header_is_strict(client):
    csp = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp


def test_htmx_is_served_from_our_static_files_with_a_nonce(client):
    # Every script and stylesheet comes from our own /static/, never a third-party host.
    # (Parsed, not substring-matched: a random nonce once contained "cdn" and failed CI.)
    response = client.get("/resources/")
    nonce = response["Content-Security-Policy"].split("'nonce-", 1)[1].split("'", 1)[0]
    parser = _ScriptAndStyleRefs()
    parser.feed(response.content.decode())
    assert "/static/django_htmx/htmx-2.min.js" in parser.script_srcs
    assert parser.script_srcs and parser.link_hrefs
    assert all(src.startswith("/static/") for src in parser.script_srcs), parser.script_srcs
    assert all(href.startswith("/static/") for href in parser.link_hrefs), parser.link_hrefs
    assert parser.nonces and set(parser.nonces) == {nonce}


def test_the_home_page_loads_no_script(client):
    """A visitor's home page uses no htmx: nothing to download and parse on a phone."""
    parser = _ScriptAndStyleRefs()
    parser.feed(client.get("/").content.decode())
    assert parser.script_srcs == []
    assert client.get("/resources/").content.decode().count("<script") == 1


class _ScriptAndStyleRefs(HTMLParser):
    """Collects <script src>, <link href> and the nonces of <script> and <style> elements."""

    def __init__(self):
        super().__init__()
        self.script_srcs, self.link_hrefs, self.nonces = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.nonces.append(attrs.get("nonce"))
        if tag == "script" and attrs.get("src"):
            self.script_srcs.append(attrs["src"])
        elif tag == "link":
            self.link_hrefs.append(attrs["href"])


def test_security_headers(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_is_down(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@override_settings(ROOT_URLCONF="tests.urls_raising")
@pytest.mark.parametrize("path", ["/lost/", "/locked/"])
def test_lost_database_connection_is_a_503_with_retry_after(client, path):
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Nothing you entered was lost" in response.content.decode()


@override_settings(ROOT_URLCONF="tests.urls_raising")
def test_a_real_bug_stays_a_500(client):
    client.raise_request_exception = False
    response = client.get("/bug/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_404_page_uses_site_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_favicon(client):
    assert client.get("/favicon.ico").status_code == 301


def run_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "IMGPORTAL_"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_settings({"DJANGO_ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_settings({"DJANGO_SECRET_KEY": "x" * 60})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run_settings(
        {
            "DJANGO_SECRET_KEY": "k8Jq2v9PzL0mN3xR7tY1wE5uI4oA6sD8fG2hJ0kL9zX3cV7bN1mQ5wE8rT2yU6iO",
            "DJANGO_ALLOWED_HOSTS": "imgportal.example.org",
            "EMAIL_HOST": "smtp.example.org",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def site_url(env: dict) -> str:
    """SITE_URL as settings compute it in a fresh process with only `env` set."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "IMGPORTAL_")) and k not in {"PORT", "SITE_URL"}
    }
    result = subprocess.run(
        [sys.executable, "-c", "from imgportal import settings; print(settings.SITE_URL)"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_in_development_the_site_url_follows_the_port_served():
    # `make run PORT=8101` (bin/dev-server) exports PORT to the server and the worker:
    # the links in reminder emails and on the calendar page must point there.
    assert site_url({"DJANGO_DEBUG": "1", "PORT": "8101"}) == "http://127.0.0.1:8101"
    assert site_url({"DJANGO_DEBUG": "1"}) == "http://127.0.0.1:8000"
    # Tests pin 8000 (their expected links), whatever PORT the machine exports.
    assert site_url({"IMGPORTAL_TESTING": "1", "PORT": "8101"}) == "http://127.0.0.1:8000"
    # An explicit SITE_URL still wins.
    explicit = {"DJANGO_DEBUG": "1", "PORT": "8101", "SITE_URL": "https://img.example.org/"}
    assert site_url(explicit) == "https://img.example.org"
