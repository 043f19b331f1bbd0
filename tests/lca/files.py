"""Small LCA disclosure files for the tests, written with openpyxl in the real column
layout (lca/management/commands/lca_synthetic.py: COLUMNS). Nothing in them is real."""

import datetime
import io

from lca.management.commands.lca_synthetic import COLUMNS


def case(number: str, **fields) -> dict:
    """One row: a certified H-1B internal-medicine resident at Example Medical Center, NY,
    starting 1 July 2025, unless fields say otherwise."""
    return {
        "CASE_NUMBER": number,
        "CASE_STATUS": "Certified",
        "VISA_CLASS": "H-1B",
        "JOB_TITLE": "Internal Medicine Resident",
        "SOC_CODE": "29-1216.00",
        "SOC_TITLE": "General Internal Medicine Physicians",
        "EMPLOYER_NAME": "Example Medical Center, Inc.",
        "EMPLOYER_CITY": "Albany",
        "EMPLOYER_STATE": "NY",
        "BEGIN_DATE": datetime.datetime(2025, 7, 1),
        "WORKSITE_STATE": "NY",
        **fields,
    }


def workbook(rows: list[dict], columns: list[str] = COLUMNS) -> bytes:
    """An .xlsx whose first row is `columns` (as written: case and spaces kept) and whose
    rows give each column's value by its upper-cased, stripped name."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column.strip().upper()) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(tmp_path, name: str, rows: list[dict], columns: list[str] = COLUMNS):
    path = tmp_path / name
    path.write_bytes(workbook(rows, columns))
    return path
