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


# Models with a foreign key to the user that are not members' own data, and what curators
# may do with them. Anything else with such a key is member data: no permission at all.
NOT_MEMBER_DATA = {
    # Written by members *to* curators, who read, resolve and delete them (never add one).
    "resources.ProblemReport": {"view", "change", "delete"},
    # Curator-written history of curated dates (changed_by is the curator): read-only.
    "pathways.DateChange": {"view"},
    # A catalogue fact names the curator who checked it; its history who changed it.
    "catalogue.Fact": {"add", "change", "delete", "view"},
    "catalogue.FactChange": {"view"},
    # Written by members *to* curators, who accept or reject them (never add one).
    "catalogue.Proposal": {"view", "change", "delete"},
    # An LCA file names the curator who uploaded it; an employer link the curator who
    # decided it: curated content, not members' data.
    "lca.LcaFile": {"add", "view"},
    "lca.EmployerLink": {"add", "change", "delete", "view"},
}


def member_owned_models():
    """Every model with a foreign key (or one-to-one) to the user: members' own data."""
    from django.apps import apps
    from django.conf import settings

    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return [
        model
        for model in apps.get_models()
        if model is not user_model
        and any(
            field.is_relation
            and field.many_to_one | field.one_to_one
            and field.related_model is user_model
            for field in model._meta.get_fields()
            if field.concrete
        )
    ]


def test_curators_have_no_permission_on_any_member_owned_model(curator):
    from django.contrib.contenttypes.models import ContentType

    group = Group.objects.get(name="Curators")
    owned = member_owned_models()
    assert {m._meta.label for m in owned} >= {
        "accounts.Profile",
        "pathways.Progress",
        "resources.SavedResource",
        "resources.ProblemReport",
        "reminders.ReminderPreference",
        "reminders.SentReminder",
        "reminders.CalendarFeed",
        "account.EmailAddress",
        "mfa.Authenticator",  # second factors: TOTP secrets, recovery codes, passkeys
        "usersessions.UserSession",
        "accounts.Notice",  # dashboard notices: no permission at all
        "catalogue.Proposal",
    }
    for model in owned:
        content_type = ContentType.objects.get_for_model(model)
        actions = {
            codename.split("_", 1)[0]
            for codename in group.permissions.filter(content_type=content_type).values_list(
                "codename", flat=True
            )
        }
        assert actions == NOT_MEMBER_DATA.get(model._meta.label, set()), model._meta.label
        for action in {"add", "change", "delete", "view"} - actions:
            assert not curator.has_perm(
                f"{model._meta.app_label}.{action}_{model._meta.model_name}"
            )


def test_curators_get_exactly_the_allow_list(curator):
    from accounts.management.commands.setup_curators import CURATOR_PERMISSIONS

    group = Group.objects.get(name="Curators")
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    expected = {
        (label.split(".")[0], f"{action}_{label.split('.')[1]}")
        for label, actions in CURATOR_PERMISSIONS.items()
        for action in actions
    }
    # 6 curated models x 4, problem reports 3, the date history 1 (view), the applications
    # fee schedule, cost estimates and signal allowances 3 x 4, the catalogue's institutions,
    # programs and facts 3 x 4, its history 1 (view), proposals 3; LCA files 2 (add, view),
    # employers and cases 1 each (view), employer links 4.
    assert granted == expected and len(granted) == 68
