"""The curated roadmap content (milestones, prerequisites, Match cycles, rules, entry
restrictions), cached.

It changes only when a curator saves or the content loader runs, and every member's
roadmap reads all of it: one cache entry instead of four queries per request. Any save or
delete of those models drops the entry (signals connected in PathwaysConfig.ready, so the
admin, CSV import and the shell are all covered); the loader drops it explicitly after its
bulk writes, which send no signals. Nothing personal is ever cached here.

The shared cache (DatabaseCache or Redis in production, see settings.CACHES) holds a version
token and the content under that token; each process also keeps the last version it read, so
a request costs one small read of the token instead of unpickling the whole content (about a
tenth of the dashboard's time). A change writes a new token: every worker sees it on its next
request. Content read from the database while a change is being saved can only be stored
under the token it was read with, which the change replaces: no worker keeps stale content.

The objects are shared by every request of a process: read them, never change them.
"""

import functools
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from pathways.models import EntryRestriction, MatchCycle, Milestone, Prerequisite, Rule
from pathways.rulebook import RuleBook

VERSION_KEY = "pathways:curated:version"


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
    """The current content token (created on first use)."""
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(VERSION_KEY)
    return token


def curated() -> Curated:
    global _last
    token = version()
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
        cache.set(content_key(token), content, timeout=None)
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
    """A new version: the next roadmap reads the content afresh. Again after the commit, so
    content read by another worker before the change was committed is not kept."""
    bump()
    transaction.on_commit(bump)


def bump() -> None:
    old = cache.get(VERSION_KEY)
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    if old is not None:
        cache.delete(content_key(old))
