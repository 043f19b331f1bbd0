"""Importing an OFLC LCA disclosure file (.xlsx): streamed, all or nothing.

What is kept: rows whose VISA_CLASS is H-1B, whose SOC_CODE is a physician code
(PHYSICIAN_SOC, sources in docs/sources.md) and whose JOB_TITLE names a resident or
fellow position (TRAINEE_TITLE: a heuristic), whatever their CASE_STATUS; a kept row
counts as certified when its status is exactly "Certified" ("Certified - Withdrawn" does
not). Its fiscal year is the federal fiscal year of BEGIN_DATE (the start of the job: 1
July 2025 is FY2025, the 2025 Match's residents).

A case is stored once, by CASE_NUMBER, across all files: quarterly files overlap, so the
row of the file with the latest file date wins (the same or a later file replaces it, an
older one never does), and nothing is counted twice.

How it reads: the zip's members are checked first (sizes and packing ratio, as every
upload: accounts.spreadsheets.check_zip), then openpyxl opens the workbook read-only and
the first sheet's rows are streamed: the first row is the header (names compared without
case or surrounding spaces; extra columns are ignored; a missing one is an error naming
it), and kept rows are written in batches of BATCH. Memory is bounded by the batch and
the employers seen, never by the number of rows (docs/performance.md, "LCA import").
Everything happens in one transaction: an error at row 500,000 leaves the database as it
was, and the file's record says why.
"""

import datetime
import logging
import os
import re
import resource
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.spreadsheets import MB, NOT_XLSX, Limits, UnreadableSheet, check_zip, shorten
from lib.dates import federal_fiscal_year

from .matching import normalise_name, normalise_state
from .models import Employer, EmployerYear, FileStatus, LcaCase, LcaFile

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = (
    "CASE_NUMBER",
    "CASE_STATUS",
    "VISA_CLASS",
    "JOB_TITLE",
    "SOC_CODE",
    "EMPLOYER_NAME",
    "EMPLOYER_CITY",
    "EMPLOYER_STATE",
    "BEGIN_DATE",
    "WORKSITE_STATE",
)
H1B = "H-1B"
CERTIFIED = "certified"
BATCH = 2000
MAX_ROWS = 3_000_000  # a whole fiscal year's file holds under a million

# An LCA file is far larger than a member's upload: its own bounds (accounts.spreadsheets).
LIMITS = Limits(
    max_bytes=getattr(settings, "LCA_MAX_UPLOAD_BYTES", 400 * MB),
    max_unpacked=8 * 1024 * MB,
    max_ratio=100,
    max_members=200,
)

# Physicians' SOC codes (docs/sources.md): SOC 2018 29-1211 to 29-1249 (the broad groups
# 29-1210 Physicians and 29-1240 Surgeons, with the OEWS/OFLC aggregates 29-1228 and
# 29-1248 between them), and SOC 2010's 29-1061 to 29-1069 (Physicians and Surgeons),
# which older files and some newer cases still carry. O*NET suffixes (".00") are ignored.
PHYSICIAN_SOC = (range(1211, 1250), range(1061, 1070))
SOC = re.compile(r"\s*29-(\d{4})(?:\.\d+)?\s*$")

# A resident or fellow position, by its job title: a heuristic (docs/architecture.md).
TRAINEE_TITLE = re.compile(
    r"\b(?:residents?|residency|fellows?|fellowship|pgy(?:[\s-]?\d{1,2})?)\b", re.IGNORECASE
)


class ImportFailed(Exception):
    """The file cannot be imported; the message is for the curator (and nothing was)."""


def is_physician_soc(code) -> bool:
    match = SOC.match(str(code or ""))
    return bool(match) and any(int(match.group(1)) in codes for codes in PHYSICIAN_SOC)


def is_trainee_title(title) -> bool:
    return bool(TRAINEE_TITLE.search(str(title or "")))


FILE_DATE = re.compile(r"(20\d\d)[-_]?([01]\d)[-_]?([0-3]\d)")


def file_date_from_name(name: str) -> datetime.date | None:
    """A date written in the file's name (2025-10-01, 2025_10_01 or 20251001), if any."""
    for match in FILE_DATE.finditer(name or ""):
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            continue
    return None


