"""Background work (Django 6 tasks, run by django-tasks-db's `manage.py db_worker`).

`plan_reminders` finds what is due today for every member and claims each reminder by
inserting its SentReminder row (the unique constraint makes the claim exclusive); only the
run that inserted the row enqueues `send_reminder` for it. `send_reminder` moves the row from
pending to sending with a conditional UPDATE, so a duplicated task sends nothing twice, and
retries a failing send a bounded number of times. Logs carry ids, never email addresses.

A worker killed mid-send (SIGKILL, out of memory, a machine restart) leaves its row in
`sending` and its task RUNNING for ever. Each planning run hands such a claim to a new
`send_reminder` once it is older than SENDING_TIMEOUT, far longer than a send can take (the
SMTP connection times out after EMAIL_TIMEOUT, 30 s by default: settings.py), so a live send
is never doubled. A reminder the mail server accepted is marked sent in the same task; only
one killed between the server's acceptance and that write could go out twice.
"""

import datetime
import logging

from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from accounts.models import Notice, Profile
from catalogue.models import FactChange
from lib.dates import member_today
from pathways import history
from pathways.models import DateChange
from reminders import emails, program_changes
from reminders.models import ReminderPreference, SentReminder
from reminders.schedule import dated_items, digest_items, due_reminders, member_roadmap

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
RETRY_AFTER = [datetime.timedelta(minutes=5), datetime.timedelta(minutes=30),
               datetime.timedelta(hours=2)]  # fmt: skip
CHANGES_LOOKBACK = datetime.timedelta(days=history.NOTICE_DAYS)
ORPHAN_AFTER = datetime.timedelta(minutes=15)  # pending but never enqueued (a crash)
SENDING_TIMEOUT = datetime.timedelta(minutes=15)  # sending, its worker gone (see above)


def claim(user, key: str, due_date: datetime.date, horizon: int, payload: dict):
    """Insert the reminder's row; None if it was already claimed (by any run, ever)."""
    try:
        with transaction.atomic():
            return SentReminder.objects.create(
                user=user, subject_key=key, due_date=due_date, horizon=horizon, payload=payload
            )
    except IntegrityError:
        return None


def member_day(profile: Profile, today: datetime.date) -> datetime.date:
    """`today` (a date of the site's, US Eastern) as it is where the member lives: shifted as
    their own date is from the site's right now (lib.dates.member_today), so a member in
    Cairo is reminded on their Tuesday, not on New York's Monday evening."""
    return today + (member_today(profile) - timezone.localdate())


def plan_member(profile: Profile, prefs: ReminderPreference, today, changes) -> list[int]:
    """Claim this member's reminders due today (their date); the ids of the rows claimed."""
    today = member_day(profile, today)
    user = profile.user
    if not prefs.enabled:
        return []
    roadmap = member_roadmap(user, today)
    if roadmap is None:
        return []
    items = dated_items(roadmap, user)
    claimed = []
    for item, horizon in due_reminders(items, prefs, today):
        payload = emails.reminder_payload(item, today)
        claimed.append(claim(user, item.key, item.date, horizon, payload))
    digest = digest_items(items, prefs, today)
    if digest:
        claimed.append(claim(user, "weekly-digest", today, 7, emails.digest_payload(digest, today)))
    if prefs.official_changes:
        for change in changes:
            if change.changed_at >= user.date_joined and history.affects(change, roadmap):
                payload = emails.change_payload(change)
                changed_on = timezone.localdate(change.changed_at)
                claimed.append(claim(user, f"change-{change.pk}", changed_on, 0, payload))
    return [sent.pk for sent in claimed if sent is not None]


def enqueue_sends(ids: list[int]) -> None:
    for sent_id in ids:
        send_reminder.enqueue(sent_id)


