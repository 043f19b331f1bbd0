"""Every alert, with time frozen."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Profile
from pathways.models import MatchCycle, Rule
from pathways.roadmap import roadmap_for
from tests.factories import record

pytestmark = pytest.mark.django_db


def travel(date: datetime.date):
    return time_machine.travel(datetime.datetime(date.year, date.month, date.day, 15), tick=False)


def alerts_of(user, today: datetime.date):
    return roadmap_for(user, today).alerts


def titled(alerts, text: str):
    found = [a for a in alerts if text in a.title]
    assert len(found) == 1, [a.title for a in alerts]
    return found[0]


@pytest.mark.parametrize(
    ("attempts", "level", "title"),
    [
        (1, "info", "3 attempts left"),
        (3, "warning", "1 attempt left"),
        (4, "danger", "no attempts"),
    ],
)
def test_attempts_left_per_step(alice, attempts, level, title):
    record(alice, "step-1", attempts=attempts, outcome="failed", status="in_progress")
    alert = titled(alerts_of(alice, datetime.date(2026, 5, 1)), "Step 1")
    assert alert.level == level and title in alert.title
    assert alert.milestone.slug == "step-1"


def test_no_attempt_alert_once_passed(alice):
    record(alice, "step-1", attempts=2, outcome="passed", status="done")
    assert not [a for a in alerts_of(alice, datetime.date(2026, 5, 1)) if "attempt" in a.title]


def test_seven_year_clock_from_the_first_passed_exam(alice):
    record(
        alice, "step-1", outcome="passed", status="done", completed_date=datetime.date(2020, 3, 2)
    )
    alert = titled(alerts_of(alice, datetime.date(2026, 5, 1)), "7-year window")
    assert alert.level == "warning"  # closes 2 Mar 2027, 305 days ahead
    assert "2 Mar 2027" in alert.title and "305 days left" in alert.title
    assert "Pass USMLE Step 2 CK" in alert.message

    alert = titled(alerts_of(alice, datetime.date(2027, 3, 3)), "7-year window")
    assert alert.level == "danger" and "closed" in alert.title

    record(alice, "step-1", completed_date=datetime.date(2024, 3, 2))
    assert titled(alerts_of(alice, datetime.date(2026, 5, 1)), "7-year window").level == "info"


def test_seven_year_clock_silent_when_all_passed_in_time(alice):
    record(
        alice, "step-1", outcome="passed", status="done", completed_date=datetime.date(2020, 3, 2)
    )
    record(
        alice, "step-2-ck", outcome="passed", score=240, completed_date=datetime.date(2021, 3, 2)
    )
    assert not [a for a in alerts_of(alice, datetime.date(2026, 5, 1)) if "window" in a.title]


@pytest.mark.parametrize(
    ("score", "tested", "level"),
    [
        (216, datetime.date(2025, 6, 30), "info"),  # 214 in force
        (216, datetime.date(2025, 7, 1), "danger"),  # 218 in force from July 2025
        (212, datetime.date(2022, 6, 30), "info"),  # 209 in force
        (212, datetime.date(2022, 7, 1), "danger"),  # 214 from July 2022
        (218, datetime.date(2025, 7, 1), "info"),
    ],
)
def test_step2ck_score_against_the_passing_score_on_the_test_date(alice, score, tested, level):
    record(alice, "step-2-ck", score=score, completed_date=tested)
    alert = titled(alerts_of(alice, datetime.date(2026, 1, 1)), "Step 2 CK")
    assert alert.level == level
    assert str(score) in alert.message


def test_pathway_certificate_expiry(alice):
    record(alice, "pathway", expires_on=datetime.date(2026, 12, 31))
    today = datetime.date(2026, 10, 1)
    assert titled(alerts_of(alice, today), "expires on 31 Dec 2026").level == "warning"
    assert titled(alerts_of(alice, datetime.date(2026, 1, 1)), "expires").level == "info"
    assert titled(alerts_of(alice, datetime.date(2027, 1, 2)), "expired").level == "danger"
    record(alice, "gme-years", status="done")  # valid indefinitely after ACGME training
    assert not [a for a in alerts_of(alice, today) if "expire" in a.title]


def test_oet_cut_off_unknown_means_no_oet_age_alert(alice):
    """With no cut-off recorded for the Match, none is invented."""
    MatchCycle.objects.filter(year=2027).update(oet_valid_from=None)
    record(alice, "oet", completed_date=datetime.date(2020, 1, 1))
    assert not [a for a in alerts_of(alice, datetime.date(2026, 1, 1)) if "too old" in a.title]


def test_oet_too_old_informs_on_a_proposed_cut_off_and_warns_on_a_verified_one(alice):
    cycle = MatchCycle.objects.get(year=2027)
    cycle.oet_valid_from = datetime.date(2025, 1, 1)
    cycle.save()
    record(alice, "oet", completed_date=datetime.date(2024, 12, 31))
    alert = titled(alerts_of(alice, datetime.date(2026, 1, 1)), "OET may be too old")
    assert alert.level == "info" and "about 1 Jan 2025, not yet confirmed" in alert.message
    cycle.verify(
        "oet_valid_from",
        "https://www.ecfmg.org/certification-pathways/oet.html",
        datetime.date(2026, 11, 25),
    )
    cycle.save()
    alert = titled(alerts_of(alice, datetime.date(2026, 1, 1)), "OET too old")
    assert alert.level == "danger" and "after 1 Jan 2025." in alert.message
    record(alice, "oet", completed_date=datetime.date(2025, 1, 1))  # on the cut-off: fine
    assert not [a for a in alerts_of(alice, datetime.date(2026, 1, 1)) if "too old" in a.title]


def test_oet_below_minimum_and_more_than_one_sitting(alice):
    scores = {"oet_listening": 350, "oet_reading": 350, "oet_speaking": 350}
    record(alice, "oet", oet_writing=290, completed_date=datetime.date(2025, 5, 1), **scores)
    alert = titled(alerts_of(alice, datetime.date(2026, 1, 1)), "below ECFMG")
    assert "Writing 290 < 300" in alert.message
    record(alice, "oet", oet_writing=300, oet_single_sitting=False)
    titled(alerts_of(alice, datetime.date(2026, 1, 1)), "more than one sitting")


def test_nrmp_withdraws_img_without_reported_exams(alice):
    """The 2027 ROL deadline is proposed (3 Mar 2027): said so, and never a danger alone."""
    alert = titled(alerts_of(alice, datetime.date(2026, 11, 1)), "rank order list deadline")
    assert alert.level == "warning" and alert.title.startswith("About 122 days until")
    assert "(about 3 Mar 2027, not yet confirmed)" in alert.message
    assert "withdraws" in alert.message and "Complete an ECFMG Pathway" in alert.message
    assert "certify your list" in alert.message
    assert titled(alerts_of(alice, datetime.date(2027, 2, 10)), "21 days").level == "warning"
    cycle = MatchCycle.objects.get(year=2027)
    cycle.verify("rol_deadline", "https://www.nrmp.org", datetime.date(2026, 11, 25))
    cycle.save()
    alert = titled(alerts_of(alice, datetime.date(2027, 1, 31)), "rank order list deadline")
    assert alert.level == "warning" and alert.title.startswith("31 days")
    alert = titled(alerts_of(alice, datetime.date(2027, 2, 1)), "30 days")  # the boundary
    assert alert.level == "danger" and "(3 Mar 2027)" in alert.message
    passed = titled(alerts_of(alice, datetime.date(2027, 3, 4)), "list deadline has passed")
    assert passed.level == "danger"
    record(alice, "step-1", status="done")
    record(alice, "step-2-ck", status="done")
    record(alice, "pathway", status="done")
    assert not [a for a in alerts_of(alice, datetime.date(2027, 2, 1)) if "rank" in a.title]


def test_nrmp_alert_ignores_the_pathway_with_a_step2cs_pass(alice):
    Profile.objects.filter(user=alice).update(has_step2cs=True)
    alert = titled(alerts_of(alice, datetime.date(2026, 11, 1)), "rank order list")
    assert "Pathway" not in alert.message


def test_no_cycle_no_cycle_alerts(alice):
    Profile.objects.filter(user=alice).update(match_year=2035)
    assert not [a for a in alerts_of(alice, datetime.date(2026, 11, 1)) if "rank" in a.title]


def test_alerts_are_sorted_most_serious_first(alice):
    record(alice, "step-1", attempts=4, outcome="failed")
    record(alice, "step-2-ck", score=250, completed_date=datetime.date(2025, 8, 1))
    levels = [a.level for a in alerts_of(alice, datetime.date(2026, 11, 1))]
    assert levels == sorted(levels, key=["danger", "warning", "info"].index)


def test_alerts_follow_the_given_day_not_the_clock(alice):
    """Reminders and the calendar feed compute alerts for other days than today."""
    record(
        alice, "step-1", outcome="passed", status="done", completed_date=datetime.date(2020, 3, 2)
    )
    with travel(datetime.date(2021, 1, 1)):
        early = [a.title for a in alerts_of(alice, datetime.date(2026, 11, 1))]
    with travel(datetime.date(2030, 1, 1)):
        late = [a.title for a in alerts_of(alice, datetime.date(2026, 11, 1))]
    assert early == late
    assert "ECFMG 7-year window: exams by 2 Mar 2027 (121 days left)" in early


# --- Visa alerts ----------------------------------------------------------------


def visa_alerts(alerts) -> list[str]:
    words = ("J-1", "Conrad", "H-1B")
    return [a.title for a in alerts if any(word in a.title for word in words)]


@pytest.mark.parametrize(
    ("today", "level"),
    [
        (datetime.date(2030, 1, 1), "info"),
        (datetime.date(2033, 6, 30), "info"),  # 366 days before the end
        (datetime.date(2033, 7, 1), "warning"),  # 365 days before
        (datetime.date(2034, 7, 1), "warning"),  # the last day
        (datetime.date(2034, 7, 2), "danger"),
    ],
)
def test_j1_seven_year_maximum_counts_from_the_start_of_training(alice, today, level):
    """Counted from the DS-2019 programme start (1 Jul 2027 for the 2027 Match), not from
    when sponsorship was granted (review C)."""
    record(alice, "j1-evsp", status="done", completed_date=datetime.date(2027, 4, 15))
    with travel(today):
        alert = titled(alerts_of(alice, today), "J-1 7-year maximum")
    assert alert.level == level
    assert "1 Jul 2034" in alert.title
    assert "start of J-1 training" in alert.message and "1 Jul 2027" in alert.message
    assert alert.milestone.slug == "j1-evsp"


def test_j1_maximum_comes_from_the_rule_in_force_at_the_start(alice):
    record(alice, "j1-evsp", status="done")
    alert = titled(alerts_of(alice, datetime.date(2027, 6, 1)), "J-1 7-year maximum")
    assert "1 Jul 2034" in alert.title
    Rule.objects.create(key="j1_max_years", value=5, effective_from=datetime.date(2027, 7, 1))
    alert = titled(alerts_of(alice, datetime.date(2027, 6, 1)), "J-1 5-year maximum")
    assert "1 Jul 2032" in alert.title


def test_j1_maximum_needs_sponsorship_and_the_j1_route(alice):
    assert not visa_alerts(alerts_of(alice, datetime.date(2027, 1, 1)))  # not sponsored yet
    record(alice, "j1-evsp", status="done")
    Profile.objects.filter(user=alice).update(visa="h1b")  # j1-evsp is off her roadmap
    assert not [a for a in alerts_of(alice, datetime.date(2027, 1, 1)) if "J-1" in a.title]
    Profile.objects.filter(user=alice).update(visa="j1")
    record(alice, "j1-evsp", status="not_applicable")
    assert not [a for a in alerts_of(alice, datetime.date(2027, 1, 1)) if "J-1" in a.title]


def test_j1_home_requirement_open_until_a_conrad_30_waiver(alice):
    today = datetime.date(2027, 9, 1)
    record(alice, "j1-evsp", status="in_progress")
    assert not [a for a in alerts_of(alice, today) if "home-country" in a.title]
    record(alice, "j1-evsp", status="done")
    with travel(today):
        alert = titled(alerts_of(alice, today), "two-year home-country requirement")
    assert alert.level == "info" and alert.milestone.slug == "conrad-30"
    assert "INA §212(e)" in alert.message and "Conrad 30 (a waiver, not a visa)" in alert.message
    record(alice, "conrad-30", status="done")
    assert not [a for a in alerts_of(alice, today) if "home-country" in a.title]


@pytest.mark.parametrize(
    ("status", "planned", "today", "title", "when"),
    [
        ("in_progress", None, datetime.date(2026, 9, 30), "fiscal year 2026", "Today falls"),
        ("in_progress", None, datetime.date(2026, 10, 1), "fiscal year 2027", "Today falls"),
        (
            "not_started",
            datetime.date(2029, 10, 1),
            datetime.date(2029, 6, 1),
            "fiscal year 2030 (1 Oct 2029 – 30 Sep 2030)",
            "Your planned date, 1 Oct 2029, falls",
        ),
        (  # a planned date already past: the current fiscal year
            "in_progress",
            datetime.date(2029, 6, 1),
            datetime.date(2029, 11, 1),
            "fiscal year 2030",
            "Today falls",
        ),
    ],
)
def test_conrad_30_names_the_federal_fiscal_year(alice, status, planned, today, title, when):
    record(alice, "conrad-30", status=status, planned_date=planned)
    with travel(today):
        alert = titled(alerts_of(alice, today), "Conrad 30: fiscal year")
    assert alert.level == "info" and title in alert.title
    assert alert.message.startswith(when)
    assert "up to 30 waivers per fiscal year" in alert.message
    assert "3 years" in alert.message and "within 90 days" in alert.message
    assert alert.milestone.slug == "conrad-30"


def test_conrad_30_alert_only_while_open_and_started_or_planned(alice):
    today = datetime.date(2029, 6, 1)
    assert not [a for a in alerts_of(alice, today) if "Conrad 30:" in a.title]  # not started
    record(alice, "conrad-30", status="done", planned_date=datetime.date(2029, 10, 1))
    assert not [a for a in alerts_of(alice, today) if "Conrad 30:" in a.title]


@pytest.mark.parametrize("visa", ["h1b", "undecided"])
def test_h1b_fee_warning_for_members_who_may_need_an_h1b(alice, visa):
    Profile.objects.filter(user=alice).update(visa=visa)
    today = datetime.date(2026, 5, 1)
    with travel(today):
        alert = titled(alerts_of(alice, today), "$100,000")
    assert alert.level == "warning" and alert.milestone.slug == "h1b"
    assert "19 Sep 2025" in alert.message and "21 Sep 2025 for 12 months" in alert.message
    assert "not to an approved change of status inside the US" in alert.message
    assert "status after 21 Sep 2026 unknown" in alert.title
    # As it stands (review F): the court ruling, no blanket exemption, cap-exempt included.
    assert "upheld the fee on 23 Dec 2025" in alert.message
    assert "no blanket exemption for physicians" in alert.message
    assert "cap-exempt teaching hospitals" in alert.message
    assert "last reviewed 5 Dec 2026" in alert.message
    assert (
        alert.url == "https://www.uscis.gov/working-in-the-united-states/h-1b-specialty-occupations"
    )
    record(alice, "h1b", status="done")
    assert not [a for a in alerts_of(alice, today) if "$100,000" in a.title]


@pytest.mark.parametrize("visa", ["j1", "none"])
def test_no_h1b_fee_warning_off_the_h1b_route(alice, visa):
    Profile.objects.filter(user=alice).update(visa=visa)
    assert not [a for a in alerts_of(alice, datetime.date(2026, 5, 1)) if "H-1B" in a.title]


def test_dashboard_shows_the_visa_alerts_with_their_milestone_links(alice, client):
    record(alice, "j1-evsp", status="done")
    record(alice, "conrad-30", status="in_progress")
    with travel(datetime.date(2029, 11, 1)):
        client.force_login(alice)  # inside the travel, or the session has long expired
        response = client.get("/roadmap/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "J-1 7-year maximum: ends by 1 Jul 2034" in html
    assert "J-1 two-year home-country requirement" in html
    assert "Conrad 30: fiscal year 2030" in html
    assert f'href="{reverse("pathways:milestone", args=["conrad-30"])}"' in html
