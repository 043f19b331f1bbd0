"""The season's long pages (the applications board, the rank order list), cached under a key
made of everything they read: they cannot go stale.

Both pages read every application of the cycle and fit-check each against the member's
profile, progress, cycle and the catalogue's facts, to count statuses and conflicts, filter,
page and sum fees. The rendered content is kept per member under `key_for`, built from
- the member (their id: nothing personal is ever stored under a key another member could
  produce),
- their season's data version, read in the same query as their profile
  (`versioned_profile`): the profile's `updated_at`; the newest `updated_at` and the count of
  their applications, their programs, their progress rows, and the catalogue facts of the
  catalogue entries their programs are linked to. Every write of those rows sets
  `updated_at` (saves by `auto_now`, the queryset updates explicitly); a deletion lowers a
  count,
- the curated-content token (read with the profile, curated_cache.TOKEN_COLUMN): Match
  cycles, rules, entry
  restrictions, and the ERAS fee schedules and signal allowances (ApplicationsConfig.ready
  connects their saves and deletions to `curated_cache.forget`),
- the member's date (the fit check, the shown cycle and what is read-only follow it),
- the whole query string (filters, page, the open card, any other parameter the page links
  keep) and the kind of answer (page or fragment),
- the code version: a hash of the sources the content is built from.
The Labor-data evidence is not read: these pages show a fit's level and conflicts, never its
notes. tests/applications/test_season_cache.py changes each input and sees the page change.

A miss (a new filter or page, or the first view after a write) takes each program's fit from
a second entry (`listed_fits`), keyed the same way without the applications' part (a fit
reads the program, its catalogue facts, the profile, the progress, the curated cycle and the
date, never an application): a status change or a rank move re-renders the page without
re-checking 300 programs. It holds each fit as a list shows it (`as_listed`).

The entry holds rendered HTML whose CSRF tokens are a slot (lib/csrf_slot.py), filled with
the request's token on every answer;
the messages and the CSP nonce are rendered around it per request. The cache alias is
`situation` (Redis with REDIS_URL, else this process's memory).
"""

import datetime
import hashlib
from collections.abc import Callable

from django.utils.safestring import SafeString

from accounts.models import Profile
from lib import csrf_slot, rows
from pathways import curated_cache
from pathways.dashboard_cache import TIMEOUT, cache, code_version

from .fit import Fit, load_fit_inputs

SOURCES = [
    "applications/*.py",
    "applications/views/*.py",
    "templates/applications/*.html",
    "templates/applications/includes/*.html",
    "catalogue/facts.py",
    "catalogue/models.py",
    "pathways/roadmap.py",
    "accounts/models.py",
    "lib/dates.py",
]


CODE_VERSION = code_version(SOURCES)


# The profile and the season's data version in one query. Written out, not built by the ORM:
# building eight correlated subqueries cost more CPU than the rest of a cached answer. Plain
# SQL that PostgreSQL and SQLite both run; the one parameter is the member's id, passed apart.
# tests/applications/test_season_cache.py checks the table and column names against the models.
VERSION_SQL = (
    f"SELECT {rows.columns(Profile, 'profile')},"  # noqa: S608  # nosec B608 - model columns
    """
  (SELECT MAX(updated_at) FROM applications_application WHERE user_id = profile.user_id)
    AS season_applications_at,
  (SELECT COUNT(*) FROM applications_application WHERE user_id = profile.user_id)
    AS season_applications_n,
  (SELECT MAX(updated_at) FROM applications_program WHERE user_id = profile.user_id)
    AS season_programs_at,
  (SELECT COUNT(*) FROM applications_program WHERE user_id = profile.user_id)
    AS season_programs_n,
  (SELECT MAX(updated_at) FROM pathways_progress WHERE user_id = profile.user_id)
    AS season_progress_at,
  (SELECT COUNT(*) FROM pathways_progress WHERE user_id = profile.user_id)
    AS season_progress_n,
  (SELECT MAX(updated_at) FROM catalogue_fact WHERE program_id IN (
      SELECT catalogue_id FROM applications_program
      WHERE user_id = profile.user_id AND catalogue_id IS NOT NULL))
    AS season_facts_at,
  (SELECT COUNT(*) FROM catalogue_fact WHERE program_id IN (
      SELECT catalogue_id FROM applications_program
      WHERE user_id = profile.user_id AND catalogue_id IS NOT NULL))
    AS season_facts_n,
"""
    + curated_cache.TOKEN_COLUMN
    + """
FROM accounts_profile profile
WHERE profile.user_id = %s
"""
)
VERSION_PARTS = ("applications", "programs", "progress", "facts")


