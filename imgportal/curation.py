"""The curators' review queue: everything a curator should check, most urgent first.

It spans the curated content of every app (Match-cycle dates, rules, milestones, resources),
so it lives with the project rather than in one app. Members' proposals for the program
catalogue are listed beside it, oldest first (each links to its page in the admin, where it
is accepted, edited or rejected: catalogue/admin.py, catalogue/proposals.py); the list shows
the proposal itself, never who sent it. Served inside the admin at
/admin/review/ for staff who may view the curated content, behind the admin's own gate
(a second factor required, imgportal/admin_access.py).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Proposal
from imgportal.admin_access import staff_view
from pathways.models import MatchCycle, Milestone, Rule
from resources.models import Resource

STALE_DAYS = 365


@dataclass
class Task:
    rank: int  # 0 = most urgent
    when: datetime.date | None
    kind: str
    name: str
    why: str
    url: str


def cycle_tasks(cycles: list[MatchCycle], today: datetime.date) -> list[Task]:
    """Proposed or missing dates; the live cycle (the next Match Day) first."""
    live = next((c for c in cycles if c.match_day >= today), None)
    tasks = []
    for cycle in cycles:
        if cycle.match_day < today:
            continue  # a past Match: nothing for members to plan by
        url = reverse("admin:pathways_matchcycle_change", args=[cycle.pk])
        for name in MatchCycle.DATE_FIELDS:
            info = cycle.info(name)
            if info.verified:
                continue
            why = "not set" if info.date is None else f"proposed ({info.basis})"
            rank = 0 if cycle == live else 1
            tasks.append(Task(rank, info.date, f"Match {cycle.year}", info.label, why, url))
    return tasks


def content_tasks(today: datetime.date) -> list[Task]:
    stale = today - datetime.timedelta(days=STALE_DAYS)
    flagged = Q(needs_review=True) | Q(last_reviewed__lt=stale) | Q(last_reviewed__isnull=True)
    tasks = []
    sources = [
        (Rule.objects.filter(flagged), "Rule", "admin:pathways_rule_change"),
        (Milestone.objects.filter(flagged), "Milestone", "admin:pathways_milestone_change"),
        (
            Resource.objects.filter(flagged).order_by("-published", "title"),
            "Resource",
            "admin:resources_resource_change",
        ),
    ]
    for queryset, kind, url_name in sources:
        for row in queryset:
            reasons = []
            if row.needs_review:
                reasons.append("needs review")
            if row.last_reviewed is None or row.last_reviewed < stale:
                reasons.append("not reviewed in 12 months")
            if kind == "Resource" and not row.published:
                reasons.append("unpublished")
            rank = 2 if row.needs_review else 3
            url = reverse(url_name, args=[row.pk])
            tasks.append(Task(rank, row.last_reviewed, kind, str(row), ", ".join(reasons), url))
    return tasks


PROPOSALS_SHOWN = 200  # the oldest first: a longer queue is worked from the admin's list


def open_proposals() -> list[Proposal]:
    """Members' open proposals, oldest first, with their program (1 query)."""
    rows = Proposal.objects.filter(status=Proposal.Status.OPEN).select_related("program")
    return list(rows.order_by("created_at", "pk")[:PROPOSALS_SHOWN])


@staff_view
def review_queue(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("pathways.view_matchcycle"):
        raise PermissionDenied
    today = timezone.localdate()
    cycles = list(MatchCycle.objects.order_by("year"))
    tasks = [*cycle_tasks(cycles, today), *content_tasks(today)]
    tasks.sort(key=lambda t: (t.rank, t.when or datetime.date.max))
    context = {"tasks": tasks, "title": "Review queue", "today": today}
    if request.user.has_perm("catalogue.view_proposal"):
        context["proposals"] = open_proposals()
    return render(request, "admin/review_queue.html", context)
