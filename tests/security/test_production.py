"""Production settings (DJANGO_DEBUG unset, no EMAIL_HOST): check --deploy is clean, and the
`__Host-` cookies, HSTS and secure cookies they set still let allauth log in and htmx post."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from tests.security.url_classes import progress_url

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "k8Jq2v9PzL0mN3xR7tY1wE5uI4oA6sD8fG2hJ0kL9zX3cV7bN1mQ5wE8rT2yU6iO",
    "DJANGO_ALLOWED_HOSTS": "imgportal.example.org,testserver",
    "DJANGO_SETTINGS_MODULE": "imgportal.settings",
}
SETTINGS_SHOWN = [
    "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_PATH", "CSRF_COOKIE_PATH", "SESSION_COOKIE_DOMAIN",
    "CSRF_COOKIE_DOMAIN", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT", "DEBUG",
]  # fmt: skip


def run_production(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run Python in a clean production environment: no DEBUG, no test flag, no EMAIL_HOST."""
    unwanted = ("DJANGO_", "IMGPORTAL_", "EMAIL_", "PYTEST")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(unwanted)}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_without_smtp_configured():
    result = run_production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_check_deploy_with_the_proxy_redirecting_is_clean():
    """DJANGO_SECURE_SSL_REDIRECT=proxy: the proxy redirects HTTP to HTTPS, Django does not,
    and check --deploy has nothing to warn about (W008 silenced for that reason only)."""
    result = run_production(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SECURE_SSL_REDIRECT="proxy",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (1 silenced)" in result.stdout


def test_check_deploy_warns_when_nothing_redirects_to_https():
    """DJANGO_SECURE_SSL_REDIRECT=false says nobody redirects: W008 is a true warning."""
    result = run_production(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SECURE_SSL_REDIRECT="false",
    )  # fmt: skip
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


@pytest.fixture(scope="module")
def production_settings() -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {SETTINGS_SHOWN!r}}}))"
    )
    result = run_production("-c", code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    return values


def test_production_cookies_are_host_prefixed_secure_and_hsts_is_on(production_settings):
    s = production_settings
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert s["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    # __Host- cookies are only accepted by browsers with Secure, Path=/ and no Domain.
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SESSION_COOKIE_HTTPONLY"]
    assert s["SESSION_COOKIE_PATH"] == s["CSRF_COOKIE_PATH"] == "/"
    assert s["SESSION_COOKIE_DOMAIN"] is None and s["CSRF_COOKIE_DOMAIN"] is None
    assert s["SECURE_HSTS_SECONDS"] >= 31536000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and s["SECURE_HSTS_PRELOAD"]
    assert s["SECURE_SSL_REDIRECT"]


def cookie_attributes(morsel) -> dict:
    return {"secure": morsel["secure"], "path": morsel["path"], "domain": morsel["domain"]}


def test_allauth_log_in_and_an_htmx_post_work_with_production_cookies(
    production_settings, site, password
):
    """The production cookie settings in this process, over HTTPS with CSRF enforced: log in
    through allauth's form, then post a progress update the way htmx does (X-CSRFToken from
    <body hx-headers>)."""
    names = [n for n in SETTINGS_SHOWN if n.startswith(("SESSION_", "CSRF_", "SECURE_HSTS"))]
    with override_settings(**{n: production_settings[n] for n in names}):
        client = Client(enforce_csrf_checks=True)
        origin = {"Origin": "https://testserver"}
        page = client.get("/accounts/login/", secure=True)
        csrf = client.cookies["__Host-csrftoken"]
        assert cookie_attributes(csrf) == {"secure": True, "path": "/", "domain": ""}
        assert "max-age=31536000; includeSubDomains; preload" in page["Strict-Transport-Security"]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
        response = client.post(
            "/accounts/login/",
            {"login": site["member"].email, "password": password, "csrfmiddlewaretoken": token},
            secure=True,
            headers=origin,
        )
        assert response.status_code == 302, response.content.decode()[:500]
        session = client.cookies["__Host-sessionid"]
        assert cookie_attributes(session) == {"secure": True, "path": "/", "domain": ""}
        assert session["httponly"]
        assert "sessionid" not in client.cookies and "csrftoken" not in client.cookies

        dashboard = client.get("/roadmap/", secure=True)
        assert dashboard.status_code == 200
        header_token = re.search(r'"X-CSRFToken": "([^"]+)"', dashboard.content.decode())[1]
        url = progress_url(site["progress"])
        htmx = {**origin, "HX-Request": "true"}
        data = {"status": "in_progress"}
        refused = client.post(url, data, secure=True, headers=htmx)
        assert refused.status_code == 403
        with_token = {**htmx, "X-CSRFToken": header_token}
        accepted = client.post(url, data, secure=True, headers=with_token)
        assert accepted.status_code == 200
        site["progress"].refresh_from_db()
        assert site["progress"].status == "in_progress"
