"""The curators' import of catalogue programs (issue 19 item 5): upload → preview → confirm,
all or nothing, keyed on ACGME ID / NRMP code, curators' edits kept unless replaced."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from catalogue import importer
from catalogue.facts import facts_changed
from catalogue.models import (
    CatalogueProgram,
    Fact,
    FactChange,
    FactKind,
    Institution,
    Origin,
)
from tests.factories import give_fact, make_catalogue_program

pytestmark = pytest.mark.django_db

IMPORT = "/admin/catalogue/catalogueprogram/import/"
CONFIRM = "/admin/catalogue/catalogueprogram/import/confirm/"
SOURCE = "https://example.org/program/visas"

ROW = {
    "institution": "Example General Hospital",
    "name": "Example General Internal Medicine",
    "specialty": "Internal Medicine",
    "city": "Springfield",
    "state": "IL",
    "acgme_id": "BENCH-0001",
    "nrmp_code": "BENCH-N-0001",
    "program_url": "https://example.org/im",
    "sponsors_h1b": "yes",
    "sponsors_h1b_source": SOURCE,
    "sponsors_h1b_checked_on": "2026-11-01",
    "step2ck_minimum": "220",
    "step2ck_minimum_source": SOURCE,
    "step2ck_minimum_checked_on": "2026-11-01",
    "sponsors_j1": "unknown",
}


def csv_file(rows, name="catalogue.csv"):
    header = list(dict.fromkeys(column for row in rows for column in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


def xlsx_file(rows, name="catalogue.xlsx"):
    header = list(dict.fromkeys(column for row in rows for column in row))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([column.upper() for column in header])  # header case does not matter
    for row in rows:
        sheet.append([row.get(column, "") for column in header])
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def preview(client, file, replace=False):
    data = {"file": file}
    if replace:
        data["replace_manual"] = "on"
    return client.post(IMPORT, data)


def import_file(client, file, replace=False):
    response = preview(client, file, replace)
    assert response.status_code == 200
    assert "errorlist" not in response.content.decode(), response.content.decode()
    return client.post(CONFIRM)


def test_csv_preview_writes_nothing_then_confirm_imports(curator_client, curator):
    response = preview(curator_client, csv_file([ROW]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 to create, 0 to update, 0 unchanged, 0 with errors" in page
    assert "Nothing is saved until you confirm" in page
    assert not CatalogueProgram.objects.exists()  # the preview writes nothing
    assert not Institution.objects.exists()

    response = curator_client.post(CONFIRM)
    assert response.status_code == 302
    program = CatalogueProgram.objects.get()
    assert (program.name, program.acgme_id, program.nrmp_code, program.state) == (
        "Example General Internal Medicine",
        "BENCH-0001",
        "BENCH-N-0001",
        "IL",
    )
    assert program.institution.name == "Example General Hospital"
    facts = {f.kind: f for f in Fact.objects.filter(program=program)}
    assert set(facts) == {FactKind.H1B, FactKind.STEP2CK_MINIMUM, FactKind.J1}
    h1b = facts[FactKind.H1B]
    assert (h1b.value, h1b.source_url, h1b.checked_on) == (
        "yes",
        SOURCE,
        datetime.date(2026, 11, 1),
    )
    assert (h1b.origin, h1b.manual, h1b.checked_by) == (Origin.IMPORT, False, curator)
    assert FactChange.objects.filter(program=program, origin=Origin.IMPORT).count() == 3


def test_xlsx_import_with_upper_case_headers(curator_client):
    second = {**ROW, "acgme_id": "BENCH-0002", "nrmp_code": "", "name": "Second Program"}
    response = import_file(curator_client, xlsx_file([ROW, second]))
    assert response.status_code == 302
    assert CatalogueProgram.objects.count() == 2
    assert Institution.objects.count() == 1  # both rows name the same institution
    assert Fact.objects.get(
        program__acgme_id="BENCH-0002", kind=FactKind.STEP2CK_MINIMUM
    ).value == ("220")


def test_reimport_by_acgme_id_updates_instead_of_duplicating(curator_client):
    import_file(curator_client, csv_file([ROW]))
    changed = {**ROW, "nrmp_code": "", "city": "Chicago", "step2ck_minimum": "230"}
    page = preview(curator_client, csv_file([changed])).content.decode()
    assert "0 to create, 1 to update" in page
    import_file(curator_client, csv_file([changed]))
    program = CatalogueProgram.objects.get()
    assert program.city == "Chicago"
    assert program.nrmp_code == "BENCH-N-0001"  # a blank cell keeps the value
    assert Fact.objects.get(program=program, kind=FactKind.STEP2CK_MINIMUM).value == "230"


def test_reimport_by_nrmp_code_updates_and_fills_the_acgme_id(curator_client):
    program = make_catalogue_program(acgme_id="", nrmp_code="BENCH-N-0001")
    import_file(curator_client, csv_file([ROW]))
    assert CatalogueProgram.objects.count() == 1
    program.refresh_from_db()
    assert (program.acgme_id, program.name) == ("BENCH-0001", ROW["name"])


def test_keys_naming_two_programs_are_an_error(curator_client):
    make_catalogue_program(acgme_id="BENCH-0001", nrmp_code="BENCH-N-7")
    make_catalogue_program(acgme_id="BENCH-0009", nrmp_code="BENCH-N-0001")
    page = preview(curator_client, csv_file([ROW])).content.decode()
    assert "acgme_id, nrmp_code: they name two different programs" in page
    assert 'action="/admin/catalogue/catalogueprogram/import/confirm/"' not in page
    assert curator_client.post(CONFIRM).status_code == 302  # nothing pending
    assert not Fact.objects.exists()


def test_an_nrmp_code_of_a_program_with_another_acgme_id_is_an_error(curator_client):
    make_catalogue_program(acgme_id="BENCH-0009", nrmp_code="BENCH-N-0001")
    page = preview(curator_client, csv_file([ROW])).content.decode()
    assert "acgme_id: the program with this NRMP code has ACGME ID BENCH-0009" in page


def test_a_curators_edit_is_kept_unless_replace_is_chosen(curator_client, curator):
    import_file(curator_client, csv_file([ROW]))
    program = CatalogueProgram.objects.get()
    give_fact(program, FactKind.H1B, "no", by=curator)  # a curator's edit: manual
    assert Fact.objects.get(program=program, kind=FactKind.H1B).manual

    page = preview(curator_client, csv_file([ROW])).content.decode()
    assert "kept: edited by a curator: H-1B sponsorship" in page
    assert "Nothing to import: every row matches the catalogue." in page
    fact = Fact.objects.get(program=program, kind=FactKind.H1B)
    assert (fact.value, fact.manual) == ("no", True)

    page = preview(curator_client, csv_file([ROW]), replace=True).content.decode()
    assert "0 to create, 1 to update" in page
    assert "H-1B sponsorship → yes" in page
    curator_client.post(CONFIRM)
    fact = Fact.objects.get(program=program, kind=FactKind.H1B)
    assert (fact.value, fact.manual, fact.origin) == ("yes", False, Origin.IMPORT)


def test_one_bad_row_saves_nothing(curator_client):
    bad = {**ROW, "acgme_id": "BENCH-0002", "nrmp_code": "", "step2ck_minimum": "999"}
    page = preview(curator_client, csv_file([ROW, bad])).content.decode()
    assert "1 to create, 0 to update, 0 unchanged, 1 with errors" in page
    assert "step2ck_minimum: Enter a whole number from 1 to 300" in page
    assert curator_client.post(CONFIRM).status_code == 302
    assert not CatalogueProgram.objects.exists()


def test_the_database_refusing_one_row_rolls_back_the_others(curator, monkeypatch):
    """All or nothing even past validation: the second row's failure undoes the first."""
    second = {**ROW, "acgme_id": "BENCH-0002", "nrmp_code": ""}
    results = importer.validate([ROW, second], {})
    real = importer.set_fact

    def refuse_second(program, kind, value, **kwargs):
        if program.acgme_id == "BENCH-0002":
            raise importer.ValidationError("refused")
        return real(program, kind, value, **kwargs)

    monkeypatch.setattr(importer, "set_fact", refuse_second)
    with pytest.raises(importer.ImportFailed, match="Row 3: refused"):
        importer.apply(results, by=curator)
    assert not CatalogueProgram.objects.exists()
    assert not FactChange.objects.exists()


