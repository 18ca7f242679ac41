"""Organisers' changes to events: create, edit, clone, cancel, confirm what the seed assumed.

Capacity is not set here: raising or lowering it moves people on and off the
waiting list, which is the registration rules' job (`change_capacity`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .. import audit
from ..agenda.services import MAX_AGENDA_ITEMS
from ..database import lock_event, transactional
from ..extensions import db
from ..inputs import check_text, date_out_of_range, instant_out_of_range
from ..models import AgendaChange, AgendaItem, Deliverable, Event, User, WorkPlan, utcnow
from ..reference import ECONOMIES, EVENT_KINDS, EVENT_STATUSES
from ..registration.services import change_capacity, set_waitlist
from ..textnorm import normalize_text
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
# Free-text fields → (label in messages, whether line breaks are allowed)
TEXT_LABELS = {
    "title": ("The title", False), "short_title": ("The short title", False),
    "theme": ("The theme", False), "venue_name": ("The venue", False),
    "city": ("The city", False), "description": ("The description", True),
    "co_sponsors": ("The co-sponsoring economies", True),
    "collaborating_fora": ("The collaborating fora", True),
}


_TEXT_FIELDS = ("title", "short_title", "description", "theme", "co_sponsors",
                "collaborating_fora", "venue_name", "city")
_MULTILINE_FIELDS = ("description", "co_sponsors", "collaborating_fora")


def check_event(data: EventData) -> None:
    """:raises EventError: a field breaks a rule."""
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    # NFC, LF line ends, no blanks or invisibles at the ends (textnorm): what a browser
    # posts back unchanged (CR LF in text areas) compares equal to what is stored.
    for name in _TEXT_FIELDS:
        setattr(data, name, normalize_text(getattr(data, name) or "",
                                           multiline=name in _MULTILINE_FIELDS))
    for name, (label, multiline) in TEXT_LABELS.items():
        try:
            check_text(getattr(data, name), label, multiline=multiline)
        except ValueError as exc:
            err(name, str(exc))
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
    # Out-of-range dates are named and left out of every comparison below: comparing
    # aware instants converts them to UTC, which can overflow (year 1 at +14:00).
    out_of_range = set()
    for name, check in (("start_date", date_out_of_range), ("end_date", date_out_of_range),
                        ("registration_opens_at", instant_out_of_range),
                        ("registration_closes_at", instant_out_of_range)):
        value = getattr(data, name)
        if value is not None and (message := check(value)):
            err(name, message)
            out_of_range.add(name)
    if data.start_date is None:
        if data.end_date is not None:
            err("start_date", "Enter the first day, or leave both days empty.")
        if data.tentative_month and not MONTH_RE.match(data.tentative_month):
            err("tentative_month", "Enter the month as YYYY-MM.")
        elif data.tentative_month and (message := date_out_of_range(date(
                # Year 0 matches the pattern but is no date; year 1 is just as out of range.
                max(int(data.tentative_month[:4]), 1), int(data.tentative_month[5:]), 1))):
            err("tentative_month", message)
    elif not out_of_range & {"start_date", "end_date"}:
        data.end_date = data.end_date or data.start_date
        data.tentative_month = None  # real days replace a tentative month
        if data.end_date < data.start_date:
            err("end_date", "The last day cannot be before the first day.")
        elif (data.end_date - data.start_date).days > 31:
            err("end_date", "An event cannot last more than a month.")
    if data.per_economy_limit is not None and not 1 <= data.per_economy_limit <= 10_000:
        err("per_economy_limit", "Enter a number between 1 and 10000, or leave it empty.")
    opens, closes = data.registration_opens_at, data.registration_closes_at
    if opens and closes and not out_of_range & {"registration_opens_at",
                                                "registration_closes_at"} and closes <= opens:
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
class TimeZoneChange:
    """What a change of the event's time zone re-anchored to keep its local times."""

    old: str
    new: str
    items: int  # agenda items (draft or public) whose instants moved
    deadlines: int  # registration opening/closing times that kept their wall-clock time
    published: bool  # the public agenda moved too (a new release, higher SEQUENCEs)
    adjusted: list[str] = field(default_factory=list)  # local times the new zone lacks/repeats


