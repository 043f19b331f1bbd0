"""Write a synthetic LCA disclosure file (.xlsx) in the real column layout, for measuring
the import (docs/performance.md, "LCA import"). Nothing in it is real: employers are
"Synthetic Hospital N", case numbers "I-200-SYN-N".

    manage.py lca_synthetic /tmp/lca-600k.xlsx --rows 600000

About 1 row in 50 is a physician resident or fellow H-1B case (most certified); the rest
are other occupations, visa classes, statuses and titles, as in a real file. Written with
openpyxl's write-only mode (rows are not kept in memory).
"""

import datetime
import random

from django.core.management.base import BaseCommand

# The columns of the FY2020+ LCA disclosure files that the importer reads, with others
# around them in the published order (a subset of the real files' columns).
COLUMNS = [
    "CASE_NUMBER", "CASE_STATUS", "RECEIVED_DATE", "DECISION_DATE", "ORIGINAL_CERT_DATE",
    "VISA_CLASS", "JOB_TITLE", "SOC_CODE", "SOC_TITLE", "FULL_TIME_POSITION", "BEGIN_DATE",
    "END_DATE", "TOTAL_WORKER_POSITIONS", "NEW_EMPLOYMENT", "EMPLOYER_NAME",
    "TRADE_NAME_DBA", "EMPLOYER_ADDRESS1", "EMPLOYER_CITY", "EMPLOYER_STATE",
    "EMPLOYER_POSTAL_CODE", "NAICS_CODE", "WORKSITE_CITY", "WORKSITE_STATE",
    "WORKSITE_POSTAL_CODE", "WAGE_RATE_OF_PAY_FROM", "WAGE_UNIT_OF_PAY", "PREVAILING_WAGE",
]  # fmt: skip
STATES = ["NY", "CA", "TX", "MI", "IL", "PA", "OH", "FL", "MA", "NJ"]
PHYSICIAN = [("29-1216.00", "General Internal Medicine Physicians"),
             ("29-1221.00", "Pediatricians, General"), ("29-1229.00", "Physicians, All Other"),
             ("29-1069.00", "Physicians and Surgeons, All Other")]  # fmt: skip
OTHER = [("15-1252.00", "Software Developers"), ("15-2051.00", "Data Scientists"),
         ("25-1071.00", "Health Specialties Teachers, Postsecondary"),
         ("29-1141.00", "Registered Nurses")]  # fmt: skip
TRAINEE = ["Resident Physician", "Internal Medicine Resident", "PGY-1", "Clinical Fellow",
           "Fellow - Cardiology", "Medical Resident (PGY2)"]  # fmt: skip
ATTENDING = ["Hospitalist", "Attending Physician", "Staff Physician"]


def synthetic_row(n: int, rng: random.Random) -> list:
    physician = rng.random() < 0.03
    soc, soc_title = rng.choice(PHYSICIAN if physician else OTHER)
    title = rng.choice(TRAINEE if physician and rng.random() < 0.7 else ATTENDING)
    if not physician:
        title = soc_title.rstrip("s")
    status = rng.choices(
        ["Certified", "Certified - Withdrawn", "Withdrawn", "Denied"], [90, 5, 4, 1]
    )[0]
    visa = rng.choices(["H-1B", "E-3 Australian", "H-1B1 Chile", "H-1B1 Singapore"],
                       [96, 2, 1, 1])[0]  # fmt: skip
    employer = rng.randrange(2000)
    state = STATES[employer % len(STATES)]
    begin = datetime.date(2024, 10, 1) + datetime.timedelta(days=rng.randrange(365))
    received = begin - datetime.timedelta(days=rng.randrange(30, 180))
    decided = received + datetime.timedelta(days=7)
    return [
        f"I-200-SYN-{n:08d}", status, received, decided, decided if "Certified" in status
        else None, visa, title, soc, soc_title, "Y", begin, begin.replace(year=begin.year + 3),
        1, 1, f"Synthetic Hospital {employer}, Inc.", "", f"{employer} Example Street",
        f"City {employer % 97}", state, f"{10000 + employer:05d}", 622110,
        f"City {employer % 97}", state, f"{10000 + employer:05d}", 65000.0, "Year", 64000.0,
    ]  # fmt: skip


class Command(BaseCommand):
    help = "Write a synthetic LCA disclosure file (.xlsx) for measuring the import."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--rows", type=int, default=600_000)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument(
            "--shared-strings",
            action="store_true",
            help="Keep text in a shared-strings table, as Excel does (openpyxl's write-only "
            "mode writes each text inline); dates are then plain serial numbers.",
        )

    def handle(self, *args, path, rows, seed, shared_strings, verbosity, **options):
        if shared_strings:
            write_synthetic_shared(path, rows, seed)
        else:
            write_synthetic(path, rows, seed)
        if verbosity:
            self.stdout.write(f"Wrote {rows:,} rows to {path}.")


def write_synthetic(path, rows: int, seed: int = 2025) -> None:
    from openpyxl import Workbook

    rng = random.Random(seed)  # nosec B311: reproducible synthetic rows, not a secret
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(COLUMNS)
    for n in range(1, rows + 1):
        sheet.append(synthetic_row(n, rng))
    workbook.save(path)


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{TYPE}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{TYPE}.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC}">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
}


def write_synthetic_shared(path, rows: int, seed: int = 2025) -> None:
    """The same rows, written part by part with zipfile: the sheet refers to a table of
    every distinct text (sharedStrings.xml), which openpyxl loads whole when reading."""
    import zipfile
    from xml.sax.saxutils import escape  # nosec B406: escapes text we write, parses nothing

    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import to_excel

    rng = random.Random(seed)  # nosec B311: reproducible synthetic rows, not a secret
    strings: dict[str, int] = {}
    letters = [get_column_letter(n) for n in range(1, len(COLUMNS) + 1)]

    def cells(number: int, values: list) -> str:
        out = []
        for letter, value in zip(letters, values, strict=True):
            if value is None or value == "":
                continue
            if isinstance(value, datetime.date):
                out.append(f'<c r="{letter}{number}"><v>{int(to_excel(value))}</v></c>')
            elif isinstance(value, int | float):
                out.append(f'<c r="{letter}{number}"><v>{value}</v></c>')
            else:
                index = strings.setdefault(str(value), len(strings))
                out.append(f'<c r="{letter}{number}" t="s"><v>{index}</v></c>')
        return f'<row r="{number}">{"".join(out)}</row>'

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in PARTS.items():
            archive.writestr(name, part)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            sheet.write(cells(1, COLUMNS).encode())
            for n in range(1, rows + 1):
                sheet.write(cells(n + 1, synthetic_row(n, rng)).encode())
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as table:
            table.write(
                b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns='
                b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            for text in strings:  # in insertion order: index order
                table.write(f"<si><t>{escape(text)}</t></si>".encode())
            table.write(b"</sst>")