@pytest.mark.parametrize(
    "change,message",
    [
        ({"sponsors_h1b_source": ""}, "sponsors_h1b_source: a known value needs the page"),
        ({"sponsors_h1b_checked_on": ""}, "sponsors_h1b_checked_on: a known value needs the date"),
        ({"sponsors_h1b_checked_on": "2026-02-30"}, "is not a date like 2026-11-01"),
        ({"sponsors_h1b_checked_on": "2999-01-01"}, "enter a date from 2000 to today"),
        ({"sponsors_h1b_source": "javascript:alert(1)"}, "sponsors_h1b_source: enter a web"),
        ({"sponsors_h1b": "maybe"}, 'sponsors_h1b: Enter "yes", "no" or "unknown".'),
        ({"sponsors_h1b": "", "sponsors_h1b_checked_on": "2026-11-01"}, "without a value"),
        ({"acgme_id": "", "nrmp_code": ""}, "acgme_id, nrmp_code: give at least one"),
        ({"name": ""}, "name: required."),
        ({"state": "X" * 51}, "state: at most 50 characters."),
        ({"program_url": "ftp://example.org/"}, "program_url: enter a web address"),
    ],
)
def test_row_errors_name_the_column(curator_client, change, message):
    page = preview(curator_client, csv_file([{**ROW, **change}])).content.decode()
    assert message in page.replace("&quot;", '"')
    assert not CatalogueProgram.objects.exists()


