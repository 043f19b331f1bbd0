"""Spreadsheet import (preview, all or nothing, idempotent, limits) and safe export."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from pytest_django.asserts import assertContains

from applications import spreadsheets
from applications.models import Application, Program, StatusChange
from tests.factories import make_application, make_program

IMPORT = reverse("applications:import")
CONFIRM = reverse("applications:import_confirm")
HEADER = ["program_name", "specialty", "city", "visas", "step2ck_minimum", "cycle", "status"]


def csv_file(rows, header=HEADER, name="programs.csv", encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def xlsx_file(rows, header=HEADER, name="programs.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def rows(count, status="applied"):
    return [
        [f"Program {n:03}", "Internal Medicine", "Newark", "j1", "220", "2027", status]
        for n in range(count)
    ]


def upload(client, file):
    return client.post(IMPORT, {"file": file})


def test_preview_then_confirm_imports_everything(member_client, member):
    response = upload(member_client, csv_file(rows(3)))
    assertContains(response, "3 rows ready. Nothing is saved until you confirm.")
    assertContains(response, "adds the program; adds its Match 2027 application (applied)")
    assert not Program.objects.exists()
    done = member_client.post(CONFIRM, follow=True)
    assertContains(done, "3 programs added, 0 updated, 3 applications saved.")
    assert Program.objects.filter(user=member).count() == 3
    assert set(Application.objects.values_list("status", flat=True)) == {"applied"}
    assert StatusChange.objects.count() == 3
    # Confirming twice (double submit) does nothing more.
    again = member_client.post(CONFIRM, follow=True)
    assertContains(again, "There is nothing to import")
    assert Program.objects.count() == 3


def test_reimport_is_idempotent_and_updates(member_client, member):
    existing = make_program(
        member, name="Program 000", specialty="Internal Medicine", notes="keep me"
    )
    make_application(member, existing, status="researching")
    upload(member_client, csv_file(rows(2, status="interview_invited")))
    member_client.post(CONFIRM)
    assert Program.objects.filter(user=member).count() == 2
    existing.refresh_from_db()
    assert existing.step2ck_minimum == 220 and existing.visas == "j1"
    assert existing.notes == "keep me"  # a column the file leaves out keeps its value
    application = Application.objects.get(program=existing)
    assert application.status == "interview_invited"
    assert list(application.history.order_by("created_at").values_list("to_status", flat=True)) == [
        "researching",
        "interview_invited",
    ]
    upload(member_client, csv_file(rows(2, status="interview_invited")))
    response = member_client.post(CONFIRM, follow=True)
    assertContains(response, "0 programs added, 2 updated")
    assert Program.objects.count() == 2 and Application.objects.count() == 2
    assert StatusChange.objects.count() == 3  # no new history for unchanged statuses


def test_xlsx_import(member_client, member):
    response = upload(member_client, xlsx_file([[*row[:4], 220, 2027, row[6]] for row in rows(2)]))
    assertContains(response, "2 rows ready")
    member_client.post(CONFIRM)
    assert Program.objects.get(name="Program 001").step2ck_minimum == 220


def test_row_errors_are_listed_and_nothing_is_saved(member_client, member):
    bad = rows(2) + [
        ["", "Internal Medicine", "", "", "", "", ""],
        ["Bad Visa", "Internal Medicine", "", "H1B'--", "", "", ""],
        ["Bad Score", "Internal Medicine", "", "", "999", "", ""],
        ["Bad Status", "Internal Medicine", "", "", "", "2027", "accepted"],
        ["Bad Cycle", "Internal Medicine", "", "", "", "27", "applied"],
        ["Past Cycle", "Internal Medicine", "", "", "", "2025", "applied"],
    ]
    response = upload(member_client, csv_file(bad))
    assertContains(response, "6 rows need fixing. Nothing was saved.")
    assertContains(response, "Row 4:")
    assertContains(response, "name: This field is required.")
    assertContains(response, "visas: Select a valid choice")
    assertContains(response, "step2ck_minimum: Ensure this value is less than or equal to 300.")
    assertContains(response, "is not one of: researching")
    assertContains(response, "is not a Match year")
    assertContains(response, "Match 2025 is past: it is kept read-only")
    assert not Program.objects.exists()
    assert member_client.post(CONFIRM, follow=True).redirect_chain  # nothing pending
    assert not Program.objects.exists()


def test_bad_dates_are_row_errors(member_client):
    header = ["program_name", "specialty", "visas_found_on", "status_changed_on", "status"]
    response = upload(
        member_client,
        csv_file(
            [["A", "IM", "15/09/2026", "", ""], ["B", "IM", "", "2026-02-30", "applied"]], header
        ),
    )
    assertContains(response, "visas_found_on: Enter a valid date.")
    assertContains(response, "is not a date like 2026-09-15")
    assert not Program.objects.exists()


def test_formula_cells_are_refused(member_client):
    response = upload(member_client, csv_file([['=HYPERLINK("x")', "IM", "", "", "", "", ""]]))
    assertContains(response, "Formula cells cannot be imported")
    xlsx = upload(member_client, xlsx_file([["Ok", "IM", "=1+1", "", "", "", ""]]))
    assertContains(xlsx, "Formula cells cannot be imported")
    assert not Program.objects.exists()


@pytest.mark.parametrize(
    "file,message",
    [
        (csv_file([], header=["name", "speciality"]), "missing column(s): program_name, specialty"),
        (csv_file([], header=[*HEADER, "salary"]), "unknown column(s): salary"),
        (csv_file([["Café Hospital", "IM", "", "", "", "", ""]], encoding="latin-1"), "not UTF-8"),
        (SimpleUploadedFile("notes.txt", b"hello"), "Upload a .csv or .xlsx file."),
        (SimpleUploadedFile("fake.xlsx", b"not a zip"), "not a readable .xlsx workbook"),
        (SimpleUploadedFile("empty.csv", b""), "The submitted file is empty."),
        (csv_file(rows(10_000)), "the limit is 1000"),
    ],
)
def test_bad_files_get_a_clear_message(member_client, file, message):
    response = upload(member_client, file)
    assert response.status_code == 200
    assertContains(response, message)
    assert not Program.objects.exists()


def test_a_20_mb_file_is_refused(member_client):
    big = SimpleUploadedFile("big.csv", b"program_name,specialty\n" + b"x" * (20 * 1024 * 1024))
    response = upload(member_client, big)
    assertContains(response, "The file is 20.0 MB; the limit is 2 MB.")
    assert not Program.objects.exists()


def test_export_csv_and_xlsx_round_trip_and_are_formula_safe(member_client, member):
    program = make_program(member, name="=cmd|' /C calc'!A0", notes="+1 call", visas="j1")
    make_application(member, program, status="applied")
    make_program(member, name="No Application Yet")
    csv_response = member_client.get(reverse("applications:export", args=["csv"]))
    assert csv_response["Content-Disposition"].startswith('attachment; filename="applications-')
    table = list(csv.reader(io.StringIO(csv_response.content.decode())))
    assert table[0] == spreadsheets.COLUMNS
    assert len(table) == 3
    by_name = {row[0]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    risky = by_name["'=cmd|' /C calc'!A0"]
    assert risky["program_notes"] == "'+1 call" and risky["status"] == "applied"
    xlsx_response = member_client.get(reverse("applications:export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    assert sheet.cell(row=1, column=1).value == "program_name"
    # Re-importing the export changes nothing and unescapes the names.
    upload(member_client, SimpleUploadedFile("export.csv", csv_response.content))
    member_client.post(CONFIRM)
    assert Program.objects.filter(user=member).count() == 2
    assert Program.objects.filter(name="=cmd|' /C calc'!A0", notes="+1 call").exists()


def test_sample_file_imports_cleanly(member_client, member):
    sample = member_client.get(reverse("applications:import_sample"))
    response = upload(member_client, SimpleUploadedFile("sample.csv", sample.content))
    assertContains(response, "3 rows ready")
    member_client.post(CONFIRM)
    assert Program.objects.filter(user=member).count() == 3


def test_import_is_per_member(member_client, member, other_member):
    make_program(other_member, name="Program 000", specialty="Internal Medicine")
    upload(member_client, csv_file(rows(1)))
    member_client.post(CONFIRM)
    assert Program.objects.filter(user=member).count() == 1
    assert Program.objects.filter(user=other_member).count() == 1
    assert not Application.objects.filter(user=other_member).exists()


def test_only_the_import_takes_a_file_part(member_client, member):
    """The site refuses file parts (imgportal.middleware) except on the import page."""
    assert upload(member_client, csv_file(rows(1))).status_code == 200
    for url in [CONFIRM, reverse("applications:program_new")]:
        response = member_client.post(url, {"name": "X", "file": csv_file(rows(1))})
        assert response.status_code == 400, url
    assert not Program.objects.exists()
