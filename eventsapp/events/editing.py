"""Organisers' changes to events: create, edit, clone, cancel, confirm what the seed assumed.

Capacity is not set here: raising or lowering it moves people on and off the
waiting list, which is the registration rules' job (`change_capacity`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .. import audit
from ..database import transactional
from ..extensions import db
from ..models import AgendaItem, Deliverable, Event, User, WorkPlan
from ..reference import ECONOMIES, EVENT_KINDS, EVENT_STATUSES
from ..registration.services import change_capacity, set_waitlist
from .localtime import is_valid_timezone

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class EventError(ValueError):
    """A refused event change; `errors` maps field names to messages for the user."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


@dataclass
class EventData:
    """Organiser-editable event fields except capacity (see `change_capacity`)."""

    title: str
    timezone: str = "UTC"
    kind: str = "meeting"
    status: str = "draft"
    short_title: str = ""
    description: str = ""
    theme: str = ""
    lead_economy: str | None = None
    co_sponsors: str = ""
    collaborating_fora: str = ""
    venue_name: str = ""
    city: str = ""
    venue_economy: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    tentative_month: str | None = None
    waitlist_enabled: bool = True
    per_economy_limit: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    deliverable_ids: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, event: Event) -> EventData:
        values = {f.name: getattr(event, f.name) for f in fields(cls)
                  if f.name != "deliverable_ids"}
        return cls(**values, deliverable_ids=[d.id for d in event.deliverables])


EVENT_FIELDS = tuple(f.name for f in fields(EventData) if f.name != "deliverable_ids")


def check_event(data: EventData) -> None:
    """:raises EventError: a field breaks a rule."""
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    data.title = data.title.strip()
    if not data.title:
        err("title", "Enter a title.")
    for name, limit in (("title", 300), ("short_title", 100), ("theme", 300),
                        ("venue_name", 200), ("city", 100), ("description", 10_000),
                        ("co_sponsors", 2_000), ("collaborating_fora", 2_000)):
        if len(getattr(data, name)) > limit:
            err(name, f"At most {limit} characters.")
    if not is_valid_timezone(data.timezone):
        err("timezone", "Choose a time zone from the list (an IANA name such as Asia/Singapore).")
    if data.kind not in EVENT_KINDS:
        err("kind", "Choose a kind of event.")
    if data.status not in EVENT_STATUSES:
        err("status", "Choose a status.")
    for name in ("lead_economy", "venue_economy"):
        if getattr(data, name) not in (None, *ECONOMIES):
            err(name, "Choose an APEC member economy.")
    if data.start_date is None:
        if data.end_date is not None:
            err("start_date", "Enter the first day, or leave both days empty.")
        if data.tentative_month and not MONTH_RE.match(data.tentative_month):
            err("tentative_month", "Enter the month as YYYY-MM.")
    else:
        data.end_date = data.end_date or data.start_date
        data.tentative_month = None  # real days replace a tentative month
        if data.end_date < data.start_date:
            err("end_date", "The last day cannot be before the first day.")
        elif (data.end_date - data.start_date).days > 31:
            err("end_date", "An event cannot last more than a month.")
    if data.per_economy_limit is not None and not 1 <= data.per_economy_limit <= 10_000:
        err("per_economy_limit", "Enter a number between 1 and 10000, or leave it empty.")
    opens, closes = data.registration_opens_at, data.registration_closes_at
    if opens and closes and closes <= opens:
        err("registration_closes_at", "Registration must close after it opens.")
    if errors:
        raise EventError(errors)


@transactional
def create_event(data: EventData, *, slug: str, user: User | None,
                 work_plan: WorkPlan | None = None, capacity: int | None = None) -> Event:
    """Create an event; a new event has no registrations, so capacity is set here.

    :raises EventError: bad data or a slug already taken.
    """
    check_event(data)
    check_slug(slug)
    event = Event(slug=slug, work_plan=work_plan, capacity=capacity,
                  **{f: getattr(data, f) for f in EVENT_FIELDS})
    db.session.add(event)
    db.session.flush()
    _link_deliverables(event, data.deliverable_ids)
    audit.record("event_created", event, event_id=event.id, user=user, slug=slug,
                 title=event.title)
    return event


def check_slug(slug: str) -> None:
    if not SLUG_RE.match(slug) or len(slug) > 80:
        raise EventError({"slug": ["Use lower-case letters, digits and single hyphens "
                                   "(at most 80 characters), e.g. ctwg-17."]})
    if db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        raise EventError({"slug": ["Another event already uses this address."]})


@dataclass
class EditResult:
    changed: list[str]
    promoted: list  # registrations moved off the waiting list by a raised capacity


UNSET = _UNSET = object()  # capacity not given: left as it is


