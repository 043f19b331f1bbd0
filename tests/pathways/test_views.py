"""Dashboard, progress updates (htmx and plain), milestone page, timeline."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from pathways.models import Milestone, Progress
from tests.factories import record

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2026, 11, 1, 15, 0)
DASHBOARD = "/roadmap/"
HTMX = {"HTTP_HX_REQUEST": "true"}
# Every full page carries the site's stylesheet inline (imgportal/templatetags/stylesheet.py,
# 16 KB, 3.6 KB compressed, the same on every page): page budgets count the page without it.
INLINE_STYLESHEET = re.compile(rb"<style nonce=\"[^\"]+\">.*?</style>", re.S)


def page_bytes(response) -> int:
    return len(INLINE_STYLESHEET.sub(b"", response.content))


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def alice_roadmap(member_client, member, curated, mark_done):
    """Alice has finished the first three ECFMG steps."""
    mark_done(member, "eligible-school", "intealth-account", "ecfmg-application")
    return member_client


def CATEGORY(key: str) -> str:  # noqa: N802 (a URL, like DASHBOARD)
    return f"/roadmap/c/{key}/"


def url(slug: str) -> str:
    return reverse("pathways:progress", args=[slug])


def snapshot(user, slug: str) -> dict | None:
    """The saved row as a dict, or None while the member has never saved it."""
    row = Progress.objects.filter(user=user, milestone__slug=slug).values().first()
    if row:
        row.pop("updated_at")
    return row


# --- Access ---------------------------------------------------------------------


@pytest.mark.parametrize("path", [DASHBOARD, "/roadmap/timeline/", "/roadmap/m/step-1/"])
def test_anonymous_is_sent_to_log_in(client, curated, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_anonymous_cannot_update_progress(client, member, curated, alice_roadmap):
    response = Client().post(url("step-1"), {"status": "done"})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert snapshot(member, "step-1") is None


@pytest.mark.parametrize("path", [DASHBOARD, "/roadmap/timeline/"])
def test_a_member_not_onboarded_is_sent_to_onboarding(client, new_member, path):
    client.force_login(new_member)
    assert client.get(path).url == reverse("accounts:onboarding")


def test_progress_is_addressed_per_member_never_across(alice_roadmap, member, other_member):
    """The URL names a milestone; whose progress it is comes from the session only."""
    record(other_member, "step-1", status="in_progress", notes="Bob's own note")
    bobs_before = snapshot(other_member, "step-1")
    data = {"status": "done", "outcome": "passed", "attempts": 1, "completed_date": "2026-10-01"}
    assert alice_roadmap.post(url("step-1"), data, **HTMX).status_code == 200
    assert snapshot(other_member, "step-1") == bobs_before
    assert snapshot(member, "step-1")["status"] == "done"
    assert "Bob&#x27;s own note" not in alice_roadmap.get(url("step-1")).content.decode()


def test_a_milestone_off_the_roadmap_is_still_editable(alice_roadmap, member):
    """Alice (J-1) has no H-1B milestone shown; its hidden row can still be recorded."""
    response = alice_roadmap.post(url("h1b"), {"status": "not_applicable"})
    assert response.status_code == 302
    assert snapshot(member, "h1b")["status"] == "not_applicable"


@pytest.mark.parametrize("slug", ["0", "-1", "step-9", "99999999"])
def test_unknown_milestones_are_404(alice_roadmap, slug):
    assert alice_roadmap.get(f"/roadmap/m/{slug}/progress/").status_code == 404
    post = alice_roadmap.post(f"/roadmap/m/{slug}/progress/", {"status": "done"})
    assert post.status_code == 404


def test_unknown_milestone_is_404(alice_roadmap):
    assert alice_roadmap.get("/roadmap/m/step-9/").status_code == 404


def test_wrong_methods_are_405(alice_roadmap):
    assert alice_roadmap.post(DASHBOARD).status_code == 405
    assert alice_roadmap.post("/roadmap/timeline/").status_code == 405
    assert alice_roadmap.delete(url("step-1")).status_code == 405
    assert alice_roadmap.put(url("step-1")).status_code == 405


# --- Dashboard ------------------------------------------------------------------


def test_dashboard_shows_progress_next_steps_blocked_deadlines_alerts(alice_roadmap, member):
    # 29 days before the (proposed) 2027 regular-registration deadline, Fri 29 Jan 2027.
    with time_machine.travel(datetime.datetime(2026, 12, 31, 12), tick=False):
        alice_roadmap.force_login(member)  # a session started on that day
        html = alice_roadmap.get(DASHBOARD).content.decode()
    assert 'id="roadmap-progress"' in html and "<progress" in html
    assert "3 of 25" in html  # three done, optional ones not counted
    assert 'id="next-steps"' in html and "Pass USMLE Step 1" in html
    assert "17 milestones wait for another" in html  # blocked: each names its blocker
    section = alice_roadmap.get(CATEGORY("licensure"), **HTMX).content.decode()
    row = section.split('id="row-gme-years"')[1].split("</details>")[0]
    assert '<span class="badge badge-warning">Blocked</span>' in row
    assert "NRMP regular-registration deadline (late fee after)" in html
    assert "29 days left" in html
    assert "rank order list deadline" in html  # the NRMP withdrawal alert
    assert "style=" not in html  # strict CSP: no inline styles


def test_dashboard_without_a_cycle_says_dates_are_not_published(alice_roadmap, member):
    Profile.objects.filter(user=member).update(match_year=2035)
    response = alice_roadmap.get(DASHBOARD)
    assert response.status_code == 200
    assert "The dates for the 2035 Match are not published yet" in response.content.decode()


def test_dashboard_personal_page_is_not_cached(alice_roadmap):
    assert "no-store" in alice_roadmap.get(DASHBOARD)["Cache-Control"]


# --- Progress updates -----------------------------------------------------------


def test_htmx_update_returns_the_row_and_out_of_band_parts(alice_roadmap, member, progress_of):
    data = {"status": "done", "outcome": "passed", "attempts": 1, "completed_date": "2026-10-01"}
    response = alice_roadmap.post(url("step-1"), data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<details id="row-step-1"')
    for part in ("standing", "roadmap-progress", "next-steps", "blocked", "alerts"):
        assert re.search(f'id="{part}"[^>]*hx-swap-oob="true"', html), part
    assert "4 of 25" in html and "Saved" in html
    assert "HX-Request" in response["Vary"]
    step1 = progress_of(member, "step-1")
    assert (step1.status, step1.outcome, step1.attempts) == ("done", "passed", 1)


def shown_on(client) -> list[str]:
    """The versions of the summaries the dashboard shows, as its row forms send them along."""
    html = client.get(DASHBOARD).content.decode()
    return re.findall(r'<input type="hidden" name="shown" value="([^"]+)">', html)


def test_the_dashboard_carries_the_version_of_each_summary_a_save_may_refresh(alice_roadmap):
    names = [value.partition(":")[0] for value in shown_on(alice_roadmap)]
    assert sorted(names) == ["alerts", "blocked", "next_steps", "progress_summary", "standing"]
    form = alice_roadmap.get(url("step-1"), **HTMX).content.decode()
    assert 'data-hx-include="[name=loaded],[name=shown]"' in form


def test_a_save_sends_only_the_summaries_whose_content_changed(alice_roadmap, member):
    shown = shown_on(alice_roadmap)
    # A planned date: the row shows it, no summary does.
    data = {"status": "in_progress", "attempts": 0, "planned_date": "2027-01-02"}
    html = alice_roadmap.post(url("step-1"), {**data, "shown": shown}, **HTMX).content.decode()
    assert "Planned 2 Jan 2027" in html and "hx-swap-oob" not in html
    # Marked done with its result: the counts, the standing, the next steps and the alerts
    # change; the number of blocked milestones does not.
    done = {**data, "status": "done", "outcome": "passed", "completed_date": "2026-10-01"}
    html = alice_roadmap.post(url("step-1"), {**done, "shown": shown}, **HTMX).content.decode()
    sent = re.findall(r'<[a-z]+ id="([a-z-]+)"[^>]*hx-swap-oob="true"', html)
    assert sent == ["standing", "roadmap-progress", "next-steps", "alerts"]
    # Each sent summary carries its new version: the page sends that with its next save.
    fresh = re.findall(r'name="shown" value="([^"]+)"', html)
    assert len(fresh) == 4 and not set(fresh) & set(shown)
    assert sorted(fresh + [v for v in shown if v.startswith("blocked:")]) == sorted(
        shown_on(alice_roadmap)
    )


def test_a_saved_row_comes_back_collapsed_without_its_form(alice_roadmap):
    data = {"status": "in_progress", "attempts": 1}
    html = alice_roadmap.post(url("step-1"), data, **HTMX).content.decode()
    row = html.lstrip()[: html.lstrip().index("</details>")]
    assert row.startswith('<details id="row-step-1" class="roadmap-row status-in_progress">')
    assert "<form" not in row and "<summary autofocus>" in row and "Saved" in row
    assert 'data-hx-get="/roadmap/m/step-1/progress/"' in row  # re-opening loads the form


def test_saving_what_is_already_saved_writes_nothing_and_sends_only_the_row(
    alice_roadmap, member, progress_of, django_assert_num_queries
):
    data = {"status": "in_progress", "attempts": 1, "notes": "Booked", "loaded": "exams"}
    alice_roadmap.post(url("step-1"), data, **HTMX)
    saved_at = progress_of(member, "step-1").updated_at
    data["shown"] = shown_on(alice_roadmap)  # the dashboard as it now is, cached
    # session, user, profile with progress: the row as read is the row as sent, no write
    with django_assert_num_queries(3):
        html = alice_roadmap.post(url("step-1"), data, **HTMX).content.decode()
    assert html.lstrip().startswith('<details id="row-step-1"') and "Saved" in html
    assert "hx-swap-oob" not in html  # nothing else changed
    assert progress_of(member, "step-1").updated_at == saved_at
    with django_assert_num_queries(3):  # so the dashboard's cache entry still stands
        alice_roadmap.get(DASHBOARD)
    changed = {**data, "status": "done", "outcome": "passed", "completed_date": "2026-10-01"}
    html = alice_roadmap.post(url("step-1"), changed, **HTMX).content.decode()
    assert re.search('id="standing"[^>]*hx-swap-oob="true"', html)
    assert progress_of(member, "step-1").status == "done"


def test_htmx_update_refreshes_rows_it_unblocks(alice_roadmap, member, mark_done):
    mark_done(member, "step-1", "credentials-verified", outcome="passed")
    mark_done(member, "oet", "pathway")
    data = {"status": "done", "score": 250, "completed_date": "2026-09-01", "attempts": 1}
    loaded = {**data, "loaded": ["exams", "ecfmg"]}  # the sections the page has open
    html = alice_roadmap.post(url("step-2-ck"), loaded, **HTMX).content.decode()
    assert re.search('<details id="row-ecfmg-certificate"[^>]*hx-swap-oob="true"', html)


def test_htmx_update_leaves_out_rows_of_sections_the_page_has_not_loaded(
    alice_roadmap, member, mark_done
):
    """An out-of-band row without a target on the page would be an htmx error: a section
    that was never opened loads fresh rows when it is."""
    mark_done(member, "step-1", "credentials-verified", outcome="passed")
    mark_done(member, "oet", "pathway")
    data = {"status": "done", "score": 250, "completed_date": "2026-09-01", "attempts": 1}
    html = alice_roadmap.post(url("step-2-ck"), {**data, "loaded": "exams"}, **HTMX)
    html = html.content.decode()
    rows = re.findall(r'<details id="row-([a-z0-9-]+)"', html)
    # A new pass: ECFMG's window may have changed any exam row; only the exams' section is
    # on the page (the certificate's row, which the pass unblocks, is in another).
    assert rows[0] == "step-2-ck" and set(rows) == {"step-1", "step-2-ck", "step-3", "oet"}
    assert re.search('id="roadmap-progress"[^>]*hx-swap-oob="true"', html)


def test_htmx_update_on_a_section_page_sends_only_rows(alice_roadmap):
    """The section's own page (opened without JavaScript, then used with it) has no dashboard
    summaries: none are sent."""
    headers = {**HTMX, "HTTP_HX_CURRENT_URL": "http://testserver" + CATEGORY("exams")}
    data = {"status": "in_progress", "attempts": 0, "loaded": "exams"}
    html = alice_roadmap.post(url("step-1"), data, **headers).content.decode()
    assert html.lstrip().startswith('<details id="row-step-1"') and "Saved" in html
    assert "hx-swap-oob" not in html


def test_plain_post_redirects_with_a_message(alice_roadmap):
    response = alice_roadmap.post(url("step-1"), {"status": "in_progress", "attempts": 0})
    assert response.status_code == 302
    assert response.url == f"{CATEGORY('exams')}#row-step-1"  # the row, among its section's
    page = alice_roadmap.get(response.url).content.decode()
    assert "Saved: Pass USMLE Step 1." in page


def test_edit_page_works_without_javascript(alice_roadmap):
    response = alice_roadmap.get(url("step-2-ck"))
    html = response.content.decode()
    assert response.status_code == 200 and 'name="score"' in html and 'name="outcome"' not in html


def test_form_fields_follow_what_the_milestone_records(alice_roadmap):
    oet = alice_roadmap.get(url("oet")).content.decode()
    assert 'name="oet_writing"' in oet
    assert 'name="score"' not in oet and 'name="attempts"' not in oet
    pathway = alice_roadmap.get(url("pathway")).content.decode()
    assert 'name="expires_on"' in pathway and 'name="oet_writing"' not in pathway
    step1 = alice_roadmap.get(url("step-1")).content.decode()
    assert 'name="outcome"' in step1 and 'name="attempts"' in step1


def test_failing_score_is_saved_as_failed_but_cannot_be_done(alice_roadmap, member, progress_of):
    base = {"score": 216, "completed_date": "2025-08-01", "attempts": 1}
    response = alice_roadmap.post(url("step-2-ck"), {**base, "status": "in_progress"})
    assert response.status_code == 302
    step2 = progress_of(member, "step-2-ck")
    assert (step2.score, step2.outcome) == (216, "failed")

    response = alice_roadmap.post(url("step-2-ck"), {**base, "status": "done"})
    assert "216 is below 218, the passing score on 1 Aug 2025" in response.content.decode()
    step2.refresh_from_db()
    assert step2.status == "in_progress"


def test_passing_score_under_the_older_rule(alice_roadmap, member, progress_of):
    data = {"score": 216, "completed_date": "2025-06-30", "attempts": 1, "status": "done"}
    assert alice_roadmap.post(url("step-2-ck"), data).status_code == 302
    step2 = progress_of(member, "step-2-ck")
    assert (step2.status, step2.outcome) == ("done", "passed")


def test_extra_fields_are_ignored(alice_roadmap, member, other_member, progress_of):
    data = {"status": "in_progress", "attempts": 1, "user": other_member.pk, "milestone": 1}
    assert alice_roadmap.post(url("step-1"), data).status_code == 302
    step1 = progress_of(member, "step-1")
    assert step1.user == member and step1.milestone.slug == "step-1"


BAD_INPUTS = [
    ("step-2-ck", {"score": "999"}, "score", "between 1 and 300"),
    ("step-2-ck", {"score": "-5"}, "score", "between 1 and 300"),
    ("step-2-ck", {"score": "1e3"}, "score", "Enter a whole number"),
    ("step-2-ck", {"score": "240.5"}, "score", "Enter a whole number"),
    ("step-2-ck", {"score": "240"}, "completed_date", "Enter your test date"),
    (
        "step-1",
        {"attempts": "7"},
        "attempts",
        "never allowed more than 6 attempts per Step; a seventh",
    ),
    ("step-1", {"completed_date": "0001-01-01"}, "completed_date", "from 1960 onwards"),
    ("step-1", {"planned_date": "9999-12-31"}, "planned_date", "no later than 2100"),
    ("step-1", {"planned_date": "2025-02-30"}, "planned_date", "Enter a valid date"),
    ("step-1", {"completed_date": "2026-11-02"}, "completed_date", "cannot be in the future"),
    ("step-1", {"status": "step9"}, "status", "Select a valid choice"),
    ("step-1", {"outcome": "H1B'--"}, "outcome", "Select a valid choice"),
    ("step-1", {"status": "done", "outcome": "failed"}, "outcome", "failed result cannot"),
    ("oet", {"oet_writing": "501"}, "oet_writing", "between 0 and 500"),
    ("oet", {"oet_listening": "-1"}, "oet_listening", "between 0 and 500"),
    ("step-1", {"notes": "x" * 1_000_000}, "notes", "at most 5000 characters"),
]


@pytest.mark.parametrize(("slug", "data", "field", "message"), BAD_INPUTS)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    alice_roadmap, member, slug, data, field, message, htmx
):
    record(member, slug, notes="Saved before.")
    before = snapshot(member, slug)
    post = {"status": "in_progress", "attempts": "1", "notes": "changed", **data}
    response = alice_roadmap.post(url(slug), post, **(HTMX if htmx else {}))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'aria-invalid="true"' in html
    assert snapshot(member, slug) == before  # nothing half-saved (the note neither)
    # The row shows the saved values, never the rejected one as if saved.
    assert "Saved</span>" not in html
    facts = html.split('class="row-facts"')[1].split("</p>")[0]
    assert "999" not in facts and "changed" not in facts
    if htmx:
        assert "<html" not in html and 'hx-swap-oob="true"' not in html
        assert f'<details id="row-{slug}" class="roadmap-row status-' in html
        assert html.split(f'id="row-{slug}"')[1].split(">")[0].endswith(" open")


def test_htmx_post_needs_the_csrf_token(member, curated):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    page = client.get(DASHBOARD)
    data = {"status": "in_progress", "attempts": 0}
    assert client.post(url("step-1"), data, **HTMX).status_code == 403
    bad = client.post(url("step-1"), data, HTTP_X_CSRFTOKEN="wrong" * 8, **HTMX)
    assert bad.status_code == 403
    assert snapshot(member, "step-1") is None
    token = page.cookies["csrftoken"].value
    assert client.post(url("step-1"), data, HTTP_X_CSRFTOKEN=token, **HTMX).status_code == 200
    assert 'hx-headers=\'{"X-CSRFToken": "' in page.content.decode()


# --- Milestone page and timeline ------------------------------------------------


def test_milestone_page_shows_explanation_source_needs_and_unlocks(alice_roadmap):
    html = alice_roadmap.get("/roadmap/m/step-1/").content.decode()
    assert "Pass USMLE Step 1" in html
    assert "<strong>4 attempts per Step</strong>" in html  # Markdown rendered
    assert 'href="https://www.usmle.org/' in html
    assert "Submit the Application for ECFMG Certification" in html  # needs first
    assert "Receive your ECFMG Certificate" in html  # unlocks
    assert "Your status" in html


def test_milestone_page_escapes_curator_text(alice_roadmap):
    Milestone.objects.filter(slug="step-1").update(
        title="<img src=x onerror=alert(1)>",
        explanation='[x](javascript:alert(1)) hx-get="/admin/"',
    )
    html = alice_roadmap.get("/roadmap/m/step-1/").content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "javascript:" not in html
    assert "hx-disable" in html


def test_milestone_page_marks_needs_review(alice_roadmap):
    html = alice_roadmap.get("/roadmap/m/step-2-ck/").content.decode()
    assert "Being checked by our curators" in html


def date_change(**fields):
    from django.utils import timezone

    from pathways.models import DateChange

    defaults = {"kind": "cycle", "field": "rol_deadline", "changed_at": timezone.now()}
    return DateChange.objects.create(**{**defaults, **fields})


def test_milestone_page_shows_the_history_of_its_date(alice_roadmap):
    from pathways.models import MatchCycle

    c2027, c2028 = MatchCycle.objects.get(year=2027), MatchCycle.objects.get(year=2028)
    date_change(
        cycle=c2027,
        label="Match 2027: Rank order list deadline",
        old_value="3 Mar 2027",
        new_value="24 Feb 2027",
        source_url="https://www.nrmp.org/",
    )
    date_change(cycle=c2028, label="Match 2028: ROL", old_value="1 Mar 2028", new_value="X")
    date_change(cycle=c2027, field="match_day", label="Match 2027: Match Day", new_value="Y")
    step1 = Milestone.objects.get(slug="step-1")
    date_change(
        kind="milestone",
        field="deadline",
        milestone=step1,
        label="Pass USMLE Step 1: deadline",
        old_value="Match Day",
        new_value="Rank order list deadline",
    )
    html = alice_roadmap.get("/roadmap/m/step-1/").content.decode()
    history = html.split("History of this date")[1].split("</section>")[0]
    assert "Match 2027: Rank order list deadline: 3 Mar 2027 → 24 Feb 2027" in history
    assert 'href="https://www.nrmp.org/"' in history
    assert "Pass USMLE Step 1: deadline: Match Day → Rank order list deadline" in history
    assert "Match 2028" not in history  # another cycle than Alice's
    assert "Match Day</" not in history and "→ Y" not in history  # another date


def test_milestone_page_without_changes_has_no_history(alice_roadmap):
    assert "History of this date" not in alice_roadmap.get("/roadmap/m/step-1/").content.decode()


def test_dashboard_tells_of_recent_changes_that_affect_the_member(alice_roadmap):
    from django.utils import timezone

    from pathways.models import MatchCycle

    c2027, c2028 = MatchCycle.objects.get(year=2027), MatchCycle.objects.get(year=2028)
    date_change(
        cycle=c2027,
        field="pathway_application_deadline",
        label="Match 2027: ECFMG Pathway application deadline",
        old_value="31 Jan 2027",
        new_value="15 Feb 2027",
    )
    date_change(cycle=c2028, label="Match 2028: Rank order list deadline", new_value="X")
    date_change(
        cycle=c2027,
        label="Match 2027: Rank order list deadline",
        new_value="old news",
        changed_at=timezone.now() - datetime.timedelta(days=31),
    )
    html = alice_roadmap.get(DASHBOARD).content.decode()
    notice = html.split('id="date-changes"')[1].split("</section>")[0]
    assert (
        "Match 2027: ECFMG Pathway application deadline changed from 31 Jan 2027 to 15 Feb 2027"
        in notice
    )
    assert "Match 2028" not in notice  # Bob's cycle, not Alice's
    assert "old news" not in notice  # more than 30 days ago


def test_dashboard_without_recent_changes_has_no_notice(alice_roadmap):
    assert 'id="date-changes"' not in alice_roadmap.get(DASHBOARD).content.decode()


def test_timeline_draws_milestones_deadlines_and_today(alice_roadmap, member):
    record(member, "step-1", planned_date=datetime.date(2027, 1, 10))
    html = alice_roadmap.get("/roadmap/timeline/").content.decode()
    assert "<svg" in html and 'data-testid="today"' in html
    assert "Match Day: about Fri 19 Mar 2027" in html and "proposed, not yet confirmed" in html
    assert "Pass USMLE Step 1: planned 10 Jan 2027" in html
    assert "<script" not in html.split("<main")[1]


def test_timeline_without_a_cycle(alice_roadmap, member):
    Profile.objects.filter(user=member).update(match_year=2035)
    response = alice_roadmap.get("/roadmap/timeline/")
    assert response.status_code == 200 and "not published yet" in response.content.decode()


# --- Query counts ---------------------------------------------------------------


@pytest.fixture(params=[10, 60])
def synthetic_roadmap(request, member_client, member, milestones_factory):
    """10 or 60 milestones, half of them with a saved progress row (m-1, m-3...), and the
    curated content already cached by an earlier request (as on a running server)."""
    for milestone in milestones_factory(request.param)[1::2]:
        record(member, milestone.slug, status="in_progress")
    assert member_client.get(DASHBOARD).status_code == 200
    return member_client


def test_dashboard_query_count_is_constant(synthetic_roadmap, django_assert_num_queries):
    from django.core.cache import caches

    caches["situation"].clear()
    # session, user, profile with the member's data version, progress, recent date changes
    # (milestones, prerequisites, cycles, rules, entry restrictions and the next steps'
    # resources come from the curated-content cache)
    with django_assert_num_queries(5):
        assert synthetic_roadmap.get(DASHBOARD).status_code == 200
    # nothing it reads changed: session, user, profile with the data version
    with django_assert_num_queries(3):
        assert synthetic_roadmap.get(DASHBOARD).status_code == 200


def test_a_sections_rows_query_count_is_constant(synthetic_roadmap, django_assert_num_queries):
    # session, user, profile, progress: 2 of 10 rows or 12 of 60 in the section
    with django_assert_num_queries(4):
        response = synthetic_roadmap.get(CATEGORY("exams"), **HTMX)
    assert response.status_code == 200 and 'id="row-m-0"' in response.content.decode()


def test_a_cold_cache_costs_six_queries_once(synthetic_roadmap, django_assert_num_queries):
    from pathways import curated_cache

    curated_cache.bump()  # a curator's change: a new content token, nothing cached under it
    # So the dashboard is built again: + milestones, prerequisites, cycles, rules, entry
    # restrictions, the resources linked to milestones
    with django_assert_num_queries(11):
        assert synthetic_roadmap.get(DASHBOARD).status_code == 200
    with django_assert_num_queries(3):  # then from the situation cache
        assert synthetic_roadmap.get(DASHBOARD).status_code == 200


def test_a_curator_save_reaches_the_next_request(synthetic_roadmap, curator_client):
    from pathways.models import Milestone

    milestone = Milestone.objects.get(slug="m-0")
    milestone.title = "Renamed by a curator"
    milestone.save()  # the admin, the loader and the shell all save
    assert "Renamed by a curator" in synthetic_roadmap.get(DASHBOARD).content.decode()


@pytest.mark.parametrize("changes", [0, 5])
def test_milestone_page_query_count_is_constant(
    synthetic_roadmap, changes, django_assert_num_queries
):
    from pathways.models import MatchCycle

    cycle = MatchCycle.objects.get(year=2027)
    for n in range(changes):
        date_change(cycle=cycle, field="match_day", label=f"Match 2027: Match Day {n}")
    # session, user, profile, progress (the roadmap; the curated content, prerequisites
    # included, is cached), the history of its date, its explanation (deferred in the
    # cache), its resources
    with django_assert_num_queries(7):
        html = synthetic_roadmap.get("/roadmap/m/m-3/").content.decode()
    assert html.count("Match 2027: Match Day") == changes


def test_timeline_query_count_is_constant(synthetic_roadmap, django_assert_num_queries):
    # session, user, profile, progress
    with django_assert_num_queries(4):
        assert synthetic_roadmap.get("/roadmap/timeline/").status_code == 200


@pytest.mark.parametrize("slug, queries", [("m-1", 4), ("m-6", 7)], ids=["saved row", "first save"])
def test_htmx_update_query_count_is_constant(
    synthetic_roadmap, member, slug, queries, django_assert_num_queries
):
    # Both are pass/fail milestones; session, user, profile with progress rows, then the save:
    # a saved row read unchanged since is one conditional UPDATE; a first save locks (none
    # yet) and inserts in a savepoint (4). The next steps' resources come from the curated
    # cache; the form's fields already hold the check constraints: no SELECTs.
    with django_assert_num_queries(queries):
        response = synthetic_roadmap.post(
            url(slug), {"status": "in_progress", "planned_date": "2027-01-02"}, **HTMX
        )
    assert response.status_code == 200 and "Saved" in response.content.decode()
    assert snapshot(member, slug)["planned_date"] == datetime.date(2027, 1, 2)


def test_first_visit_costs_the_same_and_writes_nothing(
    member_client, member, milestones_factory, django_assert_num_queries
):
    milestones_factory(10)
    # session, user, profile, milestones, prerequisites, cycles, rules, entry restrictions,
    # resources linked to milestones (a cold cache), progress (none), recent date changes
    with django_assert_num_queries(11):
        assert member_client.get(DASHBOARD).status_code == 200
    assert not Progress.objects.filter(user=member).exists()


# --- The dashboard: now first, forms loaded on demand ---------------------------------


def test_dashboard_answers_what_next_first_and_carries_no_forms(alice_roadmap):
    response = alice_roadmap.get(DASHBOARD)
    html = response.content.decode()
    main = html.split('<main id="main"')[1]
    assert (
        main.index('id="standing"') < main.index('id="next-steps"') < main.index('id="deadlines"')
    )
    assert "You are in the <strong>Exams</strong> phase, 3 of 25 milestones done." in html
    assert 'name="status"' not in html  # no edit form until a row is opened
    # No rows either until their section is opened: each section loads its own.
    assert '<details id="row-' not in html
    sections = re.findall(r'data-hx-get="(/roadmap/c/[a-z]+/)"', html)
    assert sections == [CATEGORY(key) for key in ("exams", "ecfmg", "match", "visa", "licensure")]
    assert html.count('data-hx-trigger="toggle from:closest details once"') == len(sections)
    assert all(f'<a href="{section}">' in html for section in sections)  # without JavaScript
    rows = 0
    for section in sections:
        fragment = alice_roadmap.get(section, **HTMX).content.decode()
        assert "<html" not in fragment
        rows += fragment.count('<details id="row-')
        triggers = fragment.count('data-hx-trigger="toggle from:closest details once"')
        assert triggers == fragment.count('<details id="row-')  # each row's form on demand
    assert rows == 29
    assert page_bytes(response) < 25_000, page_bytes(response)


def test_an_opened_row_loads_its_form_alone(alice_roadmap):
    response = alice_roadmap.get(url("step-2-ck"), **HTMX)
    html = response.content.decode().strip()
    assert response.status_code == 200 and html.startswith("<form")
    assert 'name="score"' in html and 'id="id_step-2-ck_score"' in html
    assert "<html" not in html and 'data-hx-target="#row-step-2-ck"' in html
    assert "HX-Request" in response["Vary"]
    full = alice_roadmap.get(url("step-2-ck")).content.decode()  # without JavaScript: a page
    assert "<html" in full and 'name="score"' in full
    # Against the page as the browser receives it: its markup is 10.6 KB since the rows load
    # with their sections, and the inlined stylesheet (16 KB) is part of every download.
    assert len(html) < 0.15 * len(alice_roadmap.get(DASHBOARD).content)


def test_a_section_is_its_rows_to_htmx_and_a_page_without_javascript(
    alice_roadmap, django_assert_num_queries
):
    alice_roadmap.get(DASHBOARD)  # the curated content in its cache, as after any page
    with django_assert_num_queries(4):  # session, user, profile, progress
        fragment = alice_roadmap.get(CATEGORY("exams"), **HTMX)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "HX-Request" in fragment["Vary"]
    assert '<input type="hidden" name="loaded" value="exams">' in html
    assert 'id="row-step-1"' in html and 'id="row-eligible-school"' not in html
    page = alice_roadmap.get(CATEGORY("exams"))
    full = page.content.decode()
    assert "<html" in full and '<h1 id="section-heading">Exams: your milestones</h1>' in full
    assert f'<a href="{url("step-1")}">Record progress</a>' in full
    assert "no-store" in page["Cache-Control"]
    assert len(html) < 0.15 * len(alice_roadmap.get(DASHBOARD).content)


@pytest.mark.parametrize("key", ["no-such-category", "Exams"])
def test_an_unknown_section_is_a_404(alice_roadmap, key):
    assert alice_roadmap.get(CATEGORY(key)).status_code == 404
    assert alice_roadmap.get(CATEGORY(key), **HTMX).status_code == 404


def test_a_section_before_onboarding_sends_to_onboarding(client, new_member, curated):
    client.force_login(new_member)
    assert client.get(CATEGORY("exams")).url == "/me/welcome/"


def test_urgent_alerts_change_the_standing(alice_roadmap, member):
    record(member, "step-1", attempts=4, status="in_progress")
    html = alice_roadmap.get(DASHBOARD).content.decode()
    assert "1 urgent alert needs your attention." in html


# --- Two tabs, one row ------------------------------------------------------------------


def version_in(html: str) -> str:
    tag = re.search(r'<input[^>]*name="version"[^>]*>', html).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else ""


def test_a_stale_tab_cannot_overwrite_another_tabs_change(alice_roadmap, member, progress_of):
    page = alice_roadmap.get(url("step-1"), **HTMX).content.decode()
    stale_version = version_in(page)
    assert stale_version == ""  # never saved yet
    # Tab A saves first.
    first = {"status": "in_progress", "attempts": 1, "notes": "Booked for May", "version": ""}
    assert alice_roadmap.post(url("step-1"), first, **HTMX).status_code == 200
    # Tab B, opened before, tries to save something else.
    second = {"status": "in_progress", "attempts": 2, "notes": "Booked for June", "version": ""}
    response = alice_roadmap.post(url("step-1"), second, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "changed in another tab" in html
    assert "Attempts so far: saved 1, yours 2" in html
    assert "Notes: saved Booked for May, yours Booked for June" in html
    assert "Booked for June" in html.split("<textarea")[1]  # the member's input is kept
    assert progress_of(member, "step-1").notes == "Booked for May"  # nothing lost
    # Saving again from the refreshed form keeps tab B's values, knowingly.
    fresh = version_in(html)
    assert fresh and fresh != stale_version
    assert alice_roadmap.post(url("step-1"), {**second, "version": fresh}).status_code == 302
    assert progress_of(member, "step-1").notes == "Booked for June"


def test_a_double_click_is_not_a_conflict(alice_roadmap, member, progress_of):
    data = {"status": "in_progress", "attempts": 1, "notes": "Same", "version": ""}
    assert alice_roadmap.post(url("step-1"), data).status_code == 302
    assert alice_roadmap.post(url("step-1"), data).status_code == 302  # the second click
    assert Progress.objects.filter(user=member, milestone__slug="step-1").count() == 1


def test_a_deadline_without_a_date_says_so_not_about_nothing(alice_roadmap):
    from pathways import curated_cache
    from pathways.models import MatchCycle

    cycle = MatchCycle.objects.filter(year=2027)
    kept = cycle.get().pathway_application_deadline
    cycle.update(pathway_application_deadline=None)
    curated_cache.bump()
    try:
        html = alice_roadmap.get("/roadmap/m/pathway/").content.decode()
    finally:
        cycle.update(pathway_application_deadline=kept)
        curated_cache.bump()
    assert "Due by about" not in html
    assert "is not published here yet" in html


def test_saving_again_after_a_conflict_never_sends_back_untouched_fields(
    alice_roadmap, member, progress_of
):
    """Issue 21: tab A opened the form; tab B saved a note; tab A changed only the attempts.
    The refusal keeps A's attempts and shows B's note, so A's second save keeps both."""
    opened = alice_roadmap.get(url("step-1"), **HTMX).content.decode()
    initial = {
        name: (value or "")
        for name, value in re.findall(r'name="(initial-[^"]+)"(?: value="([^"]*)")?', opened)
    }
    assert "initial-notes" in initial and "initial-attempts" in initial
    before = {"status": "not_started", "attempts": "0", "notes": "", "version": ""}
    assert alice_roadmap.post(url("step-1"), {**before, "notes": "From tab B"}).status_code == 302
    mine = {**before, **initial, "attempts": "1"}  # tab A changes the attempts only
    html = alice_roadmap.post(url("step-1"), mine, **HTMX).content.decode()
    assert "changed in another tab" in html
    assert "Attempts so far: saved 0, yours 1" in html and "Notes: saved" not in html
    shown_note = re.search(r"<textarea[^>]*>\s*([^<]*)</textarea>", html).group(1).strip()
    assert shown_note == "From tab B"  # untouched: the saved value, not A's stale empty one
    again = {
        **mine,
        "notes": shown_note,
        "initial-notes": shown_note,
        "version": version_in(html),
    }
    assert alice_roadmap.post(url("step-1"), again).status_code == 302
    saved = progress_of(member, "step-1")
    assert (saved.attempts, saved.notes) == (1, "From tab B")
