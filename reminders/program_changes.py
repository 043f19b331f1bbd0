"""Who is told that a fact of a catalogue program changed, and what they read.

When a curator changes a fact (`catalogue.facts.set_fact` records a FactChange and sends
`facts_changed` on commit), every member who keeps that program on their list (an
applications Program linked to the catalogue entry) gets one dashboard notice and, if their
reminder settings allow it, one email. Members who do not keep it get nothing; a program a
member keeps privately (not linked to the catalogue) is never matched, whatever its name.

The applications app is read through `apps.get_model` (reminders and applications never
import each other). The writing (notices, claims) is in reminders/tasks.py.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone
from django.utils.text import Truncator

from accounts.models import Notice
from catalogue.models import FactChange, FactKind
from lib.dates import fmt
from reminders.emails import absolute

VALUE_SHOWN = 200  # a long note is cut in notices and subjects; the program page has it all


@dataclass(frozen=True)
class Keeper:
    """One member to tell of one change: the change and the member's own program row."""

    change: FactChange
    program: object  # applications.Program, with its user

    @property
    def user(self):
        return self.program.user

    @property
    def key(self) -> str:
        return f"catalogue:{self.change.pk}"

    @property
    def due_date(self) -> datetime.date:
        return timezone.localdate(self.change.changed_at)


def keepers(changes: list[FactChange]) -> list[Keeper]:
    """The members who keep each changed program, and kept it before the change (one who
    added it later saw the new value already): 1 query."""
    if not changes:
        return []
    program_model = apps.get_model("applications", "Program")
    rows = program_model.objects.filter(
        catalogue_id__in={change.program_id for change in changes}, user__is_active=True
    ).select_related("user")
    by_catalogue: dict[int, list] = {}
    for row in rows:
        by_catalogue.setdefault(row.catalogue_id, []).append(row)
    return [
        Keeper(change, program)
        for change in changes
        for program in by_catalogue.get(change.program_id, [])
        if program.created_at <= change.changed_at
    ]


def shown(value: str) -> str:
    return Truncator(value).chars(VALUE_SHOWN) if value else "not recorded"


def summary(change: FactChange) -> str:
    label = FactKind(change.kind).label
    return (
        f"{change.program.name}: {label} changed from {shown(change.old_value)} "
        f"to {shown(change.new_value)}"
    )


def checked(change: FactChange) -> str:
    return f"checked {fmt(change.checked_on)}" if change.checked_on else ""


def notice(keeper: Keeper) -> Notice:
    change = keeper.change
    when = checked(change)
    return Notice(
        user=keeper.user,
        key=f"catalogue-change:{change.pk}",
        message=f"{summary(change)}{f' ({when})' if when else ''}.",
        url=keeper.program.get_absolute_url(),
        source_url=change.source_url,
    )


def payload(keeper: Keeper) -> dict:
    """The email's content, fixed when the reminder is claimed (reminders/emails.py)."""
    change = keeper.change
    return {
        "subject": f"Changed: {change.program.name}: {FactKind(change.kind).label}",
        "entries": [],
        "program_change": {
            "summary": summary(change),
            "checked": checked(change),
            "source_url": change.source_url,
            "url": absolute(keeper.program.get_absolute_url()),
        },
    }
