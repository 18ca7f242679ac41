"""Reading events: availability, registration windows, the year's listing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, or_, select

from ..extensions import db
from ..models import INVITATION, Event, WorkPlan, utcnow


@dataclass(frozen=True)
class Availability:
    capacity: int | None  # None: no limit
    confirmed: int
    waitlisted: int

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)

    @property
    def over_capacity(self) -> int:
        """How many an organiser confirmed beyond the capacity (0 within it)."""
        return 0 if self.capacity is None else max(self.confirmed - self.capacity, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.confirmed >= self.capacity


def availability(event: Event) -> Availability:
    """From the event's counters, which the database keeps (models/counters.py)."""
    return Availability(event.capacity, event.confirmed_count, event.waitlisted_count)


def availability_for(events: list[Event]) -> dict[int, Availability]:
    return {e.id: availability(e) for e in events}


def event_starts_at(event: Event) -> datetime | None:
    """The instant the event begins: 00:00 on its first day in its own zone (with only a
    month known, on the month's first day); None while neither is known."""
    first = event.start_date or _first_of_month(event.tentative_month)
    if first is None:
        return None
    return datetime.combine(first, time(0), ZoneInfo(event.timezone)).astimezone(UTC)


def registration_closes_at(event: Event) -> datetime | None:
    """When registration closes: the organisers' closing time, else when the event starts.

    Organisers keep registration open during the event by setting a later closing time;
    once the event is over it is closed whatever the closing time says (`is_past`).
    """
    return event.registration_closes_at or event_starts_at(event)


def registration_state(event: Event, now: datetime | None = None) -> tuple[bool, str]:
    """Whether registration is open now, and the sentence that tells a delegate why not.

    :param now: the moment to judge at (default: the clock); the demo seed registers as of
        a moment before its 2020 events.
    """
    now = now or utcnow()
    if event.status == "cancelled":
        return False, "This event has been cancelled."
    if event.status != "published":
        return False, "Registration has not opened yet."
    if is_past(event, now):
        return False, "This event has already taken place; registration is closed."
    if event.registration_opens_at and now < event.registration_opens_at:
        return False, "Registration has not opened yet."
    if event.registration_closes_at:
        if now >= event.registration_closes_at:
            return False, "Registration has closed."
    elif (starts := event_starts_at(event)) is not None and now >= starts:
        return False, "Registration closed when the event began."
    return True, ""


def _first_of_month(month: str | None) -> date | None:
    if not month:
        return None
    year, number = map(int, month.split("-"))
    return date(year, number, 1)


def public_registration_state(event: Event, now: datetime | None = None) -> tuple[bool, str]:
    """Like `registration_state`, for the public form: an event by invitation has none
    (invited people register through their invitation's link)."""
    is_open, reason = registration_state(event, now)
    if is_open and event.registration_mode == INVITATION:
        return False, ("Registration for this event is by invitation only: use the link in "
                       "the invitation email you received.")
    return is_open, reason


def registration_open(event: Event, now: datetime | None = None) -> bool:
    return registration_state(event, now)[0]


def current_work_plan() -> WorkPlan | None:
    """The most recent year's work plan."""
    return db.session.scalar(select(WorkPlan).order_by(WorkPlan.year.desc()).limit(1))


def public_events(work_plan: WorkPlan | None = None, *,
                  with_unplanned: bool = False) -> list[Event]:
    """Published and cancelled events, in date order (undated ones last).

    :param work_plan: only this plan's events (all events when None).
    :param with_unplanned: with a plan, also the events that belong to no plan (such as
        the fictional demo event of `seed --demo`).
    """
    stmt = select(Event).where(Event.status.in_(("published", "cancelled")))
    if work_plan is not None:
        in_plan = Event.work_plan_id == work_plan.id
        stmt = stmt.where(or_(in_plan, Event.work_plan_id.is_(None)) if with_unplanned
                          else in_plan)
    events = list(db.session.scalars(stmt))
    return sorted(events, key=event_sort_key)


def event_sort_key(event: Event) -> tuple:
    if event.start_date:
        return (0, event.start_date, event.id)
    if event.tentative_month:
        year, month = map(int, event.tentative_month.split("-"))
        # A month sorts after every dated event inside that month.
        return (0, date(year, month, 28), event.id)
    return (1, date.max, event.id)


def is_past(event: Event, now: datetime | None = None) -> bool:
    """True once the event's last day has ended in its own time zone."""
    now = now or utcnow()
    today = now.astimezone(ZoneInfo(event.timezone)).date()
    if event.end_date or event.start_date:
        return (event.end_date or event.start_date) < today
    if event.tentative_month:
        year, month = map(int, event.tentative_month.split("-"))
        return (year, month) < (today.year, today.month)
    return False


def split_upcoming_past(events: list[Event], now: datetime | None = None):
    now = now or utcnow()
    upcoming = [e for e in events if not is_past(e, now)]
    past = [e for e in events if is_past(e, now)]
    return upcoming, list(reversed(past))


# Built once: every registration (and every public event page) starts here.
_PUBLIC_EVENT_BY_SLUG = select(Event).where(Event.slug == bindparam("slug"),
                                            Event.status.in_(("published", "cancelled")))


def get_public_event(slug: str) -> Event | None:
    return db.session.scalar(_PUBLIC_EVENT_BY_SLUG, {"slug": slug})
