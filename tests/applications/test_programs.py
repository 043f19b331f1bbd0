"""My programs: list with fit, add, edit, delete; ownership and bad input."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from applications.models import Program
from tests.factories import make_program

PROGRAMS = reverse("applications:programs")
NEW = reverse("applications:program_new")


def valid_data(**overrides):
    data = {
        "name": "Metro Hospital",
        "specialty": "Internal Medicine",
        "city": "Newark",
        "state": "NJ",
        "program_url": "https://metro.example.org/im/",
        "visas": "h1b",
        "visas_source": "program website",
        "visas_found_on": "2026-05-01",
        "certificate_by": "unknown",
        "interview_format": "unknown",
    }
    return {**data, **overrides}


def test_anonymous_is_sent_to_log_in(client, db):
    for url in [PROGRAMS, NEW, reverse("applications:program", args=[1])]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_add_program_then_see_its_fit_conflict(member_client, member):
    response = member_client.post(NEW, valid_data())
    program = Program.objects.get(user=member)
    assert response.status_code == 302 and response.url == program.get_absolute_url()
    assert program.visas_source == "program website"
    page = member_client.get(PROGRAMS)
    # Alice needs a J-1 (persona); the program sponsors H-1B only.
    assertContains(page, "You need a J-1; it sponsors H-1B only.")
    assertContains(page, "Metro Hospital")
    assert "no-store" in page["Cache-Control"]
    detail = member_client.get(program.get_absolute_url())
    assertContains(detail, "Unknown: ask the program")
    assertContains(detail, "Source: program website")


def test_duplicate_program_is_a_form_error_not_a_500(member_client, member):
    make_program(member, name="Metro Hospital", specialty="Internal Medicine")
    response = member_client.post(NEW, valid_data(name="metro hospital"))
    assert response.status_code == 200
    assertContains(response, "You already keep this program in this specialty.")
    assert Program.objects.filter(user=member).count() == 1


@pytest.mark.parametrize(
    "overrides,field_error",
    [
        ({"program_url": "javascript:alert(1)"}, "Enter a valid URL"),
        ({"visas_found_on": "2025-02-30"}, "Enter a valid date"),
        ({"visas_found_on": "0001-01-01"}, "Enter a date between"),
        ({"visas_found_on": "9999-12-31"}, "Enter a date between"),
        ({"step2ck_minimum": "999"}, "less than or equal to 300"),
        ({"visas": "H1B'--"}, "Select a valid choice"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_bad_input_is_refused_with_a_message(member_client, member, overrides, field_error):
    response = member_client.post(NEW, valid_data(**overrides))
    assert response.status_code == 200
    assertContains(response, field_error)
    assert not Program.objects.exists()


def test_extra_user_field_is_ignored(member_client, member, other_member):
    member_client.post(NEW, valid_data(user=other_member.pk))
    assert Program.objects.get().user == member


def test_other_members_program_is_a_404_everywhere(member_client, bob_program):
    pk = bob_program.pk
    for name in ["program", "program_edit"]:
        assert member_client.get(reverse(f"applications:{name}", args=[pk])).status_code == 404
    edit = member_client.post(reverse("applications:program_edit", args=[pk]), valid_data())
    assert edit.status_code == 404
    assert member_client.post(reverse("applications:program_delete", args=[pk])).status_code == 404
    assert Program.objects.filter(pk=pk, name="Bob General Hospital").exists()
    assertNotContains(member_client.get(PROGRAMS), "Bob General Hospital")


def test_edit_and_delete(member_client, alice_program):
    url = reverse("applications:program_edit", args=[alice_program.pk])
    response = member_client.post(
        url, valid_data(name="Renamed Center", step2ck_minimum="230", version="1")
    )
    assert response.status_code == 302
    alice_program.refresh_from_db()
    assert alice_program.step2ck_minimum == 230
    delete = reverse("applications:program_delete", args=[alice_program.pk])
    assert member_client.get(delete).status_code == 405
    assert member_client.post(delete).status_code == 302
    assert not Program.objects.exists()


def test_filter_and_sort_by_fit(member_client, member, fit_milestones, record):
    make_program(
        member,
        name="Zeta Fits",
        visas="both",
        graduation_cutoff_years=10,
        step2ck_minimum=200,
        attempts_accepted=2,
        usce_months=0,
        certificate_by="start",
        img_share=30,
        interview_format="virtual",
    )
    make_program(member, name="Alpha Conflict", visas="none")
    make_program(member, name="Mid Unknown")
    record(member, "step-2-ck", score=230)
    record(member, "ecfmg-certificate", status="done")
    page = member_client.get(PROGRAMS).content.decode()
    assert page.index("Zeta Fits") < page.index("Mid Unknown") < page.index("Alpha Conflict")
    by_name = member_client.get(PROGRAMS, {"sort": "name"}).content.decode()
    assert by_name.index("Alpha Conflict") < by_name.index("Mid Unknown")
    conflicts = member_client.get(PROGRAMS, {"fit": "conflict"})
    assertContains(conflicts, "Alpha Conflict")
    assertNotContains(conflicts, "Zeta Fits")
    assertContains(conflicts, "<strong>1</strong> of 3 programs", html=False)
    bad = member_client.get(PROGRAMS, {"fit": "<b>x</b>"})
    assert bad.status_code == 200


@pytest.mark.parametrize("count", [10, 150])
def test_program_list_query_count_is_constant(
    member_client, member, count, django_assert_num_queries
):
    Program.objects.bulk_create(
        Program(user=member, name=f"Program {n}", specialty="Internal Medicine")
        for n in range(count)
    )
    member_client.get(PROGRAMS)  # warm the curated-content cache (the cycle comes from it)
    # session, user, profile, progress (fit inputs, from the roadmap's data), programs
    with django_assert_num_queries(5):
        response = member_client.get(PROGRAMS)
    assert response.content.decode().count('class="card program-card"') == count
