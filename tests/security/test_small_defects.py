"""The smaller defects of issue 12: health check, zero-width names, messages, file parts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from accounts.models import Profile, User

pytestmark = pytest.mark.django_db


def test_healthz_503_says_when_to_retry(client, monkeypatch):
    from imgportal import views

    class Broken:
        def __enter__(self):
            raise DatabaseError("gone")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(views.connection, "cursor", lambda: Broken())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()


@pytest.mark.parametrize("invisible", ["\u200b", "\u200b\u200c\u200d\ufeff", " \u2060 ", "\u00ad"])
def test_a_school_name_of_invisible_characters_is_required_error(client, new_member, invisible):
    client.force_login(new_member)
    data = {
        "school_country": "Nigeria",
        "school_name": invisible,
        "graduation_year": "2023",
        "specialty": "Pediatrics",
        "match_year": "2028",
        "visa": "j1",
    }
    response = client.post(reverse("accounts:onboarding"), data)
    assert response.status_code == 200
    assert "This field is required" in " ".join(response.context["form"].errors["school_name"])
    assert Profile.objects.get(user=new_member).onboarded_at is None


def test_no_cookie_carries_the_email_address(client, member, password):
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": password}, follow=True
    )
    assert response.status_code == 200
    client.logout()
    signup = client.post(
        reverse("account_signup"),
        {
            "email": "newbie@example.com",
            "password1": "a-long-pass-42",
            "password2": "a-long-pass-42",
        },
    )
    # The sign-up went through (a form with errors would also answer without the message).
    assert signup.status_code == 302
    assert signup["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="newbie@example.com").exists()
    # allauth's "Confirmation email sent to newbie@example.com" waits for the next
    # page: on the server, not in a signed (readable) cookie.
    assert not client.cookies.get("messages") or not client.cookies["messages"].value
    from django.contrib.messages.storage.session import SessionStorage

    stored = client.session.get(SessionStorage.session_key)
    assert stored and "newbie@example.com" in stored


def test_a_file_part_on_a_form_that_takes_no_file_is_refused(
    member_client, member, milestones_factory
):
    from pathways.models import Progress

    slug = milestones_factory(1)[0].slug
    url = reverse("pathways:progress", args=[slug])
    big = SimpleUploadedFile("scan.pdf", b"0" * (10 * 1024 * 1024), "application/pdf")
    response = member_client.post(url, {"status": "in_progress", "file": big})
    assert response.status_code == 400
    assert not Progress.objects.filter(user=member).exists()
    # The same form without the file part is saved: the 400 was the file's doing.
    assert member_client.post(url, {"status": "in_progress"}).status_code == 302
    assert Progress.objects.get(user=member).status == "in_progress"


def test_the_admin_import_still_takes_files(admin_client):
    sheet = SimpleUploadedFile("r.csv", b"title\n", "text/csv")
    response = admin_client.post(
        reverse("admin:resources_resource_import"), {"import_file": sheet, "format": "0"}
    )
    assert response.status_code != 400
