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
