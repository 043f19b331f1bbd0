"""Measure the resource directory and search against a plain page, at scale.

    DATABASE_URL=postgres://... IMGPORTAL_TESTING=1 python manage.py benchmark --resources 100000

Inserts N synthetic published resources (slugs starting with "bench-") into the
configured database, measures with Django's test Client (in-process, no network;
the same middleware, templates and queries as a real request):

  (a) a plain page: /healthz (one SELECT 1)
  (b) the directory page: /resources/
  (c) a search request as htmx sends it while typing: /resources/?q=... with HX-Request

interleaved round by round, prints median and p95 latency and the ratios to the
plain page, EXPLAINs the search query (to show the GIN index is used), then deletes
the synthetic rows again (unless --keep). Use a throwaway or staging database,
never production: the rows are public while the benchmark runs.
"""

import random
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from resources.models import Category, Cost, Resource

SLUG_PREFIX = "bench-"
SEARCH_QUERY = "visa sponsor"  # as typed: the last word is still incomplete
# Share of synthetic rows that mention the searched words (the rest never match).
MATCH_SHARE = 0.01
SYLLABLES = [
    "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "an", "el", "is", "or", "um", "bre",
    "cla", "dro", "fen", "gri", "hal", "jun", "ket", "lum", "mor", "nal", "pex", "qua",
]  # fmt: skip
LOCATIONS = ["Online", "United States", "Tennessee", "Washington", "Illinois"]


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def synthetic_resources(count: int, seed: int = 42) -> list[Resource]:
    # Reproducible synthetic data, not a secret.
    rng = random.Random(seed)  # nosec B311
    words = vocabulary(rng)
    today = timezone.localdate()

    def text(length: int) -> str:
        return " ".join(rng.choices(words, k=length))

    resources = []
    for number in range(count):
        title, summary = text(4).capitalize(), text(18) + "."
        if rng.random() < MATCH_SHARE:
            # Spread the match over the weighted fields so ranking has work to do.
            title = rng.choice([f"Visa sponsorship {title}", title])
            summary = f"Visa sponsorship and {summary}"
        resources.append(
            Resource(
                title=title,
                slug=f"{SLUG_PREFIX}{number}",
                organisation=text(2).title(),
                category=rng.choice(Category.values),
                summary=summary,
                description=f"{text(40)}.\n\n{text(30)}.",
                url=f"https://example.org/{number}",
                cost=rng.choice(Cost.values),
                location=rng.choice(LOCATIONS),
                published=True,
                last_reviewed=today,
            )
        )
    return resources


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Benchmark the resource directory and search against a plain page (see docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--resources", type=int, default=100_000)
        parser.add_argument("--requests", type=int, default=200, help="Requests per URL.")
        parser.add_argument("--keep", action="store_true", help="Keep the synthetic rows.")

    def handle(self, *args, resources: int, requests: int, keep: bool, **options):
        if resources < 1 or requests < 2:
            raise CommandError("--resources must be >= 1 and --requests >= 2.")
        vendor = connection.vendor
        self.stdout.write(f"Database: {vendor} ({connection.settings_dict['NAME']})")
        Resource.objects.filter(slug__startswith=SLUG_PREFIX).delete()  # an earlier crash
        try:
            self.insert(resources)
            self.measure(requests)
            self.explain()
        finally:
            if not keep:
                started = time.perf_counter()
                deleted = Resource.objects.filter(slug__startswith=SLUG_PREFIX).delete()[0]
                self.stdout.write(
                    f"Deleted {deleted} synthetic rows in {time.perf_counter() - started:.1f} s."
                )

    def insert(self, count: int) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            Resource.objects.bulk_create(synthetic_resources(count), batch_size=2000)
        if connection.vendor == "postgresql":
            # The steady state autovacuum would reach: statistics and the visibility map
            # (index-only scans for the directory's count and location list).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE resources_resource")
        total = Resource.objects.published().count()
        self.stdout.write(
            f"Inserted {count} synthetic resources in {time.perf_counter() - started:.1f} s "
            f"({total} published in all)."
        )

    def client(self) -> Client:
        hosts = [host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"]
        secure = getattr(settings, "SECURE_SSL_REDIRECT", False)
        return Client(SERVER_NAME=hosts[0] if hosts else "localhost", secure=secure)

    def measure(self, rounds: int) -> None:
        client = self.client()
        targets = {
            "plain (/healthz)": ("/healthz", {}),
            "directory (/resources/)": ("/resources/", {}),
            "search (htmx)": (
                f"/resources/?q={SEARCH_QUERY.replace(' ', '+')}",
                {"HX-Request": "true"},
            ),
        }

        def timed(path: str, headers: dict) -> float:
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise CommandError(f"{path} answered {response.status_code}")
            return elapsed

        for path, headers in targets.values():  # warm up caches, connections, templates
            for _ in range(5):
                timed(path, headers)
        results: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(rounds):  # interleaved, so drifts in machine load hit all three alike
            for name, (path, headers) in targets.items():
                results[name].append(timed(path, headers))

        matches = Resource.objects.published().search(SEARCH_QUERY).count()
        self.stdout.write(
            f"\n{rounds} requests per URL; search {SEARCH_QUERY!r} matches {matches}."
        )
        self.stdout.write(f"{'':26} {'median ms':>10} {'p95 ms':>10}")
        medians = {}
        for name, values in results.items():
            medians[name] = statistics.median(values)
            self.stdout.write(f"{name:26} {medians[name]:10.2f} {percentile(values, 0.95):10.2f}")
        plain = medians["plain (/healthz)"]
        self.stdout.write(
            f"Ratio search/plain:    {medians['search (htmx)'] / plain:.1f}\n"
            f"Ratio directory/plain: {medians['directory (/resources/)'] / plain:.1f}"
        )

    def explain(self) -> None:
        queryset = Resource.objects.published().search(SEARCH_QUERY)[:20]
        if connection.vendor != "postgresql":
            self.stdout.write(
                "\nEXPLAIN skipped: full-text search and its GIN index are PostgreSQL only."
            )
            return
        plan = queryset.explain(analyze=True)
        self.stdout.write(f"\nEXPLAIN ANALYZE of the search query:\n{plan}")
        used = "resources_resource_search_gin" in plan
        self.stdout.write(f"GIN index used: {'yes' if used else 'NO'}")
