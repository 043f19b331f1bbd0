"""Measure the catalogue's full-text search at the real catalogue's scale (issue 19).

    DATABASE_URL=postgres://.../throwaway python manage.py catalogue_benchmark \\
        --programs 13000 --facts 50000

Inserts synthetic programs and facts (catalogue/benchmark_data.py: "BENCH" IDs, example.org
sources), then times the search a member's search box would send, as SQL against the GIN
index on `search_document` (migration 0002): every typed word a prefix, all of them
required, ranked, bounded to one page of 25:

    SELECT ... WHERE published AND search_document @@ to_tsquery('simple', 'internal & med:*')
    ORDER BY ts_rank(search_document, query) DESC, name LIMIT 25

for a broad prefix ("i"), a common word ("medicine"), two words as typed ("internal med")
and a precise one (an ACGME ID). Each is run --runs times (median and worst of the
EXPLAIN ANALYZE execution times), and one plan is printed. The synthetic rows are deleted
afterwards unless --keep. PostgreSQL only (on SQLite the column is NULL and search falls
back to icontains).
"""

import re
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from catalogue.benchmark_data import (
    BENCH_PREFIX,
    delete_synthetic_catalogue,
    synthetic_catalogue,
)

SEARCH = """
SELECT p.id, p.name, ts_rank(p.search_document, query) AS rank
FROM catalogue_catalogueprogram p, to_tsquery('simple', %s) query
WHERE p.published AND p.search_document @@ query
ORDER BY rank DESC, p.name
LIMIT 25
"""
COUNT = """
SELECT count(*) FROM catalogue_catalogueprogram p
WHERE p.published AND p.search_document @@ to_tsquery('simple', %s)
"""


def tsquery(typed: str) -> str:
    """Every word of what was typed, as a prefix, all required: 'internal & med:*'."""
    words = re.findall(r"\w+", typed.lower())
    return " & ".join(f"{word}:*" for word in words)


class Command(BaseCommand):
    help = "Time the catalogue's full-text search at 13,000 programs (see the docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--programs", type=int, default=13_000)
        parser.add_argument("--facts", type=int, default=50_000)
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--keep", action="store_true", help="Keep the synthetic rows.")

    def handle(self, *args, programs: int, facts: int, runs: int, keep: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("PostgreSQL only: the search document and its index are.")
        self.stdout.write(f"Database: {connection.settings_dict['NAME']}")
        delete_synthetic_catalogue()  # an earlier run that crashed
        self.tidy("VACUUM")  # reuse the space of earlier runs' rows: plans as on a fresh table
        try:
            started = time.perf_counter()
            made = synthetic_catalogue(programs, facts)
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"Inserted {made['institutions']} institutions, {made['programs']} programs "
                f"and {made['facts']} facts in {elapsed:.1f} s."
            )
            self.tidy("VACUUM ANALYZE")  # the steady state autovacuum would reach
            self.measure(runs, precise=f"{BENCH_PREFIX}{max(1, programs // 2):07d}")
        finally:
            if not keep:
                started = time.perf_counter()
                deleted = delete_synthetic_catalogue()
                self.stdout.write(
                    f"Deleted {deleted} synthetic rows in {time.perf_counter() - started:.1f} s."
                )

    def tidy(self, command: str) -> None:
        """VACUUM (ANALYZE) the catalogue's tables; inside a transaction (the command's
        test), where VACUUM cannot run, ANALYZE only."""
        if connection.in_atomic_block:
            command = "ANALYZE"
        with connection.cursor() as cursor:
            for table in ("catalogue_catalogueprogram", "catalogue_fact"):
                # nosemgrep: sql-from-strings (fixed names)
                cursor.execute(f"{command} {table}")

    def measure(self, runs: int, precise: str) -> None:
        searches = {
            "broad prefix": "i",
            "common word": "medicine",
            "two words as typed": "internal med",
            "precise (ACGME ID)": precise,
        }
        self.stdout.write(f"\n{runs} runs each; EXPLAIN ANALYZE execution time, ms")
        self.stdout.write(f"{'search':22} {'typed':16} {'matches':>8} {'median':>8} {'max':>8}")
        with connection.cursor() as cursor:
            for label, typed in searches.items():
                query = tsquery(typed)
                cursor.execute(COUNT, [query])
                matches = cursor.fetchone()[0]
                times = []
                plan = ""
                for _ in range(runs):
                    # nosemgrep: sql-from-strings (constant SQL)
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + SEARCH, [query])
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                    found = re.search(r"Execution Time: ([\d.]+) ms", plan)
                    times.append(float(found.group(1)))
                self.stdout.write(
                    f"{label:22} {typed:16} {matches:8} {statistics.median(times):8.2f} "
                    f"{max(times):8.2f}"
                )
                if "catalogue_program_search_gin" not in plan:
                    self.stdout.write("  (the GIN index was not used)")
                self.plans = getattr(self, "plans", {})
                self.plans[label] = plan
        for label, plan in self.plans.items():
            self.stdout.write(f"\nPlan, {label}:\n{plan}")
