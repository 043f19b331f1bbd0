"""A bulk status change racing a single edit of one of the same applications, for real:
two threads, each with its own database connection, through the real views.

Alice's index page shows three applications, all "Applied" at version 1. From it she
moves all three to "Interview invited" (the bulk form, which carries each card's version),
while another tab moves the second one to "Rejected" (the card's status form, version 1).
Whichever commits first wins; the other is told and loses nothing:

- bulk first: all three are "Interview invited" (version 2); the single edit answers 200
  with the conflict ("you chose Rejected; it is now Interview invited"), saving nothing.
- single first: the second is "Rejected" (version 2); the bulk change moves the other two
  and reports the second as not moved, naming it.

Either way each application has exactly one new history row, whose `from_status` is
"Applied", and no request answers 5xx.

The order is forced: the first thread pauses inside its transaction, just after it read
(and locked) the rows; the second is let go and seen waiting (PostgreSQL: on the row
lock; SQLite: on BEGIN IMMEDIATE) before the first commits. A third test lets both go at a
barrier, several times, and accepts exactly one of the two end states.

SQLite: the in-memory test database cannot take two writers (shared-cache table locks
fail at once), so the threads run on a file copy with the production options (WAL,
IMMEDIATE transactions, a 20 s busy timeout), copied back for the assertions
(tests/concurrency.py).
"""

import threading
import time

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from applications.models import Application, StatusChange
from tests.concurrency import shared_database
from tests.factories import make_application

pytestmark = pytest.mark.django_db(transaction=True)

BULK = reverse("applications:bulk_status")
TARGET, OTHER = "interview_invited", "rejected"


@pytest.fixture
def apps_of_alice(member):
    """Three applications of Alice's 2027 Match, "Applied", version 1."""
    return [make_application(member, status="applied") for _ in range(3)]


