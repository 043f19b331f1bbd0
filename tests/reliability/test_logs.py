"""Logs: one line per request, and no personal data (emails, scores, notes, school) in any
log line, during a member's journey: sign-up, email confirmation, onboarding, a progress
update with a score and a note, a failed log-in, a 404 and a 500."""

import logging
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, override_settings

from pathways.models import Progress
from tests.security.url_classes import progress_path, progress_route

EMAIL = "priya.sharma@example.com"
PASSWORD = "a-long-enough-passphrase"
NOTE = "Worried about my interview at the consulate"
SCHOOL = "Grant Government Medical College"
SCORE = "251"
FORMAT = logging.Formatter(settings.LOGGING["formatters"]["line"]["format"])


@pytest.fixture
def journey_logs(curated, caplog):
    """Run the journey with every logger captured at DEBUG; return (records, requests made)."""
    caplog.set_level(logging.DEBUG)
    client = Client(raise_request_exception=False)
    requests = 0

    def send(method: str, path: str, data=None, **headers):
        nonlocal requests
        requests += 1
        return getattr(client, method)(path, data or {}, headers=headers)

    assert (
        send(
            "post",
            "/accounts/signup/",
            {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD},
        ).status_code
        == 302
    )
    link = re.search(r"/accounts/confirm-email/\S+/", mail.outbox[0].body)[0]
    send("get", link)
    assert send("post", link).status_code == 302
    profile = {
        "school_country": "India",
        "school_name": SCHOOL,
        "graduation_year": "2024",
        "specialty": "Pediatrics",
        "match_year": "2028",
        "visa": "j1",
    }
    assert send("post", "/me/welcome/", profile).status_code == 302
    assert send("get", "/roadmap/").status_code == 200
    update = {
        "status": "in_progress",
        "score": SCORE,
        "completed_date": "2025-06-01",
        "attempts": "1",
        "notes": NOTE,
    }
    response = send("post", progress_path("step-2-ck"), update, HX_Request="true")
    assert response.status_code == 200
    progress = Progress.objects.get(user__email=EMAIL, milestone__slug="step-2-ck")
    assert progress.notes == NOTE and progress.score == int(SCORE)
    send("post", "/accounts/logout/")
    send("post", "/accounts/login/", {"login": EMAIL, "password": "wrong-password"})
    send("get", f"/accounts/password/reset/key/1-{EMAIL}/")
    send("get", "/resources/", {"q": EMAIL})
    send("get", "/no-such-page/")
    send("get", f"/resources/{EMAIL}/")  # a 404 whose path carries an email
    with override_settings(ROOT_URLCONF="tests.urls_raising"):
        send("get", "/bug/")
    return caplog.records, requests  # fmt: skip


def test_a_journey_logs_one_line_per_request_errors_in_context_and_no_personal_data(journey_logs):
    """One journey (it takes seconds), three properties."""
    records, requests = journey_logs
    check_one_line_per_request(records, requests)
    check_errors_are_logged_with_context(records)
    check_no_personal_data(records)


def check_one_line_per_request(records, requests):
    lines = [r for r in records if r.name == "imgportal.requests"]
    assert len(lines) == requests
    assert all(r.levelno == logging.INFO for r in lines)
    messages = [r.getMessage() for r in lines]
    assert any(m.startswith(f"POST /{progress_route()} 200 htmx ") for m in messages)
    assert any(m.startswith("GET (unmatched) 404 ") for m in messages)


def check_errors_are_logged_with_context(records):
    errors = [r for r in records if r.levelno >= logging.ERROR]
    assert any(r.name == "django.request" and r.exc_info for r in errors)
    assert "ZeroDivisionError" in FORMAT.format(errors[0]) + "".join(
        FORMAT.format(r) for r in errors
    )


def check_no_personal_data(records):
    lines = [FORMAT.format(record) for record in records]
    assert len(lines) > 10
    leaks = []
    for line in lines:
        text = re.sub(r"^\S+ \S+ ", "", line)  # the timestamp
        text = re.sub(r"\b\d+ms\b", "", text)  # the request duration
        for secret in (EMAIL, EMAIL.split("@")[0], NOTE, SCHOOL):
            if secret.lower() in text.lower():
                leaks.append(f"{secret!r} in: {line[:200]}")
        if re.search(rf"\b{SCORE}\b", text):
            leaks.append(f"score in: {line[:200]}")
    assert not leaks, "\n".join(leaks)
