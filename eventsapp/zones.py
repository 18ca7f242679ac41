"""Facts about IANA time zones, read from zoneinfo: when the UTC offset changes.

Pure functions of the zone database. Pages use them to print the offset of each day
(an agenda may cross a daylight-saving change), the calendar feeds to write
VTIMEZONE rules that match what Python computes for every agenda time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY = 86_400  # seconds


@dataclass(frozen=True)
class Transition:
    """One change of a zone's offset (or of its name or daylight-saving flag)."""

    at: datetime  # the UTC instant from which `after` holds
    before: timedelta  # UTC offset until then
    after: timedelta  # UTC offset from then on
    dst: bool  # daylight-saving time from then on
    name: str  # abbreviation from then on, e.g. "CEST" or "+08"

    @property
    def local_onset(self) -> datetime:
        """Naive wall-clock time at which the change happens, read on the clock before it
        (RFC 5545 §3.6.5: DTSTART of a STANDARD/DAYLIGHT is in TZOFFSETFROM)."""
        return (self.at + self.before).replace(tzinfo=None)


def _state(zone: ZoneInfo, ts: int) -> tuple[timedelta, bool, str]:
    local = datetime.fromtimestamp(ts, zone)
    return local.utcoffset(), bool(local.dst()), local.tzname() or ""


@lru_cache(maxsize=512)
def transitions(tz: str, start: datetime, end: datetime) -> tuple[Transition, ...]:
    """Every change of `tz` in [start, end), in order, to the second.

    Checks the zone once a day and bisects between two days that differ; zones change
    at most a few times a year, and never twice within a day in data since 1970.

    :param start, end: aware datetimes.
    """
    zone = ZoneInfo(tz)
    lo, stop = int(start.timestamp()), int(end.timestamp())
    state = _state(zone, lo)
    found: list[Transition] = []
    while lo < stop:
        hi = min(lo + DAY, stop)
        new = _state(zone, hi)
        if new == state:
            lo = hi
            continue
        a, b = lo, hi  # state at a, something else at b
        while b - a > 1:
            mid = (a + b) // 2
            if _state(zone, mid) == state:
                a = mid
            else:
                b = mid
        new = _state(zone, b)
        found.append(Transition(datetime.fromtimestamp(b, UTC), state[0], new[0], new[1],
                                new[2]))
        lo, state = b, new
    return tuple(found)


def offset_label(offset: timedelta) -> str:
    """'UTC+08:00', 'UTC-03:30', 'UTC+05:45'."""
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class DayOffset:
    """The UTC offset of a local day: one, or the change the day holds."""

    day: date
    offset: timedelta  # at the day's first moment
    changes: tuple[Transition, ...]  # during the day

    @property
    def label(self) -> str:
        """'UTC+01:00', or 'UTC+01:00 until 02:00, then UTC+02:00' on a day the clocks move.

        The time is the wall-clock time at which the clocks move, as read before they move.
        """
        parts = [offset_label(self.offset)]
        for change in self.changes:
            parts.append(f"until {change.local_onset:%H:%M}, then {offset_label(change.after)}")
        return " ".join(parts)


def day_offset(day: date, tz: str) -> DayOffset:
    zone = ZoneInfo(tz)
    begin = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    changes = tuple(t for t in transitions(tz, begin, end) if t.before != t.after)
    return DayOffset(day, begin.astimezone(zone).utcoffset(), changes)


def day_offsets(days, tz: str) -> list[DayOffset]:
    return [day_offset(d, tz) for d in days]
