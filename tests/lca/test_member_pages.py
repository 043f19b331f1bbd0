"""Members see the Labor-data evidence on their program's page, and, when they may take the
H-1B, in its fit check: the count (0 is 0) or "no data", never for a private program."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Profile
from lca.models import Employer, EmployerLink
from tests.factories import make_catalogue_program, make_program
from tests.lca.files import case

SENTENCE = (
    "2 certified H-1B applications for resident or fellow positions in FY2025 "
    "(U.S. Department of Labor LCA data, file of 1 Oct 2025)."
)
NO_DATA = "No Labor-data evidence of H-1B filings for this institution yet."


@pytest.fixture
def kept(member, run_import):
    entry = make_catalogue_program(name="Example Medical Center IM")
    run_import([case("M-1"), case("M-2")], file_date=datetime.date(2025, 10, 1))
    EmployerLink.objects.create(
        employer=Employer.objects.get(), institution=entry.institution, decision="confirmed"
    )
    return make_program(member, name=entry.name, specialty=entry.specialty, catalogue=entry)


def fit_box(html: str) -> str:
    return html[
        html.index('<div class="fit ') : html.index("</div>", html.index('<div class="fit '))
    ]


def test_an_h1b_member_sees_the_evidence_in_the_fit_check_and_on_the_page(
    member_client, member, kept
):
    Profile.objects.filter(user=member).update(visa="h1b")
    html = member_client.get(kept.get_absolute_url()).content.decode()
    assert SENTENCE in fit_box(html)
    assert SENTENCE[:-1] in html[html.index('id="lca-heading"') :]


def test_a_j1_member_sees_it_on_the_page_not_in_the_fit_check(member_client, member, kept):
    html = member_client.get(kept.get_absolute_url()).content.decode()
    assert SENTENCE[:-1] in html[html.index('id="lca-heading"') :]
    assert "H-1B applications" not in fit_box(html)


def test_no_data_is_said_and_a_private_program_has_no_line(member_client, member, db):
    Profile.objects.filter(user=member).update(visa="h1b")
    entry = make_catalogue_program()
    linked = make_program(member, name=entry.name, specialty=entry.specialty, catalogue=entry)
    private = make_program(member, name="My private program")
    html = member_client.get(linked.get_absolute_url()).content.decode()
    assert NO_DATA in fit_box(html)
    html = member_client.get(private.get_absolute_url()).content.decode()
    assert "Labor-data" not in html
    board = member_client.get(reverse("applications:programs")).content.decode()
    assert board.count(NO_DATA) == 1  # the list's fit checks: the linked program's only
