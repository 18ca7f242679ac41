"""Outcomes of a meeting: decisions and action items per agenda item, closing actions, and
publishing the Chair's Summary.

An action item is open until an organiser closes it (at the meeting that agreed it or at
any later one); later meetings of the same work plan list every open one as carried
forward (`carried_forward`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .. import audit
from ..database import lock_event, transactional
from ..events.services import event_sort_key
from ..extensions import db
from ..models import (
    OPEN_ACTION,
    OWNER_KINDS,
    ActionItem,
    AgendaItem,
    Decision,
    Deliverable,
    DocumentSettings,
    Event,
    User,
    utcnow,
)
from ..reference import ECONOMIES

MAX_TEXT = 5000
MAX_NAME = 200
OWNER_LABELS = {"economy": "An economy", "secretariat": "The APEC Secretariat",
                "person": "A named person"}


class OutcomeError(Exception):
    """A refused decision or action; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


@dataclass
class DecisionInput:
    text: str
    agenda_item_id: int | None = None
    deliverable: str | None = None  # the work plan's number


@dataclass
class ActionInput:
    text: str
    owner_kind: str
    owner_economy: str | None = None
    owner_name: str = ""
    due_date: date | None = None
    agenda_item_id: int | None = None
    deliverable: str | None = None


def _text(value: str, name: str, errors: dict) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if not value:
        errors.setdefault(name, []).append("Enter the text.")
    elif len(value) > MAX_TEXT:
        errors.setdefault(name, []).append(f"Keep it under {MAX_TEXT} characters.")
    return value


def _links(event: Event, item_id: int | None, deliverable: str | None,
           errors: dict) -> tuple[int | None, int | None]:
    found_item = found_deliverable = None
    if item_id is not None:
        item = db.session.get(AgendaItem, item_id)
        if item is None or item.event_id != event.id:
            errors.setdefault("agenda_item_id", []).append("This event's agenda has no such item.")
        else:
            found_item = item.id
    if deliverable:
        d = db.session.scalar(select(Deliverable).where(
            Deliverable.work_plan_id == event.work_plan_id,
            Deliverable.number == deliverable.strip())) if event.work_plan_id else None
        if d is None:
            errors.setdefault("deliverable", []).append(
                "The event's work plan has no such deliverable.")
        else:
            found_deliverable = d.id
    return found_item, found_deliverable


@transactional
def add_decision(event: Event, data: DecisionInput, *, user: User | None = None) -> Decision:
    """Record a decision of the meeting (under an agenda item, or of the meeting as a whole).

    :raises OutcomeError: empty or too long text, an item of another event, an unknown
        deliverable.
    """
    errors: dict[str, list[str]] = {}
    text = _text(data.text, "text", errors)
    ev = lock_event(event.id)
    item_id, deliverable_id = _links(ev, data.agenda_item_id, data.deliverable, errors)
    if errors:
        raise OutcomeError(errors)
    decision = Decision(event_id=ev.id, agenda_item_id=item_id, text=text,
                        deliverable_id=deliverable_id)
    db.session.add(decision)
    db.session.flush()
    audit.record("create", decision, event_id=ev.id, user=user, text=text[:200])
    return decision


@transactional
def add_action(event: Event, data: ActionInput, *, user: User | None = None) -> ActionItem:
    """Record an action item: what, who (an economy, the Secretariat or a named person),
    by when (a date), and the deliverable it serves. It starts open.

    :raises OutcomeError: a field breaks a rule (the messages name it).
    """
    errors: dict[str, list[str]] = {}
    text = _text(data.text, "text", errors)
    owner_economy, owner_name = data.owner_economy or None, " ".join(
        (data.owner_name or "").split())
    if data.owner_kind not in OWNER_KINDS:
        errors.setdefault("owner_kind", []).append(
            "Choose an economy, the Secretariat or a named person.")
    elif data.owner_kind == "economy":
        if owner_economy not in ECONOMIES:
            errors.setdefault("owner_economy", []).append("Choose the economy.")
        owner_name = ""
    elif data.owner_kind == "person":
        if not owner_name:
            errors.setdefault("owner_name", []).append("Enter the person's name.")
        owner_economy = None
    else:
        owner_economy, owner_name = None, ""
    if len(owner_name) > MAX_NAME:
        errors.setdefault("owner_name", []).append(f"Keep it under {MAX_NAME} characters.")
    ev = lock_event(event.id)
    item_id, deliverable_id = _links(ev, data.agenda_item_id, data.deliverable, errors)
    if errors:
        raise OutcomeError(errors)
    action = ActionItem(event_id=ev.id, agenda_item_id=item_id, text=text,
                        owner_kind=data.owner_kind, owner_economy=owner_economy,
                        owner_name=owner_name, due_date=data.due_date,
                        deliverable_id=deliverable_id, status=OPEN_ACTION)
    db.session.add(action)
    db.session.flush()
    audit.record("create", action, event_id=ev.id, user=user, text=text[:200],
                 owner=owner_label(action))
    return action


