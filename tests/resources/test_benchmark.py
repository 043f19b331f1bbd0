"""The benchmark command runs end to end at a tiny size and cleans up after itself."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from resources.models import Resource


@pytest.mark.django_db(transaction=True)  # VACUUM cannot run inside a transaction
def test_benchmark_runs_and_deletes_its_rows(make_resource):
    kept = make_resource(title="Real resource")
    out = io.StringIO()
    call_command("benchmark", resources=300, requests=3, stdout=out)
    output = out.getvalue()
    assert "Ratio search/plain:" in output and "Ratio directory/plain:" in output
    assert "Deleted 300 synthetic rows" in output
    if connection.vendor == "postgresql":
        assert "EXPLAIN ANALYZE" in output
    assert list(Resource.objects.all()) == [kept]
