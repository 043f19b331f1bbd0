"""A calendar link's creation time is when its token was made, not its last save."""

import datetime

import time_machine
from django.urls import reverse

from reminders.models import CalendarFeed

T0 = datetime.datetime(2026, 11, 1, 12, tzinfo=datetime.UTC)


def test_a_save_keeps_created_at_and_a_new_token_sets_it(member_client, member):
    with time_machine.travel(T0, tick=False):
        member_client.post(reverse("reminders:calendar_token"))
    feed = CalendarFeed.objects.get(user=member)
    assert feed.created_at == T0
    with time_machine.travel(T0 + datetime.timedelta(minutes=10), tick=False):
        feed.content_hash = "changed"
        feed.save()
    feed.refresh_from_db()
    assert feed.created_at == T0  # the feed's own bookkeeping is not a new link
    later = T0 + datetime.timedelta(minutes=20)
    with time_machine.travel(later, tick=False):
        member_client.post(reverse("reminders:calendar_token"))  # regenerate
    feed.refresh_from_db()
    assert feed.created_at == later
