"""Agenda rules: editing the organisers' draft, warnings, publishing and the changelog."""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from .. import audit
from ..database import lock_event, transactional
from ..extensions import db
from ..inputs import check_text, instant_out_of_range
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
# Items an event may hold (draft rows, cancelled ones included). A week-long conference
# has a few hundred; the bound keeps every page, feed and warning pass over an agenda small.
MAX_AGENDA_ITEMS = 2_000


class AgendaError(ValueError):
    """A refused agenda change; `errors` maps field names to messages for the user."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


class AgendaFull(Exception):
    """The event already holds MAX_AGENDA_ITEMS items; the message is for the user."""

    def __init__(self, held: int):
        super().__init__(f"This agenda already has {held} items, and an event can hold at most "
                         f"{MAX_AGENDA_ITEMS}. Delete items you no longer need first.")
        self.held = held


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


def end_day(day: date, start: time, end: time, *, end_of_day: bool = False) -> date:
    """The local day an item typed as one day, a start and an end, ends on.

    An end at or before the start (22:00–01:00, 19:00–00:00) or 24:00 is on the next
    day: evening receptions and late sessions are normal at these meetings. Items are
    at most MAX_DURATION long, so an end never needs a later day than that.
    """
    return day + timedelta(days=1) if end_of_day or end <= start else day


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
    for name, label, multiline in (("title", "The title", False), ("room", "The room", False),
                                   ("description", "The description", True)):
        try:
            check_text(getattr(data, name), label, multiline=multiline)
        except ValueError as exc:
            err(name, str(exc))
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
        try:
            for person in people:
                check_text(person, "Each name")
        except ValueError as exc:
            err(name, str(exc))
    if data.starts_at.tzinfo is None or data.ends_at.tzinfo is None:
        raise ValueError("agenda times must be aware")  # a bug in the caller, not user input
    times_in_range = True
    for name in ("starts_at", "ends_at"):
        if message := instant_out_of_range(getattr(data, name)):
            err(name, message)
            times_in_range = False
    # Only times in range are compared: comparing converts to UTC, which could overflow.
    if times_in_range:
        if data.ends_at <= data.starts_at:
            err("ends_at", "The end must be after the start.")
        elif data.ends_at - data.starts_at > MAX_DURATION:
            err("ends_at", "An item cannot last more than 24 hours.")
    if errors:
        raise AgendaError(errors)


def check_room_for(event: Event, count: int = 1) -> None:
    """:raises AgendaFull: `count` more items would take the event past MAX_AGENDA_ITEMS."""
    held = db.session.scalar(select(func.count()).select_from(AgendaItem)
                             .where(AgendaItem.event_id == event.id)) or 0
    if held + count > MAX_AGENDA_ITEMS:
        raise AgendaFull(held)


@transactional
def add_item(event: Event, data: ItemData, *, user: User | None) -> tuple[AgendaItem, list[str]]:
    """Add an item to the draft; returns it with its warnings.

    :raises AgendaError: the data breaks a rule.
    :raises AgendaFull: the event already holds MAX_AGENDA_ITEMS items.
    """
    check_item(data)
    event = lock_event(event.id)  # counted under the lock, so the cap holds under a storm
    check_room_for(event)
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
    """A copy placed right after the original, the usual way to add a second session.

    :raises AgendaError: the copy would break a rule (e.g. end past the latest date).
    :raises AgendaFull: the event already holds MAX_AGENDA_ITEMS items.
    """
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


# Warnings listed per item. An agenda of MAX_AGENDA_ITEMS items booked into one room has
# millions of clashes; listing the first few per item keeps the page readable and the work
# proportional to the items, not to the clashes.
MAX_WARNINGS_PER_ITEM = 20


def agenda_warnings(event: Event) -> dict[int, list[str]]:
    """Warnings per item id: outside the event's days, room double-booked, person in two places.

    Each item gets its warnings in the order a comparison of every pair of items
    (sorted by start) would give them, up to MAX_WARNINGS_PER_ITEM and then a line
    saying so; but only clashing pairs are looked at (`_clashing_pairs`), so the
    work is O(n log n) in the number of items.
    """
    items = sorted((i for i in event.agenda_items if not i.is_cancelled),
                   key=lambda i: i.starts_at)
    found: dict[int, list[str]] = {i.id: _outside_days(event, i) for i in items}

    def full(item: AgendaItem) -> bool:
        return len(found[item.id]) >= MAX_WARNINGS_PER_ITEM

    def note(item: AgendaItem, what: str, other: AgendaItem) -> None:
        if not full(item):
            found[item.id].append(f"{what} “{other.title}” at the same time.")

    for a, b in _clashing_pairs(items, full):
        if _key(a.room) and _key(a.room) == _key(b.room):
            note(a, f"Room {a.room} is also used by", b)
            note(b, f"Room {b.room} is also used by", a)
        for person in _shared_people(a, b):
            note(a, f"{person} is also in", b)
            note(b, f"{person} is also in", a)
    for messages in found.values():
        if len(messages) >= MAX_WARNINGS_PER_ITEM:
            messages.append(f"Only the first {MAX_WARNINGS_PER_ITEM} warnings are listed.")
    return {k: v for k, v in found.items() if v}


def _clashing_pairs(items: list[AgendaItem], full: Callable[[AgendaItem], bool]
                    ) -> Iterator[tuple[AgendaItem, AgendaItem]]:
    """Pairs (a, b) of `items` (sorted by start), a before b, that overlap in time and share
    a room or a person, in the order itertools.combinations would give them; a pair
    whose two items are both `full` (checked as the pairs are consumed) is left out.

    A sweep: an item after a overlaps it only if it starts before a ends, and since
    items are sorted by start those form the run right after a (found by bisection).
    In that run only items sharing a room or person with a are looked at, through
    the sorted positions of each room's and person's items. Once a is full only the
    items not yet full matter, and those are reached by skipping over full ones
    (union-find), so each item costs O(log n) plus the warnings it gets. Rooms and
    names compare stripped and case-folded; a blank one matches nothing.
    """
    starts = [i.starts_at for i in items]
    positions: dict[tuple[str, str], list[int]] = {}
    keys_of: list[list[tuple[str, str]]] = []
    for n, item in enumerate(items):
        keys = {("person", key) for person in item.people if (key := _key(person))}
        if room := _key(item.room):
            keys.add(("room", room))
        for key in keys:
            positions.setdefault(key, []).append(n)
        keys_of.append(sorted(keys))
    # Per room or person: the next position (in its list) whose item may not be full yet.
    skip = {key: list(range(len(members) + 1)) for key, members in positions.items()}

    def not_full(key: tuple[str, str], lo: int, hi: int) -> Iterator[int]:
        members, parent = positions[key], skip[key]
        at = _find(parent, lo)
        while at < hi:
            if full(items[members[at]]):
                parent[at] = at + 1  # full for good: never looked at again
            else:
                yield members[at]
            at = _find(parent, at + 1)

    for n, a in enumerate(items):
        run_end = bisect_left(starts, a.ends_at, lo=n + 1)
        after = n + 1
        if not full(a):
            # Every clashing item in order, until a has its fill of warnings.
            runs = []
            for key in keys_of[n]:
                members = positions[key]
                lo = bisect_left(members, after)
                runs.append(map(members.__getitem__,
                                range(lo, bisect_left(members, run_end, lo))))
            last = -1
            for m in heapq.merge(*runs):
                if m != last and a.starts_at < items[m].ends_at:
                    yield a, items[m]
                last = m
                if full(a):
                    break
            after = last + 1
        if not full(a):
            continue  # every clashing item was seen
        # a is full: only items that can still take a warning are visited.
        seen: set[int] = set()
        for key in keys_of[n]:
            members = positions[key]
            lo = bisect_left(members, after)
            for m in not_full(key, lo, bisect_left(members, run_end, lo)):
                if m not in seen and a.starts_at < items[m].ends_at:
                    seen.add(m)
                    yield a, items[m]


def _find(parent: list[int], at: int) -> int:
    root = at
    while parent[root] != root:
        root = parent[root]
    while parent[at] != root:  # path compression
        parent[at], at = root, parent[at]
    return root


def item_warnings(event: Event, item: AgendaItem) -> list[str]:
    return agenda_warnings(event).get(item.id, [])


def _outside_days(event: Event, item: AgendaItem) -> list[str]:
    days = event.days
    if not days:
        return []
    # An item belongs to the day it starts on: one that runs past midnight of the last day
    # (the closing dinner until 01:00) is inside the event, as agendas print it.
    start = item.starts_at.astimezone(ZoneInfo(event.timezone)).date()
    if not days[0] <= start <= days[-1]:
        return ["This item is outside the event's dates."]
    return []


def _key(name: str) -> str:
    return name.strip().casefold()


def _shared_people(a: AgendaItem, b: AgendaItem) -> list[str]:
    """People of `a` (as `a` spells them, in its order) who are also in `b`."""
    others = {key for p in b.people if (key := _key(p))}
    seen: list[str] = []
    for person in a.people:
        if _key(person) in others and person not in seen:
            seen.append(person)
    return seen
