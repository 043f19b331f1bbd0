"""The importer on small files in the real layout: what is kept, what is counted, what is
refused (and then nothing is imported)."""

import datetime
import zipfile

import pytest
from django.core.management import CommandError, call_command

from lca import importer
from lca.models import Employer, EmployerYear, FileStatus, LcaCase, LcaFile
from tests import workbooks
from tests.lca.files import case, write

MIXED = [
    case("I-200-25001-000001"),  # kept, certified
    case("I-200-25001-000002", JOB_TITLE="PGY-2 Pediatrics", SOC_CODE="29-1221.00"),
    case("I-200-25001-000003", JOB_TITLE="Clinical Fellow", SOC_CODE="29-1069"),  # SOC 2010
    case("I-200-25001-000004", CASE_STATUS="Certified - Withdrawn"),  # kept, not certified
    case("I-200-25001-000005", CASE_STATUS="Denied"),
    case("I-200-25001-000006", CASE_STATUS="Withdrawn"),
    case("I-200-25001-000007", VISA_CLASS="E-3 Australian"),
    case("I-200-25001-000008", VISA_CLASS="H-1B1 Chile"),
    case("I-200-25001-000009", VISA_CLASS="H-1B1 Singapore"),
    case("I-200-25001-000010", SOC_CODE="15-1252.00", JOB_TITLE="Research Fellow"),
    case("I-200-25001-000011", SOC_CODE="29-1141.00", JOB_TITLE="Nurse Resident"),
    case("I-200-25001-000012", JOB_TITLE="Attending Physician"),
    case("I-200-25001-000013", JOB_TITLE="Hospitalist"),
    case("I-200-25001-000014", JOB_TITLE="Residential Care Physician"),  # not a word match
    case("I-200-25001-000015", EMPLOYER_NAME="EXAMPLE MEDICAL CENTER INC"),  # same employer
    case("I-200-25001-000016", EMPLOYER_NAME="Example Medical Center", EMPLOYER_STATE="NJ"),
    case("I-200-25001-000017", BEGIN_DATE=datetime.datetime(2025, 10, 1)),  # FY2026
]


def test_certified_h1b_physician_residents_are_counted(run_import):
    record = run_import(MIXED)

    assert record.status == FileStatus.DONE and record.error == ""
    assert record.rows_read == 17
    kept = set(LcaCase.objects.values_list("case_number", flat=True))
    assert kept == {f"I-200-25001-0000{n:02d}" for n in (1, 2, 3, 4, 5, 6, 15, 16, 17)}
    assert record.rows_kept == 9 and record.rows_certified == 6 and record.cases_new == 9
    ny = Employer.objects.get(state="NY")
    assert ny.normalised_name == "example medical center" and ny.name == MIXED[0]["EMPLOYER_NAME"]
    years = {
        (y.employer.state, y.fiscal_year): (y.certified, y.kept)
        for y in EmployerYear.objects.select_related("employer")
    }
    # NY FY2025: 1, 2, 3, 15 certified; 4 (certified - withdrawn), 5, 6 kept only.
    assert years == {("NY", 2025): (4, 7), ("NY", 2026): (1, 1), ("NJ", 2025): (1, 1)}
    assert record.started_at and record.finished_at and record.peak_memory_kb > 0


def test_header_in_another_case_with_extra_columns_in_another_order(run_import):
    columns = ["Extra One", " job_title ", "Case_Status", "soc_code", "VISA_class", "BEGIN_DATE",
               "employer_name", "Employer_City", "EMPLOYER_STATE", "worksite_state",
               "case_number", "EXTRA_TWO"]  # fmt: skip
    record = run_import([case("I-1"), case("I-2", JOB_TITLE="Surgeon")], columns=columns)
    assert record.status == FileStatus.DONE
    assert list(LcaCase.objects.values_list("case_number", flat=True)) == ["I-1"]


