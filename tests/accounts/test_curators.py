import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_curators_group_has_content_permissions_only(curator):
    group = Group.objects.get(name="Curators")
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert ("pathways", "change_milestone") in codenames
    assert ("pathways", "add_matchcycle") in codenames
    # Members' own data is off limits.
    assert not any(model.endswith("progress") for _, model in codenames)
    assert not any(model.endswith("savedresource") for _, model in codenames)
    assert not any(app == "accounts" for app, _ in codenames)
    assert curator.is_staff
    assert curator.has_perm("pathways.change_milestone")
    assert not curator.has_perm("pathways.change_progress")
    assert not curator.has_perm("accounts.change_user")


def test_setup_curators_is_idempotent(db):
    call_command("setup_curators", verbosity=0)
    first = set(Group.objects.get(name="Curators").permissions.all())
    call_command("setup_curators", verbosity=0)
    assert Group.objects.filter(name="Curators").count() == 1
    assert set(Group.objects.get(name="Curators").permissions.all()) == first
    assert first


def test_making_an_unknown_email_a_curator_fails_clearly(db):
    with pytest.raises(CommandError, match="No account"):
        call_command("setup_curators", add=["nobody@example.com"], verbosity=0)


def test_curator_reaches_admin_member_does_not(curator_client, member):
    from django.test import Client

    assert curator_client.get("/admin/").status_code == 200
    assert curator_client.get("/admin/pathways/milestone/").status_code == 200
    assert curator_client.get("/admin/accounts/user/").status_code == 403
    member_client = Client()
    member_client.force_login(member)
    assert member_client.get("/admin/").status_code == 302
