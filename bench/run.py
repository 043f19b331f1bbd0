"""`make bench` and `make load`: IMG Portal under gunicorn and wrk, at realistic scale.

    .venv/bin/python bench/run.py            # make bench: every page against a bare view
    .venv/bin/python bench/run.py --load     # make load: dashboard and directory, 64 connections

1. Creates a throwaway PostgreSQL database (BENCH_DATABASE_URL, default bench_imgportal on
   127.0.0.1; the name must start with `bench_`), migrates, loads the curated content and adds
   10,000 members (profiles, progress rows, saved resources), two of them with a season of
   150 and 300 applications, 100,000 synthetic resources (slugs `bench-...`) and a synthetic
   catalogue of 13,000 programs with 50,000 facts (IDs `BENCH...`); they exist only in this
   database.
2. Serves the app with gunicorn (2 workers) in production settings (DJANGO_DEBUG unset, a secret
   key, allowed hosts, DatabaseCache) on a free loopback port, with imgportal.settings_bench,
   whose URLs add the bare login-required view `/bench/bare/`.
3. Logs members in (sessions made with Django's SessionStore) and drives each page with wrk in
   rounds that alternate with the bare view; prints requests/s, p50, p99 (medians of the rounds),
   the ratio to the bare view, queries per request and bytes raw and gzip-compressed (both
   measured in-process with Django's test client), then the EXPLAIN of the search query.
4. Stops gunicorn and drops the database whatever happens; exits 1 if a page answered anything
   but 2xx or wrk reported socket errors.
"""

