"""Agenda rules: editing the organisers' draft, warnings, publishing and the changelog."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

from .. import audit
from ..database import lock_event, transactional
from ..extensions import db
from ..models import AgendaChange, AgendaItem, Event, PublishedAgendaItem, User, utcnow
from ..reference import AGENDA_KINDS
from ..textnorm import normalize_text

ITEM_STATUSES = ("confirmed", "cancelled")

COPIED_FIELDS = (
    "title", "kind", "starts_at", "ends_at", "room", "chairs", "speakers", "description",
    "status", "sequence", "created_at", "updated_at",
)


def publish_agenda(event: Event) -> list[AgendaChange]:
    """Copy the draft agenda to the public one and log the differences; flushes only."""
    published = {p.id: p for p in event.published_items}
    release = event.agenda_release + 1
    now = utcnow()
    changes: list[AgendaChange] = []
    for item in event.agenda_items:
        pub = published.pop(item.id, None)
        change = _describe_change(item, pub)
        if change is None:
            continue
        if pub is None:
            pub = PublishedAgendaItem(id=item.id, event=event)
            db.session.add(pub)
        for field in COPIED_FIELDS:
            setattr(pub, field, getattr(item, field))
        pub.published_at = now
        changes.append(
            AgendaChange(event_id=event.id, release=release, item_id=item.id, change=change[0],
                         summary=change[1], at=now)
        )
    # Items deleted from the draft stay public as cancelled so calendars drop them.
    for pub in published.values():
        if pub.status != "cancelled":
            pub.status = "cancelled"
            pub.sequence += 1
            pub.updated_at = now
            pub.published_at = now
            changes.append(AgendaChange(event_id=event.id, release=release, item_id=pub.id,
                                        change="cancelled", summary=f"Cancelled: {pub.title}",
                                        at=now))
    if release == 1:
        # A first publication is one fact, not a list of additions.
        changes = [AgendaChange(event_id=event.id, release=1, item_id=None, change="published",
                                summary="Agenda published", at=now)]
    db.session.add_all(changes)
    event.agenda_release = release
    event.agenda_published_at = now
    event.touch()
    db.session.flush()
    return changes


def _describe_change(item: AgendaItem, pub: PublishedAgendaItem | None) -> tuple[str, str] | None:
    if pub is None:
        return "added", f"Added: {item.title}"
    if item.sequence == pub.sequence and item.updated_at == pub.updated_at:
        return None
    if item.status == "cancelled" and pub.status != "cancelled":
        return "cancelled", f"Cancelled: {item.title}"
    if item.status != "cancelled" and pub.status == "cancelled":
        return "restored", f"Restored: {item.title}"
    if (item.starts_at, item.ends_at) != (pub.starts_at, pub.ends_at):
        return "moved", f"Moved: {item.title}"
    if item.room != pub.room:
        return "moved", f"Room changed: {item.title}"
    return "changed", f"Details changed: {item.title}"


# --- editing the draft ---------------------------------------------------------------------

MAX_TITLE = 300
MAX_ROOM = 200
MAX_DESCRIPTION = 10_000
MAX_NAME = 200
MAX_PEOPLE = 50
# A session longer than this is a typo (a wrong day), not a plan.
MAX_DURATION = timedelta(hours=24)


class AgendaError(ValueError):
    """A refused agenda change; `errors` maps field names to messages for the user."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


@dataclass
class ItemData:
    """The organiser-editable fields of an agenda item; times are aware instants."""

    title: str
    starts_at: datetime
    ends_at: datetime
    kind: str = "session"
    room: str = ""
    chairs: list[str] = dataclass_field(default_factory=list)
    speakers: list[str] = dataclass_field(default_factory=list)
    description: str = ""
    status: str = "confirmed"

    @classmethod
    def of(cls, item: AgendaItem) -> ItemData:
        return cls(**{f: getattr(item, f) for f in ITEM_FIELDS})


ITEM_FIELDS = ("title", "starts_at", "ends_at", "kind", "room", "chairs", "speakers",
               "description", "status")
# A change of any of these must raise the item's SEQUENCE (RFC 5545 §3.8.7.4).
SCHEDULING_FIELDS = ("starts_at", "ends_at", "room", "status")


