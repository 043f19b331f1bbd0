"""Reminders through the real database backend and the real worker (`db_worker --batch`)."""

import datetime
import email
import email.policy
import logging
import threading

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from reminders import tasks
from reminders.models import ReminderPreference, SentReminder
from tests.concurrency import shared_database
from tests.factories import record, verify_cycle
from tests.reminders.conftest import DAY, MONDAY


def planned(user, slug: str, date: datetime.date, **fields) -> None:
    record(user, slug, planned_date=date, **fields)


def reminders_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


@pytest.fixture
def alice(member, curated, reminder_day):
    """Alice (2027 Match, J-1) on Friday 22 Jan 2027, 7- and 1-day reminders."""
    ReminderPreference.objects.create(user=member, days_30=False, days_14=False)  # 7 and 1 days
    return member


def test_the_worker_sends_the_due_reminder_once(alice, plan):
    plan()
    # 7 days before the (proposed) NRMP regular-registration deadline of her 2027 cycle.
    [message] = reminders_to(alice)
    assert (
        "NRMP regular-registration deadline (late fee after) (Match 2027) (proposed)"
        in message.subject
    )
    assert "Friday 29 January 2027 (proposed: not yet confirmed officially), in 7 days" in (
        message.body
    )
    assert "http://127.0.0.1:8000/roadmap/m/nrmp-registration/" in message.body
    assert "http://127.0.0.1:8000/reminders/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="http://127.0.0.1:8000/roadmap/m/nrmp-registration/"' in html
    assert "<em>(proposed: not yet confirmed officially)</em>" in html
    sent = SentReminder.objects.get(user=alice)
    assert (sent.subject_key, sent.due_date, sent.horizon, sent.status) == (
        "nrmp-registration-nrmp_early_registration_deadline",
        datetime.date(2027, 1, 29),
        7,
        SentReminder.Status.SENT,
    )
    # Every task ran to success through the database backend.
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    # The same day again (cron runs hourly): nothing new.
    plan()
    assert len(reminders_to(alice)) == 1


def test_one_click_unsubscribe_headers_survive_serialisation(alice, plan):
    plan()
    [message] = reminders_to(alice)
    raw = message.message(policy=email.policy.SMTP).as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    header = parsed["List-Unsubscribe"]
    assert header.startswith("<http://127.0.0.1:8000/reminders/unsubscribe/")
    assert header.endswith("/>")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert b"=?utf-8?" not in raw.split(b"\r\n\r\n")[0].split(b"Subject:")[0]


def test_no_proposed_mark_once_the_date_is_verified(alice, plan):
    cycle = verify_cycle(2027)
    assert cycle.needs_review  # per date: the cycle's review flag does not decide
    plan()
    [message] = reminders_to(alice)
    assert "proposed" not in message.subject
    assert "proposed" not in message.body


def test_reminders_move_with_the_days(alice, plan, on_day):
    def registration() -> list:
        return [m for m in reminders_to(alice) if "regular-registration" in m.subject]

    plan()
    assert len(registration()) == len(reminders_to(alice)) == 1  # 7 days before
    for day in (23, 24, 25, 26, 27):  # 6..2 days before: nothing new for this date
        with on_day(datetime.date(2027, 1, day)):
            plan()
    assert len(registration()) == 1
    with on_day(datetime.date(2027, 1, 28)):  # 1 day before
        plan()
        plan()
    assert len(registration()) == 2
    assert "tomorrow" in registration()[1].subject
    with on_day(datetime.date(2027, 1, 30)):  # past: nothing
        plan()
    assert len(registration()) == 2


def test_planned_dates_and_last_attempt(alice, plan):
    planned(alice, "step-1", DAY + datetime.timedelta(days=1), attempts=3)
    plan()
    subjects = sorted(m.subject for m in reminders_to(alice))
    assert any("USMLE Step 1 (your planned date): tomorrow" in s for s in subjects)
    assert any("your last attempt (3 of 4 used): tomorrow" in s for s in subjects)


