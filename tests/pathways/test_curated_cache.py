"""The curated-content cache: a version token in the shared cache, the content under it, and
each process's last read kept in memory while the token stands."""

from django.core.cache import cache
from django.db import transaction

from pathways import curated_cache
from pathways.curated_cache import VERSION_KEY, content_key, curated
from pathways.models import Milestone


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
    token = cache.get(VERSION_KEY)
    stale = curated()
    Milestone.objects.filter(slug="m-0").update(title="Saved by a curator")
    curated_cache.forget()
    # A slow worker stores what it read before the change, under the token it read with.
    cache.set(content_key(token), stale, timeout=None)
    assert curated().milestones[0].title == "Saved by a curator"


def test_a_change_in_a_transaction_bumps_the_version_again_on_commit(
    milestones_factory, django_capture_on_commit_callbacks
):
    milestones_factory(2)
    before = curated()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Milestone.objects.filter(slug="m-0").update(title="In a transaction")
        curated_cache.forget()
        during = cache.get(VERSION_KEY)
        # Another worker, which cannot see the uncommitted row yet, reads the old content
        # and stores it under the token of the moment.
        cache.set(content_key(during), before, timeout=None)
    assert cache.get(VERSION_KEY) != during
    assert curated().milestones[0].title == "In a transaction"
