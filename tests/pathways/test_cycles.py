"""Default Match-cycle dates, and the admin that proposes them for a new cycle."""

import datetime

import pytest

from pathways.cycles import DEFAULT_RULES, default_dates
from pathways.models import MatchCycle

pytestmark = pytest.mark.django_db


def test_default_dates_cover_every_date_field_of_a_cycle():
    assert sorted(default_dates(2027)) == sorted(MatchCycle.DATE_FIELDS)


def test_default_dates_reproduce_the_corrected_2026_cycle():
    """The 2026 Match as corrected on 2026-12-05 (docs/sources.md, "Match cycles")."""
    dates = default_dates(2026)
    assert dates["eras_opens"] == datetime.date(2025, 6, 4)
    assert dates["applicants_may_submit"] == datetime.date(2025, 9, 3)
    assert dates["programs_review_starts"] == datetime.date(2025, 9, 24)
    assert dates["nrmp_registration_opens"] == datetime.date(2025, 9, 15)
    assert dates["nrmp_early_registration_deadline"] == datetime.date(2026, 1, 30)
    assert dates["ranking_opens"] == datetime.date(2026, 2, 2)
    assert dates["rol_deadline"] == datetime.date(2026, 3, 4)
    assert dates["match_day"] == datetime.date(2026, 3, 20)
    assert dates["training_starts"] == datetime.date(2026, 7, 1)
    assert dates["pathway_application_deadline"] is None


def test_default_dates_give_the_values_reported_for_2027():
    dates = default_dates(2027)
    assert dates["applicants_may_submit"] == datetime.date(2026, 9, 2)
    assert dates["programs_review_starts"] == datetime.date(2026, 9, 23)
    assert dates["nrmp_registration_opens"] == datetime.date(2026, 9, 15)
    assert dates["nrmp_early_registration_deadline"] == datetime.date(2027, 1, 29)
    assert dates["ranking_opens"] == datetime.date(2027, 2, 1)
    assert dates["rol_deadline"] == datetime.date(2027, 3, 3)
    assert dates["match_day"] == datetime.date(2027, 3, 19)


# Match Day and ROL deadline of every Match since the rule began (NRMP's own newsletters and
# calendars as the review lists them; 2027 is the proposed value secondary sources report).
ROL_AND_MATCH_DAY = [
    (2021, datetime.date(2021, 3, 3), datetime.date(2021, 3, 19)),
    (2023, datetime.date(2023, 3, 1), datetime.date(2023, 3, 17)),
    (2024, datetime.date(2024, 2, 28), datetime.date(2024, 3, 15)),
    (2025, datetime.date(2025, 3, 5), datetime.date(2025, 3, 21)),
    (2026, datetime.date(2026, 3, 4), datetime.date(2026, 3, 20)),
    (2027, datetime.date(2027, 3, 3), datetime.date(2027, 3, 19)),
]


@pytest.mark.parametrize(("year", "rol_deadline", "match_day"), ROL_AND_MATCH_DAY)
def test_the_rol_deadline_is_the_wednesday_16_days_before_match_day(year, rol_deadline, match_day):
    dates = default_dates(year)
    assert (dates["rol_deadline"], dates["match_day"]) == (rol_deadline, match_day)
    assert match_day - rol_deadline == datetime.timedelta(days=16)
    assert rol_deadline.weekday() == 2  # a Wednesday


@pytest.mark.parametrize("year", range(2021, 2028))
def test_every_default_rol_deadline_since_2021_is_16_days_before_match_day(year):
    dates = default_dates(year)
    assert dates["match_day"] - dates["rol_deadline"] == datetime.timedelta(days=16)
    assert dates["rol_deadline"].weekday() == 2


@pytest.mark.parametrize(
    ("year", "ranking_opens", "registration_deadline"),
    [
        (2025, datetime.date(2025, 2, 3), datetime.date(2025, 1, 31)),  # 1 Feb a Saturday
        (2026, datetime.date(2026, 2, 2), datetime.date(2026, 1, 30)),  # 1 Feb a Sunday
        (2027, datetime.date(2027, 2, 1), datetime.date(2027, 1, 29)),
        (2028, datetime.date(2028, 2, 1), datetime.date(2028, 1, 31)),  # a Tuesday
    ],
)
def test_ranking_opens_on_the_first_weekday_of_february_registration_closes_before(
    year, ranking_opens, registration_deadline
):
    dates = default_dates(year)
    assert dates["ranking_opens"] == ranking_opens and ranking_opens.weekday() < 5
    assert ranking_opens.month == 2 and ranking_opens.day <= 3
    assert dates["nrmp_early_registration_deadline"] == registration_deadline
    assert registration_deadline.weekday() < 5
    assert registration_deadline.month == 1 and registration_deadline.day >= 29  # about 30-31


def test_the_wrong_defaults_are_gone_from_the_named_rules():
    text = " ".join(DEFAULT_RULES.values()).lower()
    for wrong in ("23 days", "mid-january", "15 january", "30 november"):
        assert wrong not in text
    assert "proposed" in DEFAULT_RULES["nrmp_early_registration_deadline"]


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
