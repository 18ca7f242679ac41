"""Cells that spreadsheet programs show as text, never run as formulas (RELIABILITY S15,
issue 20).

Spreadsheets run a cell starting with = + - @ (or TAB, CR, LF, NUL, or spaces before one
of those) as a formula, so such text gets an apostrophe in front (OWASP ASVS 5.0 V1.2.10).
A CSV file is also opened with other list separators than ours: where `;` is the
separator (much of Europe), "Ann;=HYPERLINK(A1);x", one harmless cell for us, becomes three
cells, the second a formula. So the value is split at every separator a program may use
(`,` `;` TAB, and line breaks), and each piece that could start a formula gets its own
apostrophe: "Ann;'=HYPERLINK(A1);x" is inert however it is split. defusedcsv checks only
the first character, hence our own. Every CSV and XLSX export goes through `escape_cell`.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
# Where a spreadsheet may start a new cell (or row) when it reads a CSV file.
SEPARATOR_RE = re.compile(r"([,;\t\r\n])")


def _starts_formula(text: str) -> bool:
    return text.startswith(FORMULA_START) or text.lstrip(" \t").startswith(FORMULA_START)


def escape_cell(value):
    """Text that a spreadsheet would run as a formula, made inert; other values unchanged.

    The whole value, and every piece between separators (`,` `;` TAB CR LF), gets an
    apostrophe in front when it could start a formula.
    """
    if not isinstance(value, str):
        return value
    pieces = SEPARATOR_RE.split(value)  # text, separator, text, separator, ...
    for i in range(2, len(pieces), 2):
        if _starts_formula(pieces[i]):
            pieces[i] = "'" + pieces[i]
    escaped = "".join(pieces)
    return "'" + escaped if _starts_formula(value) else escaped
