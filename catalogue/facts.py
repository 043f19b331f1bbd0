"""Writing and reading the catalogue's facts: the one place a fact's value changes.

`set_fact` is what the admin, the curators' import and an accepted proposal call: it
writes the value with its source, date and curator, records a FactChange when the value
changed, and, once the transaction commits, sends `facts_changed` with the new changes'
ids (the reminders app tells the members who keep those programs, once each).
"""

import datetime

from django.db import transaction
from django.dispatch import Signal

from .models import UNKNOWN, CatalogueProgram, Fact, FactChange, Origin, clean_value

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
    for fact in Fact.objects.filter(program_id__in=list(found)):
        found[fact.program_id][fact.kind] = fact
    return found
