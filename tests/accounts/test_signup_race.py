"""Two real, simultaneous sign-ups with the same address (a double click), over HTTP."""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core import mail

from accounts.models import User
from tests.concurrency import each_request_on_its_own_connection, shared_database

pytestmark = pytest.mark.django_db(transaction=True)


def opener():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        NoRedirect(),
    )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def status_of(browser, request) -> int:
    try:
        return browser.open(request, timeout=30).status
    except urllib.error.HTTPError as error:
        return error.code


def test_double_submitted_signups_never_answer_500(live_server, settings, tmp_path):
    """Eight double clicks: each time exactly one account, and both requests redirect.

    SQLite: the live server's request threads each open their own connection to a file
    copy of the test database with the production options (tests/concurrency.py), instead
    of sharing the in-memory one, so the two sign-ups really run at once.
    """
    settings.ACCOUNT_RATE_LIMITS = {"signup": None}
    url = live_server.url + "/accounts/signup/"
    statuses = []
    emails = [f"double{attempt}@example.com" for attempt in range(8)]
    with (
        shared_database(tmp_path) as use_connection,
        each_request_on_its_own_connection(live_server, use_connection),
    ):
        for email in emails:
            browser = opener()
            page = browser.open(url, timeout=30).read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "email": email,
                    "password1": "a-long-enough-passphrase",
                    "password2": "a-long-enough-passphrase",
                }
            ).encode()
            barrier = threading.Barrier(2)

            def submit(browser=browser, body=body, barrier=barrier):
                request = urllib.request.Request(url, data=body, headers={"Referer": url})
                barrier.wait()
                statuses.append(status_of(browser, request))

            threads = [threading.Thread(target=submit) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
                assert not thread.is_alive()
    for email in emails:
        assert User.objects.filter(email=email).count() == 1, email
    assert len(statuses) == 16
    assert 500 not in statuses, statuses
    assert set(statuses) == {302}, statuses
    # Each double click leaves the member exactly one verification link (the second
    # submission's notice once used up the address's mail and suppressed it).
    for email in emails:
        links = [m for m in mail.outbox if m.to == [email] and "/confirm-email/" in m.body]
        assert len(links) == 1, (email, [m.subject for m in mail.outbox if m.to == [email]])
