"""Measure the applications page with 150 applications and an htmx status change.

    DATABASE_URL=postgres://... IMGPORTAL_TESTING=1 python manage.py benchmark_applications

Creates a throwaway member (bench-applications@example.invalid) with N programs and
applications in the current cycle, measures with Django's test Client (in-process: the same
middleware, templates and queries as a real request), interleaved round by round:

  (a) a plain page: /healthz
  (b) the applications page: /applications/ (N cards)
  (c) an htmx status change: POST /applications/a/<pk>/status/ with HX-Request

prints median and p95 latency and the ratios to the plain page, then deletes the member
(every row goes with the account). Use a throwaway database, never production.
"""

import datetime
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.utils import timezone

from accounts.models import Profile, User
from applications.models import Application, Program, StatusChange

EMAIL = "bench-applications@example.invalid"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Benchmark the applications page and an htmx status change (throwaway member)."

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=150)
        parser.add_argument("--rounds", type=int, default=100)

    def handle(self, *args, applications: int, rounds: int, **options):
        User.objects.filter(email=EMAIL).delete()
        user = User.objects.create_user(email=EMAIL, password=None)
        try:
            pk = self.populate(user, applications)
            self.measure(user, pk, rounds)
        finally:
            user.delete()

    def populate(self, user, count: int) -> int:
        today = timezone.localdate()
        Profile.objects.create(
            user=user, graduation_year=2020, match_year=today.year + 1, visa=Profile.Visa.J1,
            onboarded_at=timezone.now(),
        )  # fmt: skip
        programs = Program.objects.bulk_create(
            Program(user=user, name=f"Bench Program {n:04}", specialty="Internal Medicine")
            for n in range(count)
        )
        rows = Application.objects.bulk_create(
            Application(
                user=user,
                program=program,
                specialty=program.specialty,
                cycle=today.year + 1,
                status="applied",
                status_changed_on=datetime.date(today.year, 9, 1),
            )
            for program in programs
        )
        StatusChange.objects.bulk_create(
            StatusChange(user=user, application=row, to_status="applied", changed_on=today)
            for row in rows
        )
        return rows[0].pk

    def measure(self, user, pk: int, rounds: int) -> None:
        hosts = [host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"]
        client = Client(
            SERVER_NAME=hosts[0] if hosts else "localhost",
            secure=getattr(settings, "SECURE_SSL_REDIRECT", False),
        )
        client.force_login(user)
        statuses = ["interview_invited", "applied"]
        state = {"n": 0}

        def plain():
            return client.get("/healthz")

        def page():
            return client.get("/applications/")

        def status_change():
            version = Application.objects.values_list("version", flat=True).get(pk=pk)
            state["n"] += 1
            return client.post(
                f"/applications/a/{pk}/status/",
                {"status": statuses[state["n"] % 2], "version": version},
                headers={"HX-Request": "true"},
            )

        targets = {
            "plain (/healthz)": plain,
            "applications page": page,
            "htmx status": status_change,
        }

        def timed(call) -> float:
            started = time.perf_counter()
            response = call()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise CommandError(f"{call.__name__} answered {response.status_code}")
            return elapsed

        for call in targets.values():
            for _ in range(3):
                timed(call)
        results: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(rounds):
            for name, call in targets.items():
                results[name].append(timed(call))
        count = Application.objects.filter(user=user).count()
        self.stdout.write(f"{rounds} requests per URL, {count} applications.")
        self.stdout.write(f"{'':20} {'median ms':>10} {'p95 ms':>10}")
        medians = {}
        for name, values in results.items():
            medians[name] = statistics.median(values)
            self.stdout.write(f"{name:20} {medians[name]:10.2f} {percentile(values, 0.95):10.2f}")
        plain_ms = medians["plain (/healthz)"]
        self.stdout.write(
            f"Ratio page/plain:   {medians['applications page'] / plain_ms:.1f}\n"
            f"Ratio status/plain: {medians['htmx status'] / plain_ms:.1f}"
        )
