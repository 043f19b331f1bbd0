"""The live 2027 season: the corrections of the 2027-season content review (docs/sources.md),
each rule pinned at frozen dates on both sides of its boundary."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Profile
from pathways.curated import CONTENT_DIR
from pathways.models import MatchCycle
from pathways.roadmap import roadmap_for
from tests.factories import record

pytestmark = pytest.mark.django_db
NRMP = "https://www.nrmp.org"
NRMP_NEWSLETTER = "https://www.nrmp.org/about/news/2025/09/medical-school-welcome-newsletter-2"


def on(user, y: int, m: int, d: int):
    return roadmap_for(user, datetime.date(y, m, d))


def titles(roadmap) -> list[str]:
    return [a.title for a in roadmap.alerts]


def one(roadmap, text: str):
    found = [a for a in roadmap.alerts if text in a.title]
    assert len(found) == 1, titles(roadmap)
    return found[0]


def slugs(items) -> set[str]:
    return {i.milestone.slug for i in items}


# --- A. Dates: verified or proposed, per date --------------------------------------


def test_the_2026_dates_ship_corrected_and_verified_only_on_the_exact_page(curated):
    """Corrected 2026-12-05: NRMP dates are verified only against NRMP's own page for that
    Match; Match Day stands, verified on NRMP's September 2025 newsletter."""
    cycle = MatchCycle.objects.get(year=2026)
    verified = {i.field for i in map(cycle.info, MatchCycle.DATE_FIELDS) if i.verified}
    assert verified == {
        "eras_opens",
        "applicants_may_submit",
        "programs_review_starts",
        "match_week_starts",  # 16-20 Mar 2026 on the same NRMP newsletter
        "match_day",
    }
    match_day = cycle.info("match_day")
    assert match_day.date == datetime.date(2026, 3, 20)
    assert match_day.source_url == NRMP_NEWSLETTER and match_day.checked_on == "2026-12-05"
    corrected = {
        "nrmp_early_registration_deadline": datetime.date(2026, 1, 30),
        "ranking_opens": datetime.date(2026, 2, 2),
        "rol_deadline": datetime.date(2026, 3, 4),
    }
    for name, date in corrected.items():
        assert (cycle.info(name).date, cycle.info(name).proposed) == (date, True)
    assert cycle.info("training_starts").proposed  # not in the review's verified list
    for info in map(cycle.info, MatchCycle.DATE_FIELDS):
        if info.verified:  # an exact page, never nrmp.org's home page
            assert info.source_url.startswith("https://") and info.source_url.rstrip("/") != NRMP


def test_every_2027_date_is_proposed_and_names_its_rule(curated):
    cycle = MatchCycle.objects.get(year=2027)
    infos = [cycle.info(name) for name in MatchCycle.DATE_FIELDS]
    assert not [i.field for i in infos if i.verified]
    rol = cycle.info("rol_deadline")
    assert rol.date == datetime.date(2027, 3, 3)
    assert rol.basis == (
        "computed: the Wednesday 16 days before Match Day, 9 pm ET (every year since 2021)"
    )
    assert cycle.info("ranking_opens").date == datetime.date(2027, 2, 1)
    registration = cycle.info("nrmp_early_registration_deadline")
    assert registration.date == datetime.date(2027, 1, 29)
    assert registration.label == "NRMP regular-registration deadline (late fee after)"
    assert (
        cycle.info("match_day").basis == "computed: third Friday of March (long-standing pattern)"
    )
    assert cycle.info("eras_opens").date == datetime.date(2026, 6, 3)
    # ECFMG's 2027 Pathways: one secondary source each, shipped as proposed, needs review.
    assert cycle.info("pathway_application_deadline").date == datetime.date(2027, 1, 31)
    assert cycle.info("oet_valid_from").date == datetime.date(2025, 1, 1)
    assert cycle.needs_review


