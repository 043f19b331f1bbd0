"""A progress save answers with the row and, out of band, only what it changed on the page
(pathways/views.py `render_update`, pathways/parts.py, Roadmap.rows_changed_with). Whatever
is left out must not have changed: for members old and new, walk a series of saves with
every section open, apply each answer to the page as htmx does, and compare the page with
the same page loaded afresh."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from tests.factories import make_member, record

DASHBOARD = reverse("pathways:dashboard")
HTMX = {"HTTP_HX_REQUEST": "true"}
NOON = datetime.datetime(2026, 12, 5, 17, tzinfo=datetime.UTC)  # 12:00 in New York
SUMMARIES = {  # id on the page: tag
    "standing": "p",
    "roadmap-progress": "section",
    "next-steps": "section",
    "blocked": "p",
    "alerts": "section",
}
SECTIONS = ["exams", "ecfmg", "match", "visa", "licensure"]


def element(html: str, tag: str, id_: str) -> str | None:
    """The element `<tag id="id_" ...>...</tag>` (nested tags of the same name counted)."""
    start = html.find(f'<{tag} id="{id_}"')
    if start < 0:
        return None
    depth, position = 0, start
    pattern = re.compile(rf"<{tag}[\s>]|</{tag}>")
    for match in pattern.finditer(html, start):
        depth += -1 if match.group(0).startswith("</") else 1
        position = match.end()
        if depth == 0:
            break
    return html[start:position]


def normal(html: str) -> str:
    """As the member reads it: out-of-band markers, the save's own badge and focus and the
    whitespace between tags left out."""
    html = html.replace(' hx-swap-oob="true"', "").replace("<summary autofocus>", "<summary>")
    html = html.replace(' <span class="badge badge-success" role="status">Saved</span>', "")
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def page_now(client) -> dict[str, str]:
    """The dashboard's summaries and every row of every section, loaded afresh."""
    html = client.get(DASHBOARD).content.decode()
    page = {id_: element(html, tag, id_) for id_, tag in SUMMARIES.items()}
    for key in SECTIONS:
        rows = client.get(reverse("pathways:category", args=[key]), **HTMX).content.decode()
        for slug in re.findall(r'<details id="row-([a-z0-9-]+)"', rows):
            page[f"row-{slug}"] = element(rows, "details", f"row-{slug}")
    return page


def shown(page: dict[str, str]) -> list[str]:
    return re.findall(r'name="shown" value="([^"]+)"', "".join(page.values()))


def apply(page: dict[str, str], slug: str, answer: str) -> dict[str, str]:
    """The page after htmx swapped the answer in: the row first, then each out-of-band
    element by its id (an id the page does not have would be an htmx error)."""
    page = dict(page)
    page[f"row-{slug}"] = element(answer, "details", f"row-{slug}")
    for tag, id_ in re.findall(r'<([a-z]+) id="([a-z0-9-]+)"[^>]*hx-swap-oob="true"', answer):
        assert id_ in page, f"{id_} is not on the page"
        page[id_] = element(answer, tag, id_)
    return page


def walk(client, saves: list[tuple[str, dict]]) -> dict:
    """Each save as the dashboard sends it; the page as updated against the page reloaded.
    How many answers were a full reload (HX-Refresh) and how many summaries were sent."""
    page = page_now(client)
    refreshed = sent = 0
    seen = {}  # (summary, version): the summary as shown; one version, one content
    for slug, data in saves:
        url = reverse("pathways:progress", args=[slug])
        body = {**data, "loaded": SECTIONS, "shown": shown(page)}
        response = client.post(url, body, **HTMX)
        answer = response.content.decode()
        assert response.status_code == 200 and "errorlist" not in answer, (slug, answer[:2000])
        fresh = page_now(client)
        if response.get("HX-Refresh") == "true":
            # Only when the milestones that apply change: rows come and go.
            assert {k for k in fresh if k.startswith("row-")} != {
                k for k in page if k.startswith("row-")
            }, (slug, data)
            refreshed += 1
        else:
            updated = apply(page, slug, answer)
            sent += sum(1 for id_ in SUMMARIES if f'id="{id_}"' in answer)
            assert updated.keys() == fresh.keys(), (slug, data)
            for id_ in fresh:
                assert normal(updated[id_]) == normal(fresh[id_]), (slug, data, id_)
        for id_, value in zip(SUMMARIES, shown(fresh), strict=True):
            content = normal(re.sub(r'<input type="hidden" name="shown"[^>]*>', "", fresh[id_]))
            assert seen.setdefault(value, content) == content, (slug, data, id_)
        page = fresh
    return {"refreshed": refreshed, "sent": sent}


PASS_FAIL = {"attempts": 1}


