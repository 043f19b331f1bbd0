"""History of curated dates: what a curator changed on a cycle, a rule or a milestone.

Called explicitly from the admin's `save_model` (pathways/admin.py) and from the content
loader (pathways/curated.py, with no user and the release's reason) with the row as it was
before the save; writes one DateChange per changed value (a change of a date's verification
alone is not recorded). Read by the milestone page ("History of this date"), the dashboard
(changes of the last 30 days that affect the member) and the reminders app (emails).
"""

import datetime

from django.db.models import Q

from pathways.models import CycleDate, DateChange, MatchCycle, Milestone, Rule


def shown(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        return f"{value:%-d %b %Y}"
    return str(value)


def record_cycle(
    old: MatchCycle | None,
    new: MatchCycle,
    user,
    reason: str = "",
    field_reasons: dict[str, str] | None = None,
) -> list[DateChange]:
    """`field_reasons` gives a date its own reason (the loader's per-date `change_reasons`)."""
    field_reasons = field_reasons or {}
    if old is None:  # a new cycle is not a change of anything members were told
        return []
    rows = []
    for field in MatchCycle.DATE_FIELDS:  # values only: a change of verification is not one
        before, after = getattr(old, field), getattr(new, field)
        if before != after:
            info = new.info(field)
            rows.append(
                DateChange(
                    kind=DateChange.Kind.CYCLE,
                    cycle=new,
                    field=field,
                    label=f"Match {new.year}: {info.label}",
                    old_value=shown(before),
                    new_value=shown(after),
                    changed_by=user,
                    source_url=info.source_url or new.source_url,
                    reason=field_reasons.get(field, reason),
                )
            )
    return DateChange.objects.bulk_create(rows)


def record_rule(old: Rule | None, new: Rule, user, reason: str = "") -> list[DateChange]:
    label = new.get_key_display()
    rows = []
    if old is None:
        since = f" from {shown(new.effective_from)}" if new.effective_from else ""
        rows.append(("value", f"{label}{since}", "", shown(new.value)))
    else:
        for field in ("value", "effective_from"):
            before, after = getattr(old, field), getattr(new, field)
            if before != after:
                rows.append((field, f"{label} ({new._meta.get_field(field).verbose_name})",
                             shown(before), shown(after)))  # fmt: skip
    return DateChange.objects.bulk_create(
        DateChange(
            kind=DateChange.Kind.RULE,
            rule_key=new.key,
            field=field,
            label=text,
            old_value=before,
            new_value=after,
            changed_by=user,
            source_url=new.source_url,
            reason=reason,
        )
        for field, text, before, after in rows
    )


def record_milestone(
    old: Milestone | None, new: Milestone, user, reason: str = ""
) -> list[DateChange]:
    if old is None or old.deadline == new.deadline:
        return []
    change = DateChange(
        kind=DateChange.Kind.MILESTONE,
        milestone=new,
        field="deadline",
        label=f"{new.title}: deadline",
        old_value=CycleDate(old.deadline).label if old.deadline else "",
        new_value=CycleDate(new.deadline).label if new.deadline else "",
        changed_by=user,
        source_url=new.source_url,
        reason=reason,
    )
    change.save()
    return [change]


# --- Reading the history -------------------------------------------------------------

NOTICE_DAYS = 30  # the dashboard tells a member of changes this recent


def affects(change: DateChange, roadmap) -> bool:
    """Whether a change concerns a member's roadmap (pathways.roadmap.Roadmap)."""
    if change.kind == DateChange.Kind.CYCLE:
        return roadmap.cycle is not None and change.cycle_id == roadmap.cycle.pk
    if change.kind == DateChange.Kind.MILESTONE:
        return any(i.milestone.pk == change.milestone_id for i in roadmap.items)
    return True  # a rule (attempt limit, passing score, window...) may touch every roadmap


def recent_for(roadmap, now: datetime.datetime) -> list[DateChange]:
    """The changes of the last NOTICE_DAYS that concern this member, newest first (1 query)."""
    since = now - datetime.timedelta(days=NOTICE_DAYS)
    changes = DateChange.objects.since(since).order_by("-changed_at", "-pk")
    return [change for change in changes if affects(change, roadmap)]


def of_milestone(milestone: Milestone, cycle: MatchCycle | None):
    """The history of a milestone's date: its deadline field in the member's cycle, and
    the milestone's own deadline (which cycle date it is due by). Newest first."""
    wanted = Q(kind=DateChange.Kind.MILESTONE, milestone=milestone)
    if cycle is not None and milestone.deadline:
        wanted |= Q(kind=DateChange.Kind.CYCLE, cycle=cycle, field=milestone.deadline)
    return DateChange.objects.filter(wanted).order_by("-changed_at", "-pk")
