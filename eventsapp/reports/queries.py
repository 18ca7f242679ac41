"""Figures of one event, counted from the rows: frozen dataclasses for pages, PDFs and exports.

Every view of an event (HTML, PDF, CSV, XLSX, the year's report) reads the same
`EventSummary`, so their numbers cannot drift apart.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    CANCELLED,
    CONFIRMED,
    WAITLISTED,
    CheckIn,
    Event,
    OnlineAttendance,
    PublishedAgendaItem,
    Registration,
)
from ..reference import CATEGORIES, ECONOMIES, SECTORS

HEAD = "head_of_delegation"
NO_ORGANISATION = "Organisation not stated"
# Past this many days the fill chart shows one bar per week, so it stays readable.
MAX_DAILY_POINTS = 42


@dataclass(frozen=True)
class Count:
    """`count` people registered (confirmed); `attended` of them checked in on at least one day.

    The two are never mixed up: registrations are not participants until they come.
    """

    key: str
    label: str
    count: int
    attended: int = 0

    @property
    def registered(self) -> int:
        return self.count


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int


@dataclass(frozen=True)
class AgendaRow:
    day: date
    starts_at: datetime
    ends_at: datetime
    title: str
    kind: str
    room: str
    cancelled: bool


@dataclass(frozen=True)
class EventSummary:
    event_id: int
    slug: str
    title: str
    timezone: str
    capacity: int | None
    confirmed: int
    waitlisted: int
    cancelled: int
    by_economy: tuple[Count, ...]  # all 21, APEC order, zeros included
    organisations: tuple[Count, ...]  # confirmed registrations without an economy
    by_sector: tuple[Count, ...]
    by_category: tuple[Count, ...]
    attendance: tuple[DayCount, ...]  # check-ins per local day
    attended: int  # people checked in on at least one day (0: no check-in was recorded)
    fill: tuple[DayCount, ...]  # registrations held (not cancelled) at the end of each day or week
    fill_step_days: int
    agenda: tuple[AgendaRow, ...]
    # How people took part (issue 17): confirmed per mode; attended online = people with
    # minutes from an uploaded participant report (participation/attendance.py). `attended`
    # stays the people checked in at the door, i.e. in person.
    participation_mode: str = "in_person"
    confirmed_online: int = 0
    attended_online: int = 0
    online_minutes: int = 0

    @property
    def confirmed_in_person(self) -> int:
        return self.confirmed - self.confirmed_online

    @property
    def has_online(self) -> bool:
        return self.participation_mode != "in_person" or self.attended_online > 0

    @property
    def fill_percent(self) -> int | None:
        if not self.capacity:
            return None
        return round(100 * self.confirmed / self.capacity)

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)

    @property
    def registered(self) -> int:
        """Confirmed registrations: who is expected, not who came (that is `attended`)."""
        return self.confirmed

    @property
    def has_attendance(self) -> bool:
        """Whether the desk checked anyone in: without it, nobody is known to have come."""
        return self.attended > 0

    @property
    def economies_represented(self) -> int:
        return sum(1 for c in self.by_economy if c.count)

    @property
    def economies_attended(self) -> int:
        return sum(1 for c in self.by_economy if c.attended)

    @property
    def represented_economies(self) -> tuple[Count, ...]:
        return tuple(c for c in self.by_economy if c.count)


def event_summary(event: Event) -> EventSummary:
    """Count an event's registrations, check-ins and agenda."""
    came = (select(CheckIn.registration_id).join(Registration,
                                                 Registration.id == CheckIn.registration_id)
            .where(Registration.event_id == event.id).distinct().scalar_subquery())
    regs = list(db.session.execute(
        select(Registration.status, Registration.participation, Registration.economy,
               Registration.organisation,
               Registration.sector, Registration.category, Registration.created_at,
               Registration.cancelled_at, Registration.id.in_(came).label("attended"))
        .where(Registration.event_id == event.id)
    ))
    confirmed = [r for r in regs if r.status == CONFIRMED]
    # Whoever was checked in came, even if their registration changed afterwards.
    attended_rows = [r for r in regs if r.attended]
    statuses = Counter(r.status for r in regs)
    economies = Counter(r.economy for r in confirmed)
    economies_came = Counter(r.economy for r in attended_rows)
    orgs = Counter(organisation_label(r.organisation) for r in confirmed if r.economy is None)
    orgs_came = Counter(organisation_label(r.organisation) for r in attended_rows
                        if r.economy is None)
    attendance_rows = db.session.execute(
        select(CheckIn.day, func.count(CheckIn.id))
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(Registration.event_id == event.id)
        .group_by(CheckIn.day)
    ).all()
    attendance = dict(attendance_rows)
    attended = db.session.scalar(
        select(func.count(func.distinct(CheckIn.registration_id)))
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(Registration.event_id == event.id)
    ) or 0
    days = sorted(set(event.days) | set(attendance))
    step, fill = _fill_over_time(regs, event.timezone)
    online_people, online_minutes = db.session.execute(
        select(func.count(func.distinct(OnlineAttendance.registration_id)),
               func.coalesce(func.sum(OnlineAttendance.minutes), 0))
        .join(Registration, Registration.id == OnlineAttendance.registration_id)
        .where(Registration.event_id == event.id)).one()
    return EventSummary(
        event_id=event.id, slug=event.slug, title=event.title, timezone=event.timezone,
        capacity=event.capacity,
        confirmed=statuses[CONFIRMED], waitlisted=statuses[WAITLISTED],
        cancelled=statuses[CANCELLED],
        by_economy=tuple(Count(code, name, economies[code], economies_came[code])
                         for code, name in ECONOMIES.items()),
        organisations=tuple(
            Count(name, name, n, orgs_came[name])
            for name, n in sorted(orgs.items(), key=lambda i: sort_key(i[0]))
        ),
        by_sector=_with_reference(Counter(r.sector for r in confirmed), SECTORS,
                                  Counter(r.sector for r in attended_rows)),
        by_category=_with_reference(Counter(r.category for r in confirmed), CATEGORIES,
                                    Counter(r.category for r in attended_rows)),
        attendance=tuple(DayCount(d, attendance.get(d, 0)) for d in days),
        attended=attended, fill=fill, fill_step_days=step,
        agenda=agenda_as_held(event),
        participation_mode=event.participation_mode,
        confirmed_online=sum(1 for r in confirmed if r.participation == "online"),
        attended_online=online_people or 0, online_minutes=int(online_minutes or 0),
    )


