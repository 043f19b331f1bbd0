"""Fixtures for the security tests (easy to move into tests/conftest.py at merge)."""

import pytest


@pytest.fixture
def superuser(db):
    from accounts.models import User
    from tests.factories import give_authenticator_app

    user = User.objects.create_superuser(email="root@example.com", password="correct-horse-42")
    give_authenticator_app(user)
    return user


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