@task()
def plan_reminders(today_iso: str) -> int:
    """Claim and enqueue every member's reminders due on that day. Returns how many."""
    today = datetime.date.fromisoformat(today_iso)
    changes = list(
        DateChange.objects.since(timezone.now() - CHANGES_LOOKBACK).select_related("milestone")
    )
    profiles = Profile.objects.filter(
        onboarded_at__isnull=False, user__is_active=True
    ).select_related("user")
    prefs = {p.user_id: p for p in ReminderPreference.objects.all()}
    total = 0
    for profile in profiles:
        member_prefs = prefs.get(profile.user_id) or ReminderPreference(user=profile.user)
        ids = plan_member(profile, member_prefs, today, changes)
        enqueue_sends(ids)
        total += len(ids)
    # Fact changes of catalogue programs: normally told at once (tell_program_changes); a
    # fan-out that was lost (its task never enqueued or never run) is caught up here, once.
    recent = FactChange.objects.filter(changed_at__gte=timezone.now() - CHANGES_LOOKBACK)
    told = program_changes_told(list(recent.select_related("program")))
    enqueue_sends(told)
    total += len(told)
    enqueue_sends(orphans(timezone.now()))
    logger.info("Planned %d reminders for %s", total, today_iso)
    return total


# A member's saves come in bursts (their exam history, row by row): one planning run after
# the burst, not one per save. PLAN_DELAY is how long a run waits for more saves; PLAN_GAP,
# how long after enqueueing one a save counts on it (shorter, so that every save commits
# before the run it counts on starts, even with some clock skew between machines).
PLAN_DELAY = datetime.timedelta(seconds=30)
PLAN_GAP = PLAN_DELAY - datetime.timedelta(seconds=5)


def plan_soon(sender, user, **kwargs) -> None:
    """`accounts.signals.situation_changed`: plan this member's reminders once the save
    commits, within PLAN_DELAY (a clock found already run out is told then).

    The first save of a burst enqueues the run, PLAN_DELAY ahead; the saves after it, for
    PLAN_GAP, find the run pending (a mark in the situation cache, per process without
    Redis: at worst one run per process) and add nothing; the run reads all of them. A run
    plans from what is saved when it runs, and claims each reminder once, so a second run
    is harmless."""
    transaction.on_commit(lambda: plan_after_burst(user.pk))


def plan_after_burst(user_id: int) -> None:
    pending = f"reminders:plan-soon:{user_id}"
    if caches["situation"].add(pending, True, timeout=PLAN_GAP.total_seconds()):
        today = timezone.localdate().isoformat()
        run_after = timezone.now() + PLAN_DELAY
        plan_member_reminders.using(run_after=run_after).enqueue(user_id, today)


def program_changes_told(changes: list[FactChange]) -> list[int]:
    """Each member who keeps a changed catalogue program gets its dashboard notice (once:
    unique per member and change) and, if their settings allow, its email claimed (once: the
    claim's unique constraint). The ids of the emails claimed by this call."""
    keepers = program_changes.keepers(changes)
    Notice.objects.bulk_create(
        [program_changes.notice(keeper) for keeper in keepers], ignore_conflicts=True
    )
    users = {keeper.user.pk for keeper in keepers}
    prefs = {p.user_id: p for p in ReminderPreference.objects.filter(user_id__in=users)}
    # The daily catch-up sees the same changes for 30 days: skip what is claimed already
    # (one query) rather than fail an insert per member and change every day.
    done = set(
        SentReminder.objects.filter(
            user_id__in=users, subject_key__in={keeper.key for keeper in keepers}, horizon=0
        ).values_list("user_id", "subject_key")
    )
    claimed = []
    for keeper in keepers:
        if (keeper.user.pk, keeper.key) in done:
            continue
        member_prefs = prefs.get(keeper.user.pk) or ReminderPreference(user=keeper.user)
        if member_prefs.wants("program_changes"):
            payload = program_changes.payload(keeper)
            claimed.append(claim(keeper.user, keeper.key, keeper.due_date, 0, payload))
    return [sent.pk for sent in claimed if sent is not None]


@task()
def tell_program_changes(change_ids: list[int]) -> int:
    """Tell the members who keep these programs of these fact changes; how many emails."""
    changes = list(FactChange.objects.filter(pk__in=change_ids).select_related("program"))
    ids = program_changes_told(changes)
    enqueue_sends(ids)
    logger.info("Fact changes %s: %d emails claimed", change_ids, len(ids))
    return len(ids)


