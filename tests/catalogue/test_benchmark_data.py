"""The synthetic catalogue for measurements: marked as synthetic, valid, and removable."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalogue.benchmark_data import delete_synthetic_catalogue, synthetic_catalogue
from catalogue.models import UNKNOWN, CatalogueProgram, Fact, Institution
from tests.factories import make_catalogue_program

pytestmark = pytest.mark.django_db


def test_synthetic_rows_are_marked_valid_and_removed_again():
    real = make_catalogue_program()
    made = synthetic_catalogue(programs=60, facts=300)
    assert made == {"institutions": 6, "programs": 60, "facts": 300}
    synthetic = CatalogueProgram.objects.exclude(pk=real.pk)
    assert all(
        p.acgme_id.startswith("BENCH") and p.nrmp_code.startswith("BENCH") for p in synthetic
    )
    facts = list(Fact.objects.all())
    for fact in facts:
        fact.full_clean()  # what the admin and the import would accept
        if fact.value == UNKNOWN:
            assert fact.source_url == ""
        else:  # a known value names its (synthetic) source
            assert fact.source_url.startswith("https://example.org/bench/")
    assert {fact.value == UNKNOWN for fact in facts} == {True, False}  # both kinds are made
    assert delete_synthetic_catalogue() > 0
    assert list(CatalogueProgram.objects.all()) == [real]
    assert list(Institution.objects.all()) == [real.institution]
    assert not Fact.objects.exists()


def test_the_benchmark_measures_on_postgresql_only():
    from django.db import connection

    if connection.vendor == "postgresql":
        out = io.StringIO()
        call_command("catalogue_benchmark", programs=30, facts=100, runs=2, stdout=out)
        assert re.search(r"precise \(ACGME ID\)\s+BENCH0000015\s+1\s", out.getvalue())
        assert "Plan, common word:" in out.getvalue()  # (30 rows: a sequential scan)
        assert not CatalogueProgram.objects.exists()  # deleted again
    else:
        with pytest.raises(CommandError, match="PostgreSQL only"):
            call_command("catalogue_benchmark", programs=30, facts=100, runs=2)
