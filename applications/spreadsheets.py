"""Spreadsheet import and export of a member's programs and applications.

Cells a spreadsheet would run as a formula are prefixed with an apostrophe on export.
(The same rule as resources/spreadsheets.py; repeated here because applications must
not import resources: the lead may move both to one shared module.)
"""

# A cell starting with one of these is a formula (or a DDE payload) in Excel/LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
