"""Spreadsheet safety: every CSV the site writes, and every spreadsheet a person uploads.

Writing: a cell starting with one of FORMULA_STARTS is run as a formula (or a DDE payload) by
Excel and LibreOffice; prefixing it with an apostrophe makes it plain text.

Reading (`read_sheet`, used by every upload: the member's import of programs, the curators'
admin imports): an upload is untrusted. A .xlsx is a zip, and openpyxl unpacks whatever it
holds: a 400 KB file can hold a 400 MB cell or shared-strings table. So, in this order:
1. the upload's own size is bounded (`Limits.max_bytes`);
2. before openpyxl sees a workbook, every zip member's declared size and packing ratio are
   checked, then every member is unpacked in chunks and counted (headers can lie), stopping
   at `Limits.max_unpacked`;
3. openpyxl opens it `read_only` (rows are streamed, not loaded), and rows, columns, the
   characters of one cell and of the whole sheet are bounded while iterating;
4. any exception while opening or iterating (a malformed part, a shared-string index out of
   range, `<v>NaN</v>`) is the same answer: "not a readable .xlsx workbook".
Every refusal is an `UnreadableSheet` whose message is written for the person, to show next
to the file field, and never echoes a cell back whole (`shorten`).
"""

import csv
import datetime
import io
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import BinaryIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MB = 1024 * 1024


def escape_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unescape_formula(value):
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def shorten(text: str, limit: int = 60) -> str:
    """What a page may show of an uploaded value: at most `limit` characters."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Reading uploads ---------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 2 * MB  # the file as uploaded
    max_rows: int = 1000  # rows after the header row (blank rows count: numbers match)
    max_columns: int = 60
    max_cell_chars: int = 10_000  # one cell
    max_chars: int = 4_000_000  # all cells together
    max_unpacked: int = 24 * MB  # an .xlsx's members unpacked, together
    max_ratio: int = 100  # unpacked / packed, for a member above 1 MB unpacked
    max_members: int = 200  # parts in an .xlsx zip


class UnreadableSheet(Exception):
    """The file as a whole cannot be read; the message is for the person who sent it."""


NOT_XLSX = "The file is not a readable .xlsx workbook."


@dataclass
class Sheet:
    rows: list[list[str]]  # every row as text, the header row first
    formulas: dict[int, list[str]] = field(default_factory=dict)  # by row number (1 = header)
    delimiter: str = ""  # a CSV's cell separator, as found (`DELIMITERS`)
    bom: bool = False  # a CSV began with a UTF-8 byte-order mark (Excel's "CSV UTF-8")

    def described(self) -> str:
        """What was found, in words, for the import preview ('' for a workbook)."""
        if not self.delimiter:
            return ""
        mark = "with a UTF-8 byte-order mark" if self.bom else "no byte-order mark"
        return f"Read as UTF-8 text separated by {DELIMITERS[self.delimiter]}, {mark}."


# Excel saves CSV with the list separator of the computer's region: ',' in the US and UK,
# ';' where the comma is the decimal mark (most of Europe, Latin America, the Middle East).
DELIMITERS = {",": "commas (,)", ";": "semicolons (;)", "\t": "tabs"}


def find_delimiter(text: str) -> str:
    """The separator of a CSV: the candidate found most often in its first line (the header
    row, which holds no quoted commas in practice), outside quotes; ',' when none is."""
    line = text.split("\n", 1)[0]
    outside = "".join(line.split('"')[::2])  # drop what sits between quotes
    counts = {candidate: outside.count(candidate) for candidate in DELIMITERS}
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Counter:
    """Bounds rows, columns and characters while a sheet is read."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.chars = 0

    def row(self, number: int, cells: list[str]) -> None:
        limits = self.limits
        if number > limits.max_rows + 1:
            raise UnreadableSheet(
                f"The file has more than {limits.max_rows} rows; the limit is {limits.max_rows}."
            )
        used = len(cells)
        while used and not cells[used - 1]:
            used -= 1
        if used > limits.max_columns:
            raise UnreadableSheet(
                f"Row {number} has {used} columns; the limit is {limits.max_columns}."
            )
        for cell in cells:
            if len(cell) > limits.max_cell_chars:
                raise UnreadableSheet(
                    f"Row {number} has a cell of {len(cell):,} characters; the limit is "
                    f"{limits.max_cell_chars:,}."
                )
            self.chars += len(cell)
        if self.chars > limits.max_chars:
            raise UnreadableSheet(
                f"The file holds more than {limits.max_chars:,} characters; split it."
            )


