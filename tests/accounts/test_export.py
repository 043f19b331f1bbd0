"""Your data: the export walks every member-owned model and holds only the member's rows."""

import csv
import io
import json
import zipfile

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.test import Client
from django.utils import timezone

from accounts import export
from mentors.models import MentorLink
from tests.accounts.test_curators import member_owned_models
from tests.factories import give_authenticator_app, make_resource
from tests.mentors.conftest import make_link

pytestmark = pytest.mark.django_db


def download(client) -> zipfile.ZipFile:
    response = client.post("/me/export/")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.content))


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode())))


def fill_in(user, record, tag: str) -> str:
    """Data in every member-owned model this project has, marked with `tag`."""
    from pathways.models import Milestone

    user.first_name = f"First-{tag}"
    user.save()
    record(user, "step-2-ck", status="in_progress", score=230, notes=f"notes-of-{tag}")
    resource = make_resource(
        slug=f"res-{tag}", title=f"Resource {tag}", milestones=[Milestone.objects.first()]
    )
    user.saved_resources.create(resource=resource)
    user.problem_reports.create(resource=resource, kind="broken_link", message=f"report-{tag}")
    make_link(user, label=f"mentor-of-{tag}")
    secret = give_authenticator_app(user)
    UserSession.objects.create(
        user=user, session_key=f"key-{tag}", ip="127.0.0.1", user_agent=f"agent-{tag}"
    )
    return secret


def test_every_member_owned_model_is_exported_or_excluded_with_a_reason():
    """Walks the registry: a model added later with a foreign key to the user fails here
    until the export picks it up (it does by itself) or it is excluded with a reason."""
    exported = {m._meta.label for m in export.exported_models()}
    owned = {m._meta.label for m in member_owned_models()}
    assert owned, "the walk found no member-owned model"
    missing = owned - exported - set(export.EXCLUDED_MODELS)
    assert not missing, f"not in the export: {sorted(missing)}"
    assert exported <= owned
    assert {"accounts.Profile", "pathways.Progress", "mentors.MentorLink"} <= exported
    for label, fields in export.EXCLUDED_FIELDS.items():  # no stale exclusion
        if not apps.is_installed(label.split(".")[0]):
            continue  # an app merged in parallel (reminders): checked once it is installed
        model = next(m for m in member_owned_models() if m._meta.label == label)
        names = {f.name for f in model._meta.concrete_fields}
        assert set(fields) <= names, label
    for reason in [*export.EXCLUDED_MODELS.values(), *export.left_out().values()]:
        assert len(reason) > 20  # each exclusion says why


def test_every_owned_model_gets_a_csv_and_a_json_section(member_client, member, curated, record):
    fill_in(member, record, "alice")
    archive = download(member_client)
    names = set(archive.namelist())
    document = json.loads(archive.read("data.json"))
    walked = [m for m in member_owned_models() if m._meta.label not in export.EXCLUDED_MODELS]
    for model in walked:  # the test's own walk, not the export's
        assert export.csv_name(model) in names
        assert model._meta.label in document["data"]
        owner = export.owner_field(model).name
        count = model._default_manager.filter(**{owner: member}).count()
        assert len(document["data"][model._meta.label]) == count, model._meta.label
        assert len(read_csv(archive, export.csv_name(model))) == count, model._meta.label
    assert names == {"data.json", "account.csv"} | {export.csv_name(m) for m in walked}


def test_the_export_holds_what_the_member_entered(member_client, member, curated, record):
    fill_in(member, record, "alice")
    archive = download(member_client)
    document = json.loads(archive.read("data.json"))
    assert document["account"]["email"] == "alice@example.com"
    assert document["account"]["date_joined"]
    assert "password" not in document["account"]
    [profile] = document["data"]["accounts.Profile"]
    assert profile["school_name"] == "Example Medical College"
    assert profile["visa_label"]
    [progress] = document["data"]["pathways.Progress"]
    assert (progress["score"], progress["notes"], progress["status"]) == (
        230,
        "notes-of-alice",
        "in_progress",
    )
    assert progress["milestone"]  # the milestone's name beside its id
    assert document["data"]["resources.SavedResource"][0]["resource"] == "Resource alice"
    assert document["data"]["resources.ProblemReport"][0]["message"] == "report-alice"
    assert document["data"]["mentors.MentorLink"][0]["label"] == "mentor-of-alice"
    assert document["data"]["account.EmailAddress"][0]["email"] == "alice@example.com"
    assert document["data"]["mfa.Authenticator"][0]["type"] == "totp"
    assert document["data"]["usersessions.UserSession"][0]["user_agent"] == "agent-alice"
    [account_row] = read_csv(archive, "account.csv")
    assert account_row["email"] == "alice@example.com"
    [progress_row] = read_csv(archive, "pathways_progress.csv")
    assert progress_row["notes"] == "notes-of-alice"