@transactional
def close_action(action: ActionItem, *, note: str = "", user: User | None = None,
                 at_event: Event | None = None) -> ActionItem:
    """Close an open action (done, or dropped: the note says which).

    :raises OutcomeError: it is closed already.
    """
    lock_event(action.event_id)
    db.session.refresh(action)
    if action.status != OPEN_ACTION:
        raise OutcomeError({"action": ["This action is closed already."]})
    action.status = "closed"
    action.closed_at = utcnow()
    action.closing_note = (note or "").strip()[:MAX_TEXT]
    audit.record("close", action, event_id=action.event_id, user=user,
                 at_event=at_event.slug if at_event else None, note=action.closing_note)
    return action


@transactional
def delete_decision(decision: Decision, *, user: User | None = None) -> None:
    """Remove a decision recorded by mistake."""
    lock_event(decision.event_id)
    audit.record("delete", decision, event_id=decision.event_id, user=user,
                 text=decision.text[:200])
    db.session.delete(decision)


@transactional
def delete_action(action: ActionItem, *, user: User | None = None) -> None:
    """Remove an action item recorded by mistake (closing keeps the record)."""
    lock_event(action.event_id)
    audit.record("delete", action, event_id=action.event_id, user=user, text=action.text[:200])
    db.session.delete(action)


@transactional
def publish_summary(event: Event, published: bool, *, user: User | None = None) -> None:
    """Make the Chair's Summary public (True) or staff-only again (False)."""
    lock_event(event.id)
    settings = db.session.get(DocumentSettings, event.id)
    if settings is None:
        settings = DocumentSettings(event_id=event.id)
        db.session.add(settings)
    settings.summary_published_at = utcnow() if published else None
    audit.record("publish" if published else "unpublish", event, event_id=event.id, user=user,
                 what="chairs_summary")


# --- reading ----------------------------------------------------------------------------------


def summary_published(event: Event) -> bool:
    settings = db.session.get(DocumentSettings, event.id)
    return settings is not None and settings.summary_published_at is not None


def earlier_events(event: Event) -> list[Event]:
    """Events of the same work plan that come before `event` (date order)."""
    if event.work_plan_id is None:
        return []
    events = sorted(db.session.scalars(select(Event).where(
        Event.work_plan_id == event.work_plan_id)), key=event_sort_key)
    before = []
    for e in events:
        if e.id == event.id:
            return before
        before.append(e)
    return before


def next_meeting(event: Event) -> Event | None:
    """The next meeting (kind "meeting") of the same work plan after `event`."""
    if event.work_plan_id is None:
        return None
    events = sorted(db.session.scalars(select(Event).where(
        Event.work_plan_id == event.work_plan_id, Event.status != "cancelled")),
        key=event_sort_key)
    later = False
    for e in events:
        if later and e.kind == "meeting":
            return e
        later = later or e.id == event.id
    return None


def carried_forward(event: Event) -> list[ActionItem]:
    """Open actions agreed at earlier meetings of the same work plan, oldest first."""
    earlier = [e.id for e in earlier_events(event)]
    if not earlier:
        return []
    order = {eid: n for n, eid in enumerate(earlier)}
    actions = db.session.scalars(select(ActionItem).where(
        ActionItem.event_id.in_(earlier), ActionItem.status == OPEN_ACTION))
    return sorted(actions, key=lambda a: (order[a.event_id], a.id))


def event_outcomes(event: Event) -> tuple[list[Decision], list[ActionItem]]:
    decisions = list(db.session.scalars(
        select(Decision).where(Decision.event_id == event.id).order_by(Decision.id)))
    actions = list(db.session.scalars(
        select(ActionItem).where(ActionItem.event_id == event.id).order_by(ActionItem.id)))
    return decisions, actions


def owner_label(action: ActionItem) -> str:
    if action.owner_kind == "economy":
        return ECONOMIES.get(action.owner_economy or "", action.owner_economy or "")
    if action.owner_kind == "secretariat":
        return "APEC Secretariat"
    return action.owner_name
