"""Valid HTML: every page a visitor or a member can reach passes the Nu HTML Checker (vnu.jar
from the npm package vnu-jar, `make vnu`), in one invocation.

The pages are those of tests/e2e/pages.py, by persona (the list the axe sweep visits too,
itself checked to cover every public, token-based and member-only URL pattern), plus states
no plain GET reaches (forms with errors, the 500 page, htmx fragments). htmx attributes
(`hx-*`) are not in the HTML standard: those messages are filtered, nothing else.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client, override_settings

from tests.e2e.pages import (
    MEMBER,
    NEWCOMER,
    PERSONAS,
    VISITOR,
    add_page_objects,
    page_urls,
    signed_in_client,
)
from tests.security.conftest import _shared_site, site  # noqa: F401 (fixtures)
from tests.security.url_classes import progress_url

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
HTMX_ATTRIBUTE = "Attribute “hx-"
FRAGMENT_PAGE = (
    b"<!doctype html><html lang=en><head><title>Fragment</title></head><body>%s</body></html>"
)


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        message = "vnu.jar or Java is missing: run `make vnu` (npm ci) with Java 17 installed."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip("SKIPPED LOUDLY: " + message)
    return [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--exit-zero-always"]


def vnu_errors(pages: dict[str, bytes], folder: Path) -> list[str]:
    """The Nu HTML Checker's errors on {label: html}, in one run, each with its page's label
    (htmx attributes, which the standard does not know, filtered out; nothing else)."""
    command = vnu_command()
    files = {}
    for number, (label, content) in enumerate(sorted(pages.items())):
        path = folder / f"page-{number:03d}.html"
        path.write_bytes(content)
        files[path.name] = label
    result = subprocess.run(
        [*command, *sorted(str(p) for p in folder.glob("*.html"))],
        capture_output=True,
        text=True,
        timeout=180,
    )
    messages = json.loads(result.stderr)["messages"]
    return [
        f"{files.get(m.get('url', '').rsplit('/', 1)[-1])}:{m.get('lastLine')}: {m['message']}"
        f"  [{m.get('extract', '').strip()[:80]}]"
        for m in messages
        if m["type"] == "error" and not m["message"].startswith(HTMX_ATTRIBUTE)
    ]


def is_full_page(response) -> bool:
    return (
        response.status_code in (200, 400, 403, 404, 500)
        and response.get("Content-Type", "").startswith("text/html")
        and response.content.lstrip()[:15].lower() == b"<!doctype html>"
    )


def collect_pages(site) -> dict[str, bytes]:  # noqa: F811 (fixture)
    """{label: html} for every reachable page (tests/e2e/pages.py, the list the axe sweep
    visits too) and a few states no plain GET shows."""
    site = add_page_objects(site)
    clients = {persona: signed_in_client(persona, site) for persona in PERSONAS}
    visitor, alice, newcomer = clients[VISITOR], clients[MEMBER], clients[NEWCOMER]
    pages: dict[str, bytes] = {}

    def add(label: str, response) -> None:
        if is_full_page(response):
            pages[label] = response.content

    for persona, urls in page_urls(site).items():
        for url in urls:
            response = clients[persona].get(url, follow=True)
            assert is_full_page(response), f"{persona} {url}: {response.status_code}"
            pages[f"{persona} {url}"] = response.content
    progress = progress_url(site["progress"])
    report_url = f"/resources/{site['resource'].slug}/report/"
    add("sign-up with errors", visitor.post("/accounts/signup/", {"email": "x", "password1": "1"}))
    add("log-in with errors", visitor.post("/accounts/login/", {"login": "x", "password": "y"}))
    add("reset with errors", visitor.post("/accounts/password/reset/", {"email": "x"}))
    add("onboarding with errors", newcomer.post("/me/welcome/", {"graduation_year": "abc"}))
    add("settings with errors", alice.post("/me/settings/", {"match_year": "1"}))
    add("progress with errors", alice.post(progress, {"status": "step9"}))
    add("report with errors", alice.post(report_url, {"kind": "nonsense"}))
    add("delete with errors", alice.post("/me/delete/", {"password": "wrong"}))
    answers = {
        "graduation_year": "2022",
        "specialty": "Emergency Medicine",
        "match_year": "2028",
        "visa": "h1b",
        "has_step2cs": "on",
        "step2cs_month": "11",
        "step2cs_year": "2019",
    }
    add(
        "preview, J-1, no CS",
        visitor.get("/roadmap/preview/", {**answers, "visa": "j1", "has_step2cs": ""}),
    )
    add(
        "preview with errors",
        visitor.get("/roadmap/preview/", {**answers, "step2cs_year": "2021", "match_year": "1"}),
    )
    add("keep preview with errors", visitor.post("/roadmap/preview/keep/", {"visa": "x"}))
    staff = Client()
    staff.force_login(site["curator"])
    add("curators' review queue", staff.get("/admin/review/"))
    # htmx fragments, validated inside a minimal document: the progress form a dashboard row
    # opens, the row after a save and after a rejected save, the report form.
    htmx = {"HX-Request": "true"}
    fragments = {
        "progress form (htmx GET)": alice.get(progress, headers=htmx),
        "dashboard section rows (htmx GET)": alice.get("/roadmap/c/exams/", headers=htmx),
        "progress saved (htmx POST)": alice.post(
            progress, {"status": "in_progress", "attempts": "0", "notes": "ok"}, headers=htmx
        ),
        "progress rejected (htmx POST)": alice.post(progress, {"status": "step9"}, headers=htmx),
        "report form (htmx GET)": alice.get(report_url, headers=htmx),
        "directory results (htmx GET)": visitor.get("/resources/", {"q": "visa"}, headers=htmx),
    }
    for label, response in fragments.items():
        assert response.status_code == 200, label
        pages[label] = FRAGMENT_PAGE % response.content
    with override_settings(ROOT_URLCONF="tests.urls_raising"):
        add("500", Client(raise_request_exception=False).get("/bug/"))
    return pages


def test_every_page_is_valid_html(site, tmp_path):  # noqa: F811 (fixture)
    pages = collect_pages(site)
    errors = vnu_errors(pages, tmp_path)
    assert not errors, f"{len(errors)} HTML errors in {len(pages)} pages:\n" + "\n".join(errors)
    # The pages the issue names, at least: home, allauth, onboarding, dashboard, timeline,
    # milestone, progress, directory, resource detail, saved, settings, delete.
    assert len(pages) >= 50, sorted(pages)
    print(f"{len(pages)} pages valid")