def test_a_key_twice_in_the_file_is_an_error(curator_client):
    page = preview(curator_client, csv_file([ROW, {**ROW, "nrmp_code": ""}])).content.decode()
    assert "acgme_id: row 2 has the same acgme_id." in page


def test_formula_cells_are_refused_and_escaped_text_is_kept(curator_client):
    formula = {**ROW, "name": '=HYPERLINK("https://evil.example")'}
    page = preview(curator_client, csv_file([formula])).content.decode()
    assert "Formula cells cannot be imported" in page
    escaped = {**ROW, "name": "'=Not a formula"}
    import_file(curator_client, csv_file([escaped]))
    assert CatalogueProgram.objects.get().name == "=Not a formula"


def test_reimport_changes_nothing_and_announces_nothing(
    curator_client, django_capture_on_commit_callbacks
):
    announced = []

    def listen(sender, change_ids, **kwargs):
        announced.append(change_ids)

    facts_changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_file(curator_client, csv_file([ROW]))
        # The first import: three new values, announced together once it commits.
        assert [len(ids) for ids in announced] == [3]
        before = list(Fact.objects.values_list("pk", "value", "updated_at"))
        changes = FactChange.objects.count()
        updated = CatalogueProgram.objects.get().updated_at
        page = preview(curator_client, csv_file([ROW])).content.decode()
        assert "0 to create, 0 to update, 1 unchanged" in page
        with django_capture_on_commit_callbacks(execute=True):
            curator_client.post(CONFIRM)  # nothing pending: the preview offered no import
    finally:
        facts_changed.disconnect(listen)
    assert [len(ids) for ids in announced] == [3]  # the re-import announced nothing
    assert list(Fact.objects.values_list("pk", "value", "updated_at")) == before
    assert FactChange.objects.count() == changes
    assert CatalogueProgram.objects.get().updated_at == updated


def test_a_new_source_for_the_same_value_is_kept_but_announced_to_nobody(
    curator_client, django_capture_on_commit_callbacks
):
    import_file(curator_client, csv_file([ROW]))
    announced = []

    def listen(sender, change_ids, **kwargs):
        announced.append(change_ids)

    rechecked = {**ROW, "sponsors_h1b_checked_on": "2026-11-20"}
    facts_changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_file(curator_client, csv_file([rechecked]))
    finally:
        facts_changed.disconnect(listen)
    assert announced == []
    fact = Fact.objects.get(kind=FactKind.H1B)
    assert fact.checked_on == datetime.date(2026, 11, 20)


def test_the_confirmation_validates_again(curator_client):
    """A program created with the same NRMP code after the preview makes the row an error."""
    preview(curator_client, csv_file([ROW]))
    make_catalogue_program(acgme_id="BENCH-0009", nrmp_code="BENCH-N-0001")
    page = curator_client.post(CONFIRM).content.decode()
    assert "The catalogue changed since the preview" in page
    assert not CatalogueProgram.objects.filter(acgme_id="BENCH-0001").exists()