def as_date(value) -> datetime.date | None:
    """BEGIN_DATE as a date: a date cell, ISO or US text (2025-07-01, 7/1/2025), or an
    Excel serial number in an unformatted cell."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and 1 <= value < 2958466:
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(value).date()
        except (ValueError, OverflowError):
            return None
    text = str(value or "").strip()[:30]
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def text(value, limit: int) -> str:
    return " ".join(str(value).split())[:limit] if value is not None else ""


@dataclass
class Counts:
    rows_read: int = 0
    rows_kept: int = 0
    rows_certified: int = 0
    cases_new: int = 0


def check_workbook(path: Path) -> None:
    """Refuse what is not an .xlsx within LIMITS before openpyxl opens it."""
    size = path.stat().st_size
    if size > LIMITS.max_bytes:
        raise ImportFailed(
            f"The file is {size / MB:,.0f} MB; the limit is {LIMITS.max_bytes // MB:,} MB."
        )
    try:
        with path.open("rb") as stream:
            check_zip(stream, LIMITS)
    except UnreadableSheet as error:
        if str(error) == NOT_XLSX:
            raise ImportFailed(NOT_XLSX + " Upload the .xlsx file as published.") from None
        raise ImportFailed(
            f"The workbook unpacks to more than {LIMITS.max_unpacked // MB:,} MB, or packs "
            "its contents suspiciously tightly: it is not an LCA disclosure file as published."
        ) from None


def rows_of(path: Path) -> Iterator[tuple]:
    """The first sheet's rows as tuples of values; whatever openpyxl or its XML parser
    raises on a malformed part is ImportFailed. openpyxl's warnings (styles, extensions)
    are silenced around its own calls only: this generator is suspended between rows, and
    a filter left in place would silence the rest of the process too."""
    from openpyxl import load_workbook

    workbook = None
    try:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                workbook = load_workbook(path, read_only=True, data_only=True)
                rows = iter(workbook.worksheets[0].iter_rows(values_only=True))
        except Exception:
            raise ImportFailed(NOT_XLSX) from None
        while True:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    row = next(rows)
            except StopIteration:
                return
            except Exception:
                raise ImportFailed(NOT_XLSX) from None
            yield row
    finally:
        if workbook is not None:
            workbook.close()


def header_positions(header: tuple) -> dict[str, int]:
    found: dict[str, int] = {}
    for position, value in enumerate(header):
        name = str(value).strip().upper() if value is not None else ""
        found.setdefault(name, position)
    missing = [name for name in REQUIRED_COLUMNS if name not in found]
    if len(missing) == len(REQUIRED_COLUMNS):
        raise ImportFailed(
            "The header row (row 1) names none of an LCA disclosure file's columns "
            f"({', '.join(REQUIRED_COLUMNS)}). Nothing was imported."
        )
    if missing:
        named = ", ".join(missing)
        column = "column" if len(missing) == 1 else "columns"
        raise ImportFailed(
            f"The header row (row 1) has no {column} {named}. Nothing was imported. "
            f"An LCA disclosure file names these columns: {', '.join(REQUIRED_COLUMNS)}."
        )
    return {name: found[name] for name in REQUIRED_COLUMNS}


class Writer:
    """Kept rows, written BATCH at a time; employers created as they are first seen."""

    def __init__(self, lca_file: LcaFile):
        self.file = lca_file
        self.batch: dict[str, dict] = {}
        self.employers: dict[tuple[str, str], int] = {}
        self.counts = Counts()

    def employer_id(self, name: str, city: str, state: str) -> int:
        key = (normalise_name(name)[:200], normalise_state(state)[:50])
        if key not in self.employers:
            employer, _ = Employer.objects.get_or_create(
                normalised_name=key[0],
                state=key[1],
                defaults={"name": name[:200], "city": city[:100]},
            )
            self.employers[key] = employer.pk
        return self.employers[key]

    def add(self, case_number: str, fields: dict) -> None:
        self.batch[case_number] = fields
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        existing = {
            number: (pk, file_date)
            for number, pk, file_date in LcaCase.objects.filter(
                case_number__in=list(self.batch)
            ).values_list("case_number", "pk", "file_date")
        }
        new, replaced = [], []
        for number, fields in self.batch.items():
            case = LcaCase(
                case_number=number, file=self.file, file_date=self.file.file_date, **fields
            )
            if number not in existing:
                new.append(case)
            elif existing[number][1] <= self.file.file_date:  # an older file never wins
                case.pk = existing[number][0]
                replaced.append(case)
        LcaCase.objects.bulk_create(new, batch_size=500)
        LcaCase.objects.bulk_update(
            replaced,
            ["employer", "status", "certified", "fiscal_year", "begin_date", "job_title",
             "soc_code", "worksite_state", "file", "file_date"],
            batch_size=500,
        )  # fmt: skip
        self.counts.cases_new += len(new)
        self.batch = {}


def stream(lca_file: LcaFile, path: Path) -> Counts:
    """Read the file and write its kept cases (call inside a transaction)."""
    rows = rows_of(path)
    header = next(rows, None)
    if header is None:
        raise ImportFailed("The workbook's first sheet is empty: no header row.")
    at = header_positions(header)
    writer = Writer(lca_file)
    counts = writer.counts
    for number, row in enumerate(rows, 2):
        counts.rows_read += 1
        if counts.rows_read > MAX_ROWS:
            raise ImportFailed(f"The file has more than {MAX_ROWS:,} rows. Nothing was imported.")

        def cell(name, row=row):
            position = at[name]
            return row[position] if position < len(row) else None

        if text(cell("VISA_CLASS"), 20).upper() != H1B:
            continue
        if not is_physician_soc(cell("SOC_CODE")):
            continue
        title = text(cell("JOB_TITLE"), 200)
        if not is_trainee_title(title):
            continue
        case_number = text(cell("CASE_NUMBER"), 100)
        if not case_number or len(case_number) > 40:
            raise ImportFailed(
                f"Row {number:,} has {'no' if not case_number else 'an over-long'} CASE_NUMBER "
                f"({shorten(case_number, 50)!r}). Nothing was imported."
            )
        begin = as_date(cell("BEGIN_DATE"))
        if begin is None:
            raise ImportFailed(
                f"Row {number:,} ({case_number}) has no readable BEGIN_DATE "
                f"({shorten(text(cell('BEGIN_DATE'), 60), 30)!r}). Nothing was imported."
            )
        name = text(cell("EMPLOYER_NAME"), 200)
        if not normalise_name(name):
            raise ImportFailed(
                f"Row {number:,} ({case_number}) has no EMPLOYER_NAME. Nothing was imported."
            )
        status = text(cell("CASE_STATUS"), 40)
        certified = status.casefold() == CERTIFIED
        counts.rows_kept += 1
        counts.rows_certified += certified
        employer = writer.employer_id(
            name, text(cell("EMPLOYER_CITY"), 100), text(cell("EMPLOYER_STATE"), 50)
        )
        writer.add(
            case_number,
            {
                "employer_id": employer,
                "status": status,
                "certified": certified,
                "fiscal_year": federal_fiscal_year(begin),
                "begin_date": begin,
                "job_title": title,
                "soc_code": text(cell("SOC_CODE"), 20),
                "worksite_state": normalise_state(text(cell("WORKSITE_STATE"), 50))[:50],
            },
        )
    writer.flush()
    return counts


def recount() -> None:
    """EmployerYear from every stored case (one GROUP BY; at most employers x years rows)."""
    EmployerYear.objects.all().delete()
    totals = (
        LcaCase.objects.order_by()
        .values("employer_id", "fiscal_year")
        .annotate(kept=Count("pk"), certified=Count("pk", filter=Q(certified=True)))
    )
    EmployerYear.objects.bulk_create((EmployerYear(**row) for row in totals), batch_size=1000)


def peak_rss_kb() -> int:
    """This process's peak resident set size so far (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run(file_id: int, path: Path | str | None = None) -> LcaFile:
    """Import LcaFile `file_id` from `path` (default: where its upload was stored). Only a
    queued file is taken (a second run of the same task does nothing); the record ends as
    done or failed, with the reason for the curator."""
    taken = LcaFile.objects.filter(pk=file_id, status=FileStatus.QUEUED).update(
        status=FileStatus.RUNNING, started_at=timezone.now()
    )
    lca_file = LcaFile.objects.get(pk=file_id)
    if not taken:
        return lca_file
    source = Path(path or lca_file.stored_path)
    try:
        if not source.is_file():
            raise ImportFailed("The stored file is missing: upload it again.")
        lca_file.size_bytes = source.stat().st_size
        check_workbook(source)
        with transaction.atomic():
            counts = stream(lca_file, source)
            recount()
            lca_file.status = FileStatus.DONE
            lca_file.error = ""
            for name, value in vars(counts).items():
                setattr(lca_file, name, value)
            finish(lca_file)
    except ImportFailed as error:
        fail(lca_file, str(error))
    except Exception:
        logger.exception("LCA import of file %s failed", file_id)
        fail(lca_file, "The import stopped on an unexpected error (logged). Nothing was imported.")
        raise
    finally:
        discard_upload(lca_file)
    return lca_file


def finish(lca_file: LcaFile) -> None:
    lca_file.finished_at = timezone.now()
    lca_file.peak_memory_kb = peak_rss_kb()
    lca_file.save()


def fail(lca_file: LcaFile, message: str) -> None:
    lca_file.status = FileStatus.FAILED
    lca_file.error = message
    lca_file.rows_read = lca_file.rows_kept = lca_file.rows_certified = lca_file.cases_new = 0
    finish(lca_file)


def upload_dir() -> Path:
    return Path(settings.LCA_UPLOAD_DIR)


def discard_upload(lca_file: LcaFile) -> None:
    """Delete a stored upload once its import ended (only files in LCA_UPLOAD_DIR)."""
    if not lca_file.stored_path:
        return
    stored = Path(lca_file.stored_path)
    if stored.parent.resolve() == upload_dir().resolve():
        stored.unlink(missing_ok=True)
    LcaFile.objects.filter(pk=lca_file.pk).update(stored_path="")
    lca_file.stored_path = ""


def store_upload(upload) -> Path:
    """Write an uploaded file (Django's UploadedFile) into LCA_UPLOAD_DIR, chunk by chunk,
    under a random name; the caller records the path."""
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{os.urandom(12).hex()}.xlsx"
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return target
