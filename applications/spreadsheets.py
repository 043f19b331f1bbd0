"""Spreadsheet import and export of a member's programs and applications (CSV, XLSX).

Import is two steps: `read_upload` turns a file into rows of text (refusing files that are
too big, too long, not UTF-8, not a spreadsheet, or hold formula cells); `validate` checks
every row and returns per-row errors; only a file without errors can be applied, and
`apply` writes it in one transaction (all or nothing). Re-importing is idempotent: a row
updates the program with the same name and specialty (and its application in the same
Match year) instead of adding a duplicate. Columns a file leaves out keep their values.

A CSV may be separated by ',', ';' or tabs and may start with a byte-order mark (Excel's
"CSV UTF-8" in much of Europe, Latin America and the Middle East): the reader finds which and
the preview says so. Bidirectional controls are stripped from every cell (lib/text.py).

Export writes the same columns. The CSV is UTF-8 with a byte-order mark, which Excel on Windows
needs to read Arabic, accents and emoji; a cell a spreadsheet would run as a formula is
prefixed with an apostrophe, which import removes again (accounts/spreadsheets.py, the one home
of that rule). The XLSX has typed cells instead: dates are dates, and formula-like text is a
text cell with Excel's "quote prefix" style, shown without an apostrophe and never run.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.models import Profile
from accounts.spreadsheets import (
    FORMULA_STARTS,
    Limits,
    UnreadableSheet,
    escape_formula,
    read_sheet,
    shorten,
    unescape_formula,
)
from lib.dates import member_today
from lib.text import without_bidi_controls

from . import pipeline
from .fit import load_fit_inputs
from .forms import ProgramForm
from .models import Application, CertificateBy, InterviewFormat, Program, Signal, Status, Visas

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
MAX_COLUMNS = 60

PROGRAM_COLUMNS = [
    "program_name",
    "specialty",
    "city",
    "state",
    "program_url",
    "freida_url",
    "acgme_code",
    "nrmp_code",
    *(f"{fact}{suffix}" for fact in Program.FACTS for suffix in ("", "_source", "_found_on")),
    "program_notes",
]
APPLICATION_COLUMNS = ["cycle", "status", "status_changed_on", "signal", "application_notes"]
COLUMNS = PROGRAM_COLUMNS + APPLICATION_COLUMNS
# Written by the export, ignored by the import: the fit check's conflicts as they stand on the
# day of the export (the import never takes them back: the check is recomputed on every view).
EXPORT_ONLY = ["fit_conflicts"]
REQUIRED = ["program_name", "specialty"]
CHOICES = {
    "visas": Visas,
    "certificate_by": CertificateBy,
    "interview_format": InterviewFormat,
    "status": Status,
    "signal": Signal,
}


UploadError = UnreadableSheet  # the file as a whole cannot be read: nothing was saved
LIMITS = Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)


# --- Reading -----------------------------------------------------------------------


def read_upload(upload) -> tuple[list[str], list[dict[str, str]], dict[int, list[str]], str]:
    """(headers, rows, formula cells by row number, what was found in words) of an uploaded
    CSV or XLSX file, read by accounts.spreadsheets.read_sheet within LIMITS."""
    if upload.size > MAX_BYTES:
        raise UploadError(
            f"The file is {upload.size / 1_048_576:.1f} MB; the limit is "
            f"{MAX_BYTES // 1_048_576} MB. Split it, or remove unused sheets and columns."
        )
    sheet = read_sheet(upload.read(MAX_BYTES + 1), upload.name, LIMITS)
    table, formulas = sheet.rows, sheet.formulas
    if not table:
        raise UploadError("The file is empty: the first row must hold the column names.")
    headers = [cell.strip().lower() for cell in table[0]]
    while headers and not headers[-1]:  # XLSX rows come padded with empty cells
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise UploadError(f"The file has {len(headers)} columns; the limit is {MAX_COLUMNS}.")
    unknown = [shorten(h, 40) for h in headers if h and h not in COLUMNS + EXPORT_ONLY]
    missing = [h for h in REQUIRED if h not in headers]
    duplicated = sorted({shorten(h, 40) for h in headers if h and headers.count(h) > 1})
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown[:10])}")
    if duplicated:
        problems.append(f"repeated column(s): {', '.join(duplicated[:10])}")
    if problems:
        raise UploadError(
            "The columns do not match the documented ones ("
            + "; ".join(problems)
            + "). Start from the sample file."
        )
    rows = []
    for cells in table[1:]:  # blank rows are kept, so row numbers match the file
        rows.append(
            {
                h: unescape_formula(without_bidi_controls(cells[i]).strip())
                if i < len(cells)
                else ""
                for i, h in enumerate(headers)
                if h
            }
        )
    if sum(1 for row in rows if any(row.values())) > MAX_ROWS:
        raise UploadError(f"The file has {len(rows)} rows; the limit is {MAX_ROWS}.")
    return headers, rows, formulas, sheet.described()


# --- Validating and applying ------------------------------------------------------------


def choice_value(choices, text: str) -> str | None:
    """A choice by value or label, case-insensitively; '' for empty; None if unknown."""
    wanted = text.strip().lower()
    if not wanted:
        return ""
    for value, label in choices.choices:
        if wanted in {str(value).lower(), str(label).lower()}:
            return value
    return None


@dataclass
class RowResult:
    number: int  # the row's line in the file (headers are line 1)
    name: str
    specialty: str
    errors: list[str] = field(default_factory=list)
    program_form: ProgramForm | None = None
    program_exists: bool = False
    application: dict | None = None
    application_exists: bool = False
    changes: bool = True  # False: the program (and its application) already read like this


def program_data(row: dict[str, str], instance: Program | None) -> dict[str, str]:
    """The ProgramForm data: the file's columns over the program's current values."""
    data = {"visas": "unknown", "certificate_by": "unknown", "interview_format": "unknown"}
    if instance is not None:
        data["version"] = str(instance.version)  # read now, applied in the same request
        for name in ProgramForm.Meta.fields:
            value = getattr(instance, name)
            data[name] = (
                ""
                if value is None
                else (value.isoformat() if hasattr(value, "isoformat") else str(value))
            )
    for column, value in row.items():
        name = {"program_name": "name", "program_notes": "notes"}.get(column, column)
        if name in ProgramForm.Meta.fields:
            data[name] = value
    for fact in ("visas", "certificate_by", "interview_format"):
        if fact in row:
            value = choice_value(CHOICES[fact], row[fact])
            # an unknown value is refused by the form, which quotes it: quote its start only
            data[fact] = (
                "unknown"
                if value == ""
                else (value if value is not None else shorten(row[fact], 40))
            )
    return data


def validate(
    user, rows: list[dict[str, str]], formulas: dict[int, list[str]], today
) -> list[RowResult]:
    profile = getattr(user, "profile", None)
    current = pipeline.current_cycle(profile, today)
    programs = {(p.name.lower(), p.specialty.lower()): p for p in Program.objects.filter(user=user)}
    applications = {
        (a.program_id, a.specialty.lower(), a.cycle): a
        for a in Application.objects.filter(user=user)
    }
    seen: dict[tuple[str, str, int | None], int] = {}
    results = []
    for index, row in enumerate(rows):
        number = index + 2
        if not any(row.values()):
            continue
        name, specialty = row.get("program_name", ""), row.get("specialty", "")
        result = RowResult(number=number, name=name, specialty=specialty)
        results.append(result)
        if number in formulas:
            shown = ", ".join(cell[:30] for cell in formulas[number][:3])
            result.errors.append(f"Formula cells cannot be imported; type their results ({shown}).")
            continue
        instance = programs.get((name.strip().lower(), specialty.strip().lower()))
        result.program_exists = instance is not None
        form = ProgramForm(program_data(row, instance), instance=instance, user=user)
        if not form.is_valid():
            for field_name, errors in form.errors.items():
                label = "row" if field_name == "__all__" else field_name
                # a form error may quote the value: never echo a cell whole
                result.errors.extend(shorten(f"{label}: {error}", 200) for error in errors)
        result.program_form = form
        existing = None
        cycle_text, status_text = row.get("cycle", ""), row.get("status", "")
        if cycle_text or status_text or row.get("signal") or row.get("application_notes"):
            application = validate_application(row, current, today, result)
            if application is not None:
                key = (name.strip().lower(), specialty.strip().lower(), application["cycle"])
                if key in seen:
                    result.errors.append(
                        f"cycle: row {seen[key]} already has this program for Match "
                        f"{application['cycle']}."
                    )
                seen[key] = number
                if instance is not None:
                    existing = applications.get(
                        (instance.pk, specialty.strip().lower(), application["cycle"])
                    )
                result.application_exists = existing is not None
                result.application = application
        result.changes = (
            instance is None
            or form.has_changed()
            or (
                result.application is not None and application_changes(result.application, existing)
            )
        )
    return results


def application_changes(data: dict, existing: Application | None) -> bool:
    if existing is None:
        return True
    return (
        existing.status != data["status"]
        or (data["has_signal"] and existing.signal != data["signal"])
        or (data["has_notes"] and existing.notes != data["notes"])
    )


def validate_application(row, current: int, today, result: RowResult) -> dict | None:
    errors = result.errors
    cycle_text = row.get("cycle", "").strip()
    if not cycle_text:
        cycle = current
    elif cycle_text.isdigit() and 2024 <= int(cycle_text) <= 2100:
        cycle = int(cycle_text)
    else:
        errors.append(f"cycle: “{cycle_text[:20]}” is not a Match year (2024-2100).")
        return None
    try:
        pipeline.check_editable(cycle, current)
    except pipeline.ReadOnly as refusal:
        errors.append(f"cycle: {refusal}")
        return None
    status = choice_value(Status, row.get("status", ""))
    if status is None:
        errors.append(f"status: “{row['status'][:30]}” is not one of: {', '.join(Status.values)}.")
        return None
    signal = choice_value(Signal, row.get("signal", ""))
    if signal is None:
        errors.append(f"signal: “{row['signal'][:20]}” is not gold, silver or empty.")
        return None
    changed_text = row.get("status_changed_on", "").strip()
    changed_on = today
    if changed_text:
        try:
            changed_on = datetime.date.fromisoformat(changed_text)
        except ValueError:
            errors.append(
                f"status_changed_on: “{changed_text[:20]}” is not a date like 2026-09-15."
            )
            return None
        if not (datetime.date(2000, 1, 1) <= changed_on <= datetime.date(2100, 12, 31)):
            errors.append("status_changed_on: enter a date between 2000 and 2100.")
            return None
    notes = row.get("application_notes", "")
    if len(notes) > 5000:
        errors.append("application_notes: at most 5,000 characters.")
        return None
    return {
        "cycle": cycle,
        "status": status or Status.RESEARCHING,
        "status_label": Status(status or Status.RESEARCHING).label,
        "changed_on": changed_on,
        "signal": signal,
        "notes": notes,
        "has_signal": "signal" in row,
        "has_notes": "application_notes" in row,
    }


def apply(user, results: list[RowResult], today) -> tuple[int, int, int]:
    """Save every row in one transaction. (programs created, updated, applications saved)."""
    created = updated = saved = 0
    with transaction.atomic():
        programs: dict[tuple[str, str], Program] = {}
        for result in results:
            key = (result.name.strip().lower(), result.specialty.strip().lower())
            form = result.program_form
            if key in programs:  # a later row of the same program
                form.instance = programs[key]
                for name in form.Meta.fields:
                    setattr(form.instance, name, form.cleaned_data[name])
                form.instance.save()
            else:
                is_new = form.instance.pk is None
                if not is_new:  # a tab open on this program's edit page is now stale
                    form.instance.version += 1
                program = form.save()
                programs[key] = program
                created += is_new
                updated += not is_new
            if result.application:
                save_application(user, programs[key], result.application, today)
                saved += 1
    return created, updated, saved


def save_application(user, program: Program, data: dict, today) -> None:
    application = Application.objects.filter(
        program=program, specialty=program.specialty, cycle=data["cycle"]
    ).first()
    if application is None:
        application = pipeline.create_application(
            user,
            program,
            specialty=program.specialty,
            cycle=data["cycle"],
            today=data["changed_on"],
            status=data["status"],
        )
    elif application.status != data["status"]:
        application = pipeline.change_status(
            user, application.pk, status=data["status"], on=data["changed_on"], version=None
        )
    fields = {}
    if data["has_signal"]:
        fields["signal"] = data["signal"]
    if data["has_notes"]:
        fields["notes"] = data["notes"]
    if fields:
        Application.objects.filter(pk=application.pk).update(**fields, updated_at=timezone.now())


# --- Export ------------------------------------------------------------------------------


def export_rows(user) -> list[list]:
    """One row per application, and one per program that has none, as typed values (dates
    are dates): each format writes them its own way. The last column is the program's fit
    conflicts on the member's date (one load of the fit inputs for the whole file)."""
    rows = []
    profile = Profile.objects.filter(user=user).first()
    today = member_today(profile or user)
    programs = list(
        Program.objects.filter(user=user)
        .prefetch_related("applications")
        .order_by("name", "specialty")
    )
    inputs = load_fit_inputs(user, profile, today, programs)
    for program in programs:
        conflicts = "; ".join(inputs.check(program, profile, today).conflicts)
        base = [
            program.name,
            program.specialty,
            program.city,
            program.state,
            program.program_url,
            program.freida_url,
            program.acgme_code,
            program.nrmp_code,
        ]
        for fact in Program.FACTS:
            value = getattr(program, fact)
            found = getattr(program, f"{fact}_found_on")
            base += [
                "" if value is None else value,
                getattr(program, f"{fact}_source"),
                found or "",
            ]
        base.append(program.notes)
        applications = sorted(program.applications.all(), key=lambda a: (a.cycle, a.specialty))
        if not applications:
            rows.append(base + ["", "", "", "", "", conflicts])
        for application in applications:
            rows.append(
                base
                + [
                    application.cycle,
                    application.status,
                    application.status_changed_on,
                    application.signal,
                    application.notes,
                    conflicts,
                ]
            )
    return rows


def csv_cell(value):
    return value.isoformat() if isinstance(value, datetime.date) else escape_formula(value)


def export_csv(user) -> str:
    """The CSV, starting with a byte-order mark: without it Excel on Windows reads UTF-8 as
    the computer's legacy code page, and Arabic, accents and emoji come out garbled."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS + EXPORT_ONLY)
    writer.writerows([csv_cell(cell) for cell in row] for row in export_rows(user))
    return out.getvalue()


def export_xlsx(user) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Applications")
    sheet.append(COLUMNS + EXPORT_ONLY)
    for row in export_rows(user):
        sheet.append([xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_cell(sheet, value):
    """A typed cell: a date with a date format; formula-like text stored as text with the
    quote prefix (Excel shows it as typed, never runs it, and no apostrophe is visible)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
