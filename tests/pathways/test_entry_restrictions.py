"""Entry restrictions by nationality (issue 18): curated with their source and review date,
shown where they matter (dashboard, visa milestones, fit check, Match check), gone when the
entry ends, "may be out of date" after 90 days, and nothing about a country in code."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from applications.fit import load_fit_inputs
from pathways.alerts import compute_alerts
from pathways.models import EntryRestriction, Slugs
from pathways.roadmap import roadmap_for
from tests.factories import make_member, make_program

D = datetime.date
TODAY = D(2026, 12, 5)


@pytest.fixture
def nigerian(curated):
    """A J-1 applicant of Nigerian nationality aiming at the 2027 Match."""
    return make_member("ada@example.com", citizenship="NG", visa="j1", match_year=2027)


@pytest.fixture
def frozen():
    moment = datetime.datetime(2026, 12, 5, 15, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        yield


def test_the_shipped_list_is_sourced_and_dated(curated):
    rows = EntryRestriction.objects.all()
    assert rows.count() == 39  # 19 full + Palestinian Authority documents + 19 partial (J)
    assert all(r.source_url.startswith("https://") and r.last_reviewed for r in rows)
    assert all(r.needs_review for r in rows)  # secondary sources only: flagged
    assert {r.kind for r in rows.filter(h_visas_suspended=True)} == {"full"}
    assert EntryRestriction.objects.get(country="NG").j_visas_suspended


def test_alert_for_a_j1_applicant_of_an_affected_nationality(nigerian):
    roadmap = roadmap_for(nigerian, TODAY)
    assert roadmap.restriction.country.code == "NG"
    alert = next(a for a in compute_alerts(roadmap) if "entry restriction" in a.title)
    assert alert.level == "danger"  # J-1 is her only route
    assert "Nigeria" in alert.title and "J visas suspended" in alert.title
    assert "As of 5 Dec 2026" in alert.message and "1 Jan 2026" in alert.message
    assert "not revoked" in alert.message and "out of date" not in alert.message


def test_undecided_keeps_the_h1b_route_open_so_it_warns(curated):
    member = make_member("kofi@example.com", citizenship="NG", visa="undecided")
    alert = next(
        a for a in compute_alerts(roadmap_for(member, TODAY)) if "entry restriction" in a.title
    )
    assert alert.level == "warning" and "H-1B route is not named" in alert.message


def test_nobody_else_is_told(curated):
    for email, fields in [
        ("in@example.com", {"citizenship": "IN", "visa": "j1"}),
        ("us@example.com", {"citizenship": "NG", "visa": "none"}),  # needs no visa
        ("no@example.com", {"visa": "j1"}),  # did not say
    ]:
        roadmap = roadmap_for(make_member(email, **fields), TODAY)
        assert roadmap.restriction is None
        assert not [a for a in roadmap.alerts if "entry restriction" in a.title]


def test_it_disappears_when_its_entry_ends_and_ages_after_90_days(nigerian):
    row = EntryRestriction.objects.get(country="NG")
    row.last_reviewed = TODAY - datetime.timedelta(days=91)
    row.save()
    alert = next(
        a for a in compute_alerts(roadmap_for(nigerian, TODAY)) if "entry restriction" in a.title
    )
    assert "may be out of date" in alert.message
    row.ends_on = TODAY
    row.save()
    assert roadmap_for(nigerian, TODAY).restriction is None
    assert roadmap_for(nigerian, TODAY - datetime.timedelta(days=1)).restriction is not None


def test_dashboard_visa_milestone_and_match_check_name_it(nigerian, client, frozen):
    client.force_login(nigerian)
    dashboard = client.get(reverse("pathways:dashboard")).content.decode()
    assert 'id="entry-restriction"' in dashboard and "Nigeria" in dashboard
    visa = client.get(reverse("pathways:milestone", args=[Slugs.J1_EVSP])).content.decode()
    assert "Entry restriction on your nationality" in visa
    exam = client.get(reverse("pathways:milestone", args=[Slugs.STEP1])).content.decode()
    assert "Entry restriction on your nationality" not in exam
    check = client.get(reverse("reminders:match_check"))
    verdict = check.context["results"][0]["verdict"]
    assert verdict.status == "not_possible"
    assert verdict.binding.rule == "entry_restriction"
    assert "Nigeria" in verdict.binding.note
    assert check.context["results"][0]["earliest"] is None  # open-ended: no year found


def test_fit_check_marks_programs_that_sponsor_only_a_suspended_visa(nigerian):
    inputs = load_fit_inputs(nigerian, nigerian.profile, TODAY)
    j1_only = inputs.check(make_program(nigerian, visas="j1"), nigerian.profile, TODAY)
    assert any("suspended for nationals of Nigeria" in c for c in j1_only.conflicts)
    h1b_only = inputs.check(make_program(nigerian, visas="h1b"), nigerian.profile, TODAY)
    assert not any("Nigeria" in c for c in h1b_only.conflicts)  # H visas are not named


def test_no_country_is_written_in_code():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    for module in ["pathways/alerts.py", "pathways/roadmap.py", "applications/fit.py"]:
        text = (root / module).read_text()
        assert "Nigeria" not in text and '"NG"' not in text