import argparse
import gzip
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_imgportal"
PASSWORD = "bench-password-not-secret"
SEARCH = "visa sponsor"  # as typed: the last word is still a prefix
CATALOGUE_SEARCH = "internal med"  # as typed, at 13,000 programs: 2,848 matches
# As the dashboard's row form sends it with every section open (the most rows sent back).
# Each member's saves alternate between two planned dates, so every save changes the row (a
# save of what is already saved writes nothing and sends the row alone: not what is measured).
PROGRESS_BODIES = [
    f"status=in_progress&planned_date={day}"
    + "".join(f"&loaded={key}" for key in ("exams", "ecfmg", "match", "visa", "licensure"))
    for day in ("2027-01-02", "2027-01-03")
]
PROGRESS_BODY = PROGRESS_BODIES[0]
POSTERS = 16  # members the htmx POST rotates through (one row lock each)
TARGETS = {  # issue 22: the ratio to the bare view each page must reach
    "dashboard": 0.5,  # from the situation cache (the member's second view)
    "dashboard (cold)": 0.2,  # built on every request: the cache emptied first
    "htmx update": 0.4,
    "applications 150": 0.3,
    "directory ?q": 0.2,  # at 100,000 resources
    "search (htmx)": 0.3,  # at 100,000 resources
    "catalogue (htmx)": 0.3,  # at 13,000 programs, as the directory's fragment
}
DEFAULT_TARGET = 0.4
# The season at the sizes IMGs run it: one member with 150 applications, one with 300 (issue
# 21), each program with an application in Match 2027, ranked in order.
SEASONS = {"applications 150": 150, "applications 300": 300}


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Bench:
    def __init__(self, options):
        self.options = options
        self.url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
        self.dbname = urllib.parse.urlsplit(self.url).path.lstrip("/")
        if not self.dbname.startswith("bench_"):
            sys.exit(f"Refusing to use {self.dbname!r}: the database name must start with bench_.")
        self.tmp = Path(tempfile.mkdtemp(prefix="imgportal-bench-"))
        self.server: subprocess.Popen | None = None
        self.failures: list[str] = []

    # --- set-up ---------------------------------------------------------------------------
    def environment(self) -> None:
        for name in ("DJANGO_DEBUG", "IMGPORTAL_TESTING", "REDIS_URL", "CACHE_BACKEND"):
            os.environ.pop(name, None)
        os.environ.update(
            DJANGO_SETTINGS_MODULE="imgportal.settings_bench",
            DATABASE_URL=self.url,
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            DJANGO_SECURE_SSL_REDIRECT="false",
            BENCH_STATIC_ROOT=str(self.tmp / "static"),
        )

    def maintenance(self, sql: str) -> None:
        import psycopg

        parts = urllib.parse.urlsplit(self.url)
        admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self) -> None:
        self.maintenance(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
        self.maintenance(f'CREATE DATABASE "{self.dbname}"')

    def prepare_site(self) -> None:
        """Django set up, the schema, the cache table, the curated content, the static files."""
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("load_curated_content", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)

    def build(self) -> None:
        started = time.perf_counter()
        self.prepare_site()
        log(f"Migrated, curated content and static files in {time.perf_counter() - started:.0f} s.")
        started = time.perf_counter()
        self.members = self.make_members(self.options.members)
        self.seasons = {
            name: self.make_season(self.members[-1 - n], count)
            for n, (name, count) in enumerate(SEASONS.items())
        }
        self.make_resources(self.options.resources)
        self.save_resources()
        self.make_catalogue(self.options.programs)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # the steady state autovacuum would reach
        log(f"Built the data in {time.perf_counter() - started:.0f} s.")

    def make_members(self, count: int) -> list:
        from allauth.account.models import EmailAddress
        from django.contrib.auth.hashers import make_password
        from django.db import transaction
        from django.utils import timezone

        from accounts.models import Profile, User
        from pathways.models import Milestone, Progress

        started = time.perf_counter()
        rng = random.Random(11)
        password = make_password(PASSWORD)  # one hash for all: hashing 10,000 would take minutes
        now = timezone.now()
        milestones = list(Milestone.objects.order_by("order", "pk"))
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(email=f"bench-member-{n}@example.org", password=password) for n in range(count)
            )
            EmailAddress.objects.bulk_create(
                EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
            )
            visas = list(Profile.Visa.values)
            Profile.objects.bulk_create(
                Profile(
                    user=u,
                    school_country="India",
                    school_name="Example Medical College",
                    graduation_year=rng.choice([2021, 2022, 2023, 2024, 2025]),
                    specialty="Internal Medicine",
                    match_year=rng.choice([2027, 2028]),
                    visa=rng.choice(visas),
                    onboarded_at=now,
                )
                for u in users
            )
            rows = []
            for u in users:
                # Members are spread along the road: the first milestones done, then some
                # in progress; the rest never saved (no row, as in real use).
                done = rng.randint(0, len(milestones) // 2)
                for index, milestone in enumerate(milestones[: done + rng.randint(0, 4)]):
                    finished = index < done
                    rows.append(
                        Progress(
                            user=u,
                            milestone=milestone,
                            status="done" if finished else "in_progress",
                            completed_date=now.date() if finished else None,
                        )
                    )
            Progress.objects.bulk_create(rows, batch_size=5000)
        log(
            f"{count} members with profiles and {len(rows)} progress rows"
            f" in {time.perf_counter() - started:.0f} s."
        )
        return users

    def make_season(self, user, count: int):
        """`count` programs with an application each in Match 2027, ranked, for one member."""
        import datetime

        from accounts.models import Profile
        from applications.models import Application, Program, StatusChange

        statuses = ["applied", "interview_invited", "interviewed", "ranked", "not_invited"]
        Profile.objects.filter(user=user).update(match_year=2027)
        programs = Program.objects.bulk_create(
            Program(
                user=user,
                name=f"Bench Example Hospital Internal Medicine Residency {n:03}",
                specialty="Internal Medicine",
                city="Newark",
                state="NJ",
                nrmp_code=f"B{n:03}140C0",
                visas="none" if n % 5 == 0 else "j1",
                graduation_cutoff_years=5 if n % 4 == 0 else None,
            )
            for n in range(count)
        )
        applications = Application.objects.bulk_create(
            Application(
                user=user,
                program=program,
                specialty=program.specialty,
                cycle=2027,
                status=statuses[n % len(statuses)],
                status_changed_on=datetime.date(2026, 10, 1),
                rank=n + 1,
                rank_note="Strong IMG history" if n % 3 == 0 else "",
            )
            for n, program in enumerate(programs)
        )
        StatusChange.objects.bulk_create(
            StatusChange(
                user=user, application=a, to_status=a.status, changed_on=a.status_changed_on
            )
            for a in applications
        )
        log(f"A season of {count} programs and applications.")
        return user

    def make_resources(self, count: int) -> None:
        from django.db import transaction

        from resources.management.commands.benchmark import synthetic_resources
        from resources.models import Resource

        started = time.perf_counter()
        with transaction.atomic():
            Resource.objects.bulk_create(synthetic_resources(count), batch_size=2000)
        log(
            f"{count} benchmark resources (slugs bench-...)"
            f" in {time.perf_counter() - started:.0f} s."
        )

    def make_catalogue(self, count: int) -> None:
        from catalogue.benchmark_data import synthetic_catalogue

        started = time.perf_counter()
        made = synthetic_catalogue(programs=count, facts=count * 50 // 13)
        log(f"A synthetic catalogue {made} in {time.perf_counter() - started:.0f} s.")

    def save_resources(self) -> None:
        from resources.models import Resource, SavedResource

        rng = random.Random(13)
        ids = list(Resource.objects.published().values_list("pk", flat=True)[:5000])
        saves = [
            SavedResource(user=u, resource_id=pk)
            for u in self.members
            for pk in rng.sample(ids, rng.randint(0, 5))
        ]
        SavedResource.objects.bulk_create(saves, batch_size=5000)
        log(f"{len(saves)} saved resources.")

    def sessions(self, users) -> list[str]:
        """Logged-in sessions as Django's log-in makes them (no per-request session write)."""
        from importlib import import_module

        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

        from accounts.middleware import SEEN_KEY, STARTED_KEY

        store = import_module(settings.SESSION_ENGINE).SessionStore
        keys = []
        for user in users:
            session = store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session[SEEN_KEY] = session[STARTED_KEY] = int(time.time())
            session.create()
            keys.append(session.session_key)
        return keys

    # --- the pages --------------------------------------------------------------------------
    def pages(self) -> dict[str, dict]:
        from django.conf import settings
        from django.test import Client

        from pathways.models import Milestone
        from resources.models import Resource

        self.session_keys = self.sessions(self.members[: POSTERS + 1])
        season_cookies = {
            name: f"{settings.SESSION_COOKIE_NAME}={key}"
            for name, key in zip(self.seasons, self.sessions(self.seasons.values()), strict=True)
        }
        self.csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret
        self.session_cookie = f"{settings.SESSION_COOKIE_NAME}={self.session_keys[0]}"
        self.csrf_cookie = f"{settings.CSRF_COOKIE_NAME}={self.csrf}"
        slug = self.updatable_milestone(Milestone.objects.order_by("order", "pk"))
        # What each poster's dashboard sends along with a save: the versions of the summaries
        # it shows (pathways/parts.py), once their row is saved as the run saves it.
        self.shown = {key: self.shown_after_save(key, slug) for key in self.session_keys}
        resource = (
            Resource.objects.published().exclude(slug__startswith="bench-").order_by("pk").first()
        )
        query = urllib.parse.urlencode({"q": SEARCH})
        catalogue_query = urllib.parse.urlencode({"q": CATALOGUE_SEARCH})
        htmx = {"HX-Request": "true"}
        pages = {
            "bare": {"path": "/bench/bare/"},
            "dashboard": {"path": "/roadmap/"},
            "dashboard (cold)": {"path": "/roadmap/", "headers": {"X-Bench-Cache": "cold"}},
            "section (htmx)": {"path": "/roadmap/c/match/", "headers": htmx},
            "htmx update": {
                "path": f"/roadmap/m/{slug}/progress/",
                "post": True,
                "shown": self.shown[self.session_keys[0]],
            },
            "timeline": {"path": "/roadmap/timeline/"},
            "milestone": {"path": f"/roadmap/m/{slug}/"},
            "progress page": {"path": f"/roadmap/m/{slug}/progress/"},
            "directory ?q": {"path": f"/resources/?{query}"},
            "search (htmx)": {"path": f"/resources/?{query}", "headers": htmx},
            "resource detail": {"path": f"/resources/{resource.slug}/"},
            "catalogue ?q": {"path": f"/catalogue/?{catalogue_query}"},
            "catalogue (htmx)": {"path": f"/catalogue/?{catalogue_query}", "headers": htmx},
            "applications 150": {
                "path": "/applications/",
                "cookie": season_cookies["applications 150"],
            },
            "applications 300": {
                "path": "/applications/",
                "cookie": season_cookies["applications 300"],
            },
            "rank list 300": {
                "path": "/applications/rank/",
                "cookie": season_cookies["applications 300"],
            },
        }
        if self.options.load:
            pages = {name: pages[name] for name in ("dashboard", "directory ?q")}
        elif self.options.pages:  # a few pages only, beside the bare view
            unknown = set(self.options.pages) - set(pages)
            if unknown:
                sys.exit(f"No such page: {', '.join(sorted(unknown))}. Pages: {', '.join(pages)}")
            pages = {name: pages[name] for name in ["bare", *self.options.pages]}
        # In-process, same settings and database: status, queries per request and bytes.
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for page in pages.values():
            client = Client(SERVER_NAME="127.0.0.1")
            client.cookies.load(f"{page.get('cookie', self.session_cookie)}; {self.csrf_cookie}")
            headers = {**page.get("headers", {}), "X-CSRFToken": self.csrf}
            if page.get("post"):
                headers["HX-Request"] = "true"
            send = client.post if page.get("post") else client.get
            shown = page.get("shown", "")
            bodies = [urllib.parse.parse_qs(body + shown) for body in PROGRESS_BODIES]
            data, changed = (bodies[0], bodies[1]) if page.get("post") else (None, None)
            send(page["path"], data, headers=headers)  # warm the caches first
            with CaptureQueriesContext(connection) as queries:  # a save that changes the row
                response = send(page["path"], changed, headers=headers)
            if not 200 <= response.status_code < 300:
                sys.exit(f"{page['path']} answered {response.status_code} in-process.")
            page["queries"] = len(queries)
            page["bytes"] = len(response.content)
            page["gzip"] = len(gzip.compress(response.content, compresslevel=6))
        return pages

    def shown_after_save(self, session_key: str, slug: str) -> str:
        """The `shown` fields (urlencoded, with a leading &) a member's dashboard sends with a
        save of `slug`, after a first save as the run makes them."""
        from django.conf import settings
        from django.test import Client

        client = Client(SERVER_NAME="127.0.0.1")
        client.cookies.load(f"{settings.SESSION_COOKIE_NAME}={session_key}")
        data = urllib.parse.parse_qs(PROGRESS_BODIES[1])
        client.post(f"/roadmap/m/{slug}/progress/", data, headers={"HX-Request": "true"})
        html = client.get("/roadmap/").content.decode()
        shown = re.findall(r'<input type="hidden" name="shown" value="([^"]+)">', html)
        return "&" + urllib.parse.urlencode([("shown", value) for value in shown])

    def updatable_milestone(self, milestones) -> str:
        """The first milestone whose form takes PROGRESS_BODY (a plain status and date)."""
        from django.conf import settings
        from django.test import Client

        client = Client(SERVER_NAME="127.0.0.1")
        client.cookies.load(f"{settings.SESSION_COOKIE_NAME}={self.session_keys[-1]}")
        data = urllib.parse.parse_qs(PROGRESS_BODY)
        for milestone in milestones:
            response = client.post(
                f"/roadmap/m/{milestone.slug}/progress/", data, headers={"HX-Request": "true"}
            )
            if response.status_code == 200 and b"Saved" in response.content:
                return milestone.slug
        sys.exit("No milestone accepted a plain progress update.")

    # --- the server and wrk ----------------------------------------------------------------
    def serve(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.server_log = open(self.tmp / "gunicorn.log", "w")  # noqa: SIM115
        self.server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
            [str(gunicorn), "imgportal.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{self.port}"]
            + ["--timeout", "30", "--log-level", "warning"]
            # One line per request: every answer's status is checked at the end (wrk counts
            # only 4xx/5xx as "Non-2xx or 3xx", a redirect to the log-in page would pass).
            + [
                "--access-logfile",
                str(self.tmp / "access.log"),
                "--access-logformat",
                "%(s)s %(m)s %(U)s",
            ],
            cwd=ROOT,
            stdout=self.server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with all its workers
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                break
            health = f"{self.base}/healthz"  # http://127.0.0.1 only
            with suppress(OSError), urllib.request.urlopen(health, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    log(f"gunicorn (2 workers) on {self.base}")
                    return
            time.sleep(0.3)
        sys.exit(f"gunicorn did not start:\n{(self.tmp / 'gunicorn.log').read_text()[-3000:]}")

    def wrk(self, name: str, page: dict, duration: int, connections: int) -> dict:
        command = ["wrk", "--latency", "-t", "1" if connections <= 8 else "2"]
        command += ["-c", str(connections), "-d", f"{duration}s", "--timeout", "10s"]
        url = self.base + page["path"]
        if page.get("post"):
            from django.conf import settings

            names = f"{settings.SESSION_COOKIE_NAME},{settings.CSRF_COOKIE_NAME}"
            script = str(ROOT / "bench" / "post.lua")
            bodies = "|".join(PROGRESS_BODIES)
            command += ["-s", script, url, "--", bodies, names, self.csrf]
            command += [f"{key},{self.shown[key]}" for key in self.session_keys[1 : POSTERS + 1]]
        else:
            command += ["-H", f"Cookie: {page.get('cookie', self.session_cookie)}"]
            for header, value in page.get("headers", {}).items():
                command += ["-H", f"{header}: {value}"]
            command.append(url)
        output = subprocess.run(  # noqa: S603 (wrk, arguments built here)
            command, capture_output=True, text=True, timeout=duration + 30
        )
        return parse_wrk(name, output.stdout + output.stderr, self.failures)

    def measure(self, pages: dict) -> dict[str, dict]:
        options = self.options
        runs: dict[str, list[dict]] = {name: [] for name in pages}
        for name, page in pages.items():  # warm-up: every worker has loaded templates and cache
            self.wrk(name, page, 1, 2)
        for number in range(options.rounds):
            started = time.perf_counter()
            # The bare view runs before every page of the round: alternation, so that drifts in
            # this shared machine's load touch both sides of each ratio alike.
            for name, page in pages.items():
                if name == "bare":
                    continue
                runs["bare"].append(self.wrk("bare", pages["bare"], options.duration, 8))
                runs[name].append(self.wrk(name, page, options.duration, 8))
            log(f"Round {number + 1}/{options.rounds} in {time.perf_counter() - started:.0f} s.")
        return {name: median_run(values) for name, values in runs.items()}

    def report(self, pages: dict, results: dict) -> None:
        bare = results["bare"]["rps"]
        log(
            f"\n{'page':16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} {'target':>7}"
            f" {'':4} {'queries':>7} {'bytes':>7} {'gzip':>6}"
        )
        for name, page in pages.items():
            result = results[name]
            ratio = result["rps"] / bare if bare else 0
            target = None if name == "bare" else TARGETS.get(name, DEFAULT_TARGET)
            verdict = "" if target is None else ("ok" if ratio >= target else "MISS")
            log(
                f"{name:16} {result['rps']:8.1f} {result['p50']:8.1f} {result['p99']:8.1f}"
                f" {ratio:6.3f} {'' if target is None else f'{target:.1f}x':>7} {verdict:4}"
                f" {page['queries']:7} {page['bytes']:7} {page['gzip']:6}"
            )

    def load(self, pages: dict) -> None:
        options = self.options
        for name, page in pages.items():
            self.wrk(name, page, 2, 8)  # warm-up
            result = self.wrk(name, page, options.load_duration, options.load_connections)
            log(
                f"{name:14} {options.load_connections} connections, {options.load_duration} s: "
                f"{result['requests']} requests, {result['rps']:.1f} req/s, "
                f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, "
                f"errors {result['errors']}, non-2xx {result['non2xx']}"
            )

    def profile(self, pages: dict, names: list[str]) -> None:
        """cProfile of N requests per page through Django's test client, in-process."""
        import cProfile
        import pstats

        from django.test import Client

        for name in names:
            page = pages[name]
            client = Client(SERVER_NAME="127.0.0.1")
            client.cookies.load(f"{page.get('cookie', self.session_cookie)}; {self.csrf_cookie}")
            headers = {**page.get("headers", {}), "X-CSRFToken": self.csrf}
            if page.get("post"):
                headers["HX-Request"] = "true"

            def send(number: int, page=page, client=client, headers=headers):
                if not page.get("post"):
                    return client.get(page["path"], headers=headers)
                # As htmx and wrk send it (urlencoded), each save changing the row.
                body = PROGRESS_BODIES[number % 2] + page["shown"]
                form = "application/x-www-form-urlencoded"
                return client.post(page["path"], body, content_type=form, headers=headers)

            for number in range(6):  # warm up: caches, template loading
                send(number)
            started, cpu = time.perf_counter(), time.process_time()
            for number in range(self.options.profile_requests):
                send(number)
            took = (time.perf_counter() - started) / self.options.profile_requests * 1000
            cpu = (time.process_time() - cpu) / self.options.profile_requests * 1000
            # CPU time of this process, not wall time: on a shared machine the waits for the
            # database would hide what the code costs (PostgreSQL's own CPU is not counted).
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for number in range(self.options.profile_requests):
                send(number)
            profiler.disable()
            log(
                f"\n=== {name}: {took:.1f} ms per request in-process, {cpu:.1f} ms of CPU "
                "in this process (then profiled)"
            )
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(35)
            stats.sort_stats("tottime").print_stats(25)
            own_code = f"{ROOT}/(?!bench/)[a-z]+/"  # the apps, not the libraries
            stats.sort_stats("cumulative").print_stats(own_code, 40)

    def explain(self) -> None:
        from resources.models import Resource

        queryset = Resource.objects.published().search(SEARCH)
        plan = queryset[:20].explain(analyze=True)
        used = "resources_resource_search_gin" in plan
        log(
            f"\nEXPLAIN ANALYZE of the search {SEARCH!r} ({queryset.count()} matches in "
            f"{Resource.objects.count()} resources):\n{plan}\n"
            f"GIN index used: {'yes' if used else 'NO'}"
        )
        if not used:
            self.failures.append("the search query does not use the GIN index")

    # --- clean-up ---------------------------------------------------------------------------
    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
        self.check_statuses()
        with suppress(Exception):
            from django.db import connections

            connections.close_all()
        if not self.options.keep:
            with suppress(Exception):
                self.maintenance(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
        shutil.rmtree(self.tmp, ignore_errors=True)

    def check_statuses(self) -> None:
        """Every request gunicorn answered, from its access log: anything but 2xx fails the run."""
        access = self.tmp / "access.log"
        if not access.exists():
            return
        lines = access.read_text().splitlines()
        bad = [line for line in lines if not line.startswith("2")]
        log(f"\n{len(lines)} requests served, {len(bad)} answered other than 2xx.")
        if bad:
            self.failures.append(f"{len(bad)} answers other than 2xx, e.g. {bad[:5]}")

    def run(self) -> int:
        started = time.perf_counter()
        try:
            self.environment()
            self.create_database()
            self.build()
            pages = self.pages()
            if self.options.profile:
                self.profile(pages, self.options.profile)
                return 0
            self.serve()
            if self.options.load:
                self.load(pages)
            else:
                results = self.measure(pages)
                self.report(pages, results)
                self.explain()
        finally:
            self.stop()
        log(f"\nTotal {time.perf_counter() - started:.0f} s; database {self.dbname} dropped.")
        for failure in self.failures:
            log(f"FAILED: {failure}")
        return 1 if self.failures else 0


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def parse_wrk(name: str, output: str, failures: list[str]) -> dict:
    try:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
        requests = int(re.search(r"(\d+) requests in", output).group(1))
        p50 = milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
        p99 = milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    except AttributeError:
        failures.append(f"{name}: wrk gave no result:\n{output}")
        return {"rps": 0.0, "requests": 0, "p50": 0.0, "p99": 0.0, "errors": 0, "non2xx": 0}
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    result = {
        "rps": rps,
        "requests": requests,
        "p50": p50,
        "p99": p99,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }
    if result["non2xx"] or result["errors"]:
        failures.append(f"{name}: {result['non2xx']} non-2xx answers, {result['errors']} errors")
    if requests == 0:
        failures.append(f"{name}: no request completed")
    return result


def median_run(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--load", action="store_true", help="make load: 64 connections, 60 s")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--programs", type=int, default=13_000, help="catalogue programs")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run")
    parser.add_argument("--load-connections", type=int, default=64)
    parser.add_argument("--load-duration", type=int, default=60)
    parser.add_argument(
        "--profile", nargs="+", metavar="PAGE", help="cProfile these pages in-process, no server"
    )
    parser.add_argument("--profile-requests", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--pages", nargs="+", metavar="PAGE", help="measure these pages only (and the bare view)"
    )
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: bin/install-wrk (make bench installs it).")
    # SIGTERM/SIGHUP end the run like Ctrl-C does, through the clean-up in Bench.run.
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.default_int_handler)
    return Bench(options).run()


if __name__ == "__main__":
    sys.exit(main())