def versioned_profile(user) -> Profile | None:
    """The member's profile (onboarded or not) with their season's data version, in one
    query; None without a profile (the pages then read everything, uncached)."""
    profile = next(iter(rows.fetch(Profile, VERSION_SQL, [user.pk])), None)
    if profile is not None:
        profile.user = user  # share the instance: no query for profile.user
    return profile


def data_version(profile: Profile, names=VERSION_PARTS) -> str:
    """The version as text (a newest time comes as a datetime or, SQLite, as text: either
    way the same text for the same rows)."""
    parts = [profile.updated_at.isoformat()]
    for name in names:
        parts += [
            str(getattr(profile, f"season_{name}_at")),
            str(getattr(profile, f"season_{name}_n")),
        ]
    return "|".join(parts)


def key_for(profile: Profile, today: datetime.date, page: str, query) -> str:
    """The key of one answer (`page`: "index", "index#results", ...) for the query string
    `query` (a QueryDict), for a profile from `versioned_profile`, on the member's date."""
    asked = repr(sorted((name, query.getlist(name)) for name in query))
    parts = [
        CODE_VERSION,
        str(profile.user_id),
        data_version(profile),
        profile.content_token or curated_cache.version(),  # read with the profile
        today.isoformat(),
        page,
        asked,
    ]
    return "season:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# What a program's fit check reads: the program, its catalogue facts, the profile, the
# progress rows, the curated cycle and restrictions, the date. Not the applications: a status
# change or a rank move (most of the season's writes) keeps the fits of every program.
FIT_PARTS = ("programs", "progress", "facts")


def fits_key(profile: Profile, today: datetime.date) -> str:
    parts = [
        CODE_VERSION,
        str(profile.user_id),
        data_version(profile, FIT_PARTS),
        profile.content_token or curated_cache.version(),  # read with the profile
        today.isoformat(),
    ]
    return "season-fits:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def as_listed(fit: Fit) -> Fit:
    """The fit as a list shows it (its level and conflicts; an "ask" kept as one question):
    what the cached fits hold, not the full check a program's page shows."""
    return Fit(conflicts=list(fit.conflicts), unknowns=fit.unknowns[:1])


def listed_fits(user, profile: Profile, today: datetime.date, programs) -> dict[int, Fit]:
    """The fit of each of `programs` as a list shows it ({program pk: Fit}), from the
    situation cache under `fits_key`; the programs not in it yet are checked (one load of the
    inputs, pure checks) and added. `profile` comes from `versioned_profile`."""
    key = fits_key(profile, today)
    fits = cache().get(key) or {}
    missing = [program for program in programs if program.pk not in fits]
    if missing:
        inputs = load_fit_inputs(user, profile, today, missing, with_evidence=False)
        fits = fits | {p.pk: as_listed(inputs.check(p, profile, today)) for p in missing}
        cache().set(key, fits, TIMEOUT)
    return fits


def fits_for(user, profile: Profile | None, today: datetime.date, programs) -> dict[int, Fit]:
    """{program pk: Fit} of `programs`: as a list shows them, from the cache, for a profile
    from `versioned_profile`; else checked now (a write's answer reads a plain profile)."""
    if profile is not None and hasattr(profile, "season_programs_at"):
        return listed_fits(user, profile, today, programs)
    inputs = load_fit_inputs(user, profile, today, programs, with_evidence=False)
    return {program.pk: inputs.check(program, profile, today) for program in programs}


def cached_html(request, key: str | None, render: Callable[[dict], SafeString]) -> SafeString:
    """The HTML stored under `key`, else `render(extra_context)` stored there (rendered with
    the CSRF placeholder); the request's CSRF token put in either way. `key` None: rendered
    for this request only."""
    if key is None:
        return render({})
    html = cache().get(key)
    if html is None:
        html = render(dict(csrf_slot.CONTEXT))
        cache().set(key, html, TIMEOUT)
    return csrf_slot.filled(request, html)
