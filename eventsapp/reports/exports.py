"""CSV and XLSX exports of an event's counts and participants; every text cell is escaped
against formula injection (`spreadsheet.escape_cell`). Numbers stay numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

from ..reference import ECONOMIES
from ..spreadsheet import escape_cell
from .participants import ParticipantList
from .queries import EventSummary

#: `count` is registrations (confirmed) for the breakdowns; `attended`, for them, the people
#: checked in on at least one day (empty where it does not apply).
COUNT_HEADER = ("section", "key", "label", "count", "attended")
PARTICIPANT_HEADER = ("group", "name", "native_name", "job_title", "organisation", "economy",
                      "category", "sector", "head_of_delegation", "email", "consent_to_list")


def count_rows(summary: EventSummary) -> list[tuple]:
    """One row per figure of the summary, in the order of the page."""
    capacity = "" if summary.capacity is None else summary.capacity
    rows: list[tuple] = [
        ("registrations", "capacity", "Capacity", capacity, ""),
        ("registrations", "confirmed", "Registered (confirmed)", summary.confirmed, ""),
        ("registrations", "waitlisted", "Waiting list", summary.waitlisted, ""),
        ("registrations", "cancelled", "Cancelled", summary.cancelled, ""),
        ("registrations", "economies_represented", "Economies represented",
         summary.economies_represented, summary.economies_attended),
    ]
    rows += [("attendance", d.day.isoformat(), d.day.isoformat(), d.count, "")
             for d in summary.attendance]
    rows.append(("attendance", "attended", "Checked in on at least one day", summary.attended,
                 ""))
    for section, counts in (("economy", summary.by_economy),
                            ("organisation", summary.organisations),
                            ("sector", summary.by_sector), ("category", summary.by_category)):
        rows += [(section, c.key, c.label, c.count, c.attended) for c in counts]
    return rows


def participant_rows(lop: ParticipantList) -> list[tuple]:
    return [
        (group.heading, p.name, p.native_name, p.job_title, p.organisation,
         ECONOMIES.get(p.economy or "", ""), p.category_label, p.sector_label,
         "yes" if p.is_head else "no", p.email, "yes" if p.consent_to_list else "no")
        for group in lop.groups for p in group.participants
    ]


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a BOM (so Excel reads the names right), CRLF line ends, every cell escaped."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([escape_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def summary_xlsx(summary: EventSummary, lop: ParticipantList) -> bytes:
    """A workbook with a Counts sheet and a Participants sheet."""
    wb = Workbook(write_only=True)
    for title, header, rows in (("Counts", COUNT_HEADER, count_rows(summary)),
                                ("Participants", PARTICIPANT_HEADER, participant_rows(lop))):
        ws = wb.create_sheet(title)
        ws.append(list(header))
        for row in rows:
            ws.append([_xlsx_value(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_value(value):
    value = escape_cell(value)
    if isinstance(value, str):
        # XML 1.0 cannot carry C0 controls; openpyxl raises IllegalCharacterError on them.
        value = "".join(c for c in value if c >= " " or c in "\t\n\r")
    return value