def test_secrets_are_left_out(member_client, member, curated, record):
    secret = fill_in(member, record, "alice")
    stored = Authenticator.objects.get(user=member).data
    link = MentorLink.objects.get(user=member)
    raw = b"".join(download(member_client).read(n) for n in download(member_client).namelist())
    text = raw.decode()
    assert link.token_hash not in text
    assert secret not in text
    assert all(str(value) not in text for value in stored.values())
    assert "key-alice" not in text  # the session key
    assert member.password not in text
    assert (
        "token_hash"
        not in json.loads(download(member_client).read("data.json"))["data"]["mentors.MentorLink"][
            0
        ]
    )


def test_nothing_of_another_member(client, member, other_member, curated, record):
    fill_in(member, record, "alice")
    fill_in(other_member, record, "bob")
    # Bob's report resolved by Alice (were she a curator): still Bob's, not in her export.
    report = other_member.problem_reports.get()
    report.resolved_by = member
    report.resolved = True
    report.resolved_at = timezone.now()
    report.save()
    client.force_login(member)
    archive = download(client)
    text = "".join(archive.read(name).decode() for name in archive.namelist())
    assert "alice@example.com" in text and "notes-of-alice" in text
    for trace in ["bob@example.com", "notes-of-bob", "report-bob", "mentor-of-bob", "agent-bob"]:
        assert trace not in text, trace
    assert "First-bob" not in text


def test_csv_cells_cannot_run_as_formulas(member_client, member, curated, record):
    record(member, "step-2-ck", notes='=HYPERLINK("http://evil.example")')
    make_link(member, label="@SUM(1+1)")
    archive = download(member_client)
    assert read_csv(archive, "pathways_progress.csv")[0]["notes"].startswith("'=HYPERLINK")
    assert read_csv(archive, "mentors_mentorlink.csv")[0]["label"] == "'@SUM(1+1)"
    # data.json keeps the member's exact text
    document = json.loads(archive.read("data.json"))
    assert document["data"]["pathways.Progress"][0]["notes"].startswith("=HYPERLINK")


def test_download_headers(member_client):
    response = member_client.post("/me/export/")
    assert response["Content-Type"] == "application/zip"
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="imgportal-data-{today:%Y-%m-%d}.zip"'
    )
    assert "no-store" in response["Cache-Control"]


def test_member_without_profile_gets_an_export(client, member_without_profile):
    client.force_login(member_without_profile)
    document = json.loads(download(client).read("data.json"))
    assert document["data"]["accounts.Profile"] == []
    assert document["account"]["email"] == "nils@example.com"


def test_page_needs_login_and_post_needs_csrf(client, member):
    assert client.get("/me/export/").status_code == 302
    assert client.post("/me/export/").status_code == 302
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(member)
    page = csrf_client.get("/me/export/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "Download the zip" in page.content.decode()
    assert csrf_client.post("/me/export/").status_code == 403
    assert client.put("/me/export/").status_code in (302, 405)


def test_settings_links_to_export(member_client):
    assert b'href="/me/export/"' in member_client.get("/me/settings/").content


def test_export_query_count_is_constant(
    member_client, member, curated, record, django_assert_num_queries
):
    from pathways.models import Milestone

    member_client.get("/me/settings/")  # a warm session
    slugs = list(Milestone.objects.values_list("slug", flat=True)[:6])

    def post_counting():
        # session, user, profile (the member's date for the file name), then one query per
        # exported model
        with django_assert_num_queries(3 + len(export.exported_models())):
            member_client.post("/me/export/")

    record(member, slugs[0], notes="one")
    post_counting()
    for slug in slugs[1:]:
        record(member, slug, notes="more")
    post_counting()


def test_owner_field_needs_a_user_field_when_several():
    from resources.models import ProblemReport

    assert export.owner_field(ProblemReport).name == "user"


def test_the_export_file_name_carries_the_members_date(member_client, member):
    import datetime

    import time_machine

    from accounts.models import Profile

    Profile.objects.filter(user=member).update(time_zone="Asia/Tokyo")
    at = datetime.datetime(2026, 12, 5, 4, 10, tzinfo=datetime.UTC)  # 4 Dec in New York
    with time_machine.travel(at, tick=False):
        response = member_client.post("/me/export/")
    assert 'filename="imgportal-data-2026-12-05.zip"' in response["Content-Disposition"]