def test_a_missing_column_is_named_and_nothing_is_imported(run_import):
    run_import([case("I-1")])
    before = list(LcaCase.objects.values_list("case_number", "certified"))
    columns = [c for c in importer.REQUIRED_COLUMNS if c != "BEGIN_DATE"]

    record = run_import([case("I-2"), case("I-1", CASE_STATUS="Withdrawn")], columns=columns)

    assert record.status == FileStatus.FAILED
    assert "no column BEGIN_DATE" in record.error and "Nothing was imported" in record.error
    assert record.rows_read == record.rows_kept == 0
    assert list(LcaCase.objects.values_list("case_number", "certified")) == before
    assert EmployerYear.objects.get().certified == 1


def test_an_error_after_a_written_batch_leaves_nothing(run_import, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    rows = [case(f"I-{n}") for n in range(5)] + [case("I-9", BEGIN_DATE="someday")]
    record = run_import(rows)
    assert record.status == FileStatus.FAILED
    assert "Row 7 (I-9) has no readable BEGIN_DATE" in record.error
    assert not LcaCase.objects.exists() and not Employer.objects.exists()
    assert not EmployerYear.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"CASE_NUMBER,CASE_STATUS\nI-1,Certified\n",  # a CSV renamed .xlsx
        bytes(range(256)) * 40,  # random bytes
        b"",
        "zip of a text file",
        *workbooks.MALFORMED,
        "bomb",
    ],
)
def test_what_is_not_a_workbook_is_refused(run_import, tmp_path, content):
    if content == "zip of a text file":
        path = tmp_path / "lca.xlsx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("notes.txt", "hello")
    else:
        if content == "bomb":
            content = workbooks.one_cell_bomb(3)
        elif isinstance(content, str):
            content = workbooks.MALFORMED[content]()
        path = tmp_path / "lca.xlsx"
        path.write_bytes(content)
    record = run_import(path)
    assert record.status == FileStatus.FAILED
    # (a malformed workbook whose first row reads is refused for its header instead)
    refusals = ("not a readable .xlsx workbook", "unpacks", "names none of")
    assert any(refusal in record.error for refusal in refusals), record.error
    assert not LcaCase.objects.exists()


