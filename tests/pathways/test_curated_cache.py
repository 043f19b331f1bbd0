"""The curated-content cache: a version token in the database (written in the transaction of
the change it marks), the content under it in the shared cache, and each process's last read
kept in memory while the token stands."""

import pytest
from django.core.cache import cache
from django.db import transaction

from pathways import curated_cache
from pathways.curated_cache import content_key, curated, version
from pathways.models import ContentVersion, Milestone


def test_a_process_reuses_its_last_read_while_the_version_stands(milestones_factory):
    milestones_factory(3)
    first = curated()
    assert curated() is first  # no unpickling on every request
    assert [m.slug for m in first.milestones] == ["m-0", "m-1", "m-2"]


def test_another_workers_change_is_seen_on_the_next_read(milestones_factory):
    milestones_factory(3)
    first = curated()
    # Another worker saves a milestone: the row changes, its process writes a new token.
    Milestone.objects.filter(slug="m-1").update(title="Changed elsewhere")
    curated_cache.bump()
    fresh = curated()
    assert fresh is not first
    assert [m.title for m in fresh.milestones][1] == "Changed elsewhere"


def test_content_read_before_a_change_is_never_served_after_it(milestones_factory):
    milestones_factory(3)
    curated()
    token = version()
    stale = curated()
    Milestone.objects.filter(slug="m-0").update(title="Saved by a curator")
    curated_cache.forget()
    # A slow worker stores what it read before the change, under the token it read with.
    cache.set(content_key(token), stale, timeout=None)
    assert curated().milestones[0].title == "Saved by a curator"


class RolledBack(Exception):
    pass


def test_the_token_changes_with_the_transaction_of_the_change(milestones_factory):
    """Written in the change's own transaction: a change rolled back leaves the token (and so
    every page cached under it) as it was; a change committed replaces it."""
    milestones_factory(2)
    token = version()
    with pytest.raises(RolledBack), transaction.atomic():
        Milestone.objects.filter(slug="m-0").update(title="Never committed")
        curated_cache.forget()
        assert version() != token  # this transaction sees its own new token
        raise RolledBack
    assert version() == token
    assert curated().milestones[0].title == "Milestone 0"
    with transaction.atomic():
        Milestone.objects.filter(slug="m-0").update(title="Committed")
        curated_cache.forget()
    assert version() != token
    assert curated().milestones[0].title == "Committed"


def test_a_missing_token_row_is_made_again(milestones_factory):
    """A database flushed (as between some tests) has no token row: the first read makes it."""
    ContentVersion.objects.all().delete()
    token = version()
    assert ContentVersion.objects.get().token == token == version()
    assert [m.slug for m in curated().milestones] == []
    milestones_factory(1)  # a save of a milestone replaces the token
    assert version() != token and [m.slug for m in curated().milestones] == ["m-0"]
