"""Fixtures for reminders only: frozen days and the real database worker.

Personas, `curated` and `record` come from tests/conftest.py and tests/factories.py.
"""

import datetime
import signal
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command

ET = zoneinfo.ZoneInfo("America/New_York")
# The day most reminder tests run on: Friday 22 Jan 2027, 7 days before the 2027 cycle's
# regular-registration deadline (Fri 29 Jan 2027, proposed); nothing else of Alice's roadmap
# falls within 7 days (the Pathway deadline is Sun 31 Jan, ranking opens Mon 1 Feb).
DAY = datetime.date(2027, 1, 22)
# A Monday, the weekly digest day: the same deadline is 11 days ahead.
MONDAY = datetime.date(2027, 1, 18)


def travel_to(day: datetime.date, hour: int = 9):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), ET), tick=False)


@pytest.fixture
def on_day():
    """`with on_day(date):` freezes time at 9 am US Eastern on that date."""
    return travel_to


@pytest.fixture
def reminder_day():
    with travel_to(DAY):
        yield DAY


@pytest.fixture
def run_worker(monkeypatch):
    """Run django-tasks-db's real worker until the queue is empty (`db_worker --batch`).

    The worker installs SIGINT/SIGTERM handlers in this process: put pytest's back after.
    Between tasks it drops connections that are not in autocommit mode, which is every
    connection inside a test's transaction on PostgreSQL: that hygiene step is switched off
    here (the threaded test, outside a transaction, keeps it).
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}

    def run() -> None:
        call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)

    yield run
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def plan(curated, run_worker):
    """What cron does, then what the worker does: enqueue_reminders + db_worker --batch."""

    def run() -> None:
        call_command("enqueue_reminders", verbosity=0)
        run_worker()

    return run
