"""The catalogue's facts: one parser, sourced values only, a history of every change."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalogue.facts import facts_changed, set_fact
from catalogue.models import Fact, FactChange, FactKind, Origin, clean_value
from tests.factories import give_fact, make_catalogue_program

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "kind,raw,stored",
    [
        (FactKind.J1, " Yes ", "yes"),
        (FactKind.H1B, "UNKNOWN", "unknown"),
        (FactKind.STEP2CK_MINIMUM, "0220", "220"),
        (FactKind.GRADUATION_CUTOFF_YEARS, "0", "0"),
        (FactKind.NOTE, "  Interviews in person only. ", "Interviews in person only."),
    ],
)
def test_values_are_stored_in_one_form(kind, raw, stored):
    assert clean_value(kind, raw) == stored


@pytest.mark.parametrize(
    "kind,raw",
    [
        (FactKind.J1, "maybe"),
        (FactKind.STEP2CK_MINIMUM, "301"),
        (FactKind.ATTEMPTS_ACCEPTED, "0"),
        (FactKind.IMG_SHARE, "-5"),
        (FactKind.USCE_MONTHS, "6.5"),
        (FactKind.NOTE, ""),
        (FactKind.NOTE, "x" * 2001),
    ],
)
def test_bad_values_are_refused_with_what_is_accepted(kind, raw):
    with pytest.raises(ValidationError):
        clean_value(kind, raw)


def test_a_known_value_without_source_and_date_cannot_be_stored():
    program = make_catalogue_program()
    with pytest.raises(IntegrityError), transaction.atomic():
        Fact.objects.create(program=program, kind=FactKind.J1, value="yes")
    with pytest.raises(ValidationError) as error:
        set_fact(program, FactKind.J1, "yes", source_url="https://example.org")
    assert "checked_on" in error.value.message_dict
    Fact.objects.create(program=program, kind=FactKind.J1, value="unknown")  # no source needed


def test_a_changed_value_is_recorded_and_announced_once_committed(
    curator, django_capture_on_commit_callbacks
):
    program = make_catalogue_program()
    announced = []

    def listen(sender, change_ids, **kwargs):
        announced.append(change_ids)

    facts_changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = give_fact(program, FactKind.H1B, "yes", by=curator)
            assert announced == []  # not before the commit
        with django_capture_on_commit_callbacks(execute=True):
            second = give_fact(program, FactKind.H1B, "no", by=curator)
        with django_capture_on_commit_callbacks(execute=True):
            same = give_fact(
                program, FactKind.H1B, "no", by=curator, checked_on=datetime.date(2026, 12, 1)
            )
    finally:
        facts_changed.disconnect(listen)
    assert same is None  # a re-check of the same value tells nobody
    assert announced == [[first.pk], [second.pk]]
    history = list(FactChange.objects.filter(program=program).values_list("old_value", "new_value"))
    assert history == [("yes", "no"), ("", "yes")]  # newest first
    fact = Fact.objects.get(program=program, kind=FactKind.H1B)
    assert (fact.value, fact.checked_on, fact.checked_by, fact.origin, fact.manual) == (
        "no",
        datetime.date(2026, 12, 1),
        curator,
        Origin.CURATOR,
        True,
    )


def test_a_source_that_is_not_a_web_page_is_refused_next_to_the_field():
    program = make_catalogue_program()
    with pytest.raises(ValidationError) as error:
        give_fact(program, FactKind.J1, "yes", source_url="ftp://example.org/list")
    assert "source_url" in error.value.message_dict
    assert not Fact.objects.filter(program=program).exists()


def test_writing_a_fact_costs_a_fixed_few_queries(curator, django_assert_num_queries):
    program = make_catalogue_program()
    give_fact(program, FactKind.J1, "yes", by=curator)
    # savepoint, the fact locked, its UPDATE, the history row, release (no query per
    # database constraint)
    with django_assert_num_queries(5):
        set_fact(
            program,
            FactKind.J1,
            "no",
            source_url="https://example.org/visas",
            checked_on=datetime.date(2026, 12, 1),
            by=curator,
        )