def test_a_verified_date_that_changes_is_proposed_again(curated):
    cycle = MatchCycle.objects.get(year=2026)
    cycle.match_day = datetime.date(2026, 3, 19)
    cycle.save()
    info = cycle.info("match_day")
    assert info.proposed and info.basis.startswith("entered by a curator, not yet verified")


def test_a_member_aiming_at_2027_sees_no_date_as_official(alice, client):
    client.force_login(alice)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12), tick=False):
        dashboard = client.get("/roadmap/").content.decode()
        timeline = client.get("/roadmap/timeline/").content.decode()
        milestone = client.get("/roadmap/m/match/").content.decode()
    deadlines = dashboard.split('id="deadlines"')[1].split("</section>")[0]
    items = re.findall(r"<li>(.*?)</li>", deadlines, re.S)
    assert len(items) == 4  # the next four; the timeline lists them all
    for item in items:
        assert "about " in item and "proposed, not yet confirmed" in item, item
    assert "Proposed dates, not yet official" not in dashboard  # the per-cycle badge is gone
    legend = timeline.split('class="cycle-legend"')[1].split("</ol>")[0]
    assert legend.count("<li>") == legend.count("proposed, not yet confirmed") >= 8
    assert "about <strong>19 Mar 2027</strong>" in milestone
    assert "third Friday of March" in milestone


def test_verified_dates_show_without_the_mark(alice, client):
    cycle = MatchCycle.objects.get(year=2027)
    cycle.verify("match_day", NRMP, datetime.date(2026, 11, 25))
    cycle.save()
    client.force_login(alice)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12), tick=False):
        html = client.get("/roadmap/timeline/").content.decode()
    match_day = re.search(r"<li>Match Day:(.*?)</li>", html, re.S).group(1)
    assert match_day.strip() == "Fri 19 Mar 2027"
    rol = re.search(r"<li>Rank order list deadline:(.*?)</li>", html, re.S).group(1)
    assert "about" in rol and "proposed" in rol


def test_curators_verify_a_date_in_the_admin(curator_client, curated):
    cycle = MatchCycle.objects.get(year=2027)
    url = reverse("admin:pathways_matchcycle_change", args=[cycle.pk])
    page = curator_client.get(url).content.decode()
    assert "Proposed: computed: third Friday of March" in page
    form = {
        "year": 2027,
        "needs_review": "on",
        "notes": "",
        **{name: (getattr(cycle, name) or "") for name in MatchCycle.DATE_FIELDS},
        "match_day_source": NRMP,
        "match_day_checked": "2026-11-24",
        "rol_deadline_source": NRMP,  # no day checked: refused
    }
    response = curator_client.post(url, form)
    assert response.status_code == 200
    assert "Give both the official page and the day you checked." in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.info("match_day").proposed
    del form["rol_deadline_source"]
    assert curator_client.post(url, form).status_code == 302
    cycle.refresh_from_db()
    assert cycle.info("match_day").verified and cycle.info("rol_deadline").proposed
    form["match_day_checked"] = "2099-01-01"
    response = curator_client.post(url, form)
    assert "cannot be in the future" in response.content.decode()


# --- A. The Pathway application deadline ---------------------------------------------


def test_the_shipped_2027_pathway_deadline_alerts_today_as_proposed(alice):
    """5 Dec 2026: the proposed 31 Jan 2027 deadline is eight weeks away."""
    alert = one(on(alice, 2026, 12, 5), "Pathway deadline")
    assert alert.level == "warning" and "about 57 days left" in alert.title
    assert "about 31 Jan 2027, not yet confirmed" in alert.message
    assert alert.url == "https://www.ecfmg.org/certification-pathways/info-applicants.html"


def test_no_pathway_deadline_recorded_says_so_with_the_official_link(alice):
    MatchCycle.objects.filter(year=2027).update(pathway_application_deadline=None)
    alert = one(on(alice, 2026, 11, 25), "Pathway deadline for the 2027 Match")
    assert alert.level == "info" and "not published here yet" in alert.title
    assert alert.url == "https://www.ecfmg.org/certification-pathways/info-applicants.html"
    Profile.objects.filter(user=alice).update(has_step2cs=True)  # no Pathway needed
    assert not [t for t in titles(on(alice, 2026, 11, 25)) if "Pathway deadline" in t]


