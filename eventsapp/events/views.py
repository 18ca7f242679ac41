"""Public pages: the work plan and each event."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import select

from ..calendar.services import in_feeds
from ..documents.access import viewer_for
from ..documents.services import by_agenda_item, event_documents
from ..extensions import db
from ..labels import agenda_by_day
from ..models import AgendaChange
from ..outcomes.services import carried_forward, owner_label, summary_published
from . import services

bp = Blueprint("events", __name__)


@bp.get("/")
def index() -> str:
    work_plan = services.current_work_plan()
    events = services.public_events(work_plan, with_unplanned=True)
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
        past=services.is_past(ev), in_feeds=in_feeds(ev),
        # Documents under their items: only those this visitor may open.
        item_documents=by_agenda_item(event_documents(ev, viewer_for(ev, user=current_user))),
        summary_published=summary_published(ev),
        # Only what earlier meetings made public in their Chair's Summary.
        carried=[a for a in carried_forward(ev) if summary_published(a.event)],
        owner_label=owner_label,
    )
