"""The agenda editor's time grid: a pure function of items and the event's days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

GRID_MINUTES = 30
DAY_FROM, DAY_TO = time(8, 0), time(18, 0)


@dataclass
class Row:
    at: datetime  # naive local wall-clock time
    items: list = field(default_factory=list)


@dataclass
class Day:
    day: date
    rows: list[Row]


def agenda_grid(items, days: list[date], tz: str, step: int = GRID_MINUTES) -> list[Day]:
    """One row per `step` minutes from 08:00 to 18:00 (wider when items fall outside).

    Days come from the event, plus any day an item starts on, so that an item
    placed outside the event's dates is still shown (with its warning).
    """
    zone = ZoneInfo(tz)
    by_day: dict[date, list] = {d: [] for d in days}
    for item in sorted(items, key=lambda i: (i.starts_at, i.ends_at, i.id)):
        by_day.setdefault(item.starts_at.astimezone(zone).date(), []).append(item)
    grid = []
    for day in sorted(by_day):
        day_items = by_day[day]
        first = datetime.combine(day, DAY_FROM)
        last = datetime.combine(day, DAY_TO)
        for item in day_items:
            start = item.starts_at.astimezone(zone).replace(tzinfo=None)
            end = item.ends_at.astimezone(zone).replace(tzinfo=None)
            first = min(first, _floor(start, step))
            last = max(last, min(end, datetime.combine(day, time(23, 59))))
        rows: list[Row] = []
        at = first
        while at < last:
            rows.append(Row(at))
            at += timedelta(minutes=step)
        for item in day_items:
            start = item.starts_at.astimezone(zone).replace(tzinfo=None)
            rows[int((_floor(start, step) - first).total_seconds() // (step * 60))].items.append(
                item)
        grid.append(Day(day, rows))
    return grid


def _floor(dt: datetime, step: int) -> datetime:
    minutes = dt.hour * 60 + dt.minute
    floored = minutes - minutes % step
    return datetime.combine(dt.date(), time(floored // 60, floored % 60))
