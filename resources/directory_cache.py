"""What the resource directory shows everyone, cached under one version token of the resources.

The filter form's location and tag choices, for each search and filter the count and a page
of cards (their curator text rendered), and each resource's page as everyone sees it (its
facts, Markdown, tags and milestones, rendered: resources/views.py `detail_page`), change
only when a resource, a tag or the curated roadmap content (the milestones' titles and
slugs a resource's page shows: `curated_changed`) changes. Every such change writes a new
token: signals on Resource, Tag and the resource-tag and resource-milestone links
(connected in ResourcesConfig.ready, so the admin, the CSV import and the shell are
covered), and pathways.curated_cache.changed; the admin's bulk actions and the
content loader, whose writes send no signals, call `forget()` themselves. An entry is only
ever read under the token it was stored with, so it cannot be stale; entries of an old token
are never read again and expire.

This token lives in the shared cache, outside the change's transaction, so it is replaced again
when the change commits: results another worker read before the commit can only sit under the
token the commit replaces. (The curated content's token is a database row written in the
change's own transaction, pathways/curated_cache.py: it needs no second replacement.)

The token lives in the shared default cache, so every worker sees a change at once; the
entries live in the "directory" cache (settings.CACHES: Redis with REDIS_URL, else each
process's memory, never the DatabaseCache, whose culling at 300 entries would also evict
allauth's rate limits and the curated content).

Nothing personal is cached here: whether a member saved a resource, the CSRF token and the
save form's return address are added to each response by the view.
"""

from django.db import transaction

from lib.token_cache import TokenCache
from pathways import curated_cache

# Raise the code version when what is cached changes shape (the Card or DetailPage fields,
# the card template, the partials of resources/detail.html). (The content loader, which every
# deploy runs, replaces the token as well.)
DIRECTORY = TokenCache("resources", "directory", code_version=1)
VERSION_KEY = DIRECTORY.version_key
version = DIRECTORY.version
key = DIRECTORY.key
cached = DIRECTORY.cached
bump = DIRECTORY.bump


def curated_changed(**kwargs) -> None:
    """The curated roadmap content changed (pathways.curated_cache.changed): a resource's page
    shows its milestones' titles and links. A new token now, and again once committed."""
    bump()
    transaction.on_commit(bump)


def forget(**kwargs) -> None:
    """A resource or tag changed: a new token now, and again once the change is committed.

    The curated content's token moves too: a member's dashboard lists published resources
    with its next steps, and is cached under that token (pathways/dashboard_cache.py)."""
    bump()
    transaction.on_commit(bump)
    curated_cache.forget()
