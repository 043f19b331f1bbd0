"""The admin log-in goes through allauth: its rate limits and lock-out apply there too."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def admin_login(client, email, password):
    return client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": email, "password": password, "next": "/admin/"},
    )


def test_admin_login_refuses_an_account_allauth_has_locked(client, curator, password):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": curator.email, "password": "wrong-guess"})
    # Locked out at /accounts/login/: the right password is refused there ...
    response = client.post(reverse("account_login"), {"login": curator.email, "password": password})
    assert "_auth_user_id" not in client.session
    # ... and the admin's own form does not let it in either.
    response = admin_login(client, curator.email, password)
    assert "_auth_user_id" not in client.session
    assert response.status_code in (302, 429)
    assert client.get("/admin/").status_code == 302


def test_admin_login_sends_to_allauth_and_wrong_passwords_get_limited(client, curator, password):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    refused = 0
    for _ in range(8):
        response = client.post(
            reverse("account_login") + "?next=/admin/",
            {"login": curator.email, "password": "wrong-guess"},
        )
        if response.status_code == 429 or b"Too many failed" in response.content:
            refused += 1
    assert refused >= 3
    # Wrong passwords posted to the admin's form never authenticate anyone.
    for _ in range(3):
        admin_login(client, curator.email, "wrong-guess")
    assert "_auth_user_id" not in client.session


def test_admin_login_for_a_logged_in_member_is_forbidden(member_client):
    assert member_client.get(reverse("admin:login")).status_code == 403