def program_changes_soon(sender, change_ids, **kwargs) -> None:
    """`catalogue.facts.facts_changed` (sent once the change has committed): tell the
    members in the background, so a curator's save never waits for the fan-out."""
    tell_program_changes.enqueue(list(change_ids))


def orphans(now: datetime.datetime) -> list[int]:
    """Claims no task will send: pending but never enqueued, or `sending` for longer than
    a send can take (the worker died). A claim that killed its worker MAX_ATTEMPTS times
    is given up."""
    stale = SentReminder.objects.stale_sending(now - SENDING_TIMEOUT)
    given_up = stale.filter(attempts__gte=MAX_ATTEMPTS).update(status=SentReminder.Status.FAILED)
    if given_up:
        logger.error("%d reminders gave up: their worker died on each attempt", given_up)
    never_enqueued = SentReminder.objects.pending().filter(
        claimed_at__lt=now - ORPHAN_AFTER, attempts=0
    )
    ids = list(never_enqueued.values_list("pk", flat=True))
    ids += stale.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True)
    if ids:
        logger.warning("Re-enqueued %d orphaned reminders", len(ids))
    return ids


@task()
def plan_member_reminders(user_id: int, today_iso: str) -> int:
    """The same for one member: run when they save their preferences."""
    today = datetime.date.fromisoformat(today_iso)
    profile = Profile.objects.select_related("user").filter(user_id=user_id).first()
    if profile is None or not profile.is_onboarded:
        return 0
    changes = list(DateChange.objects.since(timezone.now() - CHANGES_LOOKBACK))
    ids = plan_member(profile, ReminderPreference.for_user(profile.user), today, changes)
    enqueue_sends(ids)
    return len(ids)


@task()
def send_reminder(sent_id: int) -> str:
    """Send one claimed reminder; retried up to MAX_ATTEMPTS times in all."""
    now = timezone.now()
    takeable = SentReminder.objects.pending() | SentReminder.objects.stale_sending(
        now - SENDING_TIMEOUT
    ).filter(attempts__lt=MAX_ATTEMPTS)
    taken = takeable.filter(pk=sent_id).update(
        status=SentReminder.Status.SENDING, sending_since=now, attempts=F("attempts") + 1
    )
    if not taken:  # already sent, being sent, given up, or deleted with the account
        return "skipped"
    sent = SentReminder.objects.select_related("user", "user__reminder_preference").get(pk=sent_id)
    prefs = getattr(sent.user, "reminder_preference", None)
    if prefs is not None and not prefs.enabled:  # unsubscribed since it was claimed
        sent.status = SentReminder.Status.FAILED
        sent.save(update_fields=["status"])
        return "unsubscribed"
    try:
        emails.build_message(sent.user, sent.payload).send()
    except Exception as error:  # any failure of the mail server is retried
        # The error's text can hold the recipient's address: log its type only.
        if sent.attempts >= MAX_ATTEMPTS:
            sent.status = SentReminder.Status.FAILED
            sent.save(update_fields=["status"])
            logger.error(
                "Reminder %s gave up after %d attempts (%s)",
                sent.pk, sent.attempts, type(error).__name__,
            )  # fmt: skip
            return "failed"
        sent.status = SentReminder.Status.PENDING
        sent.save(update_fields=["status"])
        delay = RETRY_AFTER[min(sent.attempts, len(RETRY_AFTER)) - 1]
        logger.warning(
            "Reminder %s attempt %d failed (%s); retrying in %s",
            sent.pk, sent.attempts, type(error).__name__, delay,
        )  # fmt: skip
        send_reminder.using(run_after=timezone.now() + delay).enqueue(sent.pk)
        return "retrying"
    sent.status = SentReminder.Status.SENT
    sent.sent_at = timezone.now()
    sent.save(update_fields=["status", "sent_at"])
    logger.info("Reminder %s sent", sent.pk)
    return "sent"
