"""Members' reminder settings, what was sent to them, and their private calendar feed.

All three are member-owned: deleted with the account, never editable by curators.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

HORIZONS = [30, 14, 7, 1]  # days before a date; the fields days_<n> switch each on


class Frequency(models.TextChoices):
    EACH = "each", "An email as each date approaches"
    WEEKLY = "weekly", "One weekly digest, on Mondays"


class ReminderPreference(models.Model):
    """What a member is reminded of and how early. Without a row, the defaults apply:
    `for_user` returns an unsaved instance, so reading never writes."""

    Frequency = Frequency

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    enabled = models.BooleanField("email me reminders", default=True)
    frequency = models.CharField(max_length=10, choices=Frequency, default=Frequency.EACH)
    cycle_deadlines = models.BooleanField("deadlines of my Match cycle", default=True)
    planned_dates = models.BooleanField("dates I planned on my roadmap", default=True)
    interviews = models.BooleanField("interview dates", default=True)
    attempts = models.BooleanField("a planned exam that is my last attempt", default=True)
    exam_window = models.BooleanField("the ECFMG seven-year window closing", default=True)
    expiries = models.BooleanField("my certificate or visa clock running out", default=True)
    official_changes = models.BooleanField("an official date on my roadmap changes", default=True)
    program_changes = models.BooleanField("a fact of a program I keep changes", default=True)
    days_30 = models.BooleanField("30 days before", default=True)
    days_14 = models.BooleanField("14 days before", default=True)
    days_7 = models.BooleanField("7 days before", default=True)
    days_1 = models.BooleanField("1 day before", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values),
                name="reminders_preference_frequency_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder settings of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("reminders:preferences")

    @classmethod
    def for_user(cls, user) -> "ReminderPreference":
        return cls.objects.filter(user=user).first() or cls(user=user)

    @property
    def horizons(self) -> list[int]:
        return [days for days in HORIZONS if getattr(self, f"days_{days}")]

    def wants(self, kind: str) -> bool:
        """Whether this member wants reminders of this kind (see schedule.Dated.kind)."""
        return self.enabled and getattr(self, kind)


class SentReminderQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=SentReminder.Status.PENDING)

    def stale_sending(self, cutoff):
        """Claims whose send began before `cutoff` and never finished: the worker died
        mid-send (rows from before `sending_since` existed count from their claim)."""
        return self.filter(status=SentReminder.Status.SENDING).filter(
            Q(sending_since__lt=cutoff) | Q(sending_since__isnull=True, claimed_at__lt=cutoff)
        )


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Gave up"


class SentReminder(models.Model):
    """One reminder for one member, claimed by inserting this row before it is sent.

    The unique constraint is what makes each reminder go out once: two planning runs at the
    same moment, a retried task or a restarted worker all hit it and skip.
    """

    Status = ReminderStatus

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_reminders"
    )
    subject_key = models.CharField(max_length=120, help_text="What the reminder is about.")
    due_date = models.DateField()
    horizon = models.PositiveSmallIntegerField(help_text="Days before the date (0: a notice).")
    payload = models.JSONField(default=dict, help_text="The email's content, fixed when claimed.")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(auto_now_add=True)
    sending_since = models.DateTimeField(
        null=True, blank=True, help_text="When the latest attempt to send began."
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = SentReminderQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "subject_key", "due_date", "horizon"],
                name="reminders_sentreminder_once",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReminderStatus.values),
                name="reminders_sentreminder_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_key} on {self.due_date} ({self.horizon} days) for {self.user}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A member's private calendar subscription: the token is the only key to the feed.

    Stored in plain text on purpose: the page shows the URL again whenever the member needs
    it, and the token guards nothing the database itself does not already hold (the dates
    in the feed are rows of this same database). Regenerating replaces it; the old URL 404s.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    # When this link (this token) was made: set on creation and when the token is regenerated,
    # never by another save (the feed's own bookkeeping saves too).
    created_at = models.DateTimeField(default=timezone.now)
    # Calendar clients poll the feed: what it last served (a hash of its content) and since
    # when, for ETag / Last-Modified and a 304 to a client that already has it.
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("reminders:feed", args=[self.token])
