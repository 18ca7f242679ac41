"""Accreditation API (staff tokens): list registrations, approve, decline, substitute, invite.

The same services as the focal point's and the secretariat's pages; a focal point's token
sees and acts on its own economy only. Refusals: 403 another economy, 404 no such
registration of this event, 409 a rule (decided already, full, quota), 422 bad fields.
"""

from __future__ import annotations

from flask import abort, g, jsonify, request

from ..accreditation import services as accreditation
from ..auth.roles import ACCREDITORS, accreditation_economy
from ..extensions import db
from ..invitations import services as invitations
from ..models import STATUSES, Event, Registration
from ..registration import services as rules
from ..registration.validation import ValidationFailed, clean_registration
from .organiser import Invalid, token_required
from .serializers import invitation_json, staff_registration_json
from .views import bp


def staff_token_required(scope: str):
    """A token with `scope` of staff who accredit (focal points too: their own economy)."""
    return token_required(scope, roles=ACCREDITORS)


def _event(slug: str) -> tuple[Event, str | None]:
    """The event and the economy the token's account is limited to (None: all)."""
    event = db.session.scalar(db.select(Event).where(Event.slug == slug))
    if event is None:
        abort(404, "There is no event with this slug.")
    try:
        return event, accreditation_economy(g.api_user, event)
    except PermissionError:
        abort(403, "This account has no access to this event's registrations.")


def _registration(event: Event, economy: str | None, reg_id: int) -> Registration:
    reg = db.session.scalar(db.select(Registration).where(Registration.id == reg_id,
                                                         Registration.event_id == event.id))
    if reg is None:
        abort(404, "There is no such registration for this event.")
    if economy is not None and reg.economy != economy:
        abort(403, "This registration belongs to another economy.")
    return reg


def _refused(exc: rules.RegistrationError):
    status = 403 if isinstance(exc, rules.NotAllowed) else 409
    return jsonify({"error": "Forbidden" if status == 403 else "Conflict",
                    "message": str(exc)}), status


@bp.get("/events/<slug>/registrations")
@staff_token_required("read")
def list_registrations(slug: str):
    event, economy = _event(slug)
    stmt = db.select(Registration).where(Registration.event_id == event.id)
    status = request.args.get("status")
    if status is not None:
        if status not in STATUSES:
            raise Invalid({"status": ["One of: " + ", ".join(STATUSES) + "."]})
        stmt = stmt.where(Registration.status == status)
    wanted = request.args.get("economy")
    if economy is not None:
        stmt = stmt.where(Registration.economy == economy)
    elif wanted:
        stmt = stmt.where(Registration.economy == wanted)
    regs = list(db.session.scalars(stmt.order_by(Registration.id)))
    positions = rules.waitlist_positions(event)
    return jsonify({"registrations": [staff_registration_json(r, positions.get(r.id))
                                      for r in regs]})


@bp.post("/events/<slug>/registrations/<int:reg_id>/approve")
@staff_token_required("registrations")
def approve_registration(slug: str, reg_id: int):
    event, economy = _event(slug)
    reg = _registration(event, economy, reg_id)
    try:
        decision = accreditation.approve(reg, user=g.api_user)
    except rules.RegistrationError as exc:
        return _refused(exc)
    return jsonify(staff_registration_json(decision.registration, decision.position))


@bp.post("/events/<slug>/registrations/<int:reg_id>/decline")
@staff_token_required("registrations")
def decline_registration(slug: str, reg_id: int):
    event, economy = _event(slug)
    reg = _registration(event, economy, reg_id)
    body = request.get_json(silent=True)
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str) or not reason.strip():
        raise Invalid({"reason": ["Give the reason for declining (text): it is emailed to "
                                  "the person."]})
    if len(reason) > accreditation.MAX_REASON:
        raise Invalid({"reason": [f"At most {accreditation.MAX_REASON} characters."]})
    try:
        declined = accreditation.decline(reg, user=g.api_user, reason=reason)
    except rules.RegistrationError as exc:
        return _refused(exc)
    return jsonify(staff_registration_json(declined, None))


@bp.post("/events/<slug>/registrations/<int:reg_id>/substitute")
@staff_token_required("registrations")
def substitute_registration(slug: str, reg_id: int):
    event, economy = _event(slug)
    reg = _registration(event, economy, reg_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid({"body": ["Send the substitute's fields as a JSON object."]})
    # Category and economy are the place's: whatever is sent for them is not used.
    raw = {**body, "economy": reg.economy, "category": reg.category}
    try:
        done = accreditation.substitute(reg, clean_registration(raw), user=g.api_user)
    except ValidationFailed as exc:
        raise Invalid(exc.errors) from exc
    except rules.RegistrationError as exc:
        return _refused(exc)
    return jsonify({**staff_registration_json(done.registration, done.position),
                    "replaced_id": reg.id}), 201


@bp.post("/events/<slug>/invitations")
@token_required("registrations")
def create_invitations(slug: str):
    event, _economy = _event(slug)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid({"body": ["Send a JSON object with \"emails\": [...]."]})
    emails = body.get("emails")
    if not isinstance(emails, list) or not all(isinstance(e, str) for e in emails):
        raise Invalid({"emails": ["A list of email addresses (strings)."]})
    unknown = sorted(set(body) - {"emails", "category", "economy", "expires_in_days"})
    if unknown:
        raise Invalid({name: ["Unknown field."] for name in unknown})
    try:
        batch = invitations.parse_addresses(emails, category=body.get("category"),
                                            economy=body.get("economy"))
        sent = invitations.invite(event, batch, user=g.api_user,
                                  days=body.get("expires_in_days"))
    except invitations.InvitationInputError as exc:
        raise Invalid(exc.errors) from exc
    return jsonify({"invited": len(sent),
                    "invitations": [invitation_json(i, event.timezone) for i in sent]}), 201
