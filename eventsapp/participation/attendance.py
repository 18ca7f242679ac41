"""Online attendance from a meeting platform's participant report (CSV: name, email,
minutes), previewed, then stored per registration and day.

The report is read whole before anything is stored: at most MAX_BYTES and MAX_ROWS, UTF-8
text (a BOM is fine; another encoding is refused with the byte that cannot be read). The
columns are found by their header: one naming "email" (Zoom's "User Email", Teams'
"Email"), one naming "minute" or "duration" (Zoom's "Total Duration (Minutes)"), one
naming "name"; without such a header the columns are name, email, minutes. Lines are
matched by address in its comparison form (`textnorm.canonical_email`: case and the domain's
Unicode forms do not matter) against the event's confirmed online registrations; the
minutes of several lines of one person (left and joined again) are added up. The preview
lists those matched and every line not matched, with the reason; saving reads the report
again and replaces that day's minutes of the people matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from .. import audit
from ..csvupload import CsvUploadError, read_rows
from ..database import lock_event, transactional
from ..extensions import db
from ..models import (
    CONFIRMED,
    ONLINE,
    CheckIn,
    Event,
    OnlineAttendance,
    Registration,
    User,
    utcnow,
)
from ..textnorm import canonical_email

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
MAX_MINUTES = 24 * 60


class AttendanceInputError(Exception):
    """Refused input; `errors` maps a field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


@dataclass(frozen=True)
class Line:
    number: int  # line of the file (1 is the first), as a spreadsheet shows it
    name: str
    email: str
    minutes: int | None
    problem: str = ""  # why it is not matched; empty for a matched line


@dataclass(frozen=True)
class Match:
    registration: Registration
    minutes: int  # all its lines added up, at most a day
    lines: int


@dataclass(frozen=True)
class Preview:
    matched: list[Match]
    unmatched: list[Line]
    rows: int  # data lines read


def _minutes(value: str) -> int:
    """Whole minutes from "95", "95.4" or "1:35" (h:mm). :raises ValueError:"""
    value = value.strip()
    if ":" in value:
        parts = value.split(":")
        if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
            raise ValueError(f"“{value}” is not a number of minutes")
        h, m = int(parts[0]), int(parts[1])
        return h * 60 + m
    try:
        number = float(value)
    except ValueError as exc:
        raise ValueError(f"“{value[:40]}” is not a number of minutes") from exc
    if not number >= 0 or number != number or number > 10 * MAX_MINUTES:
        raise ValueError(f"“{value[:40]}” is not a number of minutes")
    return round(number)


def read_report(data: bytes) -> tuple[list[Line], int]:
    """The report's lines (name, email, minutes or a problem) and the number read.

    :raises AttendanceInputError: too big, not UTF-8 text, not CSV, too many rows, or no
        email column (`{"file": [message]}`).
    """
    try:
        rows = read_rows(data, max_bytes=MAX_BYTES)
    except CsvUploadError as exc:
        raise AttendanceInputError({"file": [str(exc)]}) from exc
    if not rows:
        raise AttendanceInputError({"file": ["The file has no lines."]})
    header = [c.strip().casefold() for c in rows[0][1]]
    columns = {"name": 0, "email": 1, "minutes": 2}
    if any("email" in c or "e-mail" in c for c in header):
        columns = {
            "email": next((i for i, c in enumerate(header) if "email" in c or "e-mail" in c),
                          None),
            "minutes": next((i for i, c in enumerate(header)
                             if "minute" in c or "duration" in c), None),
            "name": next((i for i, c in enumerate(header) if "name" in c), None),
        }
        if columns["minutes"] is None:
            raise AttendanceInputError({"file": [
                "The report has no minutes column: name one \"minutes\" or \"duration\"."]})
        rows = rows[1:]
    if len(rows) > MAX_ROWS:
        raise AttendanceInputError({"file": [
            f"The file has {len(rows):,} lines; upload at most {MAX_ROWS:,} at a time."]})
    lines = []
    for n, row in rows:
        def cell(name: str, row=row) -> str:
            i = columns.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""
        name, email = cell("name")[:200], cell("email")[:320]
        try:
            minutes = _minutes(cell("minutes"))
        except ValueError as exc:
            lines.append(Line(n, name, email, None, f"{exc}."))
            continue
        lines.append(Line(n, name, email, minutes,
                          "" if email else "No email address on this line."))
    return lines, len(rows)


