"""Suggestions of which employer is which institution: normalised names, same state."""

import pytest

from catalogue.models import Institution
from lca.matching import normalise_name, normalise_state, suggestions
from lca.models import Employer, EmployerLink


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("The Mount Sinai Hospital, Inc.", "mount sinai hospital"),
        ("MOUNT SINAI HOSPITAL INC", "mount sinai hospital"),
        ("Brigham & Women's Hospital", "brigham and womens hospital"),
        ("Brigham and Women's Hospital", "brigham and womens hospital"),
        ("Hôpital Saint-Luc LLC", "hopital saint luc"),
        ("Example Health, P.C.", "example health"),
        ("Example_Clinic  Corp.", "example clinic"),
        ("", ""),
    ],
)
def test_normalise_name(name, normalised):
    assert normalise_name(name) == normalised


@pytest.mark.parametrize(
    ("state", "code"),
    [("NY", "NY"), ("ny ", "NY"), ("New York", "NY"), ("district of  columbia", "DC"),
     ("Puerto Rico", "PR"), ("", ""), ("Ontario", "ONTARIO")],
)  # fmt: skip
def test_normalise_state(state, code):
    assert normalise_state(state) == code


def test_suggestions_leave_out_other_states_and_decided_pairs(db, django_assert_num_queries):
    employer = Employer.objects.create(
        name="Example Medical Center, Inc.", normalised_name="example medical center", state="NY"
    )
    other = Employer.objects.create(name="Lone Clinic", normalised_name="lone clinic", state="TX")
    same = Institution.objects.create(name="The Example Medical Center", state="New York")
    rejected = Institution.objects.create(name="Example Medical Center", state="NY")
    Institution.objects.create(name="Example Medical Center", state="NJ")
    EmployerLink.objects.create(employer=employer, institution=rejected, decision="rejected")

    with django_assert_num_queries(2):  # the institutions; the decided pairs
        found = suggestions([employer, other])

    assert found == {employer.pk: [same], other.pk: []}
