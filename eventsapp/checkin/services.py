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

from .. import audit
from ..database import transactional
from ..extensions import db
from ..labels import day_label
from ..models import (
    CANCELLED,
    CERTIFICATE,
    CHECKIN,
    CONFIRMED,
    IN_PERSON,
    WAITLISTED,
    CheckIn,
    Event,
    IssuedLetter,
    Registration,
    User,
    utcnow,
)
from ..textnorm import escape_like, search_words
from ..tokens import CHECKIN_ALPHABET

CODE_LENGTH = 12
_CODE_RE = re.compile(f"^[{CHECKIN_ALPHABET}]{{{CODE_LENGTH}}}$")
MAX_QUERY = 200  # longer input is neither a code, a URL we print, nor a name
MAX_MATCHES = 20


class CheckInError(Exception):
    """A refused check-in. `message` is in the door desk's words; `organiser_message` in the
    words for an organiser on the registration page (the same unless the refusal names what
    to do about it). `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 409,
                 registration: Registration | None = None, organiser_message: str = ""):
        super().__init__(message)
        self.message = message
        self.organiser_message = organiser_message or message
        self.status = status
        self.registration = registration


@dataclass(frozen=True)
class CheckInResult:
    registration: Registration
    day: date
    already: bool  # the person was checked in for this day before this scan
    message: str
    checkin_id: int | None = None  # the row this scan wrote (None when already checked in)


@dataclass(frozen=True)
class UndoResult:
    registration: Registration
    day: date
    message: str


@dataclass(frozen=True)
class Admission:
    """Whether a registration lets its holder in, and if not why: `message` in the door
    desk's words (send them to the registration desk), `organiser_message` in the words for
    an organiser on the person's registration page (what to change there)."""

    admitted: bool
    reason: str = ""  # short, for a list of names: "on the waiting list"
    message: str = ""  # a sentence for the desk's result panel
    organiser_message: str = ""  # a sentence for the organiser's registration page


_TO_DESK = " Send them to the registration desk."


def admission(reg: Registration) -> Admission:
    """Only a confirmed registration admits; the desk sends everyone else to registration,
    the organiser's page says what would have to change."""
    name = reg.display_name
    if reg.status == CONFIRMED and reg.participation != IN_PERSON:
        fact = f"{name} is registered to take part online, not in person."
        return Admission(False, "takes part online", f"Not admitted: {fact}{_TO_DESK}",
                         f"Not checked in: {fact} Check-in is for people taking part in "
                         "person.")
    if reg.status == CONFIRMED:
        return Admission(True)
    if reg.status == WAITLISTED:
        fact = f"{name} is on the waiting list, not confirmed."
        return Admission(False, "on the waiting list", f"Not admitted: {fact}{_TO_DESK}",
                         f"Not checked in: {fact} Promote them from the waiting list to "
                         "check them in.")
    if reg.status == CANCELLED:
        fact = f"the registration of {name} was cancelled."
        return Admission(False, "registration cancelled", f"Not admitted: {fact}{_TO_DESK}",
                         f"Not checked in: {fact} Only a confirmed registration can be "
                         "checked in.")
    fact = f"the registration of {name} is {reg.status}."
    return Admission(False, f"registration {reg.status}", f"Not admitted: {fact}",
                     f"Not checked in: {fact} Only a confirmed registration can be "
                     "checked in.")


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
    """Today if the event runs today (in its own time zone), else its first day open for
    check-in (see `check_in_days`), else (before the event) its first day."""
    days = event.days
    if not days:
        return None
    open_days = check_in_days(event, now)
    today = local_today(event, now)
    if today in open_days:
        return today
    return open_days[0] if open_days else days[0]