@pytest.fixture
def frozen():
    """Noon on 5 Dec 2026 in New York, the clock running (each save its own updated_at)."""
    with time_machine.travel(NOON, tick=True):
        yield


def test_an_old_story_whose_window_ran_out(client, curated, frozen):
    """Step 1 passed in 2019 and a former Step 2 CS pass: the seven-year window ran out in
    March 2026 (Step 1 to retake, the CS pass no longer counts, OET and Pathway apply)."""
    her = make_member(
        "old@example.com",
        graduation_year=2017,
        has_step2cs=True,
        step2cs_passed_on=datetime.date(2019, 6, 1),
    )
    record(her, "step-1", status="done", outcome="passed", attempts=1,
           completed_date=datetime.date(2019, 3, 15))  # fmt: skip
    client.force_login(her)
    saves = [
        ("eligible-school", {"status": "in_progress", "planned_date": "2027-01-02"}),
        ("eligible-school", {"status": "in_progress", "planned_date": "2027-01-03"}),
        ("eligible-school", {"status": "done", "completed_date": "2026-11-01"}),
        ("intealth-account", {"status": "done", "completed_date": "2026-11-02"}),
        ("oet", {"status": "in_progress", "oet_single_sitting": "on"}),
        # Step 2 CK passed in 2025: the 2019 window had closed in March 2026, Step 1 and
        # the CS pass stay lapsed.
        (
            "step-2-ck",
            {"status": "done", "score": 250, "completed_date": "2025-05-01", **PASS_FAIL},
        ),  # fmt: skip
        # Step 1 dated 2020 instead: every exam within seven years of the CS pass, the window
        # is complete, the CS pass counts again and the OET and the Pathway no longer apply.
        (
            "step-1",
            {"status": "done", "outcome": "passed", "completed_date": "2020-01-10", **PASS_FAIL},
        ),  # fmt: skip
        (
            "step-1",
            {"status": "done", "outcome": "passed", "completed_date": "2019-03-15", **PASS_FAIL},
        ),  # fmt: skip
        ("usce", {"status": "not_applicable"}),
        ("letters", {"status": "in_progress", "planned_date": "2027-06-01"}),
        ("step-2-ck", {"status": "in_progress", **PASS_FAIL}),
        ("eras-token", {"status": "done", "completed_date": "2026-11-20"}),
        ("letters", {"status": "in_progress", "planned_date": "2027-06-01", "notes": "2 of 3"}),
    ]
    result = walk(client, saves)
    assert result["refreshed"] == 2 and result["sent"] > 0


def test_a_pass_that_stopped_counting_and_counts_again(client, curated, frozen):
    """No Step 2 CS: Step 1 passed in 2019 ran out in March 2026 ("To retake"); dating Step 2
    CK within seven years of it makes Step 1 count again, a row the save did not touch."""
    him = make_member("him@example.com", graduation_year=2017)
    record(him, "step-1", status="done", outcome="passed", attempts=1,
           completed_date=datetime.date(2019, 3, 15))  # fmt: skip
    client.force_login(him)
    ck = {"status": "done", "score": 250, **PASS_FAIL}
    saves = [
        ("step-2-ck", {**ck, "completed_date": "2025-05-01"}),
        ("step-2-ck", {**ck, "completed_date": "2020-05-01"}),  # Step 1 counts again
        ("step-2-ck", {**ck, "completed_date": "2025-05-01"}),  # and stops again
        ("credentials-verified", {"status": "done", "completed_date": "2026-11-01"}),
    ]
    result = walk(client, saves)
    assert result["refreshed"] == 0 and result["sent"] > 0


def test_a_fresh_2027_applicant(member_client, curated, frozen):
    saves = [
        ("step-1", {"status": "in_progress", "planned_date": "2027-01-02", **PASS_FAIL}),
        ("step-1", {"status": "in_progress", "planned_date": "2027-01-03", **PASS_FAIL}),
        (
            "step-1",
            {"status": "done", "outcome": "passed", "completed_date": "2026-10-01", **PASS_FAIL},
        ),  # fmt: skip
        (
            "oet",
            {
                "status": "done",
                "completed_date": "2026-09-01",
                "oet_listening": 350,
                "oet_reading": 350,
                "oet_writing": 350,
                "oet_speaking": 350,
                "oet_single_sitting": "on",
            },
        ),  # fmt: skip
        ("eligible-school", {"status": "done", "completed_date": "2026-11-01"}),
        ("pathway", {"status": "in_progress"}),
        (
            "step-2-ck",
            {"status": "done", "score": 230, "completed_date": "2026-11-15", **PASS_FAIL},
        ),  # fmt: skip
        ("j1-evsp", {"status": "not_applicable"}),
        ("step-1", {"status": "in_progress", **PASS_FAIL}),
    ]
    result = walk(member_client, saves)
    assert result["refreshed"] == 0 and result["sent"] > 0
