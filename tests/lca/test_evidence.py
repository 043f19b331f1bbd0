"""What members are shown: evidence_for (0 is 0, no data is None) and its include."""

import datetime

import pytest
from django.template.loader import render_to_string

from lca.evidence import DOL_PAGE, Evidence, evidence_for
from lca.models import EmployerLink
from tests.factories import make_catalogue_program
from tests.lca.files import case

FILE_DATE = datetime.date(2025, 10, 1)


@pytest.fixture
def institutions(db):
    return [make_catalogue_program().institution for _ in range(3)]


def link(institution, name, decision=EmployerLink.Decision.CONFIRMED):
    from lca.models import Employer

    employer = Employer.objects.get(name=name)
    return EmployerLink.objects.create(
        employer=employer, institution=institution, decision=decision
    )


def test_no_file_means_no_data(institutions):
    assert evidence_for([i.pk for i in institutions]) == dict.fromkeys(i.pk for i in institutions)


def test_counts_per_confirmed_link_zero_is_zero(institutions, run_import):
    first, second, third = institutions
    run_import(
        [
            case("I-1"),
            case("I-2"),
            case("I-3", EMPLOYER_NAME="Other Hospital"),
            case("I-4", EMPLOYER_NAME="Other Hospital", BEGIN_DATE="2023-07-01"),  # FY2023
            case("I-5", EMPLOYER_NAME="Third Hospital", CASE_STATUS="Denied"),
        ],
        file_date=FILE_DATE,
    )
    link(first, "Example Medical Center, Inc.")
    link(second, "Third Hospital")  # kept cases, none certified: 0
    link(third, "Other Hospital", EmployerLink.Decision.REJECTED)  # rejected: no data

    found = evidence_for([first.pk, second.pk, third.pk, 999999])

    assert found == {
        first.pk: Evidence(2025, 2, FILE_DATE),
        second.pk: Evidence(2025, 0, FILE_DATE),
        third.pk: None,
        999999: None,
    }


def test_two_queries_however_many_institutions(institutions, run_import, django_assert_num_queries):
    run_import([case("I-1")], file_date=FILE_DATE)
    link(institutions[0], "Example Medical Center, Inc.")
    many = [i.pk for i in institutions] + list(range(100000, 100200))
    with django_assert_num_queries(2):  # the newest imported file; the links with their sums
        found = evidence_for(many)
    assert found[institutions[0].pk].certified == 1 and found[institutions[1].pk] is None


def test_an_institution_with_two_employers_adds_them_up(institutions, run_import):
    run_import([case("I-1"), case("I-2", EMPLOYER_NAME="Example Health System")])
    link(institutions[0], "Example Medical Center, Inc.")
    link(institutions[0], "Example Health System")
    assert evidence_for([institutions[0].pk])[institutions[0].pk].certified == 2


def test_the_year_shown_is_the_last_ended_by_the_newest_file(institutions, run_import):
    run_import([case("I-1")], file_date=datetime.date(2025, 9, 30))
    link(institutions[0], "Example Medical Center, Inc.")
    # FY2025 had not ended on 30 Sep 2025's file: FY2024 is shown (none then).
    assert evidence_for([institutions[0].pk])[institutions[0].pk] == Evidence(
        2024, 0, datetime.date(2025, 9, 30)
    )
    run_import([case("I-2")], file_date=FILE_DATE)
    assert evidence_for([institutions[0].pk])[institutions[0].pk] == Evidence(2025, 2, FILE_DATE)


def test_a_failed_file_is_no_file(institutions, run_import):
    run_import([case("I-1")], columns=["CASE_NUMBER"])
    assert evidence_for([institutions[0].pk]) == {institutions[0].pk: None}


@pytest.mark.parametrize(
    ("evidence", "sentence"),
    [
        (
            Evidence(2025, 12, FILE_DATE),
            "12 certified H-1B applications for resident or fellow positions in FY2025 "
            "(U.S. Department of Labor LCA data, file of 1 Oct 2025)",
        ),
        (
            Evidence(2025, 1, FILE_DATE),
            "1 certified H-1B application for resident or fellow positions in FY2025 "
            "(U.S. Department of Labor LCA data, file of 1 Oct 2025)",
        ),
        (
            Evidence(2025, 0, FILE_DATE),
            "0 certified H-1B applications for resident or fellow positions in FY2025 "
            "(U.S. Department of Labor LCA data, file of 1 Oct 2025)",
        ),
        (None, "No Labor-data evidence for this institution yet."),
    ],
)
def test_the_include_says_it(evidence, sentence):
    page = render_to_string("lca/_evidence.html", {"evidence": evidence})
    text = " ".join(page.split())
    assert f'<p class="lca-evidence"> {sentence} </p>' in text
    assert f'href="{DOL_PAGE}"' in page
    assert "job title is a guide, not proof" in text  # the heuristic is said
    assert "federal fiscal year" in text


def test_evidence_by_catalogue_program_joins_their_institution(
    institutions, run_import, django_assert_num_queries
):
    from lca.evidence import evidence_for_programs

    first, second, _ = institutions
    run_import([case("P-1"), case("P-2"), case("P-3")], file_date=FILE_DATE)
    link(first, "Example Medical Center, Inc.")
    asked = make_catalogue_program(institution=first)
    sibling = make_catalogue_program(institution=first)  # not asked for: not in the answer
    elsewhere = make_catalogue_program(institution=second)  # no confirmed link: no data
    with django_assert_num_queries(2):  # the newest file, the links with their counts
        found = evidence_for_programs([asked.pk, elsewhere.pk])
    assert found == {asked.pk: Evidence(2025, 3, FILE_DATE), elsewhere.pk: None}
    assert evidence_for_programs([sibling.pk]) == {sibling.pk: Evidence(2025, 3, FILE_DATE)}