def resolve_day(event: Event, requested: str | None, now: datetime | None = None) -> date:
    """The day a scan counts for: one of `check_in_days`.

    On an event day it is today, whatever the form says; after the event (a late
    back-fill, or the seeded 2020 events) staff choose one of the event's days. Before
    the event nobody can be checked in: a day that has not begun at the venue has had
    nobody through the door.

    :raises CheckInError: the event has no dates (409), the requested day is not one of
        them (400), or no day of the event has begun yet (409).
    """
    days = event.days
    if not days:
        raise CheckInError("This event has no confirmed dates yet, so nobody can be checked in.")
    open_days = check_in_days(event, now)
    if not open_days:
        raise CheckInError(not_begun_message(event))
    today = local_today(event, now)
    if today in open_days:
        return today
    if not requested:
        return open_days[0]
    try:
        day = date.fromisoformat(requested)
    except ValueError:
        day = None
    if day not in days:
        raise CheckInError("Choose one of the event's days.", status=400)
    return day


def not_begun_message(event: Event) -> str:
    return (f"The event begins on {day_label(event.days[0])}: nobody can be checked in "
            "before a day of it has begun at the venue.")


# --- checking in -----------------------------------------------------------------------------


@transactional
def check_in(reg: Registration, day: date, *, user: User | None,
             now: datetime | None = None) -> CheckInResult:
    """Record that `reg` attended on `day` (idempotent).

    :raises CheckInError: the registration is waitlisted or cancelled (see `admission`), or
        `day` is not open for check-in now (see `check_in_days`; a day to come never is).
    """
    verdict = admission(reg)
    if not verdict.admitted:
        raise CheckInError(verdict.message, registration=reg,
                           organiser_message=verdict.organiser_message)
    name = reg.display_name
    now = now or utcnow()
    if day not in reg.event.days:
        raise CheckInError("Choose one of the event's days.", status=400, registration=reg)
    if day not in check_in_days(reg.event, now):
        raise CheckInError(f"{day_label(day)} has not begun at the venue yet: nobody can "
                           "be checked in for it.", registration=reg)
    when = _when(reg, day, now)
    if _checked_in(reg, day):
        return CheckInResult(reg, day, True, f"{name} is already checked in {when}.")
    row = CheckIn(registration_id=reg.id, day=day, at=now,
                  by_user_id=user.id if user is not None else None)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # Another desk scanned the same badge between our check and our insert (PostgreSQL;
        # on SQLite the writers take turns).
        return CheckInResult(reg, day, True, f"{name} is already checked in {when}.")
    return CheckInResult(reg, day, False, f"{name} is checked in {when}.", row.id)


def _when(reg: Registration, day: date, now: datetime) -> str:
    return "today" if day == local_today(reg.event, now) else f"for {day_label(day)}"


@transactional
def undo_check_in(event: Event, checkin_id: int, *, user: User,
                  now: datetime | None = None) -> UndoResult:
    """Take back a check-in made by mistake (the wrong person picked, a badge scanned twice
    for two people), with an audit entry naming who undid what.

    Door staff may undo only their own check-ins; organisers any of their event's.

    :raises CheckInError: no such check-in of this event (409: it was undone already),
        another desk's (403), or the last check-in of someone issued a certificate of
        attendance (409: the certificate says they attended, and it has left our hands).
    """
    row = db.session.get(CheckIn, checkin_id)
    if row is None or row.registration.event_id != event.id:
        raise CheckInError("There is no such check-in any more: it was undone already.")
    if user.role == CHECKIN and row.by_user_id != user.id:
        raise CheckInError("This check-in was made at another desk: ask an organiser to undo it.",
                           status=403, registration=row.registration)
    reg, day = row.registration, row.day
    others = db.session.scalar(select(func.count()).select_from(CheckIn).where(
        CheckIn.registration_id == reg.id, CheckIn.id != row.id))
    certificate = None if others else db.session.scalar(select(IssuedLetter.number).where(
        IssuedLetter.registration_id == reg.id, IssuedLetter.kind == CERTIFICATE))
    if certificate:
        raise CheckInError(f"A certificate of attendance ({certificate}) was issued on this "
                           f"check-in, so it stays: the certificate says {reg.display_name} "
                           "attended.", registration=reg)
    audit.record("checkin_undone", reg, event_id=event.id, user=user, day=day,
                 checked_in_at=row.at, checked_in_by_user_id=row.by_user_id)
    db.session.delete(row)
    when = _when(reg, day, now or utcnow())
    return UndoResult(reg, day, f"Check-in undone: {reg.display_name} is not checked in {when}.")


