"""Session timeouts: an idle one that slides while a member is active, and an absolute one."""

import time
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

# A member's session (and the "last seen" of their device list) is refreshed at
# most once per REFRESH_EVERY seconds: no database write on every request.
REFRESH_EVERY = 5 * 60
SEEN_KEY = "imgportal_seen_at"
STARTED_KEY = "imgportal_started_at"


class IdleTimeoutMiddleware:
    """SESSION_COOKIE_AGE becomes an idle timeout that active members never meet.

    Django fixes a session's expiry when the session is saved; saving it on every
    request (SESSION_SAVE_EVERY_REQUEST) would cost a write per request. Instead
    the session is touched when it was last refreshed more than REFRESH_EVERY
    seconds ago, which saves it with a new expiry (now + SESSION_COOKIE_AGE).
    Sessions that predate this (no timestamp) start sliding at their next write.

    However active, a session ends SESSION_ABSOLUTE_AGE seconds after it started
    (the member logs in again).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        started = session.get(STARTED_KEY) if session is not None else None
        if started is not None and time.time() - started > settings.SESSION_ABSOLUTE_AGE:
            logout(request)
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return response
        seen = session.get(SEEN_KEY)
        if seen is None and not session.modified:
            return response
        now = int(time.time())
        if seen is None or now - seen >= REFRESH_EVERY:
            session[SEEN_KEY] = now
            session.setdefault(STARTED_KEY, now)
            if apps.is_installed("allauth.usersessions") and session.session_key:
                from allauth.usersessions.models import UserSession

                UserSession.objects.filter(session_key=session.session_key).update(
                    last_seen_at=timezone.now()
                )
        return response
