"""Curators in the admin: uploading an LCA file (imported by the worker), and deciding which
employer is which catalogue institution."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from catalogue.models import Institution
from lca.models import Employer, EmployerLink, FileStatus, LcaCase, LcaFile
from tests.lca.files import case, workbook

ADD = "/admin/lca/lcafile/add/"
ROWS = [case("I-1"), case("I-2"), case("I-3", EMPLOYER_NAME="The Other Hospital LLC")]


def upload(name="LCA_Disclosure_Data_2025-10-01.xlsx", content=None):
    content = workbook(ROWS) if content is None else content
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_a_curator_uploads_and_the_worker_imports(
    curator_client, curator, run_worker, settings, django_capture_on_commit_callbacks
):
    form = curator_client.get(ADD).content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="upload"' in form
    with django_capture_on_commit_callbacks(execute=True):  # the task is enqueued on commit
        response = curator_client.post(ADD, {"upload": upload(), "file_date": ""})
    assert response.status_code == 302
    record = LcaFile.objects.get()
    assert record.status == FileStatus.QUEUED and record.uploaded_by == curator
    assert record.file_date == datetime.date(2025, 10, 1)  # from the name
    assert record.original_name == "LCA_Disclosure_Data_2025-10-01.xlsx"
    stored = settings.LCA_UPLOAD_DIR / record.stored_path.rsplit("/", 1)[-1]
    assert stored.is_file()

    run_worker()

    record.refresh_from_db()
    assert record.status == FileStatus.DONE and record.rows_kept == 3
    assert LcaCase.objects.count() == 3
    assert not stored.exists() and record.stored_path == ""  # the upload is not kept
    page = curator_client.get("/admin/lca/lcafile/").content.decode()
    assert "LCA_Disclosure_Data_2025-10-01.xlsx" in page and "Done" in page
    assert curator_client.get(f"/admin/lca/lcafile/{record.pk}/change/").status_code == 200


def test_a_bad_file_fails_in_the_worker_with_its_reason(
    curator_client, run_worker, django_capture_on_commit_callbacks
):
    content = workbook(ROWS, columns=["CASE_NUMBER", "VISA_CLASS"])
    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post(ADD, {"upload": upload(content=content), "file_date": "2025-10-01"})
    run_worker()
    record = LcaFile.objects.get()
    assert record.status == FileStatus.FAILED and "no columns CASE_STATUS" in record.error
    assert "no columns CASE_STATUS" in curator_client.get("/admin/lca/lcafile/").content.decode()
    assert not LcaCase.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("lca-2025-10-01.xlsx", b"CASE_NUMBER,CASE_STATUS\r\nI-1,Certified\r\n", "not a readable"),
        ("lca-2025-10-01.xlsx", bytes(range(256)), "not a readable"),
        ("lca-2025-10-01.csv", b"CASE_NUMBER\r\n", "not CSV"),
        ("LCA_FY2025_Q4.xlsx", None, "its name holds none"),
        ("lca-2025-10-01.xlsx", b"", "submitted file is empty"),
    ],
)
def test_bad_uploads_are_refused_next_to_the_field(curator_client, name, content, message):
    response = curator_client.post(ADD, {"upload": upload(name, content), "file_date": ""})
    assert response.status_code == 200
    assert message in response.content.decode() and "errorlist" in response.content.decode()
    assert not LcaFile.objects.exists()


@pytest.mark.parametrize("day", ["1989-12-31", "2999-01-01", "2025-02-30"])
def test_the_file_date_must_be_a_real_past_date(curator_client, day):
    response = curator_client.post(ADD, {"upload": upload(), "file_date": day})
    assert "errorlist" in response.content.decode() and not LcaFile.objects.exists()


def test_a_file_over_the_size_limit_is_refused(curator_client, settings):
    settings.LCA_MAX_UPLOAD_BYTES = 1024
    response = curator_client.post(ADD, {"upload": upload(), "file_date": ""})
    assert "the limit is" in response.content.decode()
    assert not LcaFile.objects.exists()


def test_uploads_need_the_csrf_token(curator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    response = client.post(ADD, {"upload": upload(), "file_date": ""})
    assert response.status_code == 403 and not LcaFile.objects.exists()


def test_members_cannot_upload(member_client):
    response = member_client.post(ADD, {"upload": upload(), "file_date": ""})
    assert response.status_code == 302 and not LcaFile.objects.exists()


@pytest.fixture
def employer(run_import):
    run_import(ROWS)
    return Employer.objects.get(normalised_name="example medical center")


@pytest.fixture
def same_institution(db):
    return Institution.objects.create(
        name="Example Medical Center", city="Albany", state="New York"
    )


def decide_url(employer) -> str:
    return f"/admin/lca/employer/{employer.pk}/link/"


def test_suggestions_by_normalised_name_and_state_and_nothing_linked_silently(
    curator_client, employer, same_institution
):
    Institution.objects.create(name="Example Medical Center", state="NJ")  # another state
    Institution.objects.create(name="Example Medical College", state="NY")  # another name

    page = curator_client.get("/admin/lca/employer/").content.decode()
    assert "Example Medical Center (New York)" in page
    assert "Example Medical Center (NJ)" not in page and "College" not in page
    assert "FY2025: 2" in page
    detail = curator_client.get(decide_url(employer)).content.decode()
    assert "Example Medical Center (New York)" in detail and "No decision yet" in detail
    assert not EmployerLink.objects.exists()


def test_a_curator_confirms_once_and_can_undo(curator_client, curator, employer, same_institution):
    data = {"institution": same_institution.pk, "decision": "confirmed"}
    for _ in range(2):  # a double click
        response = curator_client.post(decide_url(employer), data)
        assert response.status_code == 302
    link = EmployerLink.objects.get()
    assert (link.employer, link.institution, link.decision) == (
        employer,
        same_institution,
        "confirmed",
    )
    assert link.decided_by == curator
    page = curator_client.get("/admin/lca/employer/?linked=yes").content.decode()
    assert "Example Medical Center, Inc." in page

    other = Institution.objects.create(name="Another Place", state="NY")
    response = curator_client.post(
        decide_url(employer), {"institution": other.pk, "decision": "confirmed"}, follow=True
    )
    assert "already linked to another institution" in response.content.decode()
    assert EmployerLink.objects.count() == 1

    curator_client.post(decide_url(employer), {**data, "decision": "rejected"})
    assert EmployerLink.objects.get().decision == "rejected"
    detail = curator_client.get(decide_url(employer)).content.decode()
    assert "No suggestion left" in detail  # a rejected pair is not suggested again


def test_a_bad_decision_is_refused(curator_client, employer):
    for data in ({"institution": "abc", "decision": "confirmed"}, {"institution": "1"},
                 {"institution": "999999", "decision": "maybe"}):  # fmt: skip
        response = curator_client.post(decide_url(employer), data, follow=True)
        assert response.status_code == 200 and "Choose an institution" in response.content.decode()
    assert not EmployerLink.objects.exists()
    assert curator_client.get("/admin/lca/employer/999999/link/").status_code == 404


def test_members_cannot_decide(member_client, employer, same_institution):
    data = {"institution": same_institution.pk, "decision": "confirmed"}
    assert member_client.post(decide_url(employer), data).status_code == 302
    assert not EmployerLink.objects.exists()


def test_the_employer_list_costs_the_same_queries_for_more_employers(curator_client, run_import):
    """Counts by year, links and suggestions are fetched for the whole page at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for first, last in ((0, 2), (2, 8)):
        rows = [case(f"I-{n}", EMPLOYER_NAME=f"Hospital {n}") for n in range(first, last)]
        run_import(rows, name=f"lca-{first}.xlsx")
        Institution.objects.create(name=f"Hospital {first}", state="NY")
        with CaptureQueriesContext(connection) as queries:
            page = curator_client.get("/admin/lca/employer/")
        assert page.status_code == 200 and f"Hospital {first} (NY)" in page.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