class Gate:
    """Pauses a thread's request inside the transaction that reads the rows it changes,
    and tells when a thread is about to wait for the other's lock."""

    def __init__(self):
        self.inside = threading.Event()  # the first thread holds its lock
        self.go = threading.Event()  # the first thread may commit
        self.knocking = threading.Event()  # the second thread asks for the lock

    def hold(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        locked = context["connection"].in_atomic_block and "applications_application" in sql
        if locked and sql.lstrip().upper().startswith("SELECT") and not self.inside.is_set():
            self.inside.set()
            assert self.go.wait(30)
        return result

    def knock(self, execute, sql, params, many, context):
        in_atomic = context["connection"].in_atomic_block
        if sql.startswith("BEGIN") or (in_atomic and "FOR UPDATE" in sql):
            self.knocking.set()
        return execute(sql, params, many, context)


def waiting_for_a_lock() -> bool:
    """PostgreSQL: another backend of this database waits on a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def clients(member) -> tuple[Client, Client]:
    page, tab = Client(), Client()
    page.force_login(member)
    tab.force_login(member)
    return page, tab


def bulk_data(applications) -> dict:
    data = {"ids": [a.pk for a in applications], "status": TARGET, "cycle": "2027"}
    data.update({f"version-{a.pk}": a.version for a in applications})
    return data


def run(first, second, use_connection, gate=None):
    """Run two callables in two threads; `first` pauses in its transaction (with a
    gate) until `second` is waiting for the lock. Returns their results and errors."""
    results, errors = {}, []

    def worker(name, call, wrapper):
        use_connection()
        try:
            if wrapper is None:
                results[name] = call()
            else:
                with connections["default"].execute_wrapper(wrapper):
                    results[name] = call()
        except Exception as error:  # pragma: no cover - reported by the assertion
            errors.append(error)
            gate and gate.go.set()
        finally:
            connections["default"].close()

    if gate is None:
        barrier = threading.Barrier(2)

        def at_barrier(call):
            return lambda: (barrier.wait(), call())[1]

        threads = [
            threading.Thread(target=worker, args=("first", at_barrier(first), None)),
            threading.Thread(target=worker, args=("second", at_barrier(second), None)),
        ]
        for thread in threads:
            thread.start()
    else:
        threads = [threading.Thread(target=worker, args=("first", first, gate.hold))]
        threads[0].start()
        assert gate.inside.wait(30)
        threads.append(threading.Thread(target=worker, args=("second", second, gate.knock)))
        threads[1].start()
        assert gate.knocking.wait(30)
        if connection.vendor == "postgresql":
            deadline = time.monotonic() + 30
            while not waiting_for_a_lock():
                assert time.monotonic() < deadline, "the second request never waited"
                time.sleep(0.02)
        else:
            time.sleep(0.3)  # BEGIN IMMEDIATE is waiting on the busy timeout by now
        gate.go.set()
    for thread in threads:
        thread.join(60)
        assert not thread.is_alive()
    return results, errors


def history(application) -> list[tuple[str, str]]:
    return list(
        StatusChange.objects.filter(application=application)
        .order_by("pk")
        .values_list("from_status", "to_status")
    )


def state(applications) -> list[tuple[str, int]]:
    rows = Application.objects.in_bulk([a.pk for a in applications])
    return [(rows[a.pk].status, rows[a.pk].version) for a in applications]


def assert_bulk_won(applications, bulk, single) -> None:
    assert state(applications) == [(TARGET, 2)] * 3
    assert bulk.status_code == 302
    assert [str(m) for m in get_messages(bulk.wsgi_request)] == [
        "Moved 3 applications to Interview invited."
    ]
    assert single.status_code == 200
    text = single.content.decode()
    assert "Not saved: this application changed in another tab." in text
    assert "You chose <strong>Rejected</strong>; it is now <strong>Interview invited" in text
    for application in applications:
        assert history(application) == [("", "applied"), ("applied", TARGET)]


def assert_single_won(applications, bulk, single) -> None:
    second = applications[1]
    assert state(applications) == [(TARGET, 2), (OTHER, 2), (TARGET, 2)]
    assert single.status_code == 200 and "Saved." in single.content.decode()
    assert bulk.status_code == 302
    assert [str(m) for m in get_messages(bulk.wsgi_request)] == [
        "Moved 2 applications to Interview invited.",
        f"Not moved: {second.program.name} changed in another tab since the page was "
        "loaded. Check it and choose again.",
    ]
    assert history(second) == [("", "applied"), ("applied", OTHER)]
    for application in (applications[0], applications[2]):
        assert history(application) == [("", "applied"), ("applied", TARGET)]


def requests_for(member, applications):
    page, tab = clients(member)
    second = applications[1]
    status_url = reverse("applications:application_status", args=[second.pk])

    def bulk():
        return page.post(BULK, bulk_data(applications))

    def single():
        return tab.post(status_url, {"status": OTHER, "version": 1}, headers={"HX-Request": "true"})

    return bulk, single


def test_bulk_change_first_the_single_edit_gets_the_conflict(member, apps_of_alice, tmp_path):
    bulk, single = requests_for(member, apps_of_alice)
    with shared_database(tmp_path) as use_connection:
        results, errors = run(bulk, single, use_connection, Gate())
    assert errors == []
    assert_bulk_won(apps_of_alice, results["first"], results["second"])


def test_single_edit_first_the_bulk_change_skips_that_row(member, apps_of_alice, tmp_path):
    bulk, single = requests_for(member, apps_of_alice)
    with shared_database(tmp_path) as use_connection:
        results, errors = run(single, bulk, use_connection, Gate())
    assert errors == []
    assert_single_won(apps_of_alice, results["second"], results["first"])


def test_at_the_same_moment_one_of_the_two_wins_exactly(member, tmp_path):
    winners = []
    for _ in range(4):
        applications = [make_application(member, status="applied") for _ in range(3)]
        bulk, single = requests_for(member, applications)
        with shared_database(tmp_path) as use_connection:
            results, errors = run(bulk, single, use_connection)
        assert errors == []
        bulk_response, single_response = results["first"], results["second"]
        if Application.objects.get(pk=applications[1].pk).status == OTHER:
            assert_single_won(applications, bulk_response, single_response)
            winners.append("single")
        else:
            assert_bulk_won(applications, bulk_response, single_response)
            winners.append("bulk")
    assert len(winners) == 4
