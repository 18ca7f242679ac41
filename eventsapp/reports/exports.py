"""CSV and XLSX exports of an event's counts and participants; every text cell is escaped
against formula injection (`spreadsheet.escape_cell`). Numbers stay numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

from ..models import Question, Registration
from ..questions.services import ChoiceCount, export_cells, export_header
from ..reference import ECONOMIES
from ..spreadsheet import escape_cell
from .participants import ParticipantList
from .queries import EventSummary

#: `count` is registrations (confirmed) for the breakdowns; `attended`, for them, the people
#: checked in on at least one day (empty where it does not apply).
COUNT_HEADER = ("section", "key", "label", "count", "attended")
PARTICIPANT_HEADER = ("group", "name", "native_name", "job_title", "organisation", "economy",
                      "category", "sector", "head_of_delegation", "email", "consent_to_list",
                      "participation")
PARTICIPATION_WORDS = {"in_person": "in person", "online": "online"}


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
    if summary.has_online:
        # As the summary page and PDF say it: per mode, registered and attended.
        rows += [
            ("participation", "in_person", "In person", summary.confirmed_in_person,
             summary.attended),
            ("participation", "online", "Online", summary.confirmed_online,
             summary.attended_online),
            ("participation", "online_minutes", "Minutes attended online",
             summary.online_minutes, ""),
        ]
    for section, counts in (("economy", summary.by_economy),
                            ("organisation", summary.organisations),
                            ("sector", summary.by_sector), ("category", summary.by_category)):
        rows += [(section, c.key, c.label, c.count, c.attended) for c in counts]
    return rows


def participant_rows(lop: ParticipantList) -> list[tuple]:
    return [
        (group.heading, p.name, p.native_name, p.job_title, p.organisation,
         ECONOMIES.get(p.economy or "", ""), p.category_label, p.sector_label,
         "yes" if p.is_head else "no", p.email, "yes" if p.consent_to_list else "no",
         PARTICIPATION_WORDS.get(p.participation, p.participation))
        for group in lop.groups for p in group.participants
    ]


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a BOM (so Excel reads the names right), CRLF line ends, every cell escaped."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([escape_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def answer_count_rows(counts: list[ChoiceCount]) -> list[tuple]:
    """The summary's rows for the choice questions: ("answers", "q<id>", "label: answer", n),
    then "label: No answer" and each text typed under Other ("label: Other: No pork")."""
    rows = []
    for c in counts:
        key, label = f"q{c.question.id}", c.question.label
        rows += [("answers", key, f"{label}: {answer}", n, "") for answer, n in c.counts]
        if c.unanswered is not None:
            rows.append(("answers", key, f"{label}: No answer", c.unanswered, ""))
        rows += [("answers", key, f"{label}: Other: {text}", n, "") for text, n in c.others]
    return rows


ANSWER_FIXED = ("id", "status", "given_name", "family_name", "economy", "category")


def answer_sheet(registrations: list[Registration], questions: list[Question],
                 answers: dict[int, dict[int, str]]) -> tuple[list[str], list[tuple]]:
    """(header, rows) of the Answers sheet: one column per question, removed ones marked."""
    header = [*ANSWER_FIXED, *export_header(questions)]
    rows = [(r.id, r.status, r.given_name, r.family_name, ECONOMIES.get(r.economy or "", ""),
             r.category, *export_cells(questions, answers.get(r.id, {})))
            for r in registrations]
    return header, rows


def summary_xlsx(summary: EventSummary, lop: ParticipantList, *,
                 answers: tuple[list[str], list[tuple]] | None = None,
                 answer_counts: list[tuple] = ()) -> bytes:
    """A workbook with a Counts sheet, a Participants sheet and, given `answers`, an
    Answers sheet (one column per question)."""
    wb = Workbook(write_only=True)
    sheets = [("Counts", COUNT_HEADER, count_rows(summary) + list(answer_counts)),
              ("Participants", PARTICIPANT_HEADER, participant_rows(lop))]
    if answers is not None:
        sheets.append(("Answers", answers[0], answers[1]))
    for title, header, rows in sheets:
        ws = wb.create_sheet(title)
        ws.append([_xlsx_value(h) for h in header])
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
