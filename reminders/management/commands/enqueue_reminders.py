"""Enqueue today's reminder planning. Run by a systemd timer (or cron) in production;
the worker (`manage.py db_worker`) does the work. Safe to run as often as you like:
each reminder is claimed once in the database."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from reminders.tasks import plan_reminders


class Command(BaseCommand):
    help = "Enqueue the planning of today's reminders (run hourly or daily by a timer)."

    def handle(self, *args, verbosity, **options):
        today = timezone.localdate()
        result = plan_reminders.enqueue(today.isoformat())
        if verbosity:
            self.stdout.write(f"Enqueued reminder planning for {today} (task {result.id}).")
