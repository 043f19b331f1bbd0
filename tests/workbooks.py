"""Hand-made .xlsx files for upload tests: a minimal valid workbook, malformed ones, and
decompression bombs, built with zipfile (nothing is stored in the repository).

`workbook(...)` gives the bytes of a one-sheet workbook; each keyword replaces one part.
A bomb's big part is written in chunks, so building one costs little memory.
"""

import io
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_CLOSE = "</sheetData></worksheet>"
STRINGS_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
STRINGS_CLOSE = "</sst>"

# Row 1: the two required columns; row 2: a program (shared strings 0-3).
SHEET = (
    SHEET_OPEN + '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>' + SHEET_CLOSE
)
STRINGS = (
    STRINGS_OPEN + "<si><t>program_name</t></si><si><t>specialty</t></si>"
    "<si><t>Hand Made Hospital</t></si><si><t>Pediatrics</t></si>" + STRINGS_CLOSE
)


def workbook(*, sheet=SHEET, strings=STRINGS, workbook_xml=WORKBOOK) -> bytes:
    """A one-sheet workbook; a part given as a callable writes itself to a stream."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook_xml,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": strings,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, part in parts.items():
            if callable(part):
                with archive.open(name, "w", force_zip64=True) as stream:
                    part(stream)
            else:
                archive.writestr(name, part)
    return out.getvalue()


def repeated(head: str, filler: str, count: int, tail: str):
    """A part writer: head, `filler` `count` times (in 1 MB chunks), tail."""

    def write(stream):
        stream.write(head.encode())
        chunk = filler * max(1, (1024 * 1024) // len(filler))
        left = count
        while left > 0:
            piece = chunk[: left * len(filler)]
            stream.write(piece.encode())
            left -= len(piece) // len(filler)
        stream.write(tail.encode())

    return write


def one_cell_bomb(megabytes: int) -> bytes:
    """A header row, then one inline-string cell that unpacks to `megabytes` MB."""
    head = (
        SHEET_OPEN + '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>'
    )
    tail = "</t></is></c></row>" + SHEET_CLOSE
    return workbook(sheet=repeated(head, "A", megabytes * 1024 * 1024, tail))


def shared_strings_bomb(megabytes: int) -> bytes:
    """A shared-strings table of `megabytes` MB (the sheet uses only its first strings)."""
    item = "<si><t>" + "B" * 1000 + "</t></si>"
    count = megabytes * 1024 * 1024 // len(item)
    head = STRINGS_OPEN + "<si><t>program_name</t></si><si><t>specialty</t></si>"
    return workbook(strings=repeated(head, item, count, STRINGS_CLOSE))


# The malformed workbooks of the 2026-12-05 probe (issue 20, item 3).
MALFORMED = {
    "empty sheet1.xml": lambda: workbook(sheet=""),
    "unclosed sheet1.xml": lambda: workbook(sheet=SHEET_OPEN + '<row r="1"><c r="A1" t="s"><v>0'),
    "workbook.xml with <<<": lambda: workbook(workbook_xml="<<<"),
    "shared-string index out of range": lambda: workbook(
        sheet=SHEET_OPEN + '<row r="1"><c r="A1" t="s"><v>999</v></c></row>' + SHEET_CLOSE
    ),
    "numeric cell NaN": lambda: workbook(
        sheet=SHEET.replace('<c r="B2" t="s"><v>3</v></c>', '<c r="B2"><v>NaN</v></c>')
    ),
}
