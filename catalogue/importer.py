"""The curators' import and export of catalogue programs (CSV or XLSX), issue 19 item 5.

Like the member's import (applications/spreadsheets.py), in two steps: `read_upload` turns a
file into rows of text within LIMITS (accounts.spreadsheets.read_sheet: size, rows, columns,
cells, zip bombs, encoding); `validate` checks every row against the catalogue as it is and
says what each would do (create, update, unchanged, or its errors, each naming the column);
only a file without errors can be applied, and `apply` writes it in one transaction (all or
nothing). The view keeps the validated rows (text, not the file) in the session between the
preview and the confirmation, and validates them again before applying.

The layout (one row per program; header names case-insensitive, in any order):
- program columns: institution, name, specialty (required on every row), city, state,
  acgme_id, nrmp_code (at least one of the two: the key), program_url;
- per kind of fact (catalogue.models.FactKind), a triple: `<kind>` (the value: "unknown",
  yes/no, a whole number or a note's text, as `clean_value` reads it), `<kind>_source` (the
  page it comes from) and `<kind>_checked_on` (the date checked, 2026-11-01).
A column the layout does not name is refused (a mistyped fact column would otherwise be
dropped without a word); a column left out, or a blank cell, keeps the current value: an
empty fact value leaves that fact as it is (write "unknown" to record that it is unknown).

A row finds its program by ACGME ID, else by NRMP code, so a re-import updates rather than
duplicates; a row whose ACGME ID and NRMP code name two different programs is an error, as
is an NRMP code whose program has another ACGME ID. A program's institution is found by name
(case-insensitively) and state, or created. Facts are written by `set_fact` (origin import,
not manual); a fact a curator edited by hand (`Fact.manual`) is kept, and reported as kept,
unless the import is told to replace curators' edits. A fact whose value, source and date
already read as the file says is not written, so re-importing a file changes nothing and
tells no member anything.

The export writes the same layout (the catalogue round-trips, and an export is the template).
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.spreadsheets import (
    FORMULA_STARTS,
    Limits,
    UnreadableSheet,
    escape_formula,
    read_sheet,
    shorten,
    unescape_formula,
)
from lib.text import without_bidi_controls

from .facts import announce, facts_by_program, set_fact
from .models import UNKNOWN, CatalogueProgram, Fact, FactKind, Institution, Origin, clean_value

MB = 1024 * 1024
MAX_BYTES = 4 * MB
MAX_ROWS = 1000
# Each fact written goes through set_fact: it locks the row, validates it (no query per
# database constraint), saves it and records its change: 3 queries, and on this shared
# machine under load 5.7 ms a fact on SQLite, 8.1 ms on PostgreSQL (999 new facts of 111
# programs; it was ~17 queries and ~16 ms before set_fact skipped Django's per-constraint
# SELECTs). A file whose rows are unchanged costs little (1,000 rows validate in under a
# second). One import writes at most this many facts, so it ends well inside the server's
# 30 s timeout; a bigger file is refused whole, before anything is written, with the count.
MAX_FACT_WRITES = 2000
MAX_COLUMNS = 60
LIMITS = Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)

PROGRAM_COLUMNS = [
    "institution",
    "name",
    "specialty",
    "city",
    "state",
    "acgme_id",
    "nrmp_code",
    "program_url",
]
SOURCE, CHECKED_ON = "_source", "_checked_on"
FACT_COLUMNS = [
    f"{kind}{suffix}" for kind in FactKind.values for suffix in ("", SOURCE, CHECKED_ON)
]
COLUMNS = PROGRAM_COLUMNS + FACT_COLUMNS
REQUIRED = ["institution", "name", "specialty"]
KEYS = ["acgme_id", "nrmp_code"]
# Lengths of the model's fields, checked here so an error names the column (never a 500).
MAX_LENGTH = {
    "institution": 200,
    "name": 200,
    "specialty": 100,
    "city": 100,
    "state": 50,
    "acgme_id": 20,
    "nrmp_code": 20,
    "program_url": 500,
}
EARLIEST_CHECK = datetime.date(2000, 1, 1)
KEPT = "kept: edited by a curator"

UploadError = UnreadableSheet  # the file as a whole cannot be read: nothing was saved
check_url = URLValidator(schemes=["http", "https"])


# --- Reading -----------------------------------------------------------------------------


@dataclass
class Upload:
    rows: list[dict[str, str]]  # by column name; blank rows kept, so numbers match the file
    formulas: dict[int, list[str]]  # formula cells by row number (1 = the header row)
    found: str  # what the reader found, in words ('' for a workbook)


def read_upload(upload) -> Upload:
    """The rows of an uploaded .csv or .xlsx file, or UploadError saying why not."""
    if upload.size > MAX_BYTES:
        raise UploadError(
            f"The file is {upload.size / MB:.1f} MB; the limit is {MAX_BYTES // MB} MB. "
            "Split it, or remove unused sheets and columns."
        )
    sheet = read_sheet(upload.read(MAX_BYTES + 1), upload.name, LIMITS)
    if not sheet.rows:
        raise UploadError("The file is empty: the first row must hold the column names.")
    headers = [cell.strip().lower() for cell in sheet.rows[0]]
    while headers and not headers[-1]:  # XLSX rows come padded with empty cells
        headers.pop()
    unknown = [shorten(h, 40) for h in headers if h and h not in COLUMNS]
    missing = [h for h in REQUIRED if h not in headers]
    if not any(key in headers for key in KEYS):
        missing.append("acgme_id or nrmp_code")
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
            "The columns do not match the catalogue's layout ("
            + "; ".join(problems)
            + "). Start from an export of the catalogue."
        )
    rows = []
    for cells in sheet.rows[1:]:
        rows.append(
            {
                h: unescape_formula(without_bidi_controls(cells[i]).strip())
                if i < len(cells)
                else ""
                for i, h in enumerate(headers)
                if h
            }
        )
    return Upload(rows=rows, formulas=sheet.formulas, found=sheet.described())


# --- Validating --------------------------------------------------------------------------


@dataclass
class FactPlan:
    kind: str
    value: str
    source_url: str
    checked_on: datetime.date | None

    @property
    def label(self) -> str:
        return FactKind(self.kind).label


@dataclass
class RowResult:
    number: int  # the row's line in the file (the header is line 1)
    name: str
    specialty: str
    key: str  # "ACGME 1401234567" or "NRMP 1234140C0", for the preview
    errors: list[str] = field(default_factory=list)
    program: CatalogueProgram | None = None  # the program it updates (None: a new one)
    values: dict[str, str] = field(default_factory=dict)  # program fields to write
    institution: str = ""  # the institution named in the row
    new_institution: bool = False
    changed_fields: list[str] = field(default_factory=list)  # of an existing program
    facts: list[FactPlan] = field(default_factory=list)  # facts to write
    kept: list[str] = field(default_factory=list)  # labels of facts kept (curators' edits)

    @property
    def action(self) -> str:
        if self.errors:
            return "error"
        if self.program is None:
            return "create"
        return "update" if self.changed_fields or self.facts else "unchanged"


def parse_date(text: str, today: datetime.date) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"“{shorten(text, 20)}” is not a date like 2026-11-01.") from None
    if not EARLIEST_CHECK <= day <= today:
        raise ValidationError(f"enter a date from {EARLIEST_CHECK.year} to today.")
    return day


def check_fact(row: dict[str, str], kind: str, today, errors: list[str]) -> FactPlan | None:
    """The fact of `kind` the row gives (None: the row leaves it as it is)."""
    raw = row.get(kind, "")
    source = row.get(kind + SOURCE, "")
    date_text = row.get(kind + CHECKED_ON, "")
    if not raw:
        if source or date_text:
            errors.append(
                f'{kind}: a source or date without a value; write the value or "unknown".'
            )
        return None
    before = len(errors)
    try:
        value = clean_value(kind, raw)
    except ValidationError as error:
        errors.append(f"{kind}: {error.messages[0]}")
        value = None
    if source:
        try:
            if len(source) > 500:
                raise ValidationError("at most 500 characters.")
            check_url(source)
        except ValidationError:
            errors.append(f"{kind}{SOURCE}: enter a web address starting with https:// or http://.")
    checked_on = None
    if date_text:
        try:
            checked_on = parse_date(date_text, today)
        except ValidationError as error:
            errors.append(f"{kind}{CHECKED_ON}: {error.messages[0]}")
    if value not in (None, UNKNOWN):
        if not source:
            errors.append(f"{kind}{SOURCE}: a known value needs the page it comes from.")
        if not date_text:
            errors.append(f"{kind}{CHECKED_ON}: a known value needs the date it was checked.")
    if len(errors) > before:
        return None
    return FactPlan(kind=kind, value=value, source_url=source, checked_on=checked_on)


def same_fact(fact: Fact | None, plan: FactPlan) -> bool:
    return (
        fact is not None
        and fact.value == plan.value
        and fact.source_url == plan.source_url
        and fact.checked_on == plan.checked_on
    )


@dataclass
class Catalogue:
    """What the rows refer to, loaded in three queries."""

    by_acgme: dict[str, CatalogueProgram]
    by_nrmp: dict[str, CatalogueProgram]
    facts: dict[int, dict[str, Fact]]
    institutions: dict[tuple[str, str], Institution]  # by (lower-case name, state)

    @classmethod
    def load(cls, rows: list[dict[str, str]]) -> "Catalogue":
        acgme = {row.get("acgme_id", "") for row in rows} - {""}
        nrmp = {row.get("nrmp_code", "") for row in rows} - {""}
        programs = list(
            CatalogueProgram.objects.filter(Q(acgme_id__in=acgme) | Q(nrmp_code__in=nrmp))
            .select_related("institution")
            .order_by("pk")
        )
        names = {row.get("institution", "").lower() for row in rows} - {""}
        institutions = {}
        for institution in (
            Institution.objects.annotate(lower_name=Lower("name"))
            .filter(lower_name__in=names)
            .order_by("pk")
        ):
            institutions.setdefault((institution.lower_name, institution.state), institution)
        return cls(
            by_acgme={p.acgme_id: p for p in programs if p.acgme_id},
            by_nrmp={p.nrmp_code: p for p in programs if p.nrmp_code},
            facts=facts_by_program([p.pk for p in programs]),
            institutions=institutions,
        )


def validate(
    rows: list[dict[str, str]],
    formulas: dict[int, list[str]],
    *,
    replace_manual: bool = False,
    today: datetime.date | None = None,
) -> list[RowResult]:
    """What every non-blank row would do, or its errors; writes nothing (3 queries)."""
    today = today or timezone.localdate()
    catalogue = Catalogue.load(rows)
    seen: dict[tuple[str, str], int] = {}
    results = []
    for index, row in enumerate(rows):
        number = index + 2
        if not any(row.values()):
            continue
        acgme, nrmp = row.get("acgme_id", ""), row.get("nrmp_code", "")
        result = RowResult(
            number=number,
            name=row.get("name", ""),
            specialty=row.get("specialty", ""),
            key=f"ACGME {acgme}" if acgme else (f"NRMP {nrmp}" if nrmp else ""),
            institution=row.get("institution", ""),
        )
        results.append(result)
        if number in formulas:
            shown = ", ".join(shorten(cell, 30) for cell in formulas[number][:3])
            result.errors.append(f"Formula cells cannot be imported; type their results ({shown}).")
            continue
        check_row(row, result, catalogue, seen, replace_manual, today)
    return results


def check_row(row, result: RowResult, catalogue: Catalogue, seen, replace_manual, today) -> None:
    errors = result.errors
    for column in REQUIRED:
        if not row.get(column):
            errors.append(f"{column}: required.")
    for column, limit in MAX_LENGTH.items():
        if len(row.get(column, "")) > limit:
            errors.append(f"{column}: at most {limit} characters.")
    url = row.get("program_url", "")
    if url and len(url) <= MAX_LENGTH["program_url"]:
        try:
            check_url(url)
        except ValidationError:
            errors.append("program_url: enter a web address starting with https:// or http://.")
    acgme, nrmp = row.get("acgme_id", ""), row.get("nrmp_code", "")
    if not acgme and not nrmp:
        errors.append("acgme_id, nrmp_code: give at least one, so a re-import finds the program.")
    for column, value in (("acgme_id", acgme), ("nrmp_code", nrmp)):
        if value and (column, value) in seen:
            errors.append(f"{column}: row {seen[column, value]} has the same {column}.")
        elif value:
            seen[column, value] = result.number

    by_acgme, by_nrmp = catalogue.by_acgme.get(acgme), catalogue.by_nrmp.get(nrmp)
    if by_acgme and by_nrmp and by_acgme.pk != by_nrmp.pk:
        errors.append(
            f"acgme_id, nrmp_code: they name two different programs (the ACGME ID is "
            f"“{shorten(by_acgme, 50)}”'s, the NRMP code “{shorten(by_nrmp, 50)}”'s)."
        )
    elif by_nrmp and not by_acgme and acgme and by_nrmp.acgme_id:
        errors.append(
            f"acgme_id: the program with this NRMP code has ACGME ID {by_nrmp.acgme_id}; "
            "correct the row or the program."
        )
    program = by_acgme or by_nrmp
    result.program = program

    plans = [check_fact(row, kind, today, errors) for kind in FactKind.values]
    if errors:
        return

    state = row.get("state") or (program.state if program else "")
    name = row["institution"]
    if program is not None and program.institution.name.lower() == name.lower():
        institution = program.institution
    else:
        institution = catalogue.institutions.get((name.lower(), state))
    result.new_institution = institution is None
    result.values = {
        column: row[column]
        for column in PROGRAM_COLUMNS
        if column != "institution" and row.get(column)
    }
    if program is None:
        result.changed_fields = list(result.values)
    else:
        result.changed_fields = [
            column for column, value in result.values.items() if getattr(program, column) != value
        ]
        if institution is None or institution.pk != program.institution_id:
            result.changed_fields.append("institution")

    current = catalogue.facts.get(program.pk, {}) if program is not None else {}
    for plan in plans:
        if plan is None:
            continue
        fact = current.get(plan.kind)
        if same_fact(fact, plan):
            continue
        if fact is not None and fact.manual and not replace_manual:
            result.kept.append(plan.label)
            continue
        result.facts.append(plan)


def too_much_work(results: list[RowResult]) -> str:
    """'' or why this file is too big to apply in one request (see MAX_FACT_WRITES)."""
    writes = sum(len(result.facts) for result in results)
    if writes <= MAX_FACT_WRITES:
        return ""
    return (
        f"The file would write {writes:,} facts; one import writes at most "
        f"{MAX_FACT_WRITES:,} (each is checked, recorded in the history and announced). "
        "Split it into smaller files: rows already imported come back unchanged."
    )


# --- Applying ----------------------------------------------------------------------------


class ImportFailed(Exception):
    """A row the database refused while applying: nothing was saved."""

    def __init__(self, number: int, message: str):
        super().__init__(f"Row {number}: {message}")


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    facts_changed: int = 0  # new values (each recorded in the history and announced)
    facts_refreshed: int = 0  # same value, new source or date (nobody is told)
    kept: int = 0  # curators' edits left alone


def apply(results: list[RowResult], by) -> Outcome:
    """Write every row in one transaction (all or nothing): ImportFailed on any refusal."""
    outcome = Outcome()
    institutions: dict[tuple[str, str], Institution] = {}
    changes = []
    with transaction.atomic():
        for result in results:
            if result.errors:
                raise ImportFailed(result.number, "; ".join(result.errors))
            outcome.kept += len(result.kept)
            if result.action == "unchanged":
                outcome.unchanged += 1
                continue
            try:
                program = save_program(result, institutions)
                for plan in result.facts:
                    change = set_fact(
                        program,
                        plan.kind,
                        plan.value,
                        source_url=plan.source_url,
                        checked_on=plan.checked_on,
                        by=by,
                        origin=Origin.IMPORT,
                        manual=False,
                        announce_now=False,
                    )
                    if change is not None:
                        changes.append(change)
                    outcome.facts_changed += change is not None
                    outcome.facts_refreshed += change is None
            except ValidationError as error:
                raise ImportFailed(result.number, "; ".join(error.messages)) from None
            outcome.created += result.program is None
            outcome.updated += result.program is not None
        announce(changes)  # once, on commit: one notice task for the whole import
    return outcome


def save_program(result: RowResult, institutions: dict) -> CatalogueProgram:
    program = result.program or CatalogueProgram()
    values = result.values
    if result.program is None or "institution" in result.changed_fields:
        name, state = result.institution, values.get("state", program.state)
        key = (name.lower(), state)
        if key not in institutions:
            institution = (
                Institution.objects.filter(name__iexact=name, state=state).order_by("pk").first()
            )
            if institution is None:
                institution = Institution(name=name, city=values.get("city", ""), state=state)
                institution.full_clean()
                institution.save()
            institutions[key] = institution
        program.institution = institutions[key]
    if result.program is None or result.changed_fields:
        for column, value in values.items():
            setattr(program, column, value)
        program.full_clean(exclude=["search_document"])
        program.save()
    return program


# --- Export ------------------------------------------------------------------------------


def export_rows(programs=None):
    """One row per program in the import's layout, as typed values (dates are dates)."""
    programs = (CatalogueProgram.objects.all() if programs is None else programs).select_related(
        "institution"
    )
    programs = programs.order_by("institution__name", "name", "specialty", "pk")
    for program in programs.prefetch_related("facts").iterator(chunk_size=2000):
        facts = {fact.kind: fact for fact in program.facts.all()}
        row = [
            program.institution.name,
            program.name,
            program.specialty,
            program.city,
            program.state,
            program.acgme_id,
            program.nrmp_code,
            program.program_url,
        ]
        for kind in FactKind.values:
            fact = facts.get(kind)
            row += [fact.value, fact.source_url, fact.checked_on or ""] if fact else ["", "", ""]
        yield row


def export_csv(programs=None) -> str:
    """UTF-8 with a byte-order mark (Excel on Windows needs it); formula-like cells escaped
    with an apostrophe, which the import removes again."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in export_rows(programs):
        writer.writerow(
            value.isoformat() if isinstance(value, datetime.date) else escape_formula(value)
            for value in row
        )
    return out.getvalue()


def export_xlsx(programs=None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Catalogue")
    sheet.append(COLUMNS)
    for row in export_rows(programs):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value)
            if isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str) and value.startswith(FORMULA_STARTS):
                cell.data_type = "s"  # text shown as typed, never run
                cell.quotePrefix = True
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