def agenda_as_held(event: Event) -> tuple[AgendaRow, ...]:
    """The published agenda in time order; cancelled items stay, marked."""
    tz = ZoneInfo(event.timezone)
    items = db.session.scalars(
        select(PublishedAgendaItem).where(PublishedAgendaItem.event_id == event.id)
        .order_by(PublishedAgendaItem.starts_at, PublishedAgendaItem.ends_at,
                  PublishedAgendaItem.id)
    )
    return tuple(
        AgendaRow(i.starts_at.astimezone(tz).date(), i.starts_at, i.ends_at, i.title, i.kind,
                  i.room, i.is_cancelled)
        for i in items
    )


def organisation_label(organisation: str | None) -> str:
    return " ".join((organisation or "").split()) or NO_ORGANISATION


def sort_key(text: str) -> str:
    """Accent-insensitive, case-insensitive key: 'Łukasz' and 'Lukasz' sort together."""
    decomposed = unicodedata.normalize("NFKD", text.replace("Ł", "L").replace("ł", "l"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _with_reference(counts: Counter, reference: dict[str, str],
                    came: Counter) -> tuple[Count, ...]:
    """Every reference value in its order, zeros included; unknown values after them."""
    rows = [Count(key, label, counts[key], came[key]) for key, label in reference.items()]
    rows += [Count(k, k, n, came[k]) for k, n in sorted(counts.items()) if k not in reference]
    return tuple(rows)


def _fill_over_time(regs, tz_name: str) -> tuple[int, tuple[DayCount, ...]]:
    """Registrations held at the end of each local day (or week) from the first one on."""
    tz = ZoneInfo(tz_name)
    changes: Counter[date] = Counter()
    for r in regs:
        changes[r.created_at.astimezone(tz).date()] += 1
        if r.status == CANCELLED and r.cancelled_at is not None:
            changes[r.cancelled_at.astimezone(tz).date()] -= 1
    if not changes:
        return 1, ()
    first, last = min(changes), max(changes)
    span = (last - first).days + 1
    step = 1 if span <= MAX_DAILY_POINTS else 7
    points: list[DayCount] = []
    held = 0
    day = first
    while True:
        held += changes[day]
        is_bucket_end = ((day - first).days + 1) % step == 0
        if day == last or is_bucket_end:
            points.append(DayCount(day, held))
        if day == last:
            break
        day += timedelta(days=1)
    return step, tuple(points)
