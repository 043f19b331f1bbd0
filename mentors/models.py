"""Mentor links: a member shares a read-only view of their roadmap with an adviser.

The link carries a long random token (`secrets.token_urlsafe(32)`, 256 bits). Only its
SHA-256 hash is stored, so a leaked database (or backup) does not reveal a live link;
the member sees the full URL once, when the link is made. A plain hash is enough (no
salt, no slow hash): the token is random and long, not a guessable password, and the
hash lets the token page find its row with one indexed lookup.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

DEFAULT_DAYS = 30
MAX_DAYS = 365


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class MentorLinkQuerySet(models.QuerySet):
    def usable(self, today: datetime.date) -> "MentorLinkQuerySet":
        """Links that open: not revoked, not expired (the expiry day still counts), of an
        account that is still active (a deactivated member shares nothing, as their
        calendar feed does not)."""
        return self.filter(revoked_at__isnull=True, expires_on__gte=today, user__is_active=True)

    def for_token(self, token: str, today: datetime.date) -> "MentorLinkQuerySet":
        return self.usable(today).filter(token_hash=hash_token(token))


class MentorLink(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(
        max_length=100, help_text="Who the link is for, e.g. 'Dr Rao, my adviser'."
    )
    expires_on = models.DateField(help_text="The last day the link opens.")
    include_notes = models.BooleanField(
        default=False, help_text="Show the member's notes on milestones to the mentor."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    objects = MentorLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One live link per label, so a double-clicked "Create" does not make two.
            models.UniqueConstraint(
                fields=["user", "label"],
                condition=Q(revoked_at__isnull=True),
                name="mentors_mentorlink_one_live_link_per_label",
            ),
        ]

    def __str__(self) -> str:
        return f"Mentor link for {self.label}"

    def status_on(self, today: datetime.date) -> str:
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_on < today:
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return self.Status(self.status).label