def test_weekly_digest_instead(alice, plan, on_day):
    ReminderPreference.objects.filter(user=alice).update(frequency="weekly", days_30=True)
    planned(alice, "step-1", MONDAY + datetime.timedelta(days=20))
    with on_day(MONDAY):
        plan()
    [digest] = reminders_to(alice)
    assert digest.subject.startswith("[IMG Portal] Your week ahead:")
    assert "NRMP regular-registration deadline" in digest.body
    assert "USMLE Step 1 (your planned date)" in digest.body
    with on_day(MONDAY + datetime.timedelta(days=1)):
        plan()
    assert len(reminders_to(alice)) == 1


def test_switched_off_and_other_members_get_only_their_own(alice, other_member, plan):
    # Bob: 2028 Match
    planned(other_member, "step-1", DAY + datetime.timedelta(days=7))
    ReminderPreference.objects.filter(user=alice).update(enabled=False)
    plan()
    assert reminders_to(alice) == []
    [bob] = reminders_to(other_member)
    assert "USMLE Step 1 (your planned date)" in bob.subject
    assert "NRMP" not in bob.body  # his 2028 cycle's deadline is a year away


def test_members_without_preferences_get_the_defaults(member, curated, reminder_day, plan):
    plan()
    assert len(reminders_to(member)) >= 1
    assert not ReminderPreference.objects.filter(user=member).exists()


def test_a_duplicated_send_task_sends_once(alice, plan, run_worker):
    plan()
    sent = SentReminder.objects.get(user=alice)
    tasks.send_reminder.enqueue(sent.pk)  # a retried or duplicated task
    run_worker()
    assert len(reminders_to(alice)) == 1


def test_two_planning_runs_queued_together_send_once(alice, curated, run_worker):
    from django.core.management import call_command

    call_command("enqueue_reminders", verbosity=0)
    call_command("enqueue_reminders", verbosity=0)
    run_worker()
    assert len(reminders_to(alice)) == 1
    assert DBTaskResult.objects.filter(task_path="reminders.tasks.plan_reminders").count() == 2


def test_claims_are_exclusive(alice):
    first = tasks.claim(alice, "k", DAY, 7, {})
    assert first is not None
    assert tasks.claim(alice, "k", DAY, 7, {}) is None
    assert tasks.claim(alice, "k", DAY, 1, {}) is not None
    assert SentReminder.objects.filter(user=alice).count() == 2


class FailingMailer:
    """A mail server that refuses `failures` times; its error names the recipient."""

    def __init__(self, failures: int):
        self.failures = failures

    def __call__(self, message_self, *args, **kwargs):
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError(f"refused for {message_self.to[0]}")
        return original_send(message_self, *args, **kwargs)


original_send = None


@pytest.fixture
def failing_mailer(monkeypatch):
    global original_send
    from django.core.mail import EmailMultiAlternatives

    original_send = EmailMultiAlternatives.send

    def install(failures: int) -> FailingMailer:
        mailer = FailingMailer(failures)
        monkeypatch.setattr(
            EmailMultiAlternatives, "send", lambda self, *a, **k: mailer(self, *a, **k)
        )
        return mailer

    return install


def test_failing_sends_are_retried_then_given_up_without_personal_data_in_logs(
    alice, plan, run_worker, failing_mailer, caplog
):
    failing_mailer(failures=10)
    caplog.set_level(logging.INFO, logger="reminders")
    plan()
    sent = SentReminder.objects.get(user=alice)
    assert (sent.status, sent.attempts) == ("pending", 1)
    # Each retry waits (run_after); the worker picks it up once it is due.
    for minutes in (6, 40, 200, 600):
        with time_machine.travel(
            datetime.datetime(2027, 1, 22, 14, 0, tzinfo=datetime.UTC)
            + datetime.timedelta(minutes=minutes),
            tick=False,
        ):
            run_worker()
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == ("failed", tasks.MAX_ATTEMPTS)
    assert reminders_to(alice) == []
    assert "gave up after 4 attempts (ConnectionRefusedError)" in caplog.text
    assert alice.email not in caplog.text
    assert "alice" not in caplog.text


