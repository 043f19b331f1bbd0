"""Reminder emails: their content (fixed when a reminder is claimed) and the message.

Plain-text and HTML parts, an absolute link to the milestone, a link to the preferences
and a one-click unsubscribe (RFC 8058) with a signed token.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from reminders.schedule import Dated

UNSUBSCRIBE_SALT = "reminders.unsubscribe"
# How long an email's unsubscribe link works: long enough for an old email (each reminder
# brings a fresh link), not for ever (a leaked link should not stay a switch for good).
UNSUBSCRIBE_MAX_AGE = datetime.timedelta(days=180)


class ExpiredToken(Exception):
    """An authentic unsubscribe token, past UNSUBSCRIBE_MAX_AGE."""


class UnfoldedHeader(str):
    """A header value written as is (it must fit the 998-character line limit).

    Python's email policy folds a header line longer than 78 characters, and it folds a long
    URL by turning it into an RFC 2047 encoded word, which a mail client then cannot read as
    `<https://...>`: RFC 8058 one-click unsubscribe would silently not work.
    """

    def __new__(cls, name: str, value: str):
        header = super().__new__(cls, value)
        header.name = name
        return header

    def __reduce__(self):  # copies (the test mailbox deep-copies messages) keep the name
        return (type(self), (self.name, str(self)))

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def unsubscribe_token(user) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_id_from_token(token: str) -> int | None:
    """The member an unsubscribe token is for; None if it is not one of ours. Raises
    ExpiredToken for one of ours that is too old (signing.dumps stamps the time)."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired:
        raise ExpiredToken from None
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def fmt(date: datetime.date) -> str:
    return f"{date:%A %-d %B %Y}"


def entry(item: Dated, today: datetime.date) -> dict:
    days = (item.date - today).days
    if days < 0:  # a clock that has already run out
        when = f"{-days} day{'s' if days != -1 else ''} ago"
    else:
        when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
    return {
        "title": item.title,
        "date": fmt(item.date),
        "proposed": item.proposed,
        "when": when,
        "note": item.note,
        "url": absolute(item.path),
    }


def reminder_payload(item: Dated, today: datetime.date) -> dict:
    first = entry(item, today)
    mark = " (proposed)" if item.proposed else ""
    return {"subject": f"{item.title}{mark}: {first['when']}", "entries": [first]}


def digest_payload(items: list[Dated], today: datetime.date) -> dict:
    count = len(items)
    return {
        "subject": f"Your week ahead: {count} date{'s' if count != 1 else ''} coming up",
        "entries": [entry(item, today) for item in items],
    }


def change_payload(change) -> dict:
    return {
        "subject": f"Changed: {change.label}",
        "entries": [],
        "change": {
            "summary": change.summary,
            "source_url": change.source_url,
            "url": absolute(
                change.milestone.get_absolute_url()
                if change.milestone_id
                else reverse("pathways:dashboard")
            ),
        },
    }


def build_message(user, payload: dict) -> EmailMultiAlternatives:
    unsubscribe_url = absolute(reverse("reminders:unsubscribe", args=[unsubscribe_token(user)]))
    context = {
        **payload,
        "preferences_url": absolute(reverse("reminders:preferences")),
        "unsubscribe_url": unsubscribe_url,
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + payload["subject"],
        body=render_to_string("reminders/email/reminder.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": UnfoldedHeader("List-Unsubscribe", f"<{unsubscribe_url}>"),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("reminders/email/reminder.html", context), "text/html"
    )
    return message
