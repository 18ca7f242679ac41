"""JSON API, version 1."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, url_for

from ..events import services
from ..extensions import csrf
from . import serializers
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# JSON clients authenticate with bearer tokens or not at all; no cookie session to forge.
csrf.exempt(bp)


@bp.get("/events")
def events():
    evs = services.public_events(services.current_work_plan(), with_unplanned=True)
    avail = services.availability_for(evs)
    return jsonify({"events": [
        serializers.event_json(e, avail[e.id], services.registration_open(e),
                               url_for("events.event", slug=e.slug, _external=True))
        for e in evs
    ]})


@bp.get("/events/<slug>")
def event(slug: str):
    ev = services.get_public_event(slug)
    if ev is None:
        abort(404, "There is no event with this slug.")
    body = serializers.event_json(ev, services.availability(ev), services.registration_open(ev),
                                  url_for("events.event", slug=ev.slug, _external=True))
    body["agenda_provisional"] = ev.agenda_provisional
    body["agenda"] = [serializers.agenda_item_json(i, ev.timezone) for i in ev.published_items]
    return jsonify(body)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


# Routes of other areas on this blueprint; imported last because they import `bp`.
from . import organiser, registrations, accreditation  # noqa: E402, F401, I001
from . import documents  # noqa: E402, F401, I001
from . import messages  # noqa: E402, F401, I001
from . import questions  # noqa: E402, F401, I001
