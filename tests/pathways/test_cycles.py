"""Default Match-cycle dates, and the admin that proposes them for a new cycle."""

import datetime

import pytest

from pathways.cycles import default_dates
from pathways.models import MatchCycle

pytestmark = pytest.mark.django_db


def test_default_dates_cover_every_date_field_of_a_cycle():
    assert sorted(default_dates(2027)) == sorted(MatchCycle.DATE_FIELDS)


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
