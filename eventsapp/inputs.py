"""Input rules every area shares: safe text, and dates in a range every page and feed can show.

Pure functions giving the user's message (or raising ValueError with it), so that
forms, the JSON API, services and the seed apply one rule in the same words.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta

# Explicit direction overrides and isolates (U+202A–U+202E, U+2066–U+2069) can make
# "exe.pdf" read as "fdp.exe"; the line and paragraph separators break lines like CR/LF.
FORBIDDEN_FORMAT = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A),
                                              0x2028, 0x2029))
# What a multi-line field (a description, a narrative) may hold besides printable text.
LINE_BREAKS = frozenset("\n\r\t")

# Every date taken from a person: event days, agenda items, registration windows.
# Outside this range an instant can overflow when moved to UTC or to the event's zone
# (year 1 at +14:00, year 9999 at -14:00), and a stored one would break every page and
# feed that shows it; no meeting of the group falls outside it.
# JSON bodies nest no deeper than this (request_guard.py); the API documents it.
MAX_JSON_DEPTH = 32
EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2200, 12, 31)


def check_text(value: str, label: str, *, multiline: bool = False) -> None:
    """Refuse control characters (NUL, ESC, …), lone surrogates and bidi overrides.

    Line breaks and tabs are refused too unless `multiline`.

    :raises ValueError: with the user's message, naming `label`.
    """
    allowed = LINE_BREAKS if multiline else frozenset()
    for ch in value:
        if ch in allowed:
            continue
        if ch in FORBIDDEN_FORMAT or unicodedata.category(ch) in ("Cc", "Cs"):
            if multiline:
                raise ValueError(f"{label} must not contain control characters.")
            raise ValueError(f"{label} must not contain line breaks or control characters.")


def date_out_of_range(value: date | datetime) -> str | None:
    """The user's message if `value` falls outside EARLIEST_DATE…LATEST_DATE, else None.

    For what a person typed. An aware datetime is judged by its own wall-clock
    date, before any conversion (which is what would overflow).
    """
    day = value.date() if isinstance(value, datetime) else value
    return None if EARLIEST_DATE <= day <= LATEST_DATE else _RANGE_MESSAGE


def instant_out_of_range(value: datetime) -> str | None:
    """The same check for an instant the services hold, usually in UTC.

    A local time inside the range can be up to 14 hours away in UTC (1970-01-01
    00:00 at +14:00 is 1969 in UTC), so a day either side is allowed; what people
    type is checked exactly, before conversion, by `date_out_of_range`.
    """
    if EARLIEST_DATE - _UTC_MARGIN <= value.date() <= LATEST_DATE + _UTC_MARGIN:
        return None
    return _RANGE_MESSAGE


def check_date(value: date | datetime) -> None:
    """:raises ValueError: `value` is outside EARLIEST_DATE…LATEST_DATE."""
    message = date_out_of_range(value)
    if message:
        raise ValueError(message)


_RANGE_MESSAGE = (f"Enter a date between {EARLIEST_DATE.isoformat()} and "
                  f"{LATEST_DATE.isoformat()}.")
_UTC_MARGIN = timedelta(days=1)
