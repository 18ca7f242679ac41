"""Public pages: the work plan and each event."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from ..extensions import db
from ..labels import agenda_by_day
from ..models import AgendaChange
from . import services

bp = Blueprint("events", __name__)


@bp.get("/")
def index() -> str:
    work_plan = services.current_work_plan()
    events = services.public_events(work_plan)
    upcoming, past = services.split_upcoming_past(events)
    return render_template(
        "events/index.html", work_plan=work_plan, upcoming=upcoming, past=past,
        availability=services.availability_for(events),
    )


@bp.get("/events/<slug>")
def event(slug: str) -> str:
    ev = services.get_public_event(slug)
    if ev is None:
        abort(404, "There is no event at this address.")
    is_open, closed_reason = services.public_registration_state(ev)
    changes = db.session.scalars(
        select(AgendaChange).where(AgendaChange.event_id == ev.id, AgendaChange.release > 1)
        .order_by(AgendaChange.at.desc(), AgendaChange.id.desc())
    ).all()
    return render_template(
        "events/event.html", event=ev, availability=services.availability(ev),
        registration_open=is_open, closed_reason=closed_reason,
        days=agenda_by_day(ev.published_items, ev.timezone), changes=changes,
        past=services.is_past(ev),
    )
