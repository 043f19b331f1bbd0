"""Curated content: the loader, default cycle dates, the admin and the Markdown filter."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from pathways import curated as curated_module
from pathways.cycles import default_dates
from pathways.models import MatchCycle, Milestone, Prerequisite, Rule
from pathways.templatetags.markdown import render_markdown

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Milestone.objects.count(),
        Prerequisite.objects.count(),
        MatchCycle.objects.count(),
        Rule.objects.count(),
    )


def test_loading_twice_creates_nothing_new(curated):
    first = counts()
    assert first[0] >= 25 and first[1] >= 30 and first[2] >= 3 and first[3] >= 10
    summary = curated_load()
    assert counts() == first
    assert "0 created, 0 updated" in summary


def curated_load(force: bool = False) -> str:
    return curated_module.load(force=force)


def test_shipped_content_matches_the_brief(curated):
    step1 = Milestone.objects.get(slug="step-1")
    assert step1.counts_attempts and step1.records == "pass_fail"
    assert Milestone.objects.get(slug="oet").applies == "no_step2cs"
    assert Milestone.objects.get(slug="step-2-ck").needs_review  # 218 from July 2025 is 3P
    assert Rule.objects.value_on("step2ck_passing_score", datetime.date(2022, 6, 30)) == 209
    assert Rule.objects.value_on("step2ck_passing_score", datetime.date(2022, 7, 1)) == 214
    assert Rule.objects.value_on("step2ck_passing_score", datetime.date(2025, 7, 1)) == 218
    assert Rule.objects.value_on("usmle_attempt_limit", datetime.date(2026, 1, 1)) == 4
    assert Rule.objects.value_on("oet_min_writing", datetime.date(2026, 1, 1)) == 300
    assert Rule.objects.value_on("oet_min_listening", datetime.date(2026, 1, 1)) == 350
    assert Rule.objects.value_on("ecfmg_exam_window_years", datetime.date(2026, 1, 1)) == 7
    cycle = MatchCycle.objects.get(year=2026)
    assert (cycle.match_day, cycle.rol_deadline) == (
        datetime.date(2026, 3, 20),
        datetime.date(2026, 2, 25),
    )
    proposed = MatchCycle.objects.get(year=2028)
    assert proposed.needs_review and proposed.match_day == datetime.date(2028, 3, 17)


def test_curator_edit_is_kept_and_force_restores_it(curated):
    step1 = Milestone.objects.get(slug="step-1")
    shipped_title = step1.title
    step1.title = "Step 1, edited by a curator"
    step1.save()
    cycle = MatchCycle.objects.get(year=2027)
    cycle.match_day = datetime.date(2027, 3, 18)
    cycle.save()

    summary = curated_load()
    assert "kept as edited by a curator (step-1)" in summary
    assert Milestone.objects.get(slug="step-1").title == "Step 1, edited by a curator"
    assert MatchCycle.objects.get(year=2027).match_day == datetime.date(2027, 3, 18)

    call_command("load_curated_content", force=True, verbosity=0)
    assert Milestone.objects.get(slug="step-1").title == shipped_title
    assert MatchCycle.objects.get(year=2027).match_day == datetime.date(2027, 3, 19)
    assert "kept" not in curated_load()


def test_a_curator_changed_prerequisite_is_kept(curated):
    step1 = Milestone.objects.get(slug="step-1")
    Prerequisite.objects.filter(milestone=step1).update(kind="soft")
    curated_load()
    assert set(Prerequisite.objects.filter(milestone=step1).values_list("kind", flat=True)) == {
        "soft"
    }
    curated_load(force=True)
    assert set(Prerequisite.objects.filter(milestone=step1).values_list("kind", flat=True)) == {
        "hard"
    }


def test_unchanged_content_is_updated_when_the_shipped_file_changes(curated, monkeypatch):
    original = curated_module.read

    def patched(name):
        data = original(name)
        if name == "rules.toml":
            data["rule"][0]["note"] = "A newer note."
        return data

    monkeypatch.setattr(curated_module, "read", patched)
    assert "rules: 0 created, 1 updated" in curated_load()


def test_invalid_content_loads_nothing(db, monkeypatch):
    original = curated_module.read

    def patched(name):
        data = original(name)
        if name == "milestones.toml":
            data["milestone"][-1]["category"] = "astrology"
        return data

    monkeypatch.setattr(curated_module, "read", patched)
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="category"):
        call_command("load_curated_content", verbosity=0)
    assert Milestone.objects.count() == 0


def test_default_dates_reproduce_the_verified_2026_cycle():
    dates = default_dates(2026)
    assert dates["eras_opens"] == datetime.date(2025, 6, 4)
    assert dates["applicants_may_submit"] == datetime.date(2025, 9, 3)
    assert dates["programs_review_starts"] == datetime.date(2025, 9, 24)
    assert dates["nrmp_registration_opens"] == datetime.date(2025, 9, 15)
    assert dates["nrmp_early_registration_deadline"] == datetime.date(2025, 11, 30)
    assert dates["ranking_opens"] == datetime.date(2026, 1, 15)
    assert dates["match_day"] == datetime.date(2026, 3, 20)
    assert dates["rol_deadline"] == datetime.date(2026, 2, 25)
    assert dates["training_starts"] == datetime.date(2026, 7, 1)
    assert dates["pathway_application_deadline"] is None


@pytest.mark.parametrize(
    ("year", "match_day"),
    [
        (2023, datetime.date(2023, 3, 17)),
        (2024, datetime.date(2024, 3, 15)),
        (2025, datetime.date(2025, 3, 21)),
        (2027, datetime.date(2027, 3, 19)),
        (2028, datetime.date(2028, 3, 17)),
    ],
)
def test_match_day_is_the_third_friday_of_march(year, match_day):
    dates = default_dates(year)
    assert dates["match_day"] == match_day
    assert dates["match_day"].weekday() == 4
    assert dates["rol_deadline"].weekday() == 2  # a Wednesday, as in 2026
    assert dates["rol_deadline"] < dates["match_day"] < dates["training_starts"]


def test_admin_add_cycle_proposes_the_default_dates(curator_client):
    response = curator_client.get("/admin/pathways/matchcycle/add/?year=2030")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="2030-03-15"' in html  # third Friday of March 2030
    assert 'value="2029-06-06"' in html  # first Wednesday of June 2029


def test_admin_fills_blank_dates_from_the_rules_on_save(curator_client):
    response = curator_client.post(
        "/admin/pathways/matchcycle/add/",
        {"year": 2031, "match_day": "2031-03-14", "needs_review": "on", "notes": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cycle = MatchCycle.objects.get(year=2031)
    assert cycle.match_day == datetime.date(2031, 3, 14)  # the curator's date wins
    assert cycle.training_starts == datetime.date(2031, 7, 1)
    assert cycle.eras_opens == datetime.date(2030, 6, 5)


def test_admin_refuses_a_cycle_in_the_prerequisite_graph(curated):
    step1 = Milestone.objects.get(slug="step-1")
    application = Milestone.objects.get(slug="ecfmg-application")
    # step-1 needs ecfmg-application (shipped); the reverse would close a loop.
    loop = Prerequisite(milestone=application, required=step1)
    with pytest.raises(ValidationError, match="cycle"):
        loop.full_clean()
    eligible = Milestone.objects.get(slug="eligible-school")
    with pytest.raises(ValidationError, match="cycle"):
        Prerequisite(milestone=eligible, required=step1).full_clean()  # a longer loop


def test_admin_inline_shows_the_cycle_error(curator_client, curated):
    eligible = Milestone.objects.get(slug="eligible-school")
    step1 = Milestone.objects.get(slug="step-1")
    url = f"/admin/pathways/milestone/{eligible.pk}/change/"
    page = curator_client.get(url)
    assert page.status_code == 200
    data = {
        field: getattr(eligible, field)
        for field in ["title", "slug", "category", "order", "summary", "explanation"]
    }
    data |= {
        "source_url": eligible.source_url,
        "last_reviewed": eligible.last_reviewed.isoformat(),
        "applies": eligible.applies,
        "records": eligible.records,
        "deadline": "",
        "deadline_note": "",
        "prerequisites-TOTAL_FORMS": "1",
        "prerequisites-INITIAL_FORMS": "0",
        "prerequisites-0-required": step1.pk,
        "prerequisites-0-kind": "hard",
    }
    response = curator_client.post(url, data)
    assert response.status_code == 200
    assert "would create a cycle" in response.content.decode()
    assert not Prerequisite.objects.filter(milestone=eligible).exists()


def test_admin_lists_needs_review_and_hides_progress_from_curators(curator_client, curated):
    html = curator_client.get("/admin/pathways/milestone/?needs_review__exact=1").content.decode()
    assert "Pass USMLE Step 2 CK" in html
    assert curator_client.get("/admin/pathways/progress/").status_code == 403


def test_markdown_is_sanitised():
    html = render_markdown(
        "**bold** [ok](https://example.org) [bad](JaVaScRiPt:alert(1)) "
        "<iframe src=x></iframe><script>alert(1)</script> <img src=x onerror=alert(1)>"
    )
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "javascript" not in html.lower()
    assert "<iframe" not in html and "<script" not in html and "onerror" not in html
