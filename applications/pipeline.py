"""The season's rules and its write side: which cycle is editable, creating applications,
changing status, carrying over, signals against their allowance, the rank order list.

Every change of status is dated and kept (StatusChange). Saves compare the version the
member's form was read at; a stale one raises `Stale` carrying the saved row, so the
page can show both values and lose nothing. A write into a past cycle raises `ReadOnly`
(`check_editable`): the views map it to one answer (views/season.py).
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from pathways.models import RuleKey

from .models import RANKABLE, Application, Program, SignalAllowance, Status, StatusChange


class Stale(Exception):
    """The row changed since the member's form was read; `saved` is the row as saved now."""

    def __init__(self, saved):
        super().__init__("This changed since this form was opened.")
        self.saved = saved


class Duplicate(Exception):
    pass


class ReadOnly(Exception):
    """A write into a past Match cycle, which is kept as history."""

    def __init__(self, cycle: int):
        super().__init__(f"Match {cycle} is past: it is kept read-only.")
        self.cycle = cycle


class SignalsUsed(Exception):
    """Every signal of this kind the specialty allows in this cycle is already placed."""


def current_cycle(profile, today: datetime.date) -> int:
    """The member's Match year; without one, the Match whose ERAS season is open or next."""
    if profile is not None and profile.match_year:
        return profile.match_year
    return today.year + 1 if today.month >= 6 else today.year


def is_read_only(cycle: int, current: int) -> bool:
    """Cycles before the member's current one are kept as history."""
    return cycle < current


def check_editable(cycle: int, current: int) -> None:
    """Raise `ReadOnly` for a write into a past cycle."""
    if is_read_only(cycle, current):
        raise ReadOnly(cycle)


def save_unless_stale(form, version: int):
    """Save a valid edit form (a VersionedForm) if its row is still at `version`; else raise
    `Stale` with the row as saved now, and write nothing. The form's own save runs, under
    the row's lock, and the version moves on by one."""
    model = type(form.instance)
    with transaction.atomic():
        saved = model.objects.select_for_update().get(pk=form.instance.pk)
        if saved.version != version:
            raise Stale(saved)
        form.instance.version = saved.version + 1
        return form.save()


def create_application(
    user, program: Program, *, specialty: str, cycle: int, today: datetime.date, status=None
) -> Application:
    status = status or Status.RESEARCHING
    try:
        with transaction.atomic():
            application = Application.objects.create(
                user=user,
                program=program,
                specialty=specialty,
                cycle=cycle,
                status=status,
                status_changed_on=today,
            )
            StatusChange.objects.create(
                user=user, application=application, to_status=status, changed_on=today
            )
    except IntegrityError:
        raise Duplicate from None
    return application


