"""Pages that show a member's saved state or account are never stored by caches."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        (lambda r: reverse("resources:directory"), {}),
        (lambda r: reverse("resources:directory") + "?q=visa", {"HTTP_HX_REQUEST": "true"}),
        (lambda r: r.get_absolute_url(), {}),
        (lambda r: reverse("account_email"), {}),
        (lambda r: reverse("account_change_password"), {}),
    ],
    ids=["directory", "directory-fragment", "detail", "email", "password-change"],
)
def test_member_pages_are_no_store(member_client, resource, url, headers):
    response = member_client.get(url(resource), **headers)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_public_directory_stays_cacheable_for_visitors(client, resource):
    response = client.get(reverse("resources:directory"))
    assert "no-store" not in response.get("Cache-Control", "")
