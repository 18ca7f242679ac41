"""The agenda editor's time grid: a pure function of items and the event's days.

Each day is a column of rows, one per `GRID_MINUTES`; a row is also where a dragged
item is dropped. An item is drawn from its start row with a height proportional to
its length, so booked time never looks free: `Placed` says where, in units the
stylesheet knows (`grid_css`, written to static/css/agenda-grid.css; the page's
Content-Security-Policy allows no inline styles). Items that overlap share the
width in lanes, like columns of a calendar.

    python -m eventsapp.agenda.grid > static/css/agenda-grid.css
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

GRID_MINUTES = 30
DAY_FROM, DAY_TO = time(8, 0), time(18, 0)
#: Heights are drawn in steps of this many minutes (a 50-minute session is 10 steps).
LENGTH_STEP = 5
MAX_STEPS = 24 * 60 // LENGTH_STEP
#: Overlapping items side by side; a seventh at once shares the sixth lane.
MAX_LANES = 6


@dataclass
class Placed:
    """An item as drawn: `offset` minutes below its row's top, `steps` × 5 minutes tall,
    in lane `lane` of `lanes` side by side."""

    item: object
    offset: int
    steps: int
    lane: int = 0
    lanes: int = 1

    @property
    def css(self) -> str:
        return f"off-{self.offset} len-{self.steps} lane-{self.lane}-{self.lanes}"


@dataclass
class Row:
    at: datetime  # naive local wall-clock time
    items: list[Placed] = field(default_factory=list)


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
        spans = []
        for item in day_items:
            start = item.starts_at.astimezone(zone).replace(tzinfo=None)
            end = min(item.ends_at.astimezone(zone).replace(tzinfo=None),
                      datetime.combine(day + timedelta(days=1), time(0)))
            spans.append((item, start, end))
            first = min(first, _floor(start, step))
            last = max(last, end)
        rows: list[Row] = []
        at = first
        while at < last:
            rows.append(Row(at))
            at += timedelta(minutes=step)
        lanes = _lanes([(s, e) for _, s, e in spans])
        for (item, start, end), (lane, count) in zip(spans, lanes, strict=True):
            row_start = _floor(start, step)
            minutes = max((end - start).total_seconds() / 60, 1)
            placed = Placed(item, offset=int((start - row_start).total_seconds() // 60),
                            steps=min(MAX_STEPS, max(1, math.ceil(minutes / LENGTH_STEP))),
                            lane=lane, lanes=count)
            rows[int((row_start - first).total_seconds() // (step * 60))].items.append(placed)
        grid.append(Day(day, rows))
    return grid


def _lanes(spans: list[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
    """(lane, lanes) per span, spans sorted by start: each item takes the first free lane;
    a group of items that overlap one another shares the width of its widest moment."""
    out: list[tuple[int, int]] = []
    group: list[int] = []  # indexes into out of the current overlapping group
    lane_ends: list[datetime] = []
    group_end: datetime | None = None

    def close() -> None:
        width = min(len(lane_ends), MAX_LANES) or 1
        for i in group:
            out[i] = (out[i][0], width)

    for start, end in spans:
        if group_end is not None and start >= group_end:
            close()
            group, lane_ends, group_end = [], [], None
        lane = next((i for i, e in enumerate(lane_ends) if e <= start), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(end)
        else:
            lane_ends[lane] = end
        group.append(len(out))
        out.append((min(lane, MAX_LANES - 1), 1))
        group_end = end if group_end is None else max(group_end, end)
    close()
    return out


def _floor(dt: datetime, step: int) -> datetime:
    minutes = dt.hour * 60 + dt.minute
    floored = minutes - minutes % step
    return datetime.combine(dt.date(), time(floored // 60, floored % 60))


def grid_css(step: int = GRID_MINUTES) -> str:
    """The classes `Placed.css` names, in terms of `--agenda-minute` (the height of a minute)."""
    lines = [
        "/* Generated by eventsapp/agenda/grid.py (python -m eventsapp.agenda.grid); do not edit.",
        "   Where an agenda card sits in its row, how tall it is, and which lane it takes. */",
    ]
    lines += [f".agenda-card.off-{m} {{ top: calc({m} * var(--agenda-minute)); }}"
              for m in range(step)]
    lines += [f".agenda-card.len-{n} {{ height: calc({n * LENGTH_STEP} * var(--agenda-minute)"
              f" - 2px); }}" for n in range(1, MAX_STEPS + 1)]
    for count in range(1, MAX_LANES + 1):
        for lane in range(count):
            left = f"{100 * lane / count:.4f}".rstrip("0").rstrip(".")
            width = f"{100 / count:.4f}".rstrip("0").rstrip(".")
            lines.append(f".agenda-card.lane-{lane}-{count} {{ left: {left}%;"
                         f" width: calc({width}% - 4px); }}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - writes the stylesheet
    print(grid_css(), end="")
