"""Two-factor: optional for members, required for staff before the admin opens."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.accounts.totp import totp_code
from tests.factories import give_authenticator_app, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_without_mfa(db):
    from django.core.management import call_command

    call_command("setup_curators", verbosity=0)
    user = make_member("dan@example.com")
    call_command("setup_curators", add=[user.email], verbosity=0)
    return user


def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, staff_without_mfa):
    client.force_login(staff_without_mfa)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_index")
    assert b"two-factor" in response.content.lower()
    assert client.get(reverse("admin:resources_resource_changelist")).status_code == 302
    # The review queue lives under /admin/ but is a view of ours: the same gate.
    response = client.get(reverse("curation-review"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_index")


def test_recovery_codes_alone_do_not_open_the_admin(client, staff_without_mfa):
    Authenticator.objects.create(
        user=staff_without_mfa, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00"}
    )
    client.force_login(staff_without_mfa)
    assert client.get("/admin/").status_code == 302


def test_staff_with_an_authenticator_app_open_the_admin(curator_client):
    assert curator_client.get("/admin/").status_code == 200


def test_members_never_reach_the_admin(member_client):
    assert member_client.get("/admin/").status_code in (302, 403)
    assert member_client.get(reverse("admin:login")).status_code == 403


def test_staff_log_in_asks_for_the_code_then_opens_the_admin(client, staff_without_mfa, password):
    secret = give_authenticator_app(staff_without_mfa)
    response = client.post(
        reverse("account_login") + "?next=/admin/",
        {"login": staff_without_mfa.email, "password": password},
    )
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not logged in by the password alone
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_without_mfa.pk)
    assert client.get("/admin/").status_code == 200


def test_two_factor_is_optional_for_members_and_linked_from_settings(member_client):
    page = member_client.get(reverse("accounts:settings")).content.decode()
    assert reverse("mfa_index") in page
    assert member_client.get(reverse("mfa_index")).status_code == 200
    assert member_client.get(reverse("pathways:dashboard")).status_code == 200
