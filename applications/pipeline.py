"""Write side of the pipeline: creating applications, changing status, carrying over.

Every change of status is dated and kept (StatusChange). Saves compare the version the
member's form was read at; a stale one raises `Stale` carrying the saved row, so the
page can show both values and lose nothing.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import Application, Program, Status, StatusChange


class Stale(Exception):
    def __init__(self, saved: Application):
        super().__init__("The application changed since this form was opened.")
        self.saved = saved


class Duplicate(Exception):
    pass


class ReadOnly(Exception):
    pass


def current_cycle(profile, today: datetime.date) -> int:
    """The member's Match year; without one, the Match whose ERAS season is open or next."""
    if profile is not None and profile.match_year:
        return profile.match_year
    return today.year + 1 if today.month >= 6 else today.year


def is_read_only(cycle: int, current: int) -> bool:
    """Cycles before the member's current one are kept as history."""
    return cycle < current


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
            status=status, status_changed_on=on, version=F("version") + 1
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
