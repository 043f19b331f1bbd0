"""The curated roadmap content (milestones, prerequisites, Match cycles, rules, entry
restrictions), cached.

It changes only when a curator saves or the content loader runs, and every member's
roadmap reads all of it: one cache entry instead of six queries per request. Any save or
delete of those models replaces its version token (signals connected in PathwaysConfig.ready,
so the admin, CSV import and the shell are all covered); the loader does so explicitly after
its bulk writes, which send no signals. Nothing personal is ever cached here.

The token is a row of the database (pathways.models.ContentVersion), written in the
transaction of the change it marks: every worker sees the new token exactly when the change
is committed, never before. The query that reads a member's profile reads the token along
(`TOKEN_COLUMN`): their pages pass it in (`curated(token)`) instead of reading it apart. The
content lives in the shared cache under its token (DatabaseCache or Redis in production, see
settings.CACHES); each process also keeps the last content it read, so a request unpickles
nothing while the token stands. Content read while a change is being saved is stored under
the token it was read with, which the commit replaces: no worker keeps stale content.

A change also tells the apps above (`changed`, a signal): the resource directory, whose
resource pages show milestone titles, replaces its own token then.

The objects are shared by every request of a process: read them, never change them.
"""

import functools
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone

from pathways.models import (
    ContentVersion,
    EntryRestriction,
    MatchCycle,
    Milestone,
    Prerequisite,
    Rule,
)
from pathways.rulebook import RuleBook

TOKEN_SQL = "SELECT token FROM pathways_contentversion WHERE id = 1"  # nosec B105 - no secret
# For a profile query's SELECT list: the token read along, as `content_token`.
TOKEN_COLUMN = f"({TOKEN_SQL}) AS content_token"
CONTENT_TIMEOUT = 7 * 24 * 60 * 60  # an old token's content is never read again: it expires

changed = Signal()  # sent when the content changes (`forget`), no arguments


@dataclass
class Curated:
    milestones: list[Milestone]  # in roadmap order, without the long explanation
    prerequisites: list[tuple[int, int, str]]  # (milestone_id, required_id, kind)
    cycles: dict[int, MatchCycle]  # by year
    rules: list[Rule]
    restrictions: list[EntryRestriction]  # entry restrictions by nationality
    # By milestone id, its first RESOURCES_PER_STEP published resources by title: the
    # dashboard's next steps list them.
    resources: dict[int, list["ResourceLink"]]
    token: str = ""  # the version it was read under (a part of the versions made from it)

    @functools.cached_property
    def rulebook(self) -> RuleBook:
        """The rules indexed for lookups by date, once."""
        return RuleBook(self.rules)


@dataclass(frozen=True)
class ResourceLink:
    title: str
    url: str


RESOURCES_PER_STEP = 2


_last: tuple[str, "Curated"] | None = None  # this process's last read: (token, content)


def content_key(token: str) -> str:
    return f"pathways:curated:{token}"


def version() -> str:
    """The current content token (1 query; created if the row is missing, as after a test
    database is flushed)."""
    with connection.cursor() as cursor:
        cursor.execute(TOKEN_SQL)
        row = cursor.fetchone()
    return row[0] if row is not None else bump()


def curated(token: str | None = None) -> Curated:
    """The content under `token` (read along with a member's profile), else the current."""
    global _last
    token = token or version()
    last = _last
    if last is not None and last[0] == token:
        return last[1]
    content = cache.get(content_key(token))
    if content is None:
        content = Curated(
            milestones=list(Milestone.objects.for_roadmap().defer("explanation")),
            prerequisites=list(
                Prerequisite.objects.values_list("milestone_id", "required_id", "kind")
            ),
            cycles={cycle.year: frozen(cycle) for cycle in MatchCycle.objects.all()},
            rules=list(Rule.objects.all()),
            restrictions=list(EntryRestriction.objects.all()),
            resources=resource_links(),
            token=token,
        )
        cache.set(content_key(token), content, timeout=CONTENT_TIMEOUT)
    _last = (token, content)
    return content


def frozen(cycle: MatchCycle) -> MatchCycle:
    """A cycle of the shared content: its dates' infos computed once (MatchCycle.freeze)."""
    cycle.freeze()
    return cycle


def resource_links() -> dict[int, list[ResourceLink]]:
    """Each milestone's first RESOURCES_PER_STEP published resources, by title (1 query).

    Reads the link table that `resources.Resource.milestones` declares, through the reverse
    relation, so pathways does not import the resources app; a change to a resource or its
    links replaces the content token (resources/directory_cache.py `forget`)."""
    order = [F("resource__title").asc(), F("resource_id").asc()]
    rows = (
        Milestone.resources.through.objects.filter(resource__published=True)
        .annotate(place=Window(RowNumber(), partition_by=F("milestone_id"), order_by=order))
        .filter(place__lte=RESOURCES_PER_STEP)
        .order_by("milestone_id", "place")
        .values_list("milestone_id", "resource__title", "resource__slug")
    )
    links = defaultdict(list)
    for milestone_id, title, slug in rows:
        links[milestone_id].append(ResourceLink(title, reverse("resources:detail", args=[slug])))
    return dict(links)


def forget(**kwargs) -> None:
    """The content changed: a new token, in the change's own transaction (visible with it),
    and the apps above told."""
    bump()
    changed.send(sender=ContentVersion)


def bump() -> str:
    """A new token (the row made if missing); the old token's content dropped. The new one."""
    token, now = uuid.uuid4().hex, timezone.now()
    old = ContentVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    if old is None:
        ContentVersion.objects.get_or_create(pk=1, defaults={"token": token, "changed_at": now})
        return version()
    ContentVersion.objects.filter(pk=1).update(token=token, changed_at=now)
    cache.delete(content_key(old))
    return token