def split_names(text: str) -> list[str]:
    """Names typed one per line or separated by semicolons."""
    return [n.strip() for n in text.replace(";", "\n").splitlines() if n.strip()]


def check_item(data: ItemData) -> None:
    """:raises AgendaError: a field breaks a rule (the messages say which)."""
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    # NFC, LF line ends, no blanks or invisibles at the ends (textnorm), so a form saved
    # unchanged from a browser (CR LF) compares equal to what is stored.
    data.title = normalize_text(data.title)
    data.room = normalize_text(data.room)
    data.description = normalize_text(data.description, multiline=True)
    if not data.title:
        err("title", "Enter a title.")
    elif len(data.title) > MAX_TITLE:
        err("title", f"The title must have at most {MAX_TITLE} characters.")
    if data.kind not in AGENDA_KINDS:
        err("kind", f"The kind must be one of: {', '.join(AGENDA_KINDS)}.")
    if data.status not in ITEM_STATUSES:
        err("status", "The status must be confirmed or cancelled.")
    if len(data.room) > MAX_ROOM:
        err("room", f"The room must have at most {MAX_ROOM} characters.")
    if len(data.description) > MAX_DESCRIPTION:
        err("description", f"The description must have at most {MAX_DESCRIPTION} characters.")
    for name in ("chairs", "speakers"):
        people = [normalize_text(p) for p in getattr(data, name) if normalize_text(p)]
        setattr(data, name, people)
        if len(people) > MAX_PEOPLE:
            err(name, f"List at most {MAX_PEOPLE} names.")
        if any(len(p) > MAX_NAME for p in people):
            err(name, f"Each name must have at most {MAX_NAME} characters.")
    if data.starts_at.tzinfo is None or data.ends_at.tzinfo is None:
        raise ValueError("agenda times must be aware")  # a bug in the caller, not user input
    if data.ends_at <= data.starts_at:
        err("ends_at", "The end must be after the start.")
    elif data.ends_at - data.starts_at > MAX_DURATION:
        err("ends_at", "An item cannot last more than 24 hours.")
    if errors:
        raise AgendaError(errors)


@transactional
def add_item(event: Event, data: ItemData, *, user: User | None) -> tuple[AgendaItem, list[str]]:
    """Add an item to the draft; returns it with its warnings.

    :raises AgendaError: the data breaks a rule.
    """
    check_item(data)
    item = AgendaItem(event=event, **{f: getattr(data, f) for f in ITEM_FIELDS})
    db.session.add(item)
    db.session.flush()
    audit.record("agenda_item_added", item, event_id=event.id, user=user, title=item.title,
                 starts_at=item.starts_at, ends_at=item.ends_at, room=item.room)
    return item, item_warnings(event, item)


@transactional
def update_item(item: AgendaItem, data: ItemData, *, user: User | None
                ) -> tuple[AgendaItem, list[str]]:
    """Change a draft item; time, place or status changes raise its sequence.

    :raises AgendaError: the data breaks a rule.
    """
    check_item(data)
    changed = {f: (getattr(item, f), getattr(data, f)) for f in ITEM_FIELDS
               if getattr(item, f) != getattr(data, f)}
    if changed:
        for name, (_old, new) in changed.items():
            setattr(item, name, new)
        _mark_changed(item, scheduling=any(f in changed for f in SCHEDULING_FIELDS))
        audit.record("agenda_item_changed", item, event_id=item.event_id, user=user,
                     **{name: [old, new] for name, (old, new) in changed.items()})
    return item, item_warnings(item.event, item)


def move_item(item: AgendaItem, starts_at: datetime, *, user: User | None
              ) -> tuple[AgendaItem, list[str]]:
    """Move an item to a new start, keeping its length."""
    data = ItemData.of(item)
    data.starts_at, data.ends_at = starts_at, starts_at + (item.ends_at - item.starts_at)
    return update_item(item, data, user=user)


def shift_item(item: AgendaItem, minutes: int, *, user: User | None
               ) -> tuple[AgendaItem, list[str]]:
    """Move an item earlier (negative) or later by whole minutes; the keyboard's drag."""
    return move_item(item, item.starts_at + timedelta(minutes=minutes), user=user)