def test_a_pathway_deadline_has_its_alert_and_due_date(alice):
    cycle = MatchCycle.objects.get(year=2027)
    cycle.pathway_application_deadline = datetime.date(2027, 1, 31)
    cycle.save()
    roadmap = on(alice, 2026, 11, 25)
    assert roadmap.by_slug()["pathway"].deadline == datetime.date(2027, 1, 31)
    alert = one(roadmap, "Pathway deadline")
    assert alert.level == "warning" and "about 67 days left" in alert.title
    assert "about 31 Jan 2027, not yet confirmed" in alert.message
    assert one(on(alice, 2027, 1, 10), "Pathway deadline").level == "warning"  # proposed
    cycle.verify("pathway_application_deadline", NRMP, datetime.date(2026, 11, 25))
    cycle.save()
    assert one(on(alice, 2026, 12, 31), "Pathway deadline").level == "warning"  # 31 days
    assert one(on(alice, 2027, 1, 1), "Pathway deadline").level == "danger"  # 30 days
    assert one(on(alice, 2027, 2, 1), "Pathway deadline for the 2027 Match has passed")
    record(alice, "pathway", status="done")
    assert not [t for t in titles(on(alice, 2027, 1, 1)) if "Pathway deadline" in t]


# --- B. The Step 2 CS clock -----------------------------------------------------------


@pytest.fixture
def cs_holder(alice):
    Profile.objects.filter(user=alice).update(
        has_step2cs=True, step2cs_passed_on=datetime.date(2020, 3, 1)
    )
    return alice


def test_a_cs_pass_counts_until_seven_years_on(cs_holder):
    before = on(cs_holder, 2026, 2, 28)  # 366 days before
    assert "oet" not in slugs(before.items) and "pathway" not in slugs(before.items)
    assert one(before, "Step 2 CS pass counts until 1 Mar 2027").level == "info"
    assert (
        one(on(cs_holder, 2026, 3, 1), "counts until 1 Mar 2027 (365 days left)").level == "warning"
    )
    last_day = on(cs_holder, 2027, 2, 28)
    assert "oet" not in slugs(last_day.items)
    assert "(1 days left)" in one(last_day, "Step 2 CS pass counts until").title


def test_on_the_day_it_stops_counting_oet_and_pathway_come_back_with_their_data(cs_holder):
    record(cs_holder, "oet", notes="Booked for January.", oet_listening=380)
    assert "oet" in slugs(on(cs_holder, 2026, 11, 25).hidden)
    after = on(cs_holder, 2027, 3, 1)
    assert {"oet", "pathway"} <= slugs(after.items)
    oet = after.by_slug()["oet"].progress
    assert (oet.notes, oet.oet_listening) == ("Booked for January.", 380)
    alert = one(after, "Step 2 CS pass stopped counting on 1 Mar 2027")
    assert alert.level == "danger"


def test_exams_complete_in_time_keep_the_cs_pass_for_good(cs_holder):
    record(
        cs_holder,
        "step-1",
        outcome="passed",
        status="done",
        completed_date=datetime.date(2022, 5, 1),
    )
    record(
        cs_holder,
        "step-2-ck",
        outcome="passed",
        status="done",
        score=240,
        completed_date=datetime.date(2027, 2, 28),
    )
    later = on(cs_holder, 2028, 1, 1)
    assert "oet" not in slugs(later.items)
    assert not [t for t in titles(later) if "Step 2 CS" in t]
    record(cs_holder, "step-2-ck", completed_date=datetime.date(2027, 3, 1))  # a day late
    assert "oet" in slugs(on(cs_holder, 2028, 1, 1).items)


