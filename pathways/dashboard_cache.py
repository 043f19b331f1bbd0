"""The dashboard's content, cached under a key made of everything it reads: it cannot go stale.

The key (`key_for`) is built from
- the member (their id: nothing personal is ever stored under a key another member could
  produce),
- their data version: their profile's `updated_at` and their progress rows' newest
  `updated_at` and count (rows are never deleted while the account lives), read in the same
  query as the profile itself,
- their dashboard notices (accounts.Notice): how many are open and the newest creation and
  dismissal times, read in that same query (a new notice and a dismissal change the key),
- the curated-content token (read in that same query, curated_cache.TOKEN_COLUMN):
  milestones, prerequisites, cycles, rules, entry restrictions and the date history replace
  it; so do published resources (the next steps list them: resources/directory_cache.py
  `forget` calls `curated_cache.forget`),
- the member's date (days left, alerts and the 30-day list of date changes follow it),
- the code version: a hash of the sources the content is built from, so a release never
  serves an entry rendered by the old code.
Whatever the dashboard reads that is not in that list would make it stale:
tests/pathways/test_dashboard_cache.py walks every input and fails when one is missing.

The entry holds the rendered content block only (`pathways/dashboard.html#body`), never the
page: the CSRF token, the CSP nonce and the messages are rendered per request around it. The
cache alias is `situation` (Redis with REDIS_URL, else this process's memory).
"""

import datetime
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

from accounts.models import Profile
from lib import rows
from pathways import curated_cache

TIMEOUT = 24 * 60 * 60  # a key holds the member's date: it is never read after that day
SOURCES = [
    "pathways/*.py",
    "templates/pathways/*.html",
    "templates/pathways/includes/*.html",
    "templates/includes/*.html",
]


def code_version(sources: list[str] = SOURCES) -> str:
    """A hash of the files matching `sources` (glob patterns under BASE_DIR): part of a
    cached page's key, so a release never serves what the old code rendered."""
    digest = hashlib.sha256()
    for pattern in sources:
        for path in sorted(Path(settings.BASE_DIR).glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


CODE_VERSION = code_version()


def cache():
    return caches["situation"]


# The profile with its data version in one statement, written once: the ORM took about
# 1.5 ms per request to build the same query (five correlated subqueries), more than the
# database took to run it (docs/performance.md). The member's id is the one parameter.
VERSIONED_PROFILE_SQL = (
    f"SELECT {rows.columns(Profile, 'p')},"  # noqa: S608  # nosec B608 - the model's columns
    """
        (SELECT MAX(updated_at) FROM pathways_progress WHERE user_id = p.user_id) AS progress_at,
        (SELECT COUNT(*) FROM pathways_progress WHERE user_id = p.user_id) AS progress_rows,
        (SELECT COUNT(*) FROM accounts_notice WHERE user_id = p.user_id AND dismissed_at IS NULL)
            AS notices_open,
        (SELECT MAX(created_at) FROM accounts_notice WHERE user_id = p.user_id) AS notice_at,
        (SELECT MAX(dismissed_at) FROM accounts_notice WHERE user_id = p.user_id) AS dismissed_at,
        """
    + curated_cache.TOKEN_COLUMN
    + """
    FROM accounts_profile p WHERE p.user_id = %s AND p.onboarded_at IS NOT NULL
"""
)


def versioned_profile(user) -> Profile | None:
    """The onboarded profile with the member's data version (1 query), or None before
    onboarding. The roadmap is then loaded from it (`load_roadmap(user, profile)`).

    The version's parts are read as the database gives them (a datetime from PostgreSQL, its
    text from SQLite): they only make a key, never a value shown."""
    profile = next(iter(rows.fetch(Profile, VERSIONED_PROFILE_SQL, [user.pk])), None)
    if profile is not None:
        profile.user = user  # share the instance: no query for profile.user
    return profile


def key_for(profile: Profile, today: datetime.date, page: str = "dashboard") -> str:
    """The key of a page's content for a profile from `versioned_profile`, on the member's
    date. The timeline and a milestone's page (`page`: "timeline", "milestone:<slug>") read
    a subset of what the dashboard reads, so the same parts make their keys."""
    parts = [profile.updated_at.isoformat(), profile.progress_at, profile.progress_rows or 0]
    parts += [profile.notices_open or 0, profile.notice_at, profile.dismissed_at]
    data = "|".join(str(part) for part in parts)
    token = profile.content_token or curated_cache.version()  # read with the profile
    parts = [CODE_VERSION, str(profile.user_id), data, token, today.isoformat()]
    return f"{page}:" + hashlib.sha256("/".join(parts).encode()).hexdigest()
