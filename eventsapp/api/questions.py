"""JSON API for an event's registration questions: read (anyone) and add (organisers)."""

from __future__ import annotations

from flask import abort, g, jsonify, url_for

from ..events.services import get_public_event
from ..questions import services
from .organiser import Invalid, _body, _managed_event, token_required
from .views import bp


@bp.get("/events/<slug>/questions")
def list_questions(slug: str):
    ev = get_public_event(slug)
    if ev is None:
        abort(404, "There is no event with this slug.")
    return jsonify({"questions": [services.question_json(q) for q in services.questions_of(ev)]})


@bp.post("/events/<slug>/questions")
@token_required("registrations")
def create_question(slug: str):
    event = _managed_event(slug)
    body = _body()
    try:
        question = services.add_question(event, services.clean_question(event, body),
                                          user=g.api_user)
    except services.QuestionError as exc:
        raise Invalid(exc.errors) from None
    response = jsonify(services.question_json(question))
    response.status_code = 201
    response.headers["Location"] = url_for("api.list_questions", slug=event.slug,
                                           _external=True)
    return response
