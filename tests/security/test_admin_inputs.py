"""Hostile query strings on every admin changelist and the import-export pages: no 500."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def changelists():
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        fields = [f for f in model_admin.list_filter if isinstance(f, str)]
        yield pytest.param(url, fields, id=model._meta.label)


@pytest.mark.parametrize(("url", "fields"), list(changelists()))
def test_nul_bytes_in_changelist_filters_are_refused_cleanly(admin_client, url, fields):
    queries = ["q=%00", "o=%00", "p=%00", "e=%00"]
    for field in fields:
        queries += [f"{field}__exact=%00", f"{field}=%00", f"{field}__id__exact=%00"]
    for query in queries:
        response = admin_client.get(f"{url}?{query}")
        assert response.status_code < 500, query
    # A NUL byte is never a legitimate filter value: refused outright.
    assert admin_client.get(f"{url}?q=%00").status_code == 400


@pytest.mark.parametrize("page", ["import", "export"])
@pytest.mark.parametrize(
    "query", ["unknown=1", "category__exact=%00", "title__bogus=x", "o=zz", "q=a&e=1"]
)
def test_import_export_pages_survive_unexpected_parameters(admin_client, page, query):
    response = admin_client.get(reverse(f"admin:resources_resource_{page}") + "?" + query)
    assert response.status_code in (200, 400), response.status_code


def test_nul_byte_on_a_public_page_is_a_400(client):
    assert client.get(reverse("resources:directory") + "?q=%00").status_code == 400
    assert client.get(reverse("resources:directory") + "?q=ok").status_code == 200


def date_filters():
    """Every changelist with each of its model's date and date-time fields."""
    from django.db import models

    for model, _model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        names = [
            field.name
            for field in model._meta.get_fields()
            if isinstance(field, models.DateField) and field.concrete
        ]
        if names:
            yield pytest.param(url, names, id=model._meta.label)


@pytest.mark.parametrize(("url", "names"), list(date_filters()))
def test_out_of_range_date_parts_in_changelist_filters_are_a_400(admin_client, url, names):
    """`?last_reviewed__year=99999` built a query Python's dates cannot hold (a 500)."""
    for name in names:
        for query in [
            f"{name}__year=99999",
            f"{name}__year=10000",
            f"{name}__year=0",
            f"{name}__year__gte=99999",
            f"{name}__year=abc",
            f"{name}__iso_year=99999",
        ]:
            assert admin_client.get(f"{url}?{query}").status_code == 400, query
        # An ordinary year still filters.
        assert admin_client.get(f"{url}?{name}__year=2026").status_code in (200, 302)


@pytest.mark.parametrize(("url", "fields"), list(changelists()))
@pytest.mark.parametrize(
    "selected", ["abc", "\x00", "1\x00", "99999999999999999999999", "-1e3", ""]
)
def test_a_changelist_action_on_ids_that_are_not_ids_is_a_400(admin_client, url, fields, selected):
    response = admin_client.post(
        url, {"action": "delete_selected", "_selected_action": [selected], "index": "0"}
    )
    assert response.status_code == 400, response.status_code


def test_a_changelist_action_on_real_ids_still_works(admin_client, superuser):
    url = reverse("admin:accounts_user_changelist")
    response = admin_client.post(
        url, {"action": "delete_selected", "_selected_action": [str(superuser.pk)], "index": "0"}
    )
    assert response.status_code == 200  # the "are you sure?" page
    assert b"Are you sure" in response.content


def test_bad_input_answers_carry_the_site_headers(admin_client, client):
    """The middleware's own 400s: not framable, not cached (they bypass the inner
    middleware that add these to every other response)."""
    for response in [
        client.get(reverse("resources:directory") + "?q=%00"),
        admin_client.get(
            reverse("admin:pathways_milestone_changelist") + "?last_reviewed__year=99999"
        ),
    ]:
        assert response.status_code == 400
        assert response["X-Frame-Options"] == "DENY"
        assert "no-store" in response["Cache-Control"]
