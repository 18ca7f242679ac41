"""JSON API for registrations, on the same service as the form."""

from __future__ import annotations

from flask import abort, jsonify, request, url_for

from ..events.services import get_public_event
from ..models import Registration
from ..questions import services as questions
from ..registration import services
from ..registration.validation import ValidationFailed, clean_registration
from ..registration.views import limit_management, limit_registering
from .serializers import iso
from .views import bp


def registration_json(reg: Registration, token: str, position: int | None) -> dict:
    return {
        "event": reg.event.slug,
        "status": reg.status,
        "waitlist_position": position,
        "manage_url": url_for("registration.manage", token=token, _external=True),
        "honorific": reg.honorific,
        "given_name": reg.given_name,
        "family_name": reg.family_name,
        "badge_name": reg.badge_name,
        "native_name": reg.native_name,
        "email": reg.email,
        "economy": reg.economy,
        "organisation": reg.organisation,
        "job_title": reg.job_title,
        "sector": reg.sector,
        "category": reg.category,
        "participation": reg.participation,
        "dietary": reg.dietary,
        "accessibility": reg.accessibility,
        "consent_to_list": reg.consent_to_list,
        "created_at": iso(reg.created_at),
        "updated_at": iso(reg.updated_at),
        "promoted_at": iso(reg.promoted_at),
        "cancelled_at": iso(reg.cancelled_at),
        "decline_reason": reg.decline_reason or None,
        "answers": questions.answers_json(reg),
    }


def _conflict(exc: services.RegistrationError):
    return jsonify({"error": "Conflict", "message": str(exc)}), 409


@bp.post("/events/<slug>/registrations")
@limit_registering
def create_registration(slug: str):
    ev = get_public_event(slug)
    if ev is None:
        abort(404, "There is no event with this slug.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"errors": {"body": ["Send a JSON object with the registration's "
                                            "fields (Content-Type: application/json)."]}}), 422
    invitation = body.get("invitation")
    if invitation is not None and not isinstance(invitation, str):
        return jsonify({"errors": {"invitation": ["The invitation's token, as text."]}}), 422
    errors: dict[str, list[str]] = {}
    data = answers = None
    try:
        data = clean_registration(body)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        answers = questions.clean_answers(
            ev, questions.questions_of(ev), body.get("answers"),
            category=data.category if data is not None else str(body.get("category")))
    except questions.QuestionError as exc:
        errors.update({k if k == "answers" else f"answers.{k}": v for k, v in exc.errors.items()})
    if errors:
        return jsonify({"errors": errors}), 422
    try:
        result = questions.register(ev, data, answers, invitation_token=invitation)
    except ValidationFailed as exc:
        return jsonify({"errors": exc.errors}), 422
    except services.RegistrationError as exc:
        return _conflict(exc)
    response = jsonify(registration_json(result.registration, result.token, result.position))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_registration", token=result.token,
                                           _external=True)
    return response


def _registration_or_404(token: str) -> Registration:
    reg = services.find_by_token(token)
    if reg is None:
        abort(404, "There is no registration with this token.")
    return reg


@bp.get("/registrations/<token>")
@limit_management
def get_registration(token: str):
    reg = _registration_or_404(token)
    return jsonify(registration_json(reg, token, services.waitlist_position(reg)))


@bp.delete("/registrations/<token>")
@limit_management
def cancel_registration(token: str):
    reg = _registration_or_404(token)
    try:
        services.cancel_registration(reg)
    except services.AlreadyCancelled as exc:
        return _conflict(exc)
    return jsonify(registration_json(reg, token, None))
