"""How dates, times, zones and venues are written: pure functions of data.

The lowest layer beside `reference`: the rules' messages ("checked in for 4 August 2020")
and every renderer (pages, the API, PDFs, calendars, emails) write them the same way.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from .reference import ECONOMIES
from .zones import day_offset, day_offsets, offset_label

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


def end_time_label(start: datetime, end: datetime, tz: str) -> str:
    """The end of an item as read on its day: '10:00', '24:00' (midnight after its day),
    '01:00 next day'. Items may run past midnight (an evening reception)."""
    start_day = local(start, tz).date()
    end_local = local(end, tz)
    if end_local.date() == start_day:
        return end_local.strftime("%H:%M")
    if end_local.date() == start_day + timedelta(days=1) and (
            end_local.hour, end_local.minute) == (0, 0):
        return "24:00"
    if end_local.date() == start_day + timedelta(days=1):
        return f"{end_local:%H:%M} next day"
    return f"{end_local:%H:%M} on {day_label(end_local.date())}"


def utc_offset_label(tz: str, on: datetime | None = None) -> str:
    """'UTC+08:00' for the zone at a moment (offsets change with daylight saving).

    Only an instant has one offset: for a day, see `day_offset_label`."""
    when = on if on is not None else datetime.now(ZoneInfo(tz))
    return offset_label(local(when, tz).utcoffset())


def day_offset_label(day: date, tz: str) -> str:
    """'UTC+01:00', or 'UTC+01:00 until 02:00, then UTC+02:00' on a day the clocks move."""
    return day_offset(day, tz).label


def zone_label(tz: str, days=()) -> str:
    """The zone with its offset over the given local days, a change stated:
    'Asia/Singapore (UTC+08:00)',
    'Europe/Berlin (UTC+01:00 until 28 March 2027 02:00, then UTC+02:00)'.

    Without days (an event whose days are not known yet), the zone's name alone.
    """
    days = sorted(set(days))
    if not days:
        return tz
    offsets = day_offsets(days, tz)
    text = offset_label(offsets[0].offset)
    for d in offsets:
        for change in d.changes:
            text += (f" until {day_label(d.day)} {change.local_onset:%H:%M}, then "
                     f"{offset_label(change.after)}")
    return f"{tz} ({text})"


def local_datetime_label(dt: datetime | None, tz: str, label: bool = True) -> str:
    """'2020-08-04 09:00 Asia/Kuala_Lumpur': a time shown to organisers says its zone
    (`label=False` where a table's heading says it once)."""
    if dt is None:
        return ""
    return f"{local(dt, tz):%Y-%m-%d %H:%M}" + (f" {tz}" if label else "")


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