def checked_in_ids(registrations: list[Registration], day: date) -> set[int]:
    """Which of `registrations` are checked in on `day` (one query)."""
    ids = [r.id for r in registrations]
    if not ids:
        return set()
    return set(db.session.scalars(
        select(CheckIn.registration_id).where(CheckIn.registration_id.in_(ids),
                                              CheckIn.day == day)))


def _checked_in(reg: Registration, day: date) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(CheckIn)
        .where(CheckIn.registration_id == reg.id, CheckIn.day == day)
    ) > 0


@dataclass(frozen=True)
class DayAttendance:
    """One day of the event for one registration, as the organiser's registration page shows it."""

    day: date
    checkin: CheckIn | None  # None: not checked in that day
    can_check_in: bool  # staff may record it now (see check_in_days)
    to_come: bool = False  # the day has not begun at the venue: nothing to record yet


def check_in_days(event: Event, now: datetime | None = None) -> list[date]:
    """The days a check-in can be recorded for now -- the one rule, for the desk
    (`resolve_day`, `check_in`) and the organiser's registration page (`attendance`):
    every day of the event that has begun in the venue's time zone (today, and earlier
    days for a missed scan filled in later); before the event, none. A day that has not
    begun has had nobody through the door."""
    today = local_today(event, now)
    return [d for d in event.days if d <= today]


def named_day(event: Event, requested: str | None, now: datetime | None = None) -> date:
    """The event day a staff member's button names (an ISO date), taken as named: unlike
    the desk's scan (`resolve_day`: today, whatever a page loaded yesterday says), the
    organiser's registration page names the day, so it is recorded for that day or
    refused by `check_in`, never silently moved to another.

    :raises CheckInError: the event has no dates or none of its days has begun (409), or
        `requested` is not one of them (400).
    """
    if not event.days:
        raise CheckInError("This event has no confirmed dates yet, so nobody can be checked in.")
    if not check_in_days(event, now):
        raise CheckInError(not_begun_message(event))
    try:
        day = date.fromisoformat(requested or "")
    except ValueError:
        day = None
    if day not in event.days:
        raise CheckInError("Choose one of the event's days.", status=400)
    return day


def attendance(reg: Registration, now: datetime | None = None) -> list[DayAttendance]:
    """Each day of `reg`'s event with its check-in, if any (one query)."""
    rows = {c.day: c for c in db.session.scalars(
        select(CheckIn).where(CheckIn.registration_id == reg.id))}
    open_days = set(check_in_days(reg.event, now)) if admission(reg).admitted else set()
    today = local_today(reg.event, now)
    return [DayAttendance(d, rows.get(d), d in open_days and d not in rows, d > today)
            for d in reg.event.days]


def days_checked_in(reg: Registration) -> list[date]:
    return list(db.session.scalars(
        select(CheckIn.day).where(CheckIn.registration_id == reg.id).order_by(CheckIn.day)
    ))


def day_counts(event: Event) -> list[DayCount]:
    """For each day of the event: confirmed registrations checked in, out of all confirmed
    in person (online participants are counted from their attendance reports)."""
    confirmed = db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status == CONFIRMED,
               Registration.participation == IN_PERSON)
    ) or 0
    rows = db.session.execute(
        select(CheckIn.day, func.count())
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(Registration.event_id == event.id, Registration.status == CONFIRMED)
        .group_by(CheckIn.day)
    )
    counts = dict(rows.all())
    return [DayCount(d, counts.get(d, 0), confirmed) for d in event.days]
