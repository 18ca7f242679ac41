"""Document numbers: an event's scheme, e.g. `{year}/{event_code}/{seq:03d}` → 2020/CTWG15/005.

APEC numbers meeting documents year/meeting/number; a revision keeps the number and is
called rev1, rev2. The scheme is a str.format template restricted to four fields, so
an organiser's scheme can neither reach attributes (`{seq.__class__}`) nor produce
characters that break a file name or a CSV cell.
"""

from __future__ import annotations

import re
import string

from ..models import DEFAULT_NUMBER_SCHEME, Event, utcnow

FIELDS = {"year": "the event's year", "event_code": "the event code, e.g. CTWG15",
          "group": "the group's abbreviation, e.g. CTWG", "seq": "the running number"}
SEQ_SPEC = re.compile(r"0?[1-6]?d?")
LITERAL = re.compile(r"[A-Za-z0-9 ._/()#-]*")
EVENT_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,39}")
MAX_NUMBER = 80


def check_scheme(scheme: str) -> list[str]:
    """Messages for what is wrong with a numbering scheme; empty when it is usable."""
    problems = []
    try:
        parts = list(string.Formatter().parse(scheme))
    except ValueError:
        return ["The scheme has an unmatched { or }."]
    seen = set()
    for literal, field, spec, conversion in parts:
        if not LITERAL.fullmatch(literal):
            problems.append("Outside the {fields}, use only letters, digits, spaces and "
                            ". _ / ( ) # -")
        if field is None:
            continue
        if field not in FIELDS:
            problems.append(f"{{{field}}} is not a field; use "
                            + ", ".join(f"{{{f}}}" for f in FIELDS) + ".")
            continue
        seen.add(field)
        if conversion or (spec and field != "seq") or (field == "seq"
                                                       and not SEQ_SPEC.fullmatch(spec or "")):
            problems.append(f"{{{field}}} takes no format here, except {{seq:03d}} "
                            "(digits, zero-padded).")
    if "seq" not in seen:
        problems.append("The scheme must contain {seq}, or documents would share a number.")
    if len(scheme) > 100:
        problems.append("Keep the scheme under 100 characters.")
    return list(dict.fromkeys(problems))


def default_event_code(event: Event) -> str:
    """'CTWG15' from the short title 'CTWG 15' (or the slug)."""
    source = event.short_title or event.slug
    return re.sub(r"[^A-Za-z0-9]", "", source).upper()[:40] or "EVENT"


def event_year(event: Event) -> int:
    if event.start_date is not None:
        return event.start_date.year
    if event.tentative_month:
        return int(event.tentative_month[:4])
    if event.work_plan is not None:
        return event.work_plan.year
    return utcnow().year


def format_number(scheme: str | None, event: Event, event_code: str | None, seq: int) -> str:
    """The number of document `seq` of `event` (the scheme checked by `check_scheme`)."""
    group = event.work_plan.group_abbr if event.work_plan is not None else ""
    return (scheme or DEFAULT_NUMBER_SCHEME).format(
        year=event_year(event), event_code=event_code or default_event_code(event),
        group=group, seq=seq).strip()[:MAX_NUMBER]