def change_status(
    user, pk: int, *, status: str, on: datetime.date, version: int | None, notes: str | None = None
) -> Application:
    """Set the status (and optionally notes) if the row is still at `version`."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update().select_related("program").get(pk=pk, user=user)
        )
        if version is not None and application.version != version:
            raise Stale(application)
        changed = status != application.status
        if changed:
            StatusChange.objects.create(
                user=user,
                application=application,
                from_status=application.status,
                to_status=status,
                changed_on=on,
            )
            application.status = status
            application.status_changed_on = on
        if notes is not None:
            application.notes = notes
        application.version = F("version") + 1
        application.save()
        application.refresh_from_db(fields=["version"])
    return application


def bulk_change_status(
    user, pks: list[int], *, status: str, on: datetime.date, versions: dict[int, int]
) -> tuple[int, list[Application]]:
    """Move many applications at once; unchanged ones are left alone. `versions` holds the
    version the page showed for each id: a row saved since (another tab, a single edit that
    committed first) is not moved but returned as skipped. Returns (moved, skipped)."""
    with transaction.atomic():
        locked = list(
            Application.objects.select_for_update()
            .select_related("program")
            .filter(user=user, pk__in=pks)
            .order_by("pk")
        )
        skipped = [row for row in locked if versions.get(row.pk, row.version) != row.version]
        rows = [row for row in locked if row not in skipped and row.status != status]
        StatusChange.objects.bulk_create(
            StatusChange(
                user=user,
                application=row,
                from_status=row.status,
                to_status=status,
                changed_on=on,
            )
            for row in rows
        )
        Application.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=status,
            status_changed_on=on,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
    return len(rows), skipped


def carry_over(user, *, from_cycle: int, to_cycle: int, today: datetime.date) -> int:
    """Start `to_cycle` with the programs of `from_cycle`, fresh (researching)."""
    old = Application.objects.filter(user=user, cycle=from_cycle).values_list(
        "program_id", "specialty"
    )
    have = set(
        Application.objects.filter(user=user, cycle=to_cycle).values_list("program_id", "specialty")
    )
    wanted = [
        (program_id, specialty)
        for program_id, specialty in old
        if (program_id, specialty) not in have
    ]
    with transaction.atomic():
        created = Application.objects.bulk_create(
            Application(
                user=user,
                program_id=program_id,
                specialty=specialty,
                cycle=to_cycle,
                status=Status.RESEARCHING,
                status_changed_on=today,
            )
            for program_id, specialty in wanted
        )
        StatusChange.objects.bulk_create(
            StatusChange(user=user, application=row, to_status=row.status, changed_on=today)
            for row in created
        )
    return len(created)


# --- Signals ---------------------------------------------------------------------------


def signal_summary(applications, allowances) -> list[dict]:
    """Gold and silver signals used per specialty, against the recorded allowance."""
    used: dict[str, Counter] = {}
    for application in applications:
        counter = used.setdefault(application.specialty, Counter())
        if application.signal:
            counter[application.signal] += 1
    by_specialty = {allowance.specialty.lower(): allowance for allowance in allowances}
    rows = []
    for specialty in sorted(used, key=str.lower):
        allowance = by_specialty.get(specialty.lower())
        rows.append(
            {
                "specialty": specialty,
                "gold": used[specialty]["gold"],
                "silver": used[specialty]["silver"],
                "allowance": allowance,
                "over": allowance is not None
                and (
                    used[specialty]["gold"] > allowance.gold
                    or used[specialty]["silver"] > allowance.silver
                ),
            }
        )
    return rows


def set_signal(user, application: Application, signal: str) -> None:
    """Place (or clear, with "") the application's signal; `SignalsUsed` when the recorded
    allowance of its specialty and cycle is spent. Without a recorded allowance nothing is
    enforced (the page says so)."""
    allowance = SignalAllowance.objects.filter(
        cycle=application.cycle, specialty__iexact=application.specialty
    ).first()
    limit = getattr(allowance, signal, None) if signal and allowance else None
    if limit is not None:
        used = (
            Application.objects.filter(
                user=user,
                cycle=application.cycle,
                specialty__iexact=application.specialty,
                signal=signal,
            )
            .exclude(pk=application.pk)
            .count()
        )
        if used >= limit:
            raise SignalsUsed(
                f"You have used all {limit} {signal} signals for {application.specialty} "
                f"in Match {application.cycle}."
            )
    Application.objects.filter(pk=application.pk, user=user).update(
        signal=signal, updated_at=timezone.now()
    )


# --- The rank order list ---------------------------------------------------------------


def rank_list(user, cycle: int) -> list[Application]:
    """The cycle's rankable applications in the member's order (unranked last, by name)."""
    rows = Application.objects.filter(user=user, cycle=cycle, status__in=RANKABLE).select_related(
        "program"
    )
    return sorted(rows, key=lambda a: (a.rank is None, a.rank or 0, a.program.name.lower(), a.pk))


def move_in_rank(user, application: Application, direction: str) -> int:
    """Swap the application with its neighbour ("up" or "down"); returns its place."""
    return move_to(user, application, direction=direction)


def move_to(
    user,
    application: Application,
    *,
    direction: str = "to",
    position: int | None = None,
    was: int | None = None,
) -> int:
    """Move the application up, down, or to `position` (1 = first; past the end = last),
    then number the whole list from 1; returns its new place.

    `was` is the place the member's page showed: when the list changed since (another tab
    moved something), the move is refused with `Stale` carrying the saved row (its current
    place in `saved.place`), and nothing is written. The list is read under lock, so two
    moves never interleave."""
    with transaction.atomic():
        list(
            Application.objects.select_for_update()
            .filter(user=user, cycle=application.cycle, status__in=RANKABLE)
            .values_list("pk", flat=True)
        )
        rows = rank_list(user, application.cycle)
        index = next(i for i, row in enumerate(rows) if row.pk == application.pk)
        if was is not None and was != index + 1:
            saved = rows[index]
            saved.place = index + 1
            raise Stale(saved)
        if direction == "up":
            target = index - 1
        elif direction == "down":
            target = index + 1
        else:
            target = (position or 1) - 1
        target = max(0, min(target, len(rows) - 1))
        row = rows.pop(index)
        rows.insert(target, row)
        changed, now = [], timezone.now()
        for number, row in enumerate(rows, 1):
            if row.rank != number:
                row.rank, row.updated_at = number, now
                changed.append(row)
        Application.objects.bulk_update(changed, ["rank", "updated_at"])
    return target + 1


# --- NRMP's limits on rank order lists ---------------------------------------------------

NRMP_FEES_URL = "https://www.nrmp.org"  # the extra-rank fee: no sourced amount (season review F)


@dataclass(frozen=True)
class RankLimit:
    """One NRMP limit against the member's list: `count` of `limit` (None: no rule recorded)."""

    label: str
    count: int
    limit: int | None
    rule: object | None  # the pathways Rule record (source, review state), if any
    fee: bool  # crossing it costs extra-rank fees (amount unsourced) rather than being refused

    @property
    def state(self) -> str:
        if self.limit is None:
            return "unknown"
        if self.count > self.limit:
            return "over"
        return "at" if self.count == self.limit else "under"

    @property
    def over_by(self) -> int:
        return max(0, self.count - (self.limit or 0))


def program_code(application: Application):
    """What NRMP counts once: the program code, or the application itself when none is recorded."""
    code = application.program.nrmp_code.strip().upper()
    return code or ("application", application.pk)


def rank_limits(rows: list[Application], rules, on: datetime.date) -> list[RankLimit]:
    """The member's rank list against NRMP's rules in force on `on` (`rules` a RuleBook): unique
    program codes on the primary list and on the supplemental lists before extra-rank fees, and
    the most ranks on any one list. Pure: reads only its arguments."""
    primary = [row for row in rows if not row.supplemental]
    supplemental = [row for row in rows if row.supplemental]
    most = RuleKey.NRMP_MAX_RANKS_PER_LIST

    def limit(label, count, key, fee):
        record = rules.record(key, on)
        value = record.value if record is not None else None
        return RankLimit(label=label, count=count, limit=value, rule=record, fee=fee)

    limits = [
        limit(
            "Programs on your primary list",
            len({program_code(row) for row in primary}),
            RuleKey.NRMP_PRIMARY_PROGRAMS_COVERED,
            True,
        ),
        limit("Ranks on your primary list", len(primary), most, False),
    ]
    if supplemental:
        limits += [
            limit(
                "Programs on your supplemental lists (preliminary, transitional)",
                len({program_code(row) for row in supplemental}),
                RuleKey.NRMP_SUPPLEMENTAL_PROGRAMS_COVERED,
                True,
            ),
            limit("Ranks on your supplemental lists", len(supplemental), most, False),
        ]
    return limits
