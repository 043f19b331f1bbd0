"""ERAS fees from the sourced schedule, marginal cost, the member's ledger, curated loading."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from applications import costs, curated
from applications.models import CostEntry, CostEstimate, FeeSchedule
from tests.factories import make_application, make_cost, make_program

COSTS = reverse("applications:costs")


@pytest.fixture
def schedule(db):
    curated.load(force=False)
    return FeeSchedule.objects.get(season=2026)


def test_shipped_schedule_is_the_sourced_2026_one(schedule):
    assert (schedule.tier_size, schedule.first_fee, schedule.later_fee) == (30, 11, 30)
    assert schedule.confidence == "V"
    assert schedule.source_url.startswith("https://students-residents.aamc.org/")
    assert FeeSchedule.objects.count() == 1  # nothing invented for 2027


def test_loader_is_idempotent_and_keeps_edits_unless_forced(schedule):
    counts = (FeeSchedule.objects.count(), CostEstimate.objects.count())
    summary = curated.load(force=False)
    assert "0 created, 0 updated, 1 unchanged" in summary
    assert (FeeSchedule.objects.count(), CostEstimate.objects.count()) == counts
    FeeSchedule.objects.filter(pk=schedule.pk).update(notes="Edited by an admin")
    assert "kept" in curated.load(force=False)
    assert FeeSchedule.objects.get().notes == "Edited by an admin"
    curated.load(force=True)
    assert FeeSchedule.objects.get().notes != "Edited by an admin"


def test_load_curated_content_command_picks_the_app_up(db, capsys):
    call_command("load_curated_content")
    assert "ERAS fee schedules: 1 created" in capsys.readouterr().out
    assert CostEstimate.objects.count() == 7
    # A figure is shipped as verified only with the official page it was seen on.
    assert not CostEstimate.objects.filter(confidence="V", source_url="").exists()


@pytest.mark.parametrize(
    "count,total,next_fee", [(0, 0, 11), (1, 11, 11), (30, 330, 30), (31, 360, 30), (40, 630, 30)]
)
def test_eras_fee_arithmetic(schedule, count, total, next_fee):
    assert costs.eras_fee(count, schedule) == total
    assert costs.next_program_fee(count, schedule) == next_fee


def test_2027_uses_the_2026_schedule_labelled_as_such(schedule):
    fees = costs.fees_for(2027, [schedule])
    assert fees.schedule == schedule and not fees.exact
    assert fees.label == "2026 fees, 2027 not published"
    assert costs.fees_for(2026, [schedule]).label == "2026 fees"
    assert costs.fees_for(2025, [schedule]).schedule is None  # never a later season's fees


def test_marginal_cost_of_program_31_is_shown(member_client, member, schedule):
    for _ in range(30):
        make_application(member, make_program(member), status="applied")
    make_application(member, make_program(member, specialty="Pediatrics"))
    response = member_client.get(COSTS)
    assertContains(response, "2026 fees, 2027 not published")
    assertContains(response, 'Program 31 costs <span class="money">$30</span>', html=False)
    assertContains(response, '<span class="money">$330</span> in ERAS fees', html=False)
    assertContains(response, 'Program 1 costs <span class="money">$11</span>', html=False)
    index = member_client.get(reverse("applications:index"))
    assertContains(index, "Program 31 costs")


def test_ledger_totals_planned_against_paid(member_client, member, schedule):
    estimate = CostEstimate.objects.get(slug="eras-token")
    page = member_client.get(COSTS, {"estimate": "eras-token"})
    assertContains(page, "Unconfirmed:")
    assertContains(page, 'value="185"', html=False)
    member_client.post(
        COSTS,
        {
            "category": "eras",
            "description": "ERAS token",
            "amount": "165",
            "state": "planned",
            "estimate": "eras-token",
        },
    )
    member_client.post(
        COSTS, {"category": "eras", "description": "Transcript", "amount": "80", "state": "paid"}
    )
    member_client.post(
        COSTS, {"category": "travel", "description": "Flight", "amount": "612.50", "state": "paid"}
    )
    assert CostEntry.objects.get(description="ERAS token").estimate == estimate
    response = member_client.get(COSTS)
    assertContains(response, '<td class="money" id="total-planned">$165.00</td>', html=True)
    assertContains(response, '<td class="money" id="total-paid">$692.50</td>', html=True)
    assert CostEntry.objects.filter(user=member, cycle=2027).count() == 3


@pytest.mark.parametrize(
    "data,message",
    [
        ({"amount": "-5"}, "greater than or equal to 0"),
        ({"amount": "1e3x"}, "Enter a number"),
        ({"category": "yacht"}, "Select a valid choice"),
        ({"date": "2025-02-30"}, "Enter a valid date"),
        ({"description": ""}, "This field is required"),
    ],
)
def test_bad_cost_input_saves_nothing(member_client, member, data, message):
    base = {"category": "travel", "description": "Flight", "amount": "100", "state": "paid"}
    response = member_client.post(COSTS, {**base, **data})
    assertContains(response, message)
    assert not CostEntry.objects.exists()


def test_cost_entries_are_owned(member_client, other_member):
    entry = make_cost(
        other_member,
        cycle=2028,
        description="Bob's flight",
        amount=Decimal("10"),
        date=datetime.date(2026, 1, 1),
    )
    assert member_client.get(reverse("applications:cost", args=[entry.pk])).status_code == 404
    response = member_client.post(reverse("applications:cost_delete", args=[entry.pk]))
    assert response.status_code == 404
    assertNotContains(member_client.get(COSTS, {"cycle": 2028}), "Bob&#x27;s flight")
    assert CostEntry.objects.filter(pk=entry.pk).exists()


def test_edit_and_delete_a_cost(member_client, member):
    entry = make_cost(member, description="Flight", amount=Decimal("10"))
    url = reverse("applications:cost", args=[entry.pk])
    bad = member_client.post(
        url, {"category": "travel", "description": "Flight", "amount": "-1", "state": "paid"}
    )
    assertContains(bad, "<title>Edit Flight", html=False)
    member_client.post(
        url,
        {
            "category": "travel",
            "description": "Flight",
            "amount": "250",
            "state": "paid",
            "version": "1",
        },
    )
    entry.refresh_from_db()
    assert entry.amount == Decimal("250") and entry.state == "paid"
    member_client.post(reverse("applications:cost_delete", args=[entry.pk]))
    assert not CostEntry.objects.exists()


@pytest.mark.parametrize("count", [10, 150])
def test_costs_page_query_count_is_constant(
    member_client, member, schedule, count, django_assert_num_queries
):
    CostEntry.objects.bulk_create(
        CostEntry(
            user=member, cycle=2027, category="travel", description=f"Trip {n}", amount=Decimal("5")
        )
        for n in range(count)
    )
    # session, user, profile, estimates, applications, fee schedules, entries
    with django_assert_num_queries(7):
        member_client.get(COSTS)


def test_residencycas_specialties_are_flagged(member_client, member, schedule):
    make_application(member, make_program(member, specialty="Emergency Medicine"), status="applied")
    response = member_client.get(COSTS)
    assertContains(response, "may apply through ResidencyCAS, not ERAS")
    assert costs.uses_residencycas("Obstetrics and Gynecology")
    assert costs.uses_residencycas("OB/GYN")
    assert not costs.uses_residencycas("Internal Medicine")
