"""How dates, times, zones and venues are written: pure functions of data.

The lowest layer beside `reference`: the rules' messages ("checked in for 4 August 2020")
and every renderer (pages, the API, PDFs, calendars, emails) write them the same way.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from .reference import ECONOMIES

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


class Dated(Protocol):
    start_date: date | None
    end_date: date | None
    tentative_month: str | None


def day_label(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def weekday_label(d: date) -> str:
    return f"{d.strftime('%A')} {day_label(d)}"


def date_label(event: Dated) -> str:
    """'10–11 February 2020', '4 August 2020', 'August 2020, dates to be confirmed'."""
    start, end = event.start_date, event.end_date or event.start_date
    if start is None:
        if event.tentative_month:
            year, month = map(int, event.tentative_month.split("-"))
            return f"{MONTHS[month - 1]} {year}, dates to be confirmed"
        return "Dates to be confirmed"
    if start == end:
        return day_label(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {MONTHS[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]} – {day_label(end)}"
    return f"{day_label(start)} – {day_label(end)}"


def venue_label(event) -> str:
    parts = [p for p in (event.venue_name, event.city) if p]
    if event.venue_economy:
        parts.append(ECONOMIES.get(event.venue_economy, event.venue_economy))
    return ", ".join(parts) if parts else "Venue to be confirmed"


def local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


def time_label(dt: datetime, tz: str) -> str:
    return local(dt, tz).strftime("%H:%M")


def utc_offset_label(tz: str, on: datetime | date | None = None) -> str:
    """'UTC+08:00' for the zone at a moment (offsets change with daylight saving)."""
    when = on if isinstance(on, datetime) else datetime.now(ZoneInfo(tz))
    offset = local(when, tz).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def agenda_by_day(items, tz: str) -> OrderedDict[date, list]:
    """Items grouped by their local start date, each day in time order."""
    days: OrderedDict[date, list] = OrderedDict()
    for item in sorted(items, key=lambda i: (i.starts_at, i.ends_at, i.id)):
        days.setdefault(local(item.starts_at, tz).date(), []).append(item)
    return days


def protocol_name(honorific: str, given: str, family: str, preferred: str = "") -> str:
    """A name as lists of participants write it: "H.E. Ms Olivia HARTLEY".

    The honorific first, then the given name and the family name in capitals (so that
    readers of every culture see which is the family name); a name the person wrote
    themselves for their badge (e.g. "LI Xiaolong", family name first) is kept as written.
    """
    name = preferred.strip() or f"{given} {family.upper()}".strip()
    return f"{honorific.strip()} {name}".strip()