def test_the_seven_year_window_starts_at_the_cs_pass_when_it_is_first(cs_holder):
    Profile.objects.filter(user=cs_holder).update(step2cs_passed_on=datetime.date(2019, 5, 1))
    record(
        cs_holder,
        "step-1",
        outcome="passed",
        status="done",
        completed_date=datetime.date(2021, 6, 1),
    )
    alert = one(on(cs_holder, 2025, 6, 1), "ECFMG 7-year window")
    assert "exams by 1 May 2026" in alert.title and "1 May 2019" in alert.message


def test_a_cs_pass_without_its_month_asks_for_it(alice):
    Profile.objects.filter(user=alice).update(has_step2cs=True, step2cs_passed_on=None)
    roadmap = on(alice, 2026, 11, 25)
    assert one(roadmap, "When did you pass Step 2 CS?").level == "warning"
    assert "oet" not in slugs(roadmap.items)  # counted as valid until we know


# --- B. Lead times before hard deadlines ------------------------------------------------


def test_aim_to_test_by_dates_sit_beside_the_rol_deadline(alice):
    roadmap = on(alice, 2026, 11, 25)
    step2 = roadmap.by_slug()["step-2-ck"]
    assert step2.deadline == datetime.date(2027, 3, 3)  # the hard deadline stays
    assert step2.target == datetime.date(2027, 2, 3)  # 28 days earlier (results, S)
    assert not [t for t in titles(roadmap) if "aim for" in t]  # 70 days: not yet an alert
    alert = one(on(alice, 2026, 12, 5), "Pass USMLE Step 2 CK: aim for about 3 Feb 2027")
    assert alert.level == "warning" and "(60 days left)" in alert.title
    assert "The deadline itself is about 3 Mar 2027" in alert.message
    assert one(on(alice, 2027, 2, 4), "Step 2 CK: target date about 3 Feb 2027 has passed")
    record(alice, "step-2-ck", status="done", outcome="passed")
    assert not [t for t in titles(on(alice, 2027, 2, 4)) if "Step 2 CK: " in t]


@pytest.mark.parametrize(("visa", "target"), [("j1", datetime.date(2027, 5, 20)), ("h1b", None)])
def test_a_certificate_target_for_j1_sponsorship(alice, visa, target):
    Profile.objects.filter(user=alice).update(visa=visa)
    certificate = on(alice, 2026, 11, 25).by_slug()["ecfmg-certificate"]
    assert certificate.deadline == datetime.date(2027, 7, 1)
    assert certificate.target == target


def test_the_dashboard_shows_targets_beside_deadlines(alice, client):
    client.force_login(alice)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12), tick=False):
        html = client.get("/roadmap/c/exams/", HTTP_HX_REQUEST="true").content.decode()
    row = html.split('id="row-step-2-ck"')[1].split("</details>")[0]
    assert "Due by about 3 Mar 2027" in row and "Aim for about 3 Feb 2027" in row


# --- B. Attempts, letters, the rank order list, ResidencyCAS -------------------------------


def test_four_failed_attempts_make_every_step_ineligible(alice):
    record(alice, "step-2-ck", attempts=4, status="in_progress")
    alert = one(on(alice, 2026, 11, 25), "Pass USMLE Step 2 CK: no attempts left")
    assert alert.level == "danger" and "ineligible for every Step, Step 3 included" in alert.message


def test_letters_need_the_token_and_never_block_submission(alice, mark_done):
    roadmap = on(alice, 2026, 11, 25)
    assert [m.slug for m in roadmap.by_slug()["letters"].blockers] == ["eras-token"]
    mark_done(alice, "eras-token")
    submit = on(alice, 2026, 11, 25).by_slug()["eras-submit"]
    assert "letters" not in {m.slug for m in submit.blockers}
    assert "letters" in {m.slug for m in submit.recommended}


def test_the_rank_order_list_is_certifiable_without_exams(alice, mark_done):
    mark_done(alice, "nrmp-registration")
    rol = on(alice, 2026, 11, 25).by_slug()["rank-order-list"]
    assert {m.slug for m in rol.blockers} == {"interviews"}
    assert {"step-1", "step-2-ck", "pathway"} <= {m.slug for m in rol.recommended}


