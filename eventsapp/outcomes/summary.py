"""The Chair's Summary as plain data: the meeting's decisions and action items in agenda
order, with each item's documents by number, and the open actions carried forward from
earlier meetings of the work plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..documents.access import Viewer
from ..documents.programme import DocRef, agenda_numbers, doc_ref
from ..documents.services import by_agenda_item, event_documents
from ..extensions import db
from ..labels import date_label, day_label, venue_label
from ..models import ActionItem, Decision, Document, Event
from . import services


@dataclass(frozen=True)
class ActionRow:
    id: int
    text: str
    owner: str
    due: str  # "31 July 2020" or ""
    due_date: date | None
    deliverable: str  # "1.8" or ""
    status: str  # open, closed
    closing_note: str
    origin: str  # the meeting that agreed it (short title)
    origin_slug: str
    item_number: str  # at the meeting that agreed it

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class DecisionRow:
    id: int
    text: str
    deliverable: str


@dataclass(frozen=True)
class SummaryItem:
    id: int | None  # None: the meeting as a whole
    number: str
    title: str
    decisions: tuple[DecisionRow, ...]
    actions: tuple[ActionRow, ...]
    documents: tuple[DocRef, ...]


@dataclass(frozen=True)
class ChairsSummary:
    slug: str
    title: str
    group_name: str
    dates: str
    venue: str
    published: bool
    items: tuple[SummaryItem, ...]
    carried_forward: tuple[ActionRow, ...]
    next_meeting: str  # title, or ""

    @property
    def open_actions(self) -> int:
        return sum(1 for i in self.items for a in i.actions if a.is_open)


def decision_row(d: Decision) -> DecisionRow:
    return DecisionRow(d.id, d.text, d.deliverable.number if d.deliverable else "")


def action_row(a: ActionItem, numbers: dict[int, str] | None = None) -> ActionRow:
    numbers = numbers if numbers is not None else agenda_numbers(a.event)
    return ActionRow(
        id=a.id, text=a.text, owner=services.owner_label(a),
        due=day_label(a.due_date) if a.due_date else "", due_date=a.due_date,
        deliverable=a.deliverable.number if a.deliverable else "", status=a.status,
        closing_note=a.closing_note, origin=a.event.short_title or a.event.title,
        origin_slug=a.event.slug, item_number=numbers.get(a.agenda_item_id or 0, ""))


def chairs_summary(event: Event, viewer: Viewer) -> ChairsSummary:
    """Every agenda item that has a decision, an action or a document, in agenda order
    (the draft agenda's times, so that an item not yet published still has its place);
    then what belongs to no item."""
    numbers = agenda_numbers(event)
    decisions, actions = services.event_outcomes(event)
    docs = by_agenda_item(event_documents(event, viewer))
    items = []
    for item in sorted(event.agenda_items, key=lambda i: (i.starts_at, i.ends_at, i.id)):
        ds = tuple(decision_row(d) for d in decisions if d.agenda_item_id == item.id)
        acts = tuple(action_row(a, numbers) for a in actions if a.agenda_item_id == item.id)
        refs = tuple(doc_ref(d) for d in docs.get(item.id, ()))
        if ds or acts or refs:
            items.append(SummaryItem(item.id, numbers.get(item.id, ""), item.title, ds, acts,
                                     refs))
    ds = tuple(decision_row(d) for d in decisions if d.agenda_item_id is None)
    acts = tuple(action_row(a, numbers) for a in actions if a.agenda_item_id is None)
    if ds or acts:
        items.append(SummaryItem(None, "", "General", ds, acts, ()))
    following = services.next_meeting(event)
    return ChairsSummary(
        slug=event.slug, title=event.title,
        group_name=event.work_plan.group_name if event.work_plan else "",
        dates=date_label(event), venue=venue_label(event),
        published=services.summary_published(event), items=tuple(items),
        carried_forward=tuple(action_row(a) for a in services.carried_forward(event)),
        next_meeting=following.title if following else "")


@dataclass(frozen=True)
class DeliverableRecord:
    """What the year's meetings did for one deliverable (for the report to the SCE)."""

    decisions: tuple[str, ...] = ()  # "CTWG 15: The meeting adopted …"
    documents: tuple[str, ...] = ()  # "2020/CTWG15/004 Preliminary report …"
    open_actions: tuple[str, ...] = ()  # "Chile, by 1 August 2020: Present …"


def deliverable_records(event_ids: list[int]) -> dict[int, DeliverableRecord]:
    """{deliverable id: its decisions, documents (all of them: the report is for staff) and
    open actions} across the given events, in event then entry order."""
    order = {eid: n for n, eid in enumerate(event_ids)}
    decisions: dict[int, list[str]] = {}
    docs: dict[int, list[str]] = {}
    actions: dict[int, list[str]] = {}
    if not event_ids:
        return {}
    for d in sorted(db.session.scalars(select(Decision).where(
            Decision.event_id.in_(event_ids), Decision.deliverable_id.is_not(None))),
            key=lambda d: (order[d.event_id], d.id)):
        decisions.setdefault(d.deliverable_id, []).append(
            f"{d.event.short_title or d.event.title}: {d.text}")
    for doc in sorted(db.session.scalars(select(Document).where(
            Document.event_id.in_(event_ids), Document.deliverable_id.is_not(None))),
            key=lambda d: (order[d.event_id], d.seq)):
        docs.setdefault(doc.deliverable_id, []).append(
            f"{doc.number}{' ' + doc.revision_label if doc.revision_label else ''} {doc.title}")
    for a in sorted(db.session.scalars(select(ActionItem).where(
            ActionItem.event_id.in_(event_ids), ActionItem.deliverable_id.is_not(None),
            ActionItem.status == "open")), key=lambda a: (order[a.event_id], a.id)):
        due = f", by {day_label(a.due_date)}" if a.due_date else ""
        actions.setdefault(a.deliverable_id, []).append(
            f"{services.owner_label(a)}{due}: {a.text}")
    return {k: DeliverableRecord(tuple(decisions.get(k, ())), tuple(docs.get(k, ())),
                                 tuple(actions.get(k, ())))
            for k in set(decisions) | set(docs) | set(actions)}