def read_sheet(data: bytes, name: str, limits: Limits = Limits()) -> Sheet:
    """The rows of an uploaded .csv or .xlsx file (`name` tells which), within `limits`."""
    if len(data) > limits.max_bytes:
        raise UnreadableSheet(
            f"The file is {len(data) / MB:.1f} MB; the limit is {limits.max_bytes // MB} MB. "
            "Split it, or remove unused sheets and columns."
        )
    name = (name or "").lower()
    if name.endswith(".xlsx"):
        return read_xlsx(data, limits)
    if name.endswith(".csv"):
        return read_csv(data, limits)
    raise UnreadableSheet("Upload a .csv or .xlsx file.")


def read_csv(data: bytes | str, limits: Limits = Limits()) -> Sheet:
    bom = data.startswith(b"\xef\xbb\xbf" if isinstance(data, bytes) else "\ufeff")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UnreadableSheet(
                "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”."
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    if len(text) > limits.max_bytes:
        raise UnreadableSheet(f"The file is larger than {limits.max_bytes // MB} MB.")
    if "\x00" in text:
        raise UnreadableSheet("The file holds binary data: upload a .csv text file or an .xlsx.")
    delimiter = find_delimiter(text)
    sheet = Sheet(rows=[], delimiter=delimiter, bom=bom)
    counter = _Counter(limits)
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            counter.row(number, cells)
            sheet.rows.append(cells)
            found = [c for c in cells if c.strip().startswith("=")]
            if number > 1 and found:
                sheet.formulas[number] = found
    except csv.Error as error:
        raise UnreadableSheet(f"The CSV cannot be read: {shorten(error, 120)}.") from None
    return sheet


def check_zip(data: bytes | BinaryIO, limits: Limits = Limits()) -> None:
    """Refuse a zip whose members unpack past the limits, before anything parses it. `data`
    is the upload's bytes, or an open file of a large one kept on disk (lca/importer.py)."""
    too_big = (
        f"The workbook unpacks to more than {limits.max_unpacked // MB} MB; the limit is "
        f"{limits.max_unpacked // MB} MB. Save it again without unused sheets, or as CSV."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise UnreadableSheet(NOT_XLSX)
        if sum(member.file_size for member in members) > limits.max_unpacked:
            raise UnreadableSheet(too_big)
        for member in members:
            packed = max(member.compress_size, 1)
            if member.file_size > MB and member.file_size / packed > limits.max_ratio:
                raise UnreadableSheet(too_big)
        # The sizes above are what the zip declares; count what really comes out.
        unpacked = 0
        for member in members:
            with archive.open(member) as stream:
                while chunk := stream.read(256 * 1024):
                    unpacked += len(chunk)
                    if unpacked > limits.max_unpacked:
                        raise UnreadableSheet(too_big)
    except UnreadableSheet:
        raise
    except Exception:  # BadZipFile, a bad CRC, an unknown compression, a truncated stream...
        raise UnreadableSheet(NOT_XLSX) from None


def read_xlsx(data: bytes, limits: Limits = Limits()) -> Sheet:
    """The first sheet's rows; formula cells are reported, never evaluated."""
    from openpyxl import load_workbook

    check_zip(data, limits)
    sheet = Sheet(rows=[])
    counter = _Counter(limits)
    workbook = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            rows = workbook.worksheets[0].iter_rows(max_col=limits.max_columns + 1)
            for number, row in enumerate(rows, 1):
                cells = []
                for cell in row:
                    value = getattr(cell, "value", None)
                    if isinstance(value, str) and len(value) > limits.max_cell_chars:
                        counter.row(number, [value])  # refuses before converting it
                    # A formula is a cell of type "f"; a text cell that starts with "=" (the
                    # portal's own export writes such text with the quote prefix) is text.
                    if getattr(cell, "data_type", None) == "f":
                        sheet.formulas.setdefault(number, []).append(shorten(value, 100))
                    cells.append(cell_text(value))
                counter.row(number, cells)
                sheet.rows.append(cells)
    except UnreadableSheet:
        raise
    except Exception:  # whatever a malformed part makes openpyxl or its XML parser raise
        raise UnreadableSheet(NOT_XLSX) from None
    finally:
        if workbook is not None:
            workbook.close()
    return sheet