@pytest.mark.parametrize(
    ("specialty", "residencycas"),
    [
        ("Emergency Medicine", True),
        ("OB/GYN", True),
        ("Obstetrics and Gynecology", True),
        ("Internal Medicine", False),
        ("Pediatrics", False),
    ],
)
def test_the_application_service_follows_the_target_specialty(alice, specialty, residencycas):
    Profile.objects.filter(user=alice).update(specialty=specialty)
    shown = slugs(on(alice, 2026, 11, 25).items)
    assert ("residencycas" in shown) is residencycas
    assert ({"eras-token", "eras-submit"} <= shown) is not residencycas


# --- C. Permanent validation -----------------------------------------------------------


@pytest.mark.parametrize(("visa", "alert"), [("j1", False), ("h1b", True)])
def test_permanent_validation_is_automatic_only_for_ecfmg_sponsored_j1(alice, visa, alert):
    Profile.objects.filter(user=alice).update(visa=visa)
    record(alice, "pathway", status="done", expires_on=datetime.date(2028, 12, 31))
    record(alice, "gme-years", status="done")
    found = [a for a in on(alice, 2028, 1, 1).alerts if "permanent validation" in a.title]
    assert bool(found) is alert
    if found:
        assert found[0].url.endswith("/certification-pathways/permanent-validation.html")


# --- D. Links -------------------------------------------------------------------------


def test_no_broken_or_guessed_links_ship():
    text = "".join(path.read_text() for path in CONTENT_DIR.glob("*.toml"))
    text += (CONTENT_DIR.parent.parent / "resources" / "content" / "resources.toml").read_text()
    assert "3rnet.org/Employers-Guide" not in text
    assert "https://aamc.org/" not in text
    assert "https://www.fsmb.org/fcvs/" not in text


# --- Curators see what to check ------------------------------------------------------------


def test_the_review_queue_puts_the_live_cycle_first(curator_client, curated, client, member):
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12), tick=False):
        response = curator_client.get("/admin/review/")
        html = response.content.decode()
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        rows = re.findall(r"<tr><td>(.*?)</td>", html)
        assert rows[0] == "Match 2027"
        assert rows.index("Match 2028") > max(i for i, r in enumerate(rows) if r == "Match 2027")
        assert "Match 2026" not in rows  # a past Match
        assert "Rule" in rows and "Milestone" in rows
        client.force_login(member)
        assert client.get("/admin/review/").status_code == 302  # members never


# --- F. Sourced sentences where they help ---------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "link"),
    [
        (
            "pathway",
            "https://www.ecfmg.org/news/2025/08/19/"
            "detailed-information-and-online-application-for-2026-pathways-now-available",
        ),
        ("match", "https://www.nrmp.org/topic/match-participants"),
        ("visa-stamp", "https://www.nrmp.org/topic/match-participants"),
    ],
)
def test_milestone_pages_give_the_sourced_sentence_with_its_link(alice, client, slug, link):
    client.force_login(alice)
    html = client.get(f"/roadmap/m/{slug}/").content.decode()
    assert f'href="{link}"' in html
    assert ("revalidated" if slug == "pathway" else "one-year deferral") in html


def test_a_secondary_source_sentence_puts_its_milestone_under_review(curated):
    from pathways.models import Milestone

    eras = Milestone.objects.get(slug="eras-submit")
    assert "Thalamus Cortex" in eras.explanation and "not yet confirmed" in eras.explanation
    assert eras.needs_review


def test_every_verified_date_names_an_exact_page_listed_in_docs_sources():
    import tomllib

    sources = (CONTENT_DIR.parent.parent / "docs" / "sources.md").read_text()
    with (CONTENT_DIR / "cycles.toml").open("rb") as file:
        cycles = tomllib.load(file)["cycle"]
    checked = [c for cycle in cycles for c in cycle.get("verified", {}).values()]
    assert checked
    for check in checked:
        url = check["source_url"]
        assert url.split("://")[1].strip("/").count("/") >= 1, url  # not a bare home page
        assert url in sources, url
