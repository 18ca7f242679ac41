"""The registrations CSV: a pure function of rows, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from ..models import Registration
from ..reference import CATEGORIES, ECONOMIES, SECTORS

# Spreadsheets run a cell starting with one of these as a formula (ASVS 5.0 V1.2.10);
# a leading space or tab before one is skipped by some of them, so that is caught too.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")

COLUMNS = ("Id", "Status", "Waiting list position", "Given name", "Family name",
           "Name on badge", "Native name", "Email", "Economy", "Organisation", "Job title",
           "Sector", "Category", "Dietary", "Accessibility", "Registered at", "Cancelled at")


def escape_cell(value: object) -> str:
    """Text a spreadsheet shows as text: a leading formula character gets a "'" prefix."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) or text.lstrip(" \t").startswith(FORMULA_START):
        return "'" + text
    return text


def registrations_csv(registrations: list[Registration], positions: dict[int, int],
                      tz: str) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read non-Latin names right."""
    zone = ZoneInfo(tz)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in registrations:
        row = (r.id, r.status, positions.get(r.id, ""), r.given_name, r.family_name,
               r.badge_name, r.native_name, r.email, ECONOMIES.get(r.economy or "", ""),
               r.organisation, r.job_title, SECTORS.get(r.sector, r.sector),
               CATEGORIES.get(r.category, r.category),
               r.dietary, r.accessibility, _when(r.created_at, zone), _when(r.cancelled_at, zone))
        writer.writerow([v if isinstance(v, int) else escape_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _when(dt, zone: ZoneInfo) -> str:
    return dt.astimezone(zone).strftime("%Y-%m-%d %H:%M") if dt else ""
