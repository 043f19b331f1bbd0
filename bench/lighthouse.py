"""`make lighthouse`: Lighthouse performance and accessibility on home, directory and dashboard.

    .venv/bin/python bench/lighthouse.py           # make lighthouse (the Makefile installs it)
    .venv/bin/python bench/lighthouse.py --keep    # keep the JSON reports (path printed)

1. Builds a throwaway SQLite database in a temporary folder (migrations, the curated content,
   collectstatic and one onboarded member with some progress), reusing bench/run.py's set-up.
2. Serves the app with gunicorn in production settings on a free loopback port, exactly as
   `make bench` does (bench/run.py's Bench.serve; DJANGO_SECURE_SSL_REDIRECT=false because
   there is no TLS on loopback).
3. Runs Lighthouse 12 (bench/lighthouse/package-lock.json; Debian's Chromium, headless) with
   the performance and accessibility categories on home (as a visitor), the directory and the
   dashboard (as the member: a session cookie sent with --extra-headers), with the mobile
   preset (Lighthouse's default) and --preset=desktop.
4. Prints the 12 scores and, for any score under 1.0, the audits that cost it; stops gunicorn
   and removes the temporary folder whatever happens. Exits 1 if a score is under 1.0, if
   Lighthouse flags a render-blocking resource, or if a page answered anything but 2xx.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import suppress
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, Bench, log  # noqa: E402 (bench/run.py: the same server set-up)

LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
PAGES = {  # name: (path, as the member?)
    "home": ("/", False),
    "directory": ("/resources/", True),
    "dashboard": ("/roadmap/", True),
}
WARM_UP = 6  # requests per page before Lighthouse (2 workers)
PRESETS = ("mobile", "desktop")
CATEGORIES = ("performance", "accessibility")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic"
    " --no-first-run --disable-background-networking --disable-component-update --disable-sync"
)


class Lighthouse(Bench):
    """bench/run.py's Bench on a SQLite file in a temporary folder, with one member."""

    def __init__(self, options):
        self.options = options
        self.tmp = Path(tempfile.mkdtemp(prefix="imgportal-lighthouse-"))
        self.url = f"sqlite:///{self.tmp / 'db.sqlite3'}"
        self.dbname = "a SQLite file"
        self.server: subprocess.Popen | None = None
        self.failures: list[str] = []
        # Bench.stop drops the database unless kept: here it is a file in self.tmp.
        self.options.keep = True

    def environment(self) -> None:
        super().environment()
        os.environ["DJANGO_SETTINGS_MODULE"] = "imgportal.settings_lighthouse"  # + the proxy's gzip

    def create_database(self) -> None:
        """Nothing to create: Django makes the SQLite file on first connection."""

    def build(self) -> None:
        started = time.perf_counter()
        self.prepare_site()
        self.members = self.make_members(1)
        log(f"Database, curated content, static files and a member in {time_since(started)}.")

    def lighthouse(self, name: str, preset: str) -> dict:
        """One Lighthouse run; once more if Lighthouse itself failed (NO_NAVSTART and other trace
        errors happen on a busy machine); a failure if that fails too."""
        for attempt in (1, 2):
            data, error = self.lighthouse_once(name, preset)
            if error is None:
                return data
            log(f"  {name:10} {preset:8} attempt {attempt}: {error.splitlines()[0][:150]}")
        self.failures.append(f"{name} ({preset}): {error}")
        return {}

    def lighthouse_once(self, name: str, preset: str) -> tuple[dict, str | None]:
        path, as_member = PAGES[name]
        report = self.tmp / f"{name}-{preset}-{self.round}.json"
        report.unlink(missing_ok=True)
        command = [str(LIGHTHOUSE), self.base + path, "--quiet"]
        command += [f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"]
        command += ["--output=json", f"--output-path={report}"]
        if preset != "mobile":  # mobile is Lighthouse's default
            command.append(f"--preset={preset}")
        if as_member:
            command.append(f"--extra-headers={json.dumps({'Cookie': self.session_cookie})}")
        started = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603 (our pinned Lighthouse, arguments built here)
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "CHROME_PATH": self.chromium},
            start_new_session=True,  # Lighthouse and its Chrome in a process group of their own
        )
        try:
            output, _ = process.communicate(timeout=self.options.timeout)
        except BaseException as error:  # a timeout or Ctrl-C: stop Lighthouse and its Chrome
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            if not isinstance(error, subprocess.TimeoutExpired):
                raise
            return {}, f"Lighthouse stopped after {time_since(started)}"
        if process.returncode != 0 or not report.exists():
            return {}, f"Lighthouse failed: {output.strip()[-2000:]}"
        data = json.loads(report.read_text())
        if data.get("runtimeError"):
            return {}, f"Lighthouse: {data['runtimeError']}"
        log(f"  {name:10} {preset:8} {time_since(started)}")
        if data.get("finalDisplayedUrl", "").rstrip("/") != (self.base + path).rstrip("/"):
            self.failures.append(f"{name} ({preset}) ended at {data.get('finalDisplayedUrl')}")
        return data, None

    def warm_up(self) -> None:
        """A few requests per page first, so that each gunicorn worker has loaded its templates
        and caches: Lighthouse then measures a running server, not a cold start."""
        for path, as_member in PAGES.values():
            headers = {"Cookie": self.session_cookie} if as_member else {}
            for _ in range(WARM_UP):
                url = self.base + path  # http://127.0.0.1 only
                request = urllib.request.Request(url, headers=headers)  # noqa: S310
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    response.read()

    def measure(self) -> dict[tuple[str, str], dict]:
        from django.conf import settings

        key = self.sessions(self.members)[0]
        self.session_cookie = f"{settings.SESSION_COOKIE_NAME}={key}"
        self.chromium = shutil.which("chromium") or shutil.which("chromium-browser") or ""
        self.warm_up()
        pages = self.options.page or list(PAGES)
        presets = self.options.preset or list(PRESETS)
        runs: dict[tuple[str, str], list[dict]] = {(n, p): [] for n in pages for p in presets}
        for number in range(self.options.runs):  # rounds: each pair once per round
            self.round = number + 1
            log(f"Round {number + 1}/{self.options.runs} (load average {load_average()}):")
            for name, preset in runs:
                runs[name, preset].append(self.lighthouse(name, preset))
        return {pair: median_report(reports) for pair, reports in runs.items()}

    def report(self, reports: dict[tuple[str, str], dict]) -> None:
        log(f"\n{'page':10} {'preset':8} {'performance':>12} {'accessibility':>14}  median run")
        for (name, preset), data in reports.items():
            scores = [category_score(data, category) for category in CATEGORIES]
            environment = data.get("environment") or {}
            metrics = "  ".join(
                f"{label} {audit_value(data, audit)}"
                for label, audit in (
                    ("FCP", "first-contentful-paint"),
                    ("LCP", "largest-contentful-paint"),
                    ("TBT", "total-blocking-time"),
                    ("CLS", "cumulative-layout-shift"),
                )
            )
            log(
                f"{name:10} {preset:8} {format_score(scores[0]):>12} {format_score(scores[1]):>14}"
                f"  {metrics}  CPU {environment.get('benchmarkIndex', '?')}  performance in"
                f" each run: {' '.join(format_score(x) for x in data.get('imgportal_runs', []))}"
            )
        if self.options.keep_reports:
            kept = Path(tempfile.mkdtemp(prefix="imgportal-lighthouse-reports-"))
            for report in self.tmp.glob("*.json"):
                shutil.copy(report, kept)
            log(f"\nJSON reports kept in {kept}")
        for (name, preset), data in reports.items():
            if not data:
                continue
            for category in CATEGORIES:
                score = category_score(data, category)
                if score is None or score < 1:
                    self.failures.append(
                        f"{name} ({preset}) {category} {format_score(score)}:"
                        + "".join(f"\n    {line}" for line in costly_audits(data, category))
                    )
            blocking = data["audits"].get("render-blocking-resources", {})
            items = (blocking.get("details") or {}).get("items") or []
            if items:
                urls = ", ".join(item.get("url", "?") for item in items)
                self.failures.append(f"{name} ({preset}): render-blocking resources: {urls}")

    def run(self) -> int:
        started = time.perf_counter()
        try:
            self.environment()
            self.build()
            self.serve()
            self.report(self.measure())
        finally:
            self.stop()
        log(f"\nTotal {time_since(started)}; temporary database and static files removed.")
        for failure in self.failures:
            log(f"FAILED: {failure}")
        return 1 if self.failures else 0


