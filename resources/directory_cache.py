"""What the resource directory shows everyone, cached under one version token of the resources.

The filter form's location and tag choices, and for each search and filter the count and a
page of cards (their curator text rendered), change only when a resource or a tag changes.
Every such change writes a new token: signals on Resource, Tag and the resource-tag links
(connected in ResourcesConfig.ready, so the admin, the CSV import and the shell are covered);
the admin's bulk actions and the content loader, whose writes send no signals, call
`forget()` themselves. An entry is only ever read under the token it was stored with, so it
cannot be stale; entries of an old token are never read again and expire.

As in pathways/curated_cache.py, the token is replaced again when the change commits: results
another worker read before the commit can only sit under the token the commit replaces.

The token lives in the shared default cache, so every worker sees a change at once; the
entries live in the "directory" cache (settings.CACHES: Redis with REDIS_URL, else each
process's memory, never the DatabaseCache, whose culling at 300 entries would also evict
allauth's rate limits and the curated content).

Nothing personal is cached here: whether a member saved a resource, the CSRF token and the
save form's return address are added to each response by the view.
"""

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache, caches
from django.db import transaction

from pathways import curated_cache

VERSION_KEY = "resources:version"
# Part of every key: raise it when what is cached changes shape (the Card fields, the card
# template), so a deploy never unpickles entries written by the code before it. (The content
# loader, which every deploy runs, replaces the token as well.)
CODE_VERSION = 1
# Entries under an old token are never read again and expire; the timeout also bounds how long
# a change made behind the signals' backs (a queryset update() in the shell, raw SQL) stays unseen.
TIMEOUT = 60 * 60


def version() -> str:
    """The current token of the resources (created on first use)."""
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(VERSION_KEY)
    return token


def key(token: str, *parts: Any) -> str:
    """A short key for any parts (a search's words may be long or unusual)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"resources:{CODE_VERSION}:{token}:{digest}"


def cached(parts: tuple, compute: Callable[[], Any], token: str | None = None) -> Any:
    """The value stored for `parts` under the current token, computed and stored on a miss."""
    entry_key = key(token or version(), *parts)
    entries = caches["directory"]
    value = entries.get(entry_key)
    if value is None:
        value = compute()
        entries.set(entry_key, value, timeout=TIMEOUT)
    return value


def forget(**kwargs) -> None:
    """A resource or tag changed: a new token now, and again once the change is committed.

    The curated content's token moves too: a member's dashboard lists published resources
    with its next steps, and is cached under that token (pathways/dashboard_cache.py)."""
    bump()
    transaction.on_commit(bump)
    curated_cache.forget()


def bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
