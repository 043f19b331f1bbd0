"""Cached HTML with a slot where each request's CSRF token goes.

A page or fragment cached for a member holds forms, and a form holds the CSRF token of the
request it was rendered for: a token must never be stored (it would be served to the next
request, or after the member's session changed). So cached content is rendered with
`{"csrf_token": SLOT}` in its context, which the `{% csrf_token %}` tag writes in place of the
token, and every answer puts its own token there (`filled`), setting the CSRF cookie as the
tag does. The slot is derived from the secret key: a member cannot type it into their notes.
"""

import hashlib

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe

SLOT = "csrf" + hashlib.sha256(f"{settings.SECRET_KEY}:csrf-slot".encode()).hexdigest()[:32]
CONTEXT = {"csrf_token": SLOT}  # render cached content with this in its context


def filled(request: HttpRequest, html: str) -> SafeString:
    """Cached content with this request's CSRF token in each slot. The content was rendered
    (autoescaped) by our templates and the token is letters and digits: the result is as
    safe as the template's output."""
    if SLOT not in html:
        return mark_safe(html)  # noqa: S308  # nosec B308 B703  # nosemgrep: mark-safe
    with_token = html.replace(SLOT, get_token(request))
    return mark_safe(with_token)  # noqa: S308  # nosec B308 B703  # nosemgrep: mark-safe
