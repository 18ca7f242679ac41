"""The registrations CSV: a pure function of rows, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from ..models import Question, Registration
from ..questions.services import export_cells, export_header
from ..reference import CATEGORIES, ECONOMIES, SECTORS
from ..spreadsheet import escape_cell

COLUMNS = ("Id", "Status", "Waiting list position", "Given name", "Family name",
           "Name on badge", "Native name", "Email", "Economy", "Organisation", "Job title",
           "Sector", "Category", "Taking part", "Dietary", "Accessibility", "Registered at",
           "Cancelled at")


def registrations_csv(registrations: list[Registration], positions: dict[int, int],
                      tz: str, *, questions: list[Question] = (),
                      answers: dict[int, dict[int, str]] | None = None) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read non-Latin names right.

    After the fixed columns, one per question (`questions`, removed ones marked
    "(removed)"), from `answers` ({registration id: {question id: stored value}}).
    """
    answers = answers or {}
    zone = ZoneInfo(tz)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    # The times are at the venue: the headings say in which zone.
    writer.writerow([*COLUMNS[:-2], *(f"{c} ({tz} time)" for c in COLUMNS[-2:]),
                     *(escape_cell(h) for h in export_header(list(questions)))])
    for r in registrations:
        row = (r.id, r.status, positions.get(r.id, ""), r.given_name, r.family_name,
               r.badge_name, r.native_name, r.email, ECONOMIES.get(r.economy or "", ""),
               r.organisation, r.job_title, SECTORS.get(r.sector, r.sector),
               CATEGORIES.get(r.category, r.category),
               "Online" if r.participation == "online" else "In person",
               r.dietary, r.accessibility, _when(r.created_at, zone), _when(r.cancelled_at, zone),
               *export_cells(list(questions), answers.get(r.id, {})))
        writer.writerow([v if isinstance(v, int) else escape_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _when(dt, zone: ZoneInfo) -> str:
    return dt.astimezone(zone).strftime("%Y-%m-%d %H:%M") if dt else ""