def test_a_failing_send_succeeds_on_retry(alice, plan, run_worker, failing_mailer):
    failing_mailer(failures=1)
    plan()
    assert reminders_to(alice) == []
    with time_machine.travel(
        datetime.datetime(2027, 1, 22, 14, 10, tzinfo=datetime.UTC), tick=False
    ):
        run_worker()
    assert len(reminders_to(alice)) == 1
    assert SentReminder.objects.get(user=alice).status == "sent"


def test_unsubscribing_after_the_claim_stops_the_send(alice, curated, run_worker):
    from django.core.management import call_command

    call_command("enqueue_reminders", verbosity=0)
    ReminderPreference.objects.filter(user=alice).update(enabled=False)
    run_worker()
    assert reminders_to(alice) == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_exactly_one_email(member, curated, tmp_path):
    """Two real workers in two threads, each with its own database connection, over two
    planning tasks queued at the same moment: one email per reminder.

    SQLite: the workers run on a file copy of the test database with the production
    options (tests/concurrency.py); their claims wait for each other on BEGIN IMMEDIATE
    (django-tasks-db makes its own claim EXCLUSIVE) instead of failing.
    """
    from django.core.management import call_command

    with time_machine.travel(datetime.datetime(2027, 1, 22, 14, 0, tzinfo=datetime.UTC)):
        ReminderPreference.objects.create(user=member, days_30=False, days_14=False)
        for _ in range(4):
            call_command("enqueue_reminders", verbosity=0)
        barrier = threading.Barrier(2)
        errors = []

        def work(name: str) -> None:
            use_connection()
            try:
                barrier.wait()
                Worker(
                    queue_names=["default"],
                    interval=0,
                    batch=True,
                    backend_name="default",
                    startup_delay=False,
                    max_tasks=None,
                    worker_id=name,
                    excluded_queue_names=[],
                ).run()
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                connection.close()

        with shared_database(tmp_path) as use_connection:
            threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in (1, 2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
                assert not thread.is_alive()
    assert errors == []
    assert len(reminders_to(member)) == 1
    results = DBTaskResult.objects.filter(task_path="reminders.tasks.plan_reminders")
    assert set(results.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert results.count() == 4
    # Both workers took part.
    workers = set()
    for ids in DBTaskResult.objects.values_list("worker_ids", flat=True):
        workers.update(ids)
    assert workers == {"w1", "w2"}


def test_a_member_who_signs_up_today_is_reminded_without_logging_in_again(
    client, curated, run_worker, on_day
):
    """Sign up on 1 Oct 2026, never come back: the cron + worker run every day until
    30 Dec, and the right emails arrive on the right days."""
    import re

    from django.urls import reverse

    from accounts.models import User

    start = datetime.date(2026, 10, 1)
    with on_day(start):
        email_address = "newcomer@example.com"
        signup = {
            "email": email_address,
            "password1": "a-long-pass-42!",
            "password2": "a-long-pass-42!",
        }
        assert client.post(reverse("account_signup"), signup).status_code == 302
        [verification] = mail.outbox
        confirm = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", verification.body)
        assert client.post(confirm.group(1)).status_code == 302
        onboarding = {
            "school_country": "India",
            "school_name": "Example Medical College",
            "graduation_year": "2024",
            "specialty": "Internal Medicine",
            "match_year": "2027",
            "visa": "j1",
        }
        assert client.post(reverse("accounts:onboarding"), onboarding).status_code == 302
        assert client.get(reverse("pathways:dashboard")).status_code == 200
        user = User.objects.get(email=email_address)
        planned(user, "step-1", datetime.date(2026, 12, 15))
        client.logout()
    mail.outbox.clear()
    received = []
    day = start
    while day <= datetime.date(2026, 12, 30):
        with on_day(day):
            before = len(mail.outbox)
            call_command("enqueue_reminders", verbosity=0)
            run_worker()
            received += [(day, m.subject) for m in mail.outbox[before:]]
        day += datetime.timedelta(days=1)

    def days_of(text: str) -> list[datetime.date]:
        return [day for day, subject in received if text in subject]

    # ECFMG's advice to take the OET by the end of December (31 Dec, proposed): 30, 14, 7
    # and 1 day before.
    assert days_of("Take the OET by") == [
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 17),
        datetime.date(2026, 12, 24),
        datetime.date(2026, 12, 30),
    ]
    # Their own planned Step 1 date (15 Dec).
    assert days_of("Pass USMLE Step 1 (your planned date)") == [
        datetime.date(2026, 11, 15),
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 8),
        datetime.date(2026, 12, 14),
    ]
    # Never the same subject twice on one day, and nothing for dates already past at sign-up.
    assert len(received) == len(set(received))
    assert not any("ERAS season opens" in subject for _, subject in received)