@pytest.mark.parametrize(
    "file,message",
    [
        (SimpleUploadedFile("notes.txt", b"hello"), "Upload a .csv or .xlsx file."),
        (SimpleUploadedFile("fake.xlsx", b"not a zip"), "not a readable .xlsx workbook"),
        (SimpleUploadedFile("latin1.csv", "name,é\n".encode("latin-1")), "not UTF-8"),
        (SimpleUploadedFile("cols.csv", b"name,specialty\nA,B\n"), "missing column(s)"),
        (
            SimpleUploadedFile("cols.csv", b"institution,name,specialty,acgme_id,visa\n"),
            "unknown column(s): visa",
        ),
        (
            SimpleUploadedFile("rows.csv", b"institution,name,specialty,acgme_id\n" * 1002),
            "more than 1000 rows",
        ),
        (SimpleUploadedFile("big.csv", b"x" * (5 * 1024 * 1024)), "the limit is 4 MB"),
    ],
    ids=["not-a-sheet", "not-a-workbook", "encoding", "missing", "extra", "rows", "size"],
)
def test_bad_files_get_a_clear_message_and_no_500(curator_client, file, message):
    response = preview(curator_client, file)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CatalogueProgram.objects.exists()


def test_a_file_with_too_many_fact_writes_is_refused_whole(curator_client, monkeypatch):
    monkeypatch.setattr(importer, "MAX_FACT_WRITES", 5)
    rows = [{**ROW, "acgme_id": f"BENCH-{n}", "nrmp_code": ""} for n in range(2)]  # 6 facts
    page = preview(curator_client, csv_file(rows)).content.decode()
    assert "The file would write 6 facts; one import writes at most 5" in page
    assert curator_client.post(CONFIRM).status_code == 302  # nothing pending
    assert not CatalogueProgram.objects.exists()
    import_file(curator_client, csv_file(rows[:1]))  # 3 facts: within the bound
    assert CatalogueProgram.objects.count() == 1


def test_export_round_trips(curator_client, curator):
    import_file(curator_client, csv_file([ROW]))
    program = CatalogueProgram.objects.get()
    give_fact(program, FactKind.NOTE, "=cmd|' /C calc'!A0", by=curator)  # a curator's edit
    for kind in ("csv", "xlsx"):
        response = curator_client.get(f"/admin/catalogue/catalogueprogram/export/{kind}/")
        assert response.status_code == 200
        assert 'filename="catalogue-' in response["Content-Disposition"]
        page = preview(
            curator_client, SimpleUploadedFile(f"export.{kind}", response.content)
        ).content.decode()
        assert "0 to create, 0 to update, 1 unchanged, 0 with errors" in page, kind
    csv_text = curator_client.get("/admin/catalogue/catalogueprogram/export/csv/").content
    assert b"'=cmd" in csv_text  # escaped in the CSV
    xlsx = curator_client.get("/admin/catalogue/catalogueprogram/export/xlsx/").content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    header = [cell.value for cell in sheet[1]]
    assert header == importer.COLUMNS
    note = sheet.cell(row=2, column=header.index("note") + 1)
    assert note.data_type == "s" and note.value.startswith("=")  # text, never a formula


def test_a_curator_without_change_permission_is_refused(curator_client, curator):
    change = Permission.objects.get(codename="change_catalogueprogram")
    group = curator.groups.get()
    group.permissions.remove(change)
    assert curator_client.get(IMPORT).status_code == 403
    assert preview(curator_client, csv_file([ROW])).status_code == 403
    assert curator_client.post(CONFIRM).status_code == 403
    assert not CatalogueProgram.objects.exists()


def test_members_and_visitors_never_reach_the_import(member_client, client):
    for who in (member_client, client):
        response = who.get(IMPORT)
        assert response.status_code in (302, 403, 404)
        assert preview(who, csv_file([ROW])).status_code in (302, 403, 404)
    assert not CatalogueProgram.objects.exists()


def test_the_changelist_links_to_the_import(curator_client):
    page = curator_client.get("/admin/catalogue/catalogueprogram/").content.decode()
    assert f'href="{IMPORT}"' in page
    assert 'href="/admin/catalogue/catalogueprogram/export/csv/"' in page


def test_validation_reads_the_catalogue_in_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    make_catalogue_program(acgme_id="BENCH-0001")
    rows = [{**ROW, "acgme_id": f"BENCH-{n:04d}", "nrmp_code": ""} for n in range(1, 50)]
    # programs by key, their facts, institutions by name
    with django_assert_num_queries(3):
        results = importer.validate(rows, {})
    assert [r.action for r in results].count("create") == 48
