"""Cells that spreadsheet programs show as text, never run as formulas (RELIABILITY S15).

Spreadsheets run a cell starting with = + - @ (or TAB, CR, LF, NUL, or spaces
before one of those) as a formula, so such text gets an apostrophe in front
(OWASP ASVS 5.0 V1.2.10). defusedcsv misses the TAB and NUL cases, hence our own.
Every CSV and XLSX export goes through `escape_cell`.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")


def escape_cell(value):
    """Text that a spreadsheet would run as a formula, made inert; other values unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START) or value.lstrip(" \t").startswith(FORMULA_START):
        return "'" + value
    return value