def preview(event: Event, data: bytes) -> Preview:
    """Match a report against `event`'s confirmed online registrations (nothing stored).

    :raises AttendanceInputError:
    """
    lines, count = read_report(data)
    keys = {}
    for line in lines:
        if not line.problem:
            try:
                keys[line.number] = canonical_email(line.email)
            except ValueError:
                keys[line.number] = None
    wanted = sorted({k for k in keys.values() if k})
    found: dict[str, Registration] = {}
    for i in range(0, len(wanted), 900):
        for reg in db.session.scalars(select(Registration).where(
                Registration.event_id == event.id, Registration.status == CONFIRMED,
                Registration.email_normalized.in_(wanted[i:i + 900]))):
            found[reg.email_normalized] = reg
    totals: dict[int, list] = {}
    unmatched: list[Line] = []
    for line in lines:
        if line.problem:
            unmatched.append(line)
            continue
        reg = found.get(keys.get(line.number) or "")
        if reg is None:
            unmatched.append(Line(line.number, line.name, line.email, line.minutes,
                                  "No confirmed registration of this event has this address."))
        elif reg.participation != ONLINE:
            unmatched.append(Line(line.number, line.name, line.email, line.minutes,
                                  f"{reg.full_name} takes part in person (checked in at the "
                                  "door, not counted online)."))
        else:
            entry = totals.setdefault(reg.id, [reg, 0, 0])
            entry[1] += line.minutes
            entry[2] += 1
    matched = sorted((Match(r, min(m, MAX_MINUTES), n) for r, m, n in totals.values()),
                     key=lambda m: (m.registration.family_name.casefold(), m.registration.id))
    return Preview(matched, unmatched, count)


def check_day(event: Event, day: date | None) -> date:
    """:raises AttendanceInputError: the day is not one of the event's days."""
    if day is None or day not in event.days:
        raise AttendanceInputError({"day": ["Choose one of the event's days."]})
    return day


@transactional
def save_report(event: Event, day: date, data: bytes, *, user: User | None) -> Preview:
    """Read the report again, match it, and store each matched person's minutes for `day`
    (replacing what that day held for them). One unit of work; one audit entry.

    :raises AttendanceInputError:
    """
    ev = lock_event(event.id)
    day = check_day(ev, day)
    result = preview(ev, data)
    if not result.matched:
        raise AttendanceInputError({"file": ["Nobody in the report matched a confirmed online "
                                             "participant; nothing was saved."]})
    ids = [m.registration.id for m in result.matched]
    existing = {a.registration_id: a for a in db.session.scalars(select(OnlineAttendance).where(
        OnlineAttendance.registration_id.in_(ids), OnlineAttendance.day == day))}
    now = utcnow()
    for m in result.matched:
        row = existing.get(m.registration.id)
        if row is None:
            db.session.add(OnlineAttendance(registration_id=m.registration.id, day=day,
                                            minutes=m.minutes, recorded_at=now,
                                            by_user_id=user.id if user else None))
        else:
            row.minutes, row.recorded_at = m.minutes, now
            row.by_user_id = user.id if user else None
    audit.record("online_attendance_recorded", ev, event_id=ev.id, user=user,
                 day=day.isoformat(), matched=len(result.matched),
                 unmatched=len(result.unmatched))
    return result


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceCounts:
    """People who attended at least once: checked in at the door vs. present online."""

    in_person: int
    online: int
    online_minutes: int


def attendance_counts(event_ids: list[int]) -> AttendanceCounts:
    """Distinct registrations of these events checked in (in person) and with online minutes."""
    if not event_ids:
        return AttendanceCounts(0, 0, 0)
    in_person = db.session.scalar(
        select(func.count(func.distinct(CheckIn.registration_id)))
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(Registration.event_id.in_(event_ids))) or 0
    online, minutes = db.session.execute(
        select(func.count(func.distinct(OnlineAttendance.registration_id)),
               func.coalesce(func.sum(OnlineAttendance.minutes), 0))
        .join(Registration, Registration.id == OnlineAttendance.registration_id)
        .where(Registration.event_id.in_(event_ids))).one()
    return AttendanceCounts(in_person, online or 0, int(minutes or 0))


def attendance_by_day(event: Event) -> dict[date, int]:
    """Day → online participants with minutes recorded that day."""
    return dict(db.session.execute(
        select(OnlineAttendance.day, func.count())
        .join(Registration, Registration.id == OnlineAttendance.registration_id)
        .where(Registration.event_id == event.id)
        .group_by(OnlineAttendance.day)).all())