def median_report(reports: list[dict]) -> dict:
    """The run with the median performance score (Lighthouse's advice for variance); {} if a
    run failed (already a failure)."""
    if not all(reports):
        return {}
    ranked = sorted(reports, key=lambda data: category_score(data, "performance") or 0)
    chosen = ranked[(len(ranked) - 1) // 2]
    chosen["imgportal_runs"] = [category_score(data, "performance") for data in reports]
    return chosen


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def time_since(started: float) -> str:
    return f"{time.perf_counter() - started:.0f} s"


def category_score(data: dict, category: str) -> float | None:
    return ((data.get("categories") or {}).get(category) or {}).get("score")


def format_score(score: float | None) -> str:
    return "error" if score is None else f"{score:.2f}"


def audit_value(data: dict, audit: str) -> str:
    return (
        ((data.get("audits") or {}).get(audit) or {}).get("displayValue", "?").replace("\xa0", "")
    )


def costly_audits(data: dict, category: str) -> list[str]:
    """The audits of a category that scored under 1 and weigh on it (or failed outright)."""
    lines = []
    for ref in data["categories"][category]["auditRefs"]:
        audit = data["audits"][ref["id"]]
        if audit.get("scoreDisplayMode") in ("notApplicable", "informative", "manual"):
            continue
        if audit.get("score") is not None and audit["score"] >= 1:
            continue
        items = (audit.get("details") or {}).get("items")
        items = items if isinstance(items, list) else []
        where = [
            str((item.get("node") or {}).get("snippet") or item.get("url") or "")[:120]
            for item in items[:3]
        ]
        lines.append(
            f"{audit['id']} (score {audit.get('score')}, weight {ref.get('weight')}): "
            f"{audit.get('displayValue', '')} {'; '.join(w for w in where if w)}"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=int, default=90, help="seconds per Lighthouse run")
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per page and preset; the median one counts"
    )
    parser.add_argument("--keep-reports", action="store_true", help="keep the JSON reports")
    parser.add_argument("--page", action="append", choices=PAGES, help="only this page (repeat)")
    parser.add_argument("--preset", action="append", choices=PRESETS, help="only this preset")
    options = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: `make lighthouse` installs it.")
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        sys.exit("Chromium is missing: bin/install-chromium (make lighthouse runs it).")
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.default_int_handler)
    return Lighthouse(options).run()


if __name__ == "__main__":
    sys.exit(main())