def test_a_claim_that_killed_its_worker_each_time_is_given_up(alice, curated, run_worker):
    """A `sending` claim past its bound is retried, but not after MAX_ATTEMPTS attempts."""
    old = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC)
    claim = {"user": alice, "due_date": MONDAY, "horizon": 7, "status": "sending"}
    stale = SentReminder.objects.create(
        subject_key="a", attempts=tasks.MAX_ATTEMPTS, sending_since=old, **claim
    )
    young = SentReminder.objects.create(
        subject_key="b", attempts=1, sending_since=timezone.now(), **claim
    )
    assert tasks.orphans(timezone.now()) == []
    stale.refresh_from_db()
    young.refresh_from_db()
    assert (stale.status, young.status) == ("failed", "sending")
    # The young one is not taken by a duplicated task either.
    assert tasks.send_reminder.call(young.pk) == "skipped"


def test_reminders_follow_the_members_own_date(alice, plan):
    """Thursday 21 Jan 2027, 8 pm in New York, is already Friday 22 Jan in Tokyo: 7 days
    before the 29 Jan deadline for Alice there, still 8 for a member on Eastern time."""
    from tests.reminders.conftest import travel_to

    with travel_to(datetime.date(2027, 1, 21), hour=20):
        plan()
        assert reminders_to(alice) == []
        alice.profile.time_zone = "Asia/Tokyo"
        alice.profile.save(update_fields=["time_zone"])
        plan()
    [message] = reminders_to(alice)
    assert "in 7 days" in message.body


def test_a_burst_of_saves_plans_once_after_it_and_a_later_save_again(
    alice, client, django_capture_on_commit_callbacks
):
    """A member records their history row by row: one planning run after the burst, not one
    per save; the run waits PLAN_DELAY for the rest of the burst, and a save after PLAN_GAP
    plans again."""
    from django.urls import reverse

    client.force_login(alice)
    url = reverse("pathways:progress", args=["step-1"])
    started = timezone.now()  # frozen: Friday 22 Jan 2027, 9 am US Eastern
    with django_capture_on_commit_callbacks(execute=True):
        for notes in ("Booked", "Booked for May", "Booked for June"):
            data = {"status": "in_progress", "attempts": 0, "notes": notes}
            assert client.post(url, data).status_code == 302
    plans = DBTaskResult.objects.filter(task_path="reminders.tasks.plan_member_reminders")
    [run] = plans
    assert run.args_kwargs["args"][0] == alice.pk
    assert run.run_after == started + tasks.PLAN_DELAY
    later = started + tasks.PLAN_GAP + datetime.timedelta(seconds=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        data = {"status": "in_progress", "attempts": 1, "notes": "Sat it"}
        assert client.post(url, data).status_code == 302
    assert [plan.run_after for plan in plans.order_by("enqueued_at")] == [
        started + tasks.PLAN_DELAY,
        later + tasks.PLAN_DELAY,
    ]