def duplicate_item(item: AgendaItem, *, user: User | None) -> tuple[AgendaItem, list[str]]:
    """A copy placed right after the original, the usual way to add a second session."""
    data = ItemData.of(item)
    length = item.ends_at - item.starts_at
    data.starts_at, data.ends_at = item.ends_at, item.ends_at + length
    data.status = "confirmed"
    return add_item(item.event, data, user=user)


@transactional
def delete_item(item: AgendaItem, *, user: User | None) -> bool:
    """Remove an item from the draft; True if it was really deleted.

    An item the public has seen stays, as cancelled, so the next publication
    tells calendars to drop it; an item never published just goes.
    """
    event_id = item.event_id
    if db.session.get(PublishedAgendaItem, item.id) is None:
        audit.record("agenda_item_deleted", item, event_id=event_id, user=user, title=item.title)
        db.session.delete(item)
        return True
    if item.status != "cancelled":
        item.status = "cancelled"
        _mark_changed(item, scheduling=True)
        audit.record("agenda_item_cancelled", item, event_id=event_id, user=user,
                     title=item.title)
    return False


@transactional
def publish(event: Event, *, user: User | None) -> list[AgendaChange]:
    """Make the draft public and log the changes.

    Under the event's lock: two organisers publishing at once get consecutive releases.
    """
    event = lock_event(event.id)
    changes = publish_agenda(event)
    audit.record("agenda_published", event, event_id=event.id, user=user,
                 release=event.agenda_release, changes=[c.summary for c in changes])
    return changes


@transactional
def confirm_agenda(event: Event, *, user: User | None) -> None:
    """The organisers agree the times: the agenda stops being shown as provisional."""
    if event.agenda_provisional:
        event.agenda_provisional = False
        event.touch()
        audit.record("agenda_confirmed", event, event_id=event.id, user=user)


def unpublished_changes(event: Event) -> int:
    """How many draft items differ from what the public sees."""
    published = {p.id: p for p in event.published_items}
    return sum(1 for i in event.agenda_items if _describe_change(i, published.get(i.id)))


def _mark_changed(item: AgendaItem, *, scheduling: bool) -> None:
    if scheduling:
        item.sequence += 1
    item.updated_at = utcnow()


# --- warnings --------------------------------------------------------------------------------


def agenda_warnings(event: Event) -> dict[int, list[str]]:
    """Warnings per item id: outside the event's days, room double-booked, person in two places."""
    items = [i for i in event.agenda_items if not i.is_cancelled]
    found: dict[int, list[str]] = {i.id: _outside_days(event, i) for i in items}
    for a, b in combinations(sorted(items, key=lambda i: i.starts_at), 2):
        if not (a.starts_at < b.ends_at and b.starts_at < a.ends_at):
            continue
        if a.room and _same(a.room, b.room):
            found[a.id].append(f"Room {a.room} is also used by “{b.title}” at the same time.")
            found[b.id].append(f"Room {b.room} is also used by “{a.title}” at the same time.")
        for person in _shared_people(a, b):
            found[a.id].append(f"{person} is also in “{b.title}” at the same time.")
            found[b.id].append(f"{person} is also in “{a.title}” at the same time.")
    return {k: v for k, v in found.items() if v}


def item_warnings(event: Event, item: AgendaItem) -> list[str]:
    return agenda_warnings(event).get(item.id, [])


def _outside_days(event: Event, item: AgendaItem) -> list[str]:
    days = event.days
    if not days:
        return []
    tz = ZoneInfo(event.timezone)
    first = item.starts_at.astimezone(tz).date()
    # An item ending at midnight still belongs to the day before.
    last = (item.ends_at - timedelta(microseconds=1)).astimezone(tz).date()
    if first < days[0] or last > days[-1]:
        return ["This item is outside the event's dates."]
    return []


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _shared_people(a: AgendaItem, b: AgendaItem) -> list[str]:
    others = {p.strip().casefold() for p in b.people}
    seen: list[str] = []
    for person in a.people:
        if person.strip().casefold() in others and person not in seen:
            seen.append(person)
    return seen
