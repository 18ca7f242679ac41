"""Check-in at the door: what a scanned or typed code means, and attendance per event day.

Attendance is one `CheckIn` row per registration and local day of the event;
the unique constraint (registration_id, day) makes a second scan, even from
another desk at the same instant, an "already checked in" and never a
duplicate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..database import transactional
from ..extensions import db
from ..labels import day_label
from ..models import CANCELLED, CONFIRMED, WAITLISTED, CheckIn, Event, Registration, User, utcnow
from ..textnorm import escape_like, search_words
from ..tokens import CHECKIN_ALPHABET

CODE_LENGTH = 12
_CODE_RE = re.compile(f"^[{CHECKIN_ALPHABET}]{{{CODE_LENGTH}}}$")
MAX_QUERY = 200  # longer input is neither a code, a URL we print, nor a name
MAX_MATCHES = 20


class CheckInError(Exception):
    """A refused check-in; the message is for the desk. `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 409,
                 registration: Registration | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.registration = registration


@dataclass(frozen=True)
class CheckInResult:
    registration: Registration
    day: date
    already: bool  # the person was checked in for this day before this scan
    message: str


@dataclass(frozen=True)
class DayCount:
    day: date
    checked_in: int
    confirmed: int


# --- parsing what the desk typed -----------------------------------------------------------


def extract_code(raw: str) -> str | None:
    """The check-in code in what a scanner or a person typed, or None if it is not one.

    Accepts the bare code (any case, with spaces or hyphens a person may add) and
    the desk URL printed in the QR code (`…/checkin?code=…`).
    """
    text = raw.strip()
    if not text or len(text) > MAX_QUERY:
        return None
    if "code=" in text:
        values = parse_qs(text.split("?", 1)[-1]).get("code", [])
        text = values[0] if values else ""
    candidate = re.sub(r"[\s-]", "", text).upper()
    return candidate if _CODE_RE.match(candidate) else None


def find_by_code(event: Event, code: str) -> Registration:
    """:raises CheckInError: no registration has this code, or it is for another event."""
    reg = db.session.scalar(select(Registration).where(Registration.checkin_code == code))
    if reg is None:
        raise CheckInError(f"No registration has the check-in code {code}. "
                           "Check the badge, or search by name.", status=404)
    if reg.event_id != event.id:
        raise CheckInError(f"This badge is for another event: {reg.event.title}.",
                           status=409, registration=reg)
    return reg


def search_by_name(event: Event, query: str) -> list[Registration]:
    """Registrations of `event` whose names contain every word of `query`, ignoring case and
    accents in any script ("nunez" finds Álvaro NÚÑEZ; see textnorm.search_fold).

    Compares the stored `search_key` with the folded words by LIKE, which works alike on
    SQLite and PostgreSQL; at most MAX_MATCHES, by family then given name.
    """
    if len(query) > MAX_QUERY:
        return []
    words = search_words(query)
    if not words:
        return []
    stmt = select(Registration).where(Registration.event_id == event.id)
    for word in words:
        stmt = stmt.where(Registration.search_key.like(f"%{escape_like(word)}%", escape="\\"))
    stmt = stmt.order_by(Registration.family_name, Registration.given_name, Registration.id)
    return list(db.session.scalars(stmt.limit(MAX_MATCHES)))


# --- days ------------------------------------------------------------------------------------


def local_today(event: Event, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(event.timezone)).date()


def default_day(event: Event, now: datetime | None = None) -> date | None:
    """Today if the event runs today (in its own time zone), else its first day."""
    days = event.days
    if not days:
        return None
    today = local_today(event, now)
    return today if today in days else days[0]


def resolve_day(event: Event, requested: str | None, now: datetime | None = None) -> date:
    """The day a scan counts for.

    On an event day it is today, whatever the form says; on any other day (set-up,
    a late back-fill, or the seeded 2020 events) staff choose one of the event's days.

    :raises CheckInError: the event has no dates, or the requested day is not one of them.
    """
    days = event.days
    if not days:
        raise CheckInError("This event has no confirmed dates yet, so nobody can be checked in.")
    today = local_today(event, now)
    if today in days:
        return today
    if not requested:
        return days[0]
    try:
        day = date.fromisoformat(requested)
    except ValueError:
        day = None
    if day not in days:
        raise CheckInError("Choose one of the event's days.", status=400)
    return day


# --- checking in -----------------------------------------------------------------------------


@transactional
def check_in(reg: Registration, day: date, *, user: User | None,
             now: datetime | None = None) -> CheckInResult:
    """Record that `reg` attended on `day` (idempotent).

    :raises CheckInError: the registration is waitlisted or cancelled.
    """
    name = reg.display_name
    if reg.status == WAITLISTED:
        raise CheckInError(f"Not admitted: {name} is on the waiting list, not confirmed. "
                           "Send them to the registration desk.", registration=reg)
    if reg.status == CANCELLED:
        raise CheckInError(f"Not admitted: the registration of {name} was cancelled. "
                           "Send them to the registration desk.", registration=reg)
    if reg.status != CONFIRMED:
        raise CheckInError(f"Not admitted: the registration of {name} is {reg.status}.",
                           registration=reg)
    now = now or utcnow()
    when = "today" if day == local_today(reg.event, now) else f"for {day_label(day)}"
    if _checked_in(reg, day):
        return CheckInResult(reg, day, True, f"{name} is already checked in {when}.")
    try:
        with db.session.begin_nested():
            db.session.add(CheckIn(registration_id=reg.id, day=day, at=now,
                                   by_user_id=user.id if user is not None else None))
    except IntegrityError:
        # Another desk scanned the same badge between our check and our insert (PostgreSQL;
        # on SQLite the writers take turns).
        return CheckInResult(reg, day, True, f"{name} is already checked in {when}.")
    return CheckInResult(reg, day, False, f"{name} is checked in {when}.")


def _checked_in(reg: Registration, day: date) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(CheckIn)
        .where(CheckIn.registration_id == reg.id, CheckIn.day == day)
    ) > 0


def days_checked_in(reg: Registration) -> list[date]:
    return list(db.session.scalars(
        select(CheckIn.day).where(CheckIn.registration_id == reg.id).order_by(CheckIn.day)
    ))


def day_counts(event: Event) -> list[DayCount]:
    """For each day of the event: confirmed registrations checked in, out of all confirmed."""
    confirmed = db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status == CONFIRMED)
    ) or 0
    rows = db.session.execute(
        select(CheckIn.day, func.count())
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(Registration.event_id == event.id, Registration.status == CONFIRMED)
        .group_by(CheckIn.day)
    )
    counts = dict(rows.all())
    return [DayCount(d, counts.get(d, 0), confirmed) for d in event.days]
