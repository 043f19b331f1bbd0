"""The curated roadmap content (milestones, prerequisites, Match cycles, rules), cached.

It changes only when a curator saves or the content loader runs, and every member's
roadmap reads all of it: one cache entry instead of four queries per request. Any save or
delete of those models drops the entry (signals connected in PathwaysConfig.ready, so the
admin, CSV import and the shell are all covered); the loader drops it explicitly after its
bulk writes, which send no signals. Nothing personal is ever cached here.

The cache must be shared between workers in production (DatabaseCache or Redis, see
settings.CACHES), or a worker could serve content another worker's curator just changed.
"""

from dataclasses import dataclass

from django.core.cache import cache

from pathways.models import MatchCycle, Milestone, Prerequisite, Rule

KEY = "pathways:curated:v1"


@dataclass
class Curated:
    milestones: list[Milestone]  # in roadmap order, without the long explanation
    prerequisites: list[tuple[int, int, str]]  # (milestone_id, required_id, kind)
    cycles: dict[int, MatchCycle]  # by year
    rules: list[Rule]


def curated() -> Curated:
    content = cache.get(KEY)
    if content is None:
        content = Curated(
            milestones=list(Milestone.objects.for_roadmap().defer("explanation")),
            prerequisites=list(
                Prerequisite.objects.values_list("milestone_id", "required_id", "kind")
            ),
            cycles={cycle.year: cycle for cycle in MatchCycle.objects.all()},
            rules=list(Rule.objects.all()),
        )
        cache.set(KEY, content, timeout=None)
    return content


def forget(**kwargs) -> None:
    """Drop the cached content; the next roadmap reads it afresh."""
    cache.delete(KEY)
