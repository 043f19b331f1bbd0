"""Writing and reading the catalogue's facts: the one place a fact's value changes.

`set_fact` is what the admin, the curators' import and an accepted proposal call: it
writes the value with its source, date and curator, records a FactChange when the value
changed, and, once the transaction commits, sends `facts_changed` with the new changes'
ids (the reminders app tells the members who keep those programs, once each).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal

from .models import (
    BOOLEAN_KINDS,
    UNKNOWN,
    CatalogueProgram,
    Fact,
    FactChange,
    FactKind,
    Origin,
    clean_value,
)

# Sent after the commit of one or more fact changes: `change_ids` (list of FactChange pks).
facts_changed = Signal()


def announce(changes: list[FactChange]) -> None:
    ids = [change.pk for change in changes]
    if ids:
        transaction.on_commit(lambda: facts_changed.send(sender=FactChange, change_ids=ids))


def set_fact(
    program: CatalogueProgram,
    kind: str,
    value: str,
    *,
    source_url: str = "",
    checked_on: datetime.date | None = None,
    by=None,
    origin: str = Origin.CURATOR,
    manual: bool | None = None,
    announce_now: bool = True,
) -> FactChange | None:
    """Give `program` this value of fact `kind` (validated by `clean_value`); returns the
    FactChange recorded, or None when the value did not change (a new source or date for
    the same value is kept, but members are not told of it).

    Validation is the fields' and `Fact.clean`'s, without Django's one query per database
    constraint (the database still enforces them; `clean` covers each with a message): 3
    queries a fact instead of about 17. A caller writing many facts passes
    `announce_now=False` and calls `announce(changes)` once (one task for the lot)."""
    value = clean_value(kind, value)
    with transaction.atomic():  # the row lock lasts until the caller's commit
        fact = Fact.objects.select_for_update().filter(program=program, kind=kind).first()
        old = fact.value if fact is not None else ""
        if fact is None:
            fact = Fact(program=program, kind=kind)
        fact.value = value
        fact.source_url = source_url if value != UNKNOWN or source_url else ""
        fact.checked_on = checked_on
        fact.checked_by = by
        fact.origin = origin
        fact.manual = origin == Origin.CURATOR if manual is None else manual
        fact.full_clean(
            exclude=["program", "checked_by"], validate_unique=False, validate_constraints=False
        )
        fact.save()
        if old == value:
            return None
        change = FactChange.objects.create(
            program=program,
            kind=kind,
            old_value=old,
            new_value=value,
            source_url=source_url,
            checked_on=checked_on,
            changed_by=by,
            origin=origin,
        )
    if announce_now:
        announce([change])
    return change


def facts_by_program(program_ids) -> dict[int, dict[str, Fact]]:
    """The current facts of these catalogue programs: {program id: {kind: Fact}} (1 query)."""
    found: dict[int, dict[str, Fact]] = {pk: {} for pk in program_ids}
    # No ordering: the default (by program) joins the programs' table for nothing.
    for fact in Fact.objects.filter(program_id__in=list(found)).order_by():
        found[fact.program_id][fact.kind] = fact
    return found


@dataclass(frozen=True)
class FactRow:
    """One fact of a catalogue program as a page shows it: every kind, unknown included."""

    kind: str
    label: str
    value: str  # as shown: "Yes", "220", the note's text; "" when unknown
    known: bool
    source_url: str
    checked_on: datetime.date | None
    mine: str = ""  # the member's own value where it differs (their program page)


def shown_value(kind: str, value: str) -> str:
    if value == UNKNOWN or not value:
        return ""
    if kind in BOOLEAN_KINDS:
        return value.capitalize()
    return value


def fact_rows(facts: dict[str, Fact]) -> list[FactRow]:
    """Every kind of fact in FactKind's order, from `facts` ({kind: Fact}, as
    facts_by_program gives); a kind without a row is unknown."""
    rows = []
    for kind, label in FactKind.choices:
        fact = facts.get(kind)
        value = fact.value if fact is not None else UNKNOWN
        rows.append(
            FactRow(
                kind=kind,
                label=label,
                value=shown_value(kind, value),
                known=value != UNKNOWN,
                source_url=fact.source_url if fact is not None else "",
                checked_on=fact.checked_on if fact is not None else None,
            )
        )
    return rows
