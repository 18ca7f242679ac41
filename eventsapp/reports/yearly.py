"""The year's report to the SCE (work plan deliverable 1.5): each deliverable and what happened."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..events.services import event_sort_key, is_past
from ..extensions import db
from ..labels import date_label, venue_label
from ..models import CONFIRMED, Deliverable, Event, Registration, WorkPlan
from ..outcomes.summary import DeliverableRecord, deliverable_records
from ..reference import DELIVERABLE_STATUSES, ECONOMY_ORDER
from .queries import EventSummary, event_summary


@dataclass(frozen=True)
class FocusAreaRef:
    number: int
    text: str


STATE_LABELS = {
    "held": "held", "upcoming": "upcoming", "cancelled": "cancelled", "draft": "draft",
    "undated": "dates never set",
}


@dataclass(frozen=True)
class EventOutcome:
    slug: str
    title: str
    dates: str
    venue: str
    state: str  # a key of STATE_LABELS
    collaborating_fora: str
    summary: EventSummary

    @property
    def held(self) -> bool:
        return self.state == "held"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class DeliverableReport:
    number: str
    title: str
    summary: str
    status: str
    narrative: str
    collaborators: str
    focus_areas: tuple[FocusAreaRef, ...]
    event: EventOutcome | None
    # From the year's meetings (outcomes/summary.py: deliverable_records).
    record: DeliverableRecord = DeliverableRecord()

    @property
    def status_label(self) -> str:
        return DELIVERABLE_STATUSES.get(self.status, self.status)


@dataclass(frozen=True)
class YearReport:
    group_name: str
    group_abbr: str
    year: int
    title: str
    deliverables: tuple[DeliverableReport, ...]
    focus_areas: tuple[FocusAreaRef, ...]
    events: tuple[EventOutcome, ...]  # every event of the plan, in date order
    events_held: int
    registered: int  # confirmed registrations across events held
    attended: int  # of them, people checked in on at least one day
    economies_represented: tuple[str, ...]  # codes, APEC order (registered)
    attended_online: int = 0  # people with online minutes recorded (participant reports)
    # A report for an organiser limited to some events covers only those (their titles).
    limited: bool = False
    limited_to: tuple[str, ...] = ()

    @property
    def collaborations(self) -> tuple[tuple[str, str], ...]:
        """(who, with whom) for every deliverable or event naming other fora."""
        rows = [(f"Deliverable {d.number}: {d.title}", d.collaborators)
                for d in self.deliverables if d.collaborators]
        rows += [(e.title, e.collaborating_fora) for e in self.events if e.collaborating_fora]
        return tuple(rows)


def work_plan_for_year(year: int) -> WorkPlan | None:
    return db.session.scalar(
        select(WorkPlan).where(WorkPlan.year == year).order_by(WorkPlan.group_abbr).limit(1)
    )


def year_report(work_plan: WorkPlan, now: datetime | None = None, *,
                only_events: Collection[int] | None = None) -> YearReport:
    """Everything the report says, counted from the rows now.

    :param only_events: ids of the events the reader may see (an organiser limited to some
        events): the report then covers those and the deliverables they deliver, nothing of
        the other events (figures, names, decisions) and no deliverable of no event. None:
        the whole year.
    """
    areas = {fa.number: FocusAreaRef(fa.number, fa.text) for fa in work_plan.focus_areas}
    stmt = select(Event).where(Event.work_plan_id == work_plan.id)
    if only_events is not None:
        stmt = stmt.where(Event.id.in_(list(only_events)))
    events = sorted(db.session.scalars(stmt), key=event_sort_key)
    outcomes = {e.id: _outcome(e, now) for e in events}
    records = deliverable_records([e.id for e in events])
    deliverables = tuple(
        DeliverableReport(
            number=d.number, title=d.title, summary=d.summary, status=d.status,
            narrative=d.narrative, collaborators=d.collaborators,
            focus_areas=tuple(areas[n] for n in sorted(set(d.focus_area_numbers or []))
                              if n in areas),
            event=outcomes.get(d.event_id) if d.event_id else None,
            record=records.get(d.id, DeliverableRecord()),
        )
        for d in work_plan.deliverables
        if only_events is None or d.event_id in outcomes
    )
    held = [o for o in outcomes.values() if o.held]
    held_ids = [e.id for e in events if outcomes[e.id].held]
    codes = set(db.session.scalars(
        select(Registration.economy).distinct()
        .where(Registration.event_id.in_(held_ids), Registration.status == CONFIRMED,
               Registration.economy.is_not(None))
    )) if held_ids else set()
    return YearReport(
        group_name=work_plan.group_name, group_abbr=work_plan.group_abbr, year=work_plan.year,
        title=f"{work_plan.group_name}: report on {work_plan.year}",
        deliverables=deliverables, focus_areas=tuple(areas.values()),
        events=tuple(outcomes[e.id] for e in events),
        events_held=len(held),
        registered=sum(o.summary.confirmed for o in held),
        attended=sum(o.summary.attended for o in held),
        attended_online=sum(o.summary.attended_online for o in held),
        economies_represented=tuple(sorted((c for c in codes if c in ECONOMY_ORDER),
                                           key=ECONOMY_ORDER.__getitem__)),
        limited=only_events is not None, limited_to=tuple(e.title for e in events),
    )


def event_state(event: Event, now: datetime | None = None) -> str:
    """Held only with dates that are past: an event whose month passed without dates
    being set (the 16th CTWG meeting, "August 2020") did not demonstrably take place."""
    if event.status in ("cancelled", "draft"):
        return event.status
    if not event.dates_confirmed:
        return "undated" if is_past(event, now) else "upcoming"
    return "held" if is_past(event, now) else "upcoming"


def _outcome(event: Event, now: datetime | None) -> EventOutcome:
    state = event_state(event, now)
    return EventOutcome(
        slug=event.slug, title=event.title, dates=date_label(event), venue=venue_label(event),
        state=state, collaborating_fora=event.collaborating_fora, summary=event_summary(event),
    )


def deliverable_by_number(work_plan: WorkPlan, number: str) -> Deliverable | None:
    return db.session.scalar(
        select(Deliverable).where(Deliverable.work_plan_id == work_plan.id,
                                  Deliverable.number == number)
    )
