"""Load the 2020 work plan. Creates what is missing and never overwrites organisers' edits."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..agenda.services import publish_agenda
from ..database import transactional
from ..extensions import db
from ..models import AgendaItem, Deliverable, Event, FocusArea, WorkPlan
from ..privacy.notices import current_notice
from ..privacy.services import default_notice_text, publish_notice
from . import workplan_2020 as data


@transactional
def load_work_plan() -> dict[str, int]:
    """Load the 2020 work plan; return how many rows of each kind were created."""
    created = {"work_plan": 0, "focus_areas": 0, "deliverables": 0, "events": 0, "agenda": 0,
               "privacy_notice": 0}
    wp = db.session.scalar(
        select(WorkPlan).filter_by(group_abbr=data.WORK_PLAN["group_abbr"],
                                   year=data.WORK_PLAN["year"])
    )
    if wp is None:
        wp = WorkPlan(**data.WORK_PLAN)
        db.session.add(wp)
        db.session.flush()
        created["work_plan"] = 1

    have_areas = {fa.number for fa in wp.focus_areas}
    for number, text in data.FOCUS_AREAS.items():
        if number not in have_areas:
            wp.focus_areas.append(FocusArea(number=number, text=text))
            created["focus_areas"] += 1

    events: dict[str, Event] = {}
    for spec in data.EVENTS:
        ev = db.session.scalar(select(Event).filter_by(slug=spec["slug"]))
        if ev is None:
            ev = _create_event(wp, spec)
            created["events"] += 1
            created["agenda"] += len(spec["agenda"])
        events[spec["slug"]] = ev

    have_deliverables = {d.number for d in wp.deliverables}
    for position, spec in enumerate(data.DELIVERABLES):
        if spec["number"] in have_deliverables:
            continue
        fields = {k: v for k, v in spec.items() if k != "event"}
        wp.deliverables.append(
            Deliverable(**fields, position=position,
                        event=events.get(spec["event"]) if spec["event"] else None)
        )
        created["deliverables"] += 1

    if current_notice(wp.id) is None:
        # Version 1, for the administrator to complete (the controller's name and address).
        publish_notice(wp, default_notice_text(wp), by=None)
        created["privacy_notice"] = 1
    return created


def _create_event(wp: WorkPlan, spec: dict) -> Event:
    tz = ZoneInfo(data.TZ)
    fields = {k: v for k, v in spec.items() if k != "agenda"}
    ev = Event(work_plan=wp, status="published", timezone=data.TZ, waitlist_enabled=True,
               **fields)
    db.session.add(ev)
    db.session.flush()
    for title, kind, start, end, description in spec["agenda"]:
        ev.agenda_items.append(
            AgendaItem(title=title, kind=kind, description=description,
                       starts_at=datetime(*start, tzinfo=tz), ends_at=datetime(*end, tzinfo=tz))
        )
    if spec["agenda"]:
        ev.agenda_provisional = True
        db.session.flush()
        publish_agenda(ev)
    return ev