@dataclass
class EditResult:
    changed: list[str]
    promoted: list  # registrations moved off the waiting list by a raised capacity
    timezone: TimeZoneChange | None = None
    dates: DatesMove | None = None  # the agenda moved with a new first day


UNSET = _UNSET = object()  # capacity not given: left as it is


@transactional
def edit_event(event: Event, data: EventData, *, user: User | None,
               capacity: int | None | object = _UNSET) -> EditResult:
    """Save an organiser's edit: capacity and waiting list through the registration rules
    (they lock the event and promote), then every other field.

    A new time zone keeps every local wall-clock time: agenda items (the draft and the
    public agenda, published at once with higher SEQUENCEs so calendars move them),
    event days (local dates already) and registration opening/closing times that the
    caller left as they were (a form sends them as typed, already in the new zone).
    A new first day moves the agenda by as many days, at the same local times, published
    the same way (a meeting moved to other dates keeps its programme on its days).

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
    moved = dates_moved = None
    if data.timezone != event.timezone:
        # The public agenda moves with the event: one writer at a time, as for publishing.
        event = lock_event(event.id)
        moved = _keep_local_times(event, data, user=user)
    if event.start_date and data.start_date and data.start_date != event.start_date:
        event = lock_event(event.id)
        dates_moved = _move_with_dates(event, data, user=user)
    return EditResult(changed + _apply(event, data, user=user), promoted, moved, dates_moved)


def _apply(event: Event, data: EventData, *, user: User | None) -> list[str]:
    """Apply the changes and record them; returns the names of the changed fields."""
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


def _keep_local_times(event: Event, data: EventData, *, user: User | None) -> TimeZoneChange:
    """Re-anchor everything that is a local wall-clock time from the event's zone to
    `data.timezone` (flushes only; called under the event's lock, before `_apply`)."""
    old, new = ZoneInfo(event.timezone), ZoneInfo(data.timezone)
    adjusted: list[str] = []
    deadlines = 0
    for name in ("registration_opens_at", "registration_closes_at"):
        before, given = getattr(event, name), getattr(data, name)
        if before is not None and given == before:
            # Left as it was: the same wall-clock time in the new zone.
            setattr(data, name, _reanchor(before, old, new, adjusted, _DEADLINE_LABELS[name]))
        after = getattr(data, name)
        if before is not None and after is not None and after != before and (
                _wall(after, new) == _wall(before, old)):
            deadlines += 1
    moved_ids, republished = _rewrite_agenda(
        event, lambda item, notes: _move(item, old, new, notes), adjusted,
        f"Time zone changed from {event.timezone} to {data.timezone}: every item keeps its "
        "local time")
    result = TimeZoneChange(event.timezone, data.timezone, len(moved_ids), deadlines,
                            republished, adjusted)
    if moved_ids or deadlines:
        audit.record("local_times_kept", event, event_id=event.id, user=user,
                     timezone=[result.old, result.new], agenda_items=result.items,
                     deadlines=result.deadlines, published=republished, adjusted=adjusted)
    db.session.flush()
    return result


def _rewrite_agenda(event: Event, move, notes: list[str], summary: str) -> tuple[set[int], bool]:
    """Move every agenda item, the draft and the public copy alike, with `move(item, notes)`
    (True if it moved); the public agenda moved is a new release with higher SEQUENCEs
    (RFC 5545: calendars take the new time only with it). Returns (ids moved, republished).
    """
    now = utcnow()
    drafts = {i.id: i for i in event.agenda_items}
    published = {p.id: p for p in event.published_items}
    in_sync = {i: (d.sequence, d.updated_at) == (published[i].sequence, published[i].updated_at)
               for i, d in drafts.items() if i in published}
    moved_ids: set[int] = set()
    for pub in published.values():
        if move(pub, []):
            pub.sequence += 1
            pub.updated_at = pub.published_at = now
            moved_ids.add(pub.id)
    for item in drafts.values():
        pub = published.get(item.id)
        if move(item, notes):
            moved_ids.add(item.id)
            item.sequence += 1
            item.updated_at = now
        if pub is None:
            continue
        if in_sync[item.id]:
            # The public copy showed the draft: they stay equal, nothing is pending.
            item.sequence, item.updated_at = pub.sequence, pub.updated_at
        elif item.id in moved_ids:
            # The draft holds unpublished changes: they stay pending, and publishing them
            # later must still raise the public SEQUENCE.
            item.sequence = max(item.sequence, pub.sequence + 1)
    republished = any(p.id in moved_ids for p in published.values())
    if republished:
        event.agenda_release += 1
        event.agenda_published_at = now
        db.session.add(AgendaChange(event_id=event.id, release=event.agenda_release,
                                    item_id=None, change="moved", summary=summary, at=now))
    return moved_ids, republished


@dataclass(frozen=True)
class DatesMove:
    """What a change of the event's first day moved: the agenda, by whole days."""

    days: int  # + later, - earlier
    items: int
    published: bool


def _move_with_dates(event: Event, data: EventData, *, user: User | None) -> DatesMove | None:
    """The first day moved (both days set): every agenda item moves by as many days, at the
    same local wall-clock time, so the agenda stays on the event's days (flushes only;
    under the event's lock, before `_apply`).

    :raises EventError: an item would move outside the accepted dates.
    """
    shift = data.start_date - event.start_date
    tz = ZoneInfo(data.timezone)

    def move(item, _notes) -> bool:
        starts, ends = (_shift_local(item.starts_at, shift, tz),
                        _shift_local(item.ends_at, shift, tz))
        if message := instant_out_of_range(starts) or instant_out_of_range(ends):
            raise EventError({"start_date": [f"Moved to these dates, the agenda would fall "
                                             f"outside the accepted range. {message}"]})
        if (starts, ends) == (item.starts_at, item.ends_at):
            return False
        item.starts_at, item.ends_at = starts, ends
        return True

    first, day = event.start_date, data.start_date
    moved_ids, republished = _rewrite_agenda(
        event, move, [], f"The meeting moved from {first:%d %B %Y} to {day:%d %B %Y}: every "
        "item moved with it, at the same local time")
    if not moved_ids:
        return None
    result = DatesMove(shift.days, len(moved_ids), republished)
    audit.record("agenda_moved_with_dates", event, event_id=event.id, user=user,
                 days=result.days, agenda_items=result.items, published=republished)
    db.session.flush()
    return result


_DEADLINE_LABELS = {"registration_opens_at": "Registration opens",
                    "registration_closes_at": "Registration closes"}


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _reanchor(instant: datetime, old: ZoneInfo, new: ZoneInfo, notes: list[str],
              label: str) -> datetime:
    """The instant with the same wall-clock time in `new` as `instant` has in `old`.

    A time the new zone skips moves forward by the gap; a time it repeats is its first
    occurrence (both as RFC 5545 §3.3.5 reads them); either is noted for the organiser.
    """
    wall = _wall(instant, old)
    first = wall.replace(tzinfo=new, fold=0)
    moved = first.astimezone(UTC)
    if _wall(moved, new) != wall:
        notes.append(f"{label}: {wall:%H:%M} on {wall.day} {wall:%B %Y} does not exist in "
                     f"{new.key} (the clocks go forward); it is now "
                     f"{_wall(moved, new):%H:%M}.")
    elif wall.replace(tzinfo=new, fold=1).utcoffset() != first.utcoffset():
        notes.append(f"{label}: {wall:%H:%M} on {wall.day} {wall:%B %Y} happens twice in "
                     f"{new.key}; it is the first one.")
    return moved


def _move(item, old: ZoneInfo, new: ZoneInfo, notes: list[str]) -> bool:
    """Keep an agenda item's local times in the new zone; True if its instants moved."""
    starts = _reanchor(item.starts_at, old, new, notes, f"“{item.title}” start")
    ends = _reanchor(item.ends_at, old, new, notes, f"“{item.title}” end")
    if ends <= starts:
        # A start moved forward out of a gap may reach the end: the item keeps its length.
        ends = starts + (item.ends_at - item.starts_at)
    if (starts, ends) == (item.starts_at, item.ends_at):
        return False
    item.starts_at, item.ends_at = starts, ends
    return True


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

    :raises EventError: bad slug, title or dates, or an agenda that would not fit (more
        than MAX_AGENDA_ITEMS items, or items moved outside the accepted dates); nothing
        is written.
    """
    data = EventData.of(source)
    data.title, data.status, data.deliverable_ids = title, "draft", []
    data.short_title = ""
    data.registration_opens_at = data.registration_closes_at = None
    length = (source.end_date - source.start_date) if source.start_date and source.end_date \
        else timedelta(0)
    # Checked before the sum below, which would overflow past year 9999.
    if start_date is not None and (message := date_out_of_range(start_date)
                                   or date_out_of_range(start_date + length)):
        raise EventError({"start_date": [message]})
    data.start_date = start_date
    data.end_date = start_date + length if start_date else None
    data.tentative_month = None if start_date else tentative_month
    moved = _moved_agenda(source, start_date) if start_date and source.start_date else []
    event = create_event(data, slug=slug, user=user, work_plan=source.work_plan,
                         capacity=source.capacity)
    for item, starts_at, ends_at in moved:
        event.agenda_items.append(AgendaItem(
            title=item.title, kind=item.kind, room=item.room, chairs=list(item.chairs),
            speakers=list(item.speakers), description=item.description,
            starts_at=starts_at, ends_at=ends_at))
    event.agenda_provisional = source.agenda_provisional
    # How the meeting accredits goes with it (mode, approval steps, categories, quotas).
    event.registration_mode, event.approval_steps = source.registration_mode, \
        source.approval_steps
    event.public_categories = list(source.public_categories or ())
    event.category_limits = dict(source.category_limits or {})
    audit.record("event_cloned", event, event_id=event.id, user=user, source=source.slug)
    return event


def _moved_agenda(source: Event, start_date: date) -> list[tuple[AgendaItem, datetime, datetime]]:
    """The source's items still on, each with its times moved to the new dates.

    :raises EventError: more items than an event may hold, or an item would move
        outside the accepted dates.
    """
    items = [item for item in source.agenda_items if not item.is_cancelled]
    if len(items) > MAX_AGENDA_ITEMS:
        raise EventError({"start_date": [
            f"The agenda of {source.title} has {len(items)} items, more than the "
            f"{MAX_AGENDA_ITEMS} an event can hold, so it cannot be copied."]})
    shift = start_date - source.start_date
    tz = ZoneInfo(source.timezone)
    moved = [(item, _shift_local(item.starts_at, shift, tz), _shift_local(item.ends_at, shift, tz))
             for item in items]
    for _item, starts_at, ends_at in moved:
        if message := instant_out_of_range(starts_at) or instant_out_of_range(ends_at):
            raise EventError({"start_date": [f"Moved to these dates, the agenda would fall "
                                             f"outside the accepted range. {message}"]})
    return moved


def _shift_local(instant: datetime, days: timedelta, tz: ZoneInfo) -> datetime:
    local = instant.astimezone(tz).replace(tzinfo=None) + days
    # Wall-clock arithmetic: re-attach the zone, then normalise (a gap moves forward).
    return local.replace(tzinfo=tz).astimezone(ZoneInfo("UTC"))
