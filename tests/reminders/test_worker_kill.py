"""A worker killed mid-send loses no reminder (issue 20, item 4), with real worker processes.

Two `manage.py db_worker` processes on the test database (PostgreSQL, or on SQLite a file
copy of it: tests/concurrency.py); their mail goes to files (tests/reminders/worker_mail.py),
one file per message the mail server accepted. The first worker is SIGKILLed while its
mail server hangs on a message, after accepting 35 of 60: that reminder is left claimed
(`sending`, its task RUNNING forever). Later runs must retry it once the claim is older than
its bound, and every reminder must reach the mail server exactly once.
"""

import datetime
import email
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from reminders import tasks
from reminders.models import SentReminder

pytestmark = pytest.mark.django_db(transaction=True)

COUNT, KILLED_AFTER = 60, 35
ROOT = pathlib.Path(settings.BASE_DIR)


def in_thread(use_connection, work):
    """Run `work()` on its own connection (the main thread must not touch a shared SQLite
    copy while it is in use); its result."""
    result, errors = [], []

    def run():
        use_connection()
        try:
            result.append(work())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not errors, errors
    return result[0]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"], safe="") + (
        f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    )
    return f"postgres://{user}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def worker(url: str, tmp_path, *args: str, hang_after: int | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings",
        "DATABASE_URL": url,
        "REMINDER_MAIL_DIR": str(tmp_path / "mail"),
    }
    env.pop("REMINDER_MAIL_HANG_AFTER", None)
    if hang_after is not None:
        env["REMINDER_MAIL_HANG_AFTER"] = str(hang_after)
    with open(tmp_path / "worker.log", "ab") as log:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1",
             "--no-reload", *args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def statuses() -> dict:
    return {
        status: SentReminder.objects.filter(status=status).count()
        for status in ["pending", "sending", "sent", "failed"]
    }


def accepted(tmp_path) -> list[str]:
    """The subjects of the messages the mail server accepted, in no particular order."""
    return [
        email.message_from_bytes(path.read_bytes())["Subject"]
        for path in (tmp_path / "mail").glob("*.eml")
    ]


def test_a_killed_worker_loses_no_reminder_and_sends_none_twice(member, tmp_path):
    (tmp_path / "mail").mkdir()
    due = timezone.localdate() + datetime.timedelta(days=7)
    claimed = [
        tasks.claim(member, f"subject-{n:02d}", due, 7, {"subject": f"R{n:02d}", "entries": []})
        for n in range(COUNT)
    ]
    tasks.enqueue_sends([sent.pk for sent in claimed])

    from tests.concurrency import shared_database

    with shared_database(tmp_path) as use_connection:
        url = in_thread(use_connection, database_url)
        first = worker(url, tmp_path, hang_after=KILLED_AFTER)
        try:
            deadline = time.monotonic() + 120
            while not (tmp_path / "hanging").exists():
                assert first.poll() is None, (tmp_path / "worker.log").read_text()
                assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
                time.sleep(0.1)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(30)
        assert len(accepted(tmp_path)) == KILLED_AFTER
        assert in_thread(use_connection, statuses) == {
            "pending": COUNT - KILLED_AFTER - 1, "sending": 1, "sent": KILLED_AFTER, "failed": 0,
        }  # fmt: skip

        def plan_and_run():
            in_thread(use_connection, lambda: tasks.plan_reminders.enqueue(due.isoformat()))
            second = worker(url, tmp_path, "--batch")
            try:
                assert second.wait(180) == 0, (tmp_path / "worker.log").read_text()
            finally:
                if second.poll() is None:  # never left running after a failure
                    second.kill()
                    second.wait(30)

        # The next planning run, while the claim is young: the claim is left alone (the
        # killed worker might still be sending it), every other reminder goes out.
        plan_and_run()
        assert in_thread(use_connection, statuses)["sending"] == 1
        assert len(accepted(tmp_path)) == COUNT - 1

        # A run a day later (past the claim's bound) retries it.
        def age_the_claim():
            old = timezone.now() - datetime.timedelta(days=1)
            return SentReminder.objects.filter(status="sending").update(
                claimed_at=old, sending_since=old
            )

        assert in_thread(use_connection, age_the_claim) == 1
        plan_and_run()
        plan_and_run()  # and a further run sends nothing again

    subjects = accepted(tmp_path)
    assert sorted(subjects) == sorted(f"[IMG Portal] R{n:02d}" for n in range(COUNT))
    assert statuses() == {"pending": 0, "sending": 0, "sent": COUNT, "failed": 0}
    assert sorted(SentReminder.objects.values_list("attempts", flat=True)) == [1] * 59 + [2]
