"""Mentor-link fixtures (easy to move to tests/factories.py at merge)."""

import datetime

import pytest
from django.utils import timezone

from mentors.models import MentorLink, hash_token, new_token


def make_link(user, *, label="Dr Rao", days=30, **fields) -> tuple[MentorLink, str]:
    """A mentor link and its token (the only place the token exists)."""
    token = new_token()
    link = MentorLink.objects.create(
        user=user,
        token_hash=hash_token(token),
        label=label,
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
        **fields,
    )
    return link, token


@pytest.fixture
def mentor_link(member):
    return make_link(member)
