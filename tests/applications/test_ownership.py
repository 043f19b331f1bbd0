"""Every URL of the app, against another member's objects: 404 (GET and POST).
Curators get no permission on members' rows (only on the curated fee tables); deleting an
account deletes every row."""

import datetime

import pytest
from django.urls import get_resolver, reverse

from applications.models import Application, CostEntry, Interview, Letter, Program
from tests.factories import (
    make_application,
    make_cost,
    make_interview,
    make_letter,
    make_member,
)
from tests.security.url_classes import keys_where


@pytest.fixture
def bobs(other_member):
    application = make_application(other_member, cycle=2028, status="interviewed")
    return {
        "program": application.program,
        "application": application,
        "cost": make_cost(other_member, cycle=2028, description="x", amount=1),
        "interview": make_interview(
            other_member, application, date=datetime.date(2026, 11, 1), time_zone="UTC"
        ),
        "letter": make_letter(other_member, writer="W"),
    }


# URL name -> which of Bob's objects its pk points at (`owns` in the URL registry).
OBJECT_OF = {
    key.removeprefix("applications:"): url.owns
    for key, url in keys_where(lambda url: bool(url.owns)).items()
    if key.startswith("applications:")
}


def pk_url_names() -> list[str]:
    resolver = get_resolver().url_patterns
    app = next(p for p in resolver if getattr(p, "namespace", None) == "applications")
    return [p.name for p in app.url_patterns if "<int:pk>" in str(p.pattern)]


def test_every_pk_url_is_covered():
    assert sorted(pk_url_names()) == sorted(OBJECT_OF)


@pytest.mark.parametrize("name", sorted(OBJECT_OF))
def test_another_members_object_is_a_404(member_client, bobs, name):
    url = reverse(f"applications:{name}", args=[bobs[OBJECT_OF[name]].pk])
    data = {"status": "withdrawn", "version": 1, "direction": "up", "signal": "gold"}
    codes = {member_client.post(url, data).status_code, member_client.get(url).status_code}
    # 405 only for the method the view does not accept; the other one is a 404.
    assert 404 in codes and codes <= {404, 405}
    for pk in [0, 999999]:
        other = reverse(f"applications:{name}", args=[pk])
        assert {member_client.post(other).status_code, member_client.get(other).status_code} <= {
            404,
            405,
        }
    assert Application.objects.get(pk=bobs["application"].pk).status == "interviewed"
    assert Program.objects.filter(pk=bobs["program"].pk).exists()


def test_anonymous_is_sent_to_log_in_everywhere(client, bobs):
    for name in OBJECT_OF:
        url = reverse(f"applications:{name}", args=[bobs[OBJECT_OF[name]].pk])
        response = client.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
    for name in ["index", "programs", "costs", "interviews", "letters", "rank", "import"]:
        response = client.get(reverse(f"applications:{name}"))
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_curators_edit_the_curated_fee_tables_and_nothing_of_members(curator, curator_client):
    granted = {p for p in curator.get_all_permissions() if p.startswith("applications.")}
    curated = {"feeschedule", "costestimate", "signalallowance"}
    actions = {"add", "change", "delete", "view"}
    assert granted == {f"applications.{a}_{m}" for a in actions for m in curated}
    assert curator_client.get("/admin/applications/feeschedule/add/").status_code == 200
    assert curator_client.get("/admin/applications/signalallowance/add/").status_code == 200
    for model in ["program", "application", "costentry", "interview", "letter"]:
        assert curator_client.get(f"/admin/applications/{model}/").status_code == 404


def test_account_deletion_removes_the_season(member_client, member, password, bobs):
    application = make_application(member, status="applied")
    make_interview(member, application, date=datetime.date(2026, 11, 1), time_zone="UTC")
    make_letter(member, [application], writer="W")
    make_cost(member, description="x", amount=1)
    member_client.post(reverse("accounts:delete"), {"password": password, "confirm": "on"})
    for model in [Program, Application, Interview, Letter, CostEntry]:
        assert not model.objects.filter(user_id=member.pk).exists()
        assert model.objects.filter(user=bobs["program"].user).exists()


def test_export_of_unknown_kind_is_a_404(member_client):
    assert member_client.get("/applications/export.pdf").status_code == 404


def test_a_new_member_without_profile_can_use_the_pages(client, db):
    user = make_member("nina@example.com", onboarded=False, match_year=None, graduation_year=None)
    client.force_login(user)
    for name in ["index", "programs", "costs", "interviews", "letters", "rank", "import"]:
        assert client.get(reverse(f"applications:{name}")).status_code == 200


def test_benchmark_command_runs_and_cleans_up(db, capsys):
    from django.core.management import call_command

    from accounts.models import User

    call_command("benchmark_applications", applications=5, rounds=2)
    out = capsys.readouterr().out
    assert "5 applications" in out and "Ratio status/plain" in out
    assert not User.objects.filter(email="bench-applications@example.invalid").exists()
    assert not Program.objects.exists()
