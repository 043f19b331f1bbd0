"""History of curated dates: what a curator changed on a cycle, a rule or a milestone.

Called explicitly from the admin's `save_model` (pathways/admin.py) with the row as it was
before the save; writes one DateChange per changed value. The reminders app reads them.
"""

import datetime

from pathways.models import CycleDate, DateChange, MatchCycle, Milestone, Rule


def shown(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        return f"{value:%-d %b %Y}"
    return str(value)


def record_cycle(old: MatchCycle | None, new: MatchCycle, user) -> list[DateChange]:
    if old is None:  # a new cycle is not a change of anything members were told
        return []
    rows = []
    for field, label in CycleDate.choices:
        before, after = getattr(old, field), getattr(new, field)
        if before != after:
            rows.append(
                DateChange(
                    kind=DateChange.Kind.CYCLE,
                    cycle=new,
                    field=field,
                    label=f"Match {new.year}: {label}",
                    old_value=shown(before),
                    new_value=shown(after),
                    changed_by=user,
                    source_url=new.source_url,
                )
            )
    return DateChange.objects.bulk_create(rows)


def record_rule(old: Rule | None, new: Rule, user) -> list[DateChange]:
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
        )
        for field, text, before, after in rows
    )


def record_milestone(old: Milestone | None, new: Milestone, user) -> list[DateChange]:
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
    )
    change.save()
    return [change]
