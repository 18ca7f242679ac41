"""Wall-clock times typed by organisers, turned into instants in an event's time zone.

A local time can fail to exist (the clocks jump forward over it) or happen
twice (they fall back over it). Neither may be guessed silently: the first is
refused with a message, the second needs the organiser to choose (`fold`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

from ..labels import utc_offset_label


class LocalTimeError(ValueError):
    """A wall-clock time that cannot be turned into one instant; carries the user message."""


class NonexistentLocalTime(LocalTimeError):
    pass


class AmbiguousLocalTime(LocalTimeError):
    def __init__(self, message: str, choices: list[tuple[str, str]]):
        super().__init__(message)
        #: (fold value, label) pairs for the organiser to pick from.
        self.choices = choices


def is_valid_timezone(name: str) -> bool:
    return name in _TIMEZONES


_TIMEZONES = frozenset(available_timezones())
TIMEZONE_NAMES = sorted(_TIMEZONES)


def localize(naive: datetime, tz: str, fold: int | None = None) -> datetime:
    """The UTC instant of a local wall-clock time in `tz`.

    :raises NonexistentLocalTime: the time falls in a daylight-saving gap.
    :raises AmbiguousLocalTime: the time happens twice and `fold` was not given.
    """
    zone = ZoneInfo(tz)
    aware = naive.replace(tzinfo=zone, fold=fold or 0)
    label = f"{naive.day} {naive:%B %Y %H:%M}"
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(
            f"{label} does not exist in {tz}: the clocks go forward over it. "
            "Choose another time.")
    earlier, later = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if fold is None and earlier.utcoffset() != later.utcoffset():
        choices = [("0", f"The first {naive:%H:%M} ({utc_offset_label(tz, earlier)})"),
                   ("1", f"The second {naive:%H:%M} ({utc_offset_label(tz, later)})")]
        raise AmbiguousLocalTime(
            f"{label} happens twice in {tz}: the clocks go back over it. "
            "Choose which one you mean.", choices)
    return aware.astimezone(UTC)
