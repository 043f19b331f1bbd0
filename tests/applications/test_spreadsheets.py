"""Spreadsheet import (preview, all or nothing, idempotent, limits) and safe export."""

import codecs
import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from pytest_django.asserts import assertContains, assertNotContains

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
    assertContains(response, "adds the program; adds its Match 2027 application (Applied)")
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
    table = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert table[0] == spreadsheets.COLUMNS + ["fit_conflicts"]
    assert len(table) == 3
    by_name = {row[0]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    risky = by_name["'=cmd|' /C calc'!A0"]
    assert risky["program_notes"] == "'+1 call" and risky["status"] == "applied"
    # The fit check where the member decides (issue 21): Alice needs a J-1, it sponsors J-1;
    # the other program's facts are unknown (questions, not conflicts).
    assert risky["fit_conflicts"] == ""
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


# --- Spreadsheets as people have them (issue 21 item 5) ----------------------------------


def test_a_semicolon_csv_with_a_bom_is_imported_and_the_preview_says_so(member_client, member):
    # Excel in France, Germany, Brazil or Egypt: "CSV UTF-8" with ';' and a byte-order mark.
    text = (
        "program_name;specialty;city;status;cycle\r\n"
        "Hôpital Saint-Louis Program;Internal Medicine;Paris, France;interview_invited;2027\r\n"
        "مستشفى القاهرة;Pediatrics;Cairo;applied;2027\r\n"
    )
    data = "\ufeff".encode() + text.encode()
    response = upload(member_client, SimpleUploadedFile("programs.csv", data))
    assertContains(response, "separated by semicolons (;)")
    assertContains(response, "with a UTF-8 byte-order mark")
    assertContains(response, "2 rows ready")
    assertContains(response, "(Interview invited)")
    assertNotContains(response, "(interview_invited)")
    member_client.post(CONFIRM)
    first = Program.objects.get(user=member, name="Hôpital Saint-Louis Program")
    assert first.city == "Paris, France"  # a comma inside a ';' file stays in its cell
    assert Program.objects.filter(user=member, name="مستشفى القاهرة", city="Cairo").exists()


def test_a_tab_separated_file_is_read_by_its_tabs(member_client, member):
    data = b"program_name\tspecialty\tcity\nProgram A\tSurgery\tLeeds; UK\n"
    response = upload(member_client, SimpleUploadedFile("programs.csv", data))
    assertContains(response, "separated by tabs")
    member_client.post(CONFIRM)
    assert Program.objects.get(user=member).city == "Leeds; UK"


def test_a_comma_csv_is_said_to_be_one(member_client):
    response = upload(member_client, csv_file(rows(1)))
    assertContains(response, "separated by commas (,)")
    assertContains(response, "no byte-order mark")


def test_an_unchanged_file_says_unchanged_and_offers_no_import(member_client, member):
    upload(member_client, csv_file(rows(2)))
    member_client.post(CONFIRM)
    response = upload(member_client, csv_file(rows(2)))
    html = response.content.decode()
    assert html.count("unchanged") == 2
    assertContains(response, "Nothing to import: every row matches what you keep.")
    assert "Import 0" not in html and CONFIRM not in html
    # One row changed: the button counts the rows that change something.
    changed = rows(2)
    changed[1][2] = "Trenton"
    response = upload(member_client, csv_file(changed))
    assertContains(response, "Import 1 row</button>")
    assertContains(response, "updates the program")


def test_rows_are_numbered_once(member_client):
    response = upload(member_client, csv_file(rows(1)))
    html = response.content.decode()
    assert "Row 2:" in html
    assert "<ol" not in html.split('id="preview-heading"')[1].split("</section>")[0]


def test_an_empty_file_offers_no_import(member_client):
    response = upload(member_client, csv_file([]))
    assert "Import 0" not in response.content.decode()
    assertContains(response, "The file has no rows to import.")


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidi_controls_are_stripped_from_imports(member_client, member):
    header = ["program_name", "specialty", "city", "cycle", "application_notes"]
    row = [f"\u202eEvil{BIDI} Program", "Surgery\u2066", "Ca\u2067iro", "2027", f"n{BIDI}ote"]
    upload(member_client, csv_file([row], header=header))
    member_client.post(CONFIRM)
    program = Program.objects.get(user=member)
    assert (program.name, program.specialty, program.city) == ("Evil Program", "Surgery", "Cairo")
    assert Application.objects.get(program=program).notes == "note"


def test_bidi_controls_are_stripped_from_the_season_forms(member_client, member):
    response = member_client.post(
        reverse("applications:program_new"),
        {
            "name": f"\u202eNorth{BIDI} Hospital",
            "specialty": "Internal Medicine",
            "city": "Ne\u202dwark",
            "visas": "unknown",
            "certificate_by": "unknown",
            "interview_format": "unknown",
            "notes": "ok\u2069",
            "visas_source": "site\u202a",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    program = Program.objects.get(user=member)
    assert (program.name, program.city, program.notes) == ("North Hospital", "Newark", "ok")
    assert program.visas_source == "site"
    # Only controls: a required field is then empty, and says so.
    response = member_client.post(
        reverse("applications:program_new"),
        {"name": BIDI, "specialty": "Surgery", "visas": "unknown"},
    )
    assert response.status_code == 200
    assert Program.objects.filter(user=member).count() == 1


def test_csv_export_opens_in_excel_with_non_latin_text_intact(member_client, member):
    program = make_program(
        member, name="مستشفى جامعة القاهرة", city="São Paulo", notes="Great program 🎉"
    )
    make_application(member, program, status="applied", notes="Entrevista en español ñ")
    response = member_client.get(reverse("applications:export", args=["csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(codecs.BOM_UTF8)  # Excel on Windows reads it as UTF-8
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][0] == "program_name"  # no BOM glued to the first header
    row = dict(zip(table[0], table[1], strict=True))
    assert row["program_name"] == "مستشفى جامعة القاهرة"
    assert row["city"] == "São Paulo" and row["program_notes"] == "Great program 🎉"
    assert row["application_notes"] == "Entrevista en español ñ"
    # And it imports back as it is.
    upload(member_client, SimpleUploadedFile("export.csv", response.content))
    member_client.post(CONFIRM)
    assert Program.objects.filter(user=member).count() == 1


def test_xlsx_export_types_dates_and_keeps_formula_text_as_text(member_client, member):
    program = make_program(
        member,
        name='=HYPERLINK("http://x")',
        visas="j1",
        visas_found_on=datetime.date(2026, 8, 3),
    )
    make_application(member, program, status_changed_on=datetime.date(2026, 9, 15))
    response = member_client.get(reverse("applications:export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=False)}
    assert row["status_changed_on"].is_date
    assert row["status_changed_on"].value.date() == datetime.date(2026, 9, 15)
    assert row["visas_found_on"].value.date() == datetime.date(2026, 8, 3)
    name = row["program_name"]
    assert name.value == '=HYPERLINK("http://x")'  # no visible apostrophe
    assert name.data_type == "s" and name.quotePrefix
    assert row["cycle"].value == 2027
    # The export imports back: the text is a name, not a formula.
    upload(member_client, SimpleUploadedFile("export.xlsx", response.content))
    member_client.post(CONFIRM)
    assert Program.objects.filter(user=member).count() == 1
    assert Application.objects.get(program=program).status_changed_on == datetime.date(2026, 9, 15)


def test_export_file_names_carry_the_members_date(member_client, member):
    import time_machine

    at = datetime.datetime(2026, 12, 5, 4, 10, tzinfo=datetime.UTC)  # 4 Dec, 23:10 in New York
    with time_machine.travel(at, tick=False):
        response = member_client.get(reverse("applications:export", args=["csv"]))
        assert 'filename="applications-2026-12-04.csv"' in response["Content-Disposition"]
        member.profile.time_zone = "Africa/Cairo"
        member.profile.save(update_fields=["time_zone"])
        response = member_client.get(reverse("applications:export", args=["csv"]))
        assert 'filename="applications-2026-12-05.csv"' in response["Content-Disposition"]


def test_the_import_message_counts_in_the_singular_too(member_client, member):
    upload(member_client, csv_file(rows(1)))
    done = member_client.post(CONFIRM, follow=True)
    assertContains(done, "1 program added, 0 updated, 1 application saved.")


def test_the_export_carries_each_programs_fit_conflicts(member_client, member):
    make_program(member, name="H-1B Only", visas="h1b")  # Alice needs a J-1
    table = list(
        csv.reader(
            io.StringIO(
                member_client.get(reverse("applications:export", args=["csv"])).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    row = dict(zip(table[0], table[1], strict=True))
    assert row["fit_conflicts"] == "You need a J-1; it sponsors H-1B only."
