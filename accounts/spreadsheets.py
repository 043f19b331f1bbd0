"""Spreadsheet safety for every CSV the site writes (curators' exports, members' data export).

A cell starting with one of FORMULA_STARTS is run as a formula (or a DDE payload) by Excel
and LibreOffice; prefixing it with an apostrophe makes it plain text.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unescape_formula(value):
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
