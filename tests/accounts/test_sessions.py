"""Sessions a member can see and end; an idle timeout that active members never notice."""

import datetime

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)


def logged_in_client(member, password, user_agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=user_agent)
    response = client.post(reverse("account_login"), {"login": member.email, "password": password})
    assert response.status_code == 302
    return client


def test_member_sees_their_sessions_and_signs_out_the_others(member, other_member, password):
    laptop = logged_in_client(member, password, "Mozilla/5.0 (X11; Linux) Firefox/140.0")
    phone = logged_in_client(member, password, "Mozilla/5.0 (iPhone) Safari/18")
    logged_in_client(other_member, password, "Bob's browser")

    settings_page = laptop.get(reverse("accounts:settings")).content.decode()
    assert reverse("usersessions_list") in settings_page
    page = laptop.get(reverse("usersessions_list"))
    html = page.content.decode()
    assert "Firefox/140.0" in html and "iPhone" in html
    assert "Bob's browser" not in html  # another member's session is not listed
    assert "This device" in html and "Last seen" in html

    response = laptop.post(reverse("usersessions_list"))
    assert response.status_code == 302
    assert phone.get(reverse("accounts:settings")).status_code == 302  # signed out
    assert laptop.get(reverse("accounts:settings")).status_code == 200  # still in
    assert UserSession.objects.filter(user=member).count() == 1


def test_an_active_member_is_never_logged_out_an_idle_one_is(member, password):
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(START, tick=False) as clock:
        client = logged_in_client(member, password, "Firefox")
        # Active: a request every 0.6 of the idle timeout, four times over.
        for _ in range(4):
            clock.shift(idle * 0.6)
            assert client.get(reverse("accounts:settings")).status_code == 200
        # Idle for longer than the timeout: the session has expired.
        clock.shift(idle + datetime.timedelta(minutes=1))
        response = client.get(reverse("accounts:settings"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_sessions_are_not_written_on_every_request(member_client, django_assert_num_queries):
    member_client.get(reverse("accounts:settings"))
    key = member_client.session.session_key
    before = Session.objects.get(pk=key).expire_date
    member_client.get(reverse("accounts:settings"))
    assert Session.objects.get(pk=key).expire_date == before


def test_even_an_active_session_ends_after_the_absolute_age(member, password, settings):
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24  # a day idle
    settings.SESSION_ABSOLUTE_AGE = 60 * 60 * 24 * 5  # five days at most
    with time_machine.travel(START, tick=False) as clock:
        client = logged_in_client(member, password, "Firefox")
        for _ in range(9):  # active every 12 hours, up to 4.5 days after log-in
            clock.shift(datetime.timedelta(hours=12))
            assert client.get(reverse("accounts:settings")).status_code == 200
        clock.shift(datetime.timedelta(hours=13))  # 5 days and 1 hour after log-in
        response = client.get(reverse("accounts:settings"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