@transactional
def edit_event(event: Event, data: EventData, *, user: User | None,
               capacity: int | None | object = _UNSET) -> EditResult:
    """Save an organiser's edit: capacity and waiting list through the registration rules
    (they lock the event and promote), then every other field.

    :raises EventError: the data breaks a rule; nothing is written.
    :raises RegistrationError: (CapacityError) the capacity is below the confirmed count;
        nothing is written.
    """
    check_event(data)
    promoted: list = []
    changed: list[str] = []
    # These take the event's write lock, which must come before any other write.
    if capacity is not _UNSET and capacity != event.capacity:
        promoted = change_capacity(event, capacity, user=user)
        changed.append("capacity")
    if data.waitlist_enabled != event.waitlist_enabled:
        set_waitlist(event, data.waitlist_enabled, user=user)
        changed.append("waitlist_enabled")
    return EditResult(changed + update_event(event, data, user=user), promoted)


@transactional
def update_event(event: Event, data: EventData, *, user: User | None) -> list[str]:
    """Apply the changes and record them; returns the names of the changed fields.

    :raises EventError: the data breaks a rule.
    """
    check_event(data)
    changes = {f: [getattr(event, f), getattr(data, f)] for f in EVENT_FIELDS
               if getattr(event, f) != getattr(data, f)}
    for name, (_old, new) in changes.items():
        setattr(event, name, new)
    old_deliverables = sorted(d.id for d in event.deliverables)
    if sorted(data.deliverable_ids) != old_deliverables:
        _link_deliverables(event, data.deliverable_ids)
        changes["deliverables"] = [old_deliverables, sorted(data.deliverable_ids)]
    if changes:
        event.touch()
        audit.record("event_changed", event, event_id=event.id, user=user, **changes)
    return list(changes)


def _link_deliverables(event: Event, ids: list[int]) -> None:
    for d in list(event.deliverables):
        if d.id not in ids:
            d.event = None
    for d in db.session.scalars(select(Deliverable).where(Deliverable.id.in_(ids))):
        d.event = event


@transactional
def cancel_event(event: Event, *, user: User | None, reason: str = "") -> None:
    """Mark the event cancelled (it stays public, saying so)."""
    if event.status != "cancelled":
        event.status = "cancelled"
        event.touch()
        audit.record("event_cancelled", event, event_id=event.id, user=user, reason=reason)


@transactional
def confirm_assumptions(event: Event, *, user: User | None) -> None:
    """The organisers have checked what the seed assumed: clear the reminders."""
    if event.assumptions:
        audit.record("assumptions_confirmed", event, event_id=event.id, user=user,
                     assumptions=list(event.assumptions))
        event.assumptions = []


@transactional
def clone_event(source: Event, *, slug: str, title: str, start_date: date | None,
                user: User | None, tentative_month: str | None = None) -> Event:
    """The next meeting from the last one: same settings, agenda moved to the new dates.

    Agenda times keep their local wall-clock time in the event's time zone (a
    09:00 opening stays at 09:00 across a daylight-saving change). The copy is
    a draft with an unpublished agenda and no registrations.

    :raises EventError: bad slug, title or dates.
    """
    data = EventData.of(source)
    data.title, data.status, data.deliverable_ids = title, "draft", []
    data.short_title = ""
    data.registration_opens_at = data.registration_closes_at = None
    length = (source.end_date - source.start_date) if source.start_date and source.end_date \
        else timedelta(0)
    data.start_date = start_date
    data.end_date = start_date + length if start_date else None
    data.tentative_month = None if start_date else tentative_month
    event = create_event(data, slug=slug, user=user, work_plan=source.work_plan,
                         capacity=source.capacity)
    if start_date and source.start_date:
        shift = start_date - source.start_date
        tz = ZoneInfo(source.timezone)
        for item in source.agenda_items:
            if item.is_cancelled:
                continue
            event.agenda_items.append(AgendaItem(
                title=item.title, kind=item.kind, room=item.room, chairs=list(item.chairs),
                speakers=list(item.speakers), description=item.description,
                starts_at=_shift_local(item.starts_at, shift, tz),
                ends_at=_shift_local(item.ends_at, shift, tz)))
    event.agenda_provisional = source.agenda_provisional
    # How the meeting accredits goes with it (mode, approval steps, categories, quotas).
    event.registration_mode, event.approval_steps = source.registration_mode, \
        source.approval_steps
    event.public_categories = list(source.public_categories or ())
    event.category_limits = dict(source.category_limits or {})
    audit.record("event_cloned", event, event_id=event.id, user=user, source=source.slug)
    return event


def _shift_local(instant: datetime, days: timedelta, tz: ZoneInfo) -> datetime:
    local = instant.astimezone(tz).replace(tzinfo=None) + days
    # Wall-clock arithmetic: re-attach the zone, then normalise (a gap moves forward).
    return local.replace(tzinfo=tz).astimezone(ZoneInfo("UTC"))