def test_an_empty_sheet_is_refused(run_import, tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    record = run_import(path)
    assert record.status == FileStatus.FAILED and "no header row" in record.error


def test_the_same_file_twice_counts_once(run_import):
    run_import(MIXED)
    again = run_import(MIXED)
    assert again.status == FileStatus.DONE and again.cases_new == 0 and again.rows_kept == 9
    assert LcaCase.objects.count() == 9
    assert EmployerYear.objects.get(employer__state="NY", fiscal_year=2025).certified == 4


def test_overlapping_files_count_each_case_once_and_the_latest_file_wins(run_import):
    run_import([case("I-1"), case("I-2"), case("I-3")], file_date=datetime.date(2025, 4, 1))
    later = [case("I-2"), case("I-3", CASE_STATUS="Certified - Withdrawn"), case("I-4")]
    record = run_import(later, file_date=datetime.date(2025, 7, 1))
    assert record.cases_new == 1
    year = EmployerYear.objects.get()
    assert (year.certified, year.kept) == (3, 4)  # I-1, I-2, I-4; I-3 withdrawn since

    # An older file imported afterwards does not bring back what a later one replaced.
    run_import([case("I-3")], file_date=datetime.date(2025, 1, 1))
    assert LcaCase.objects.get(case_number="I-3").status == "Certified - Withdrawn"
    assert EmployerYear.objects.get().certified == 3


@pytest.mark.parametrize(
    ("begin", "year"),
    [
        (datetime.datetime(2024, 10, 1), 2025),
        (datetime.datetime(2025, 9, 30), 2025),
        ("2025-10-01", 2026),
        ("7/1/2025", 2025),
        (45839, 2025),  # an Excel serial number: 1 July 2025
    ],
)
def test_fiscal_year_is_the_federal_fiscal_year_of_begin_date(run_import, begin, year):
    run_import([case("I-1", BEGIN_DATE=begin)])
    assert LcaCase.objects.get().fiscal_year == year


@pytest.mark.parametrize(
    ("code", "physician"),
    [("29-1211.00", True), ("29-1229", True), ("29-1249.00", True), ("29-1228.00", True),
     ("29-1061.00", True), ("29-1069.04", True), ("29-1210", False), ("29-1250.00", False),
     ("29-1141.00", False), ("29-1071.00", False), ("", False), (None, False),
     ("x29-1216", False)],
)  # fmt: skip
def test_physician_soc_codes(code, physician):
    assert importer.is_physician_soc(code) is physician


@pytest.mark.parametrize(
    ("title", "trainee"),
    [("Resident Physician", True), ("RESIDENCY - PGY1", True), ("pgy-3", True),
     ("Fellow, Cardiology", True), ("Fellowship Trainee", True), ("Chief Residents", True),
     ("Attending Physician", False), ("Residential Physician", False), ("Hospitalist", False),
     ("Fellowes Clinic Physician", False), ("", False)],
)  # fmt: skip
def test_trainee_titles(title, trainee):
    assert importer.is_trainee_title(title) is trainee


def test_the_command_imports_a_path(db, tmp_path):
    path = write(tmp_path, "LCA_Disclosure_Data_2025-10-01.xlsx", MIXED)
    call_command("lca_import", str(path), verbosity=0)
    record = LcaFile.objects.get()
    assert record.file_date == datetime.date(2025, 10, 1) and record.uploaded_by is None
    assert record.status == FileStatus.DONE and record.rows_kept == 9
    assert path.exists()  # a file given by path is never deleted


def test_the_command_needs_a_date_and_reports_a_failure(db, tmp_path):
    path = write(tmp_path, "LCA_Disclosure_Data_FY2025_Q4.xlsx", MIXED)
    with pytest.raises(CommandError, match="--file-date"):
        call_command("lca_import", str(path), verbosity=0)
    with pytest.raises(CommandError, match="not a date"):
        call_command("lca_import", str(path), "--file-date", "2025-02-30", verbosity=0)
    bad = write(tmp_path, "bad.xlsx", MIXED, columns=["CASE_NUMBER"])
    with pytest.raises(CommandError, match="no columns CASE_STATUS, VISA_CLASS"):
        call_command("lca_import", str(bad), file_date="2025-10-01", verbosity=0)
    assert not LcaCase.objects.exists()


def test_a_file_is_imported_once_however_often_its_task_runs(run_import, tmp_path):
    record = run_import([case("I-1")])
    assert importer.run(record.pk, write(tmp_path, "other.xlsx", [case("I-2")])) == record
    assert list(LcaCase.objects.values_list("case_number", flat=True)) == ["I-1"]


def test_memory_stays_bounded_as_rows_grow(db, tmp_path):
    """The import's peak Python allocation (tracemalloc) for 4,000 rows stays within a small
    multiple of that for 1,000 rows: rows are streamed, not held (the 600,000-row
    measurement is in docs/performance.md)."""
    import tracemalloc

    from lca.management.commands.lca_synthetic import write_synthetic

    peaks = {}
    for rows in (1000, 4000):
        path = tmp_path / f"synthetic-{rows}.xlsx"
        write_synthetic(path, rows)
        record = LcaFile.objects.create(original_name=path.name, file_date=datetime.date.today())
        tracemalloc.start()
        importer.run(record.pk, path)
        peaks[rows] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert LcaFile.objects.get(pk=record.pk).status == FileStatus.DONE
    assert peaks[4000] < 2 * peaks[1000]


def test_a_shared_strings_file_reads_as_its_inline_twin(db, tmp_path):
    """Excel keeps text in a shared-strings table and dates as serial numbers; openpyxl's
    writer inlines text and styles dates. The same synthetic rows both ways: the same cases."""
    from lca.management.commands.lca_synthetic import write_synthetic, write_synthetic_shared

    found = []
    for writer in (write_synthetic, write_synthetic_shared):
        path = tmp_path / f"{writer.__name__}.xlsx"
        writer(path, 300)
        record = LcaFile.objects.create(original_name=path.name, file_date=datetime.date.today())
        record = importer.run(record.pk, path)
        assert record.status == FileStatus.DONE and record.rows_read == 300
        found.append(sorted(LcaCase.objects.values_list("case_number", "fiscal_year", "certified")))
        LcaCase.objects.all().delete()
    assert found[0] == found[1] and len(found[0]) > 0
