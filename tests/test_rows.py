"""lib/rows.py: instances from fixed SQL and a written UPDATE, as the ORM makes and runs them
(on SQLite, whose dates and datetimes need the backend's converters, and on PostgreSQL)."""

import datetime

from django.utils import timezone

from accounts.models import Profile
from lib import rows
from pathways.models import Progress
from tests.factories import record


def test_fetch_makes_the_instances_the_orm_makes(member, curated):
    record(member, "step-1", status="done", outcome="passed", attempts=1,
           completed_date=datetime.date(2019, 3, 15))  # fmt: skip
    record(member, "oet", status="in_progress", planned_date=datetime.date(2027, 1, 2))
    sql = (
        f"SELECT {rows.columns(Progress, 'r')}, 42 AS answer FROM pathways_progress r"  # noqa: S608
        " WHERE r.user_id = %s ORDER BY r.id"
    )
    fetched = rows.fetch(Progress, sql, [member.pk])
    expected = list(Progress.objects.filter(user=member).order_by("id"))
    names = [f.attname for f in Progress._meta.concrete_fields]
    assert [[getattr(p, n) for n in names] for p in fetched] == [
        [getattr(p, n) for n in names] for p in expected
    ]
    assert all(timezone.is_aware(p.updated_at) for p in fetched)
    assert [p.answer for p in fetched] == [42, 42]  # a column after the model's: an attribute
    assert not fetched[0]._state.adding and fetched[0]._state.db == "default"
    sql = f"SELECT {rows.columns(Profile, 'p')} FROM accounts_profile p WHERE p.user_id = %s"  # noqa: S608
    [profile] = rows.fetch(Profile, sql, [member.pk])
    assert profile == member.profile and profile.onboarded_at == member.profile.onboarded_at


def test_update_writes_only_where_every_condition_holds(member, curated):
    record(member, "oet", status="in_progress")
    row = Progress.objects.get(user=member, milestone__slug="oet")
    later = row.updated_at + datetime.timedelta(seconds=1)
    stale = {"pk": row.pk, "updated_at": row.updated_at - datetime.timedelta(microseconds=1)}
    assert rows.update(Progress, {"notes": "Not mine"}, stale) == 0
    values = {"planned_date": datetime.date(2027, 1, 3), "notes": "Booked", "updated_at": later}
    assert rows.update(Progress, values, {"pk": row.pk, "updated_at": row.updated_at}) == 1
    row.refresh_from_db()
    assert (row.planned_date, row.notes, row.updated_at) == (
        datetime.date(2027, 1, 3), "Booked", later
    )  # fmt: skip
    # The datetime written compares equal to itself in the next condition (the stale check).
    assert rows.update(Progress, {"notes": "Again"}, {"pk": row.pk, "updated_at": later}) == 1


def test_fetch_joined_makes_each_row_once_and_none_for_a_missing_side(
    member, other_member, curated
):
    from django.contrib.auth import get_user_model

    record(member, "step-1", status="in_progress")
    record(member, "oet", status="done", completed_date=datetime.date(2026, 9, 1))
    sql = (
        f"SELECT {rows.columns(get_user_model(), 'u')}, {rows.columns(Progress, 'r')}"  # noqa: S608
        " FROM accounts_user u LEFT JOIN pathways_progress r ON r.user_id = u.id"
        " WHERE u.id IN (%s, %s) ORDER BY u.id, r.id"
    )
    found = rows.fetch_joined((get_user_model(), Progress), sql, [member.pk, other_member.pk])
    assert [(user.email, progress and progress.milestone.slug) for user, progress in found] == [
        (member.email, "step-1"),
        (member.email, "oet"),
        (other_member.email, None),  # no progress: the outer join's missing side
    ]
    assert found[0][0] is found[1][0]  # the member's row, made once
    assert found[1][1].completed_date == datetime.date(2026, 9, 1)
