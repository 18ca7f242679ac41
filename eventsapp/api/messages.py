"""Organisers' messages in the JSON API (staff token with the `messages` scope).

`POST /events/<slug>/messages` {subject, body, recipients: {status, economy, category, …},
attach_calendar?, reply_to?, confirm_repeat?} stores and sends at once to whoever matches
(no preview step: the count in the answer is the count queued) → 202 {id, recipients,
status_url}. `GET /messages/<id>` → each recipient's delivery.
"""

from __future__ import annotations

from flask import abort, current_app, g, jsonify, url_for

from ..auth.permissions import can_manage_event, manages_every_event
from ..extensions import db
from ..messages import services
from ..messages.recipients import Criteria, CriteriaProblem
from ..models import Message
from .organiser import Invalid, _body, _managed_event, token_required
from .serializers import iso
from .views import bp

SCOPE = "messages"


@bp.post("/events/<slug>/messages")
@token_required(SCOPE)
def send_message(slug: str):
    event = _managed_event(slug)
    body = _body()
    errors: dict[str, list[str]] = {}
    for name in ("subject", "body"):
        if not isinstance(body.get(name), str):
            errors[name] = ["Give a string."]
    recipients = body.get("recipients", {})
    criteria = Criteria()
    if not isinstance(recipients, dict):
        errors["recipients"] = ['Give an object, e.g. {"status": ["confirmed"]}.']
    else:
        try:
            criteria = Criteria.from_dict(recipients)
        except CriteriaProblem as exc:
            errors.update({f"recipients.{k}": v for k, v in exc.errors.items()})
    for name in ("attach_calendar", "confirm_repeat"):
        if not isinstance(body.get(name, False), bool):
            errors[name] = ["Give true or false."]
    reply_to = body.get("reply_to", current_app.config.get("MAIL_REPLY_TO") or "")
    if not isinstance(reply_to, str):
        errors["reply_to"] = ["Give an address or an empty string."]
    if errors:
        raise Invalid(errors)
    data = services.MessageInput(subject=body["subject"], body=body["body"], criteria=criteria,
                                 attach_calendar=body.get("attach_calendar", False),
                                 reply_to=reply_to.strip())
    try:
        sent = services.send_now(services.Scope(event=event), data, by=g.api_user,
                                 repeat_confirmed=body.get("confirm_repeat", False))
    except services.MessageProblem as exc:
        raise Invalid(exc.errors) from None
    except services.RepeatNeedsConfirmation as exc:
        return jsonify({"error": "Conflict", "message": f"{exc} Send again with "
                        "\"confirm_repeat\": true.", "earlier_id": exc.earlier.id}), 409
    return jsonify({"id": sent.message.id, "recipients": sent.recipients,
                    "status_url": url_for("api.message_status", message_id=sent.message.id,
                                          _external=True)}), 202


@bp.get("/messages/<int:message_id>")
@token_required(SCOPE)
def message_status(message_id: int):
    message = db.session.get(Message, message_id)
    if message is None:
        abort(404, "There is no such message.")
    scope = services.scope_of(message)
    allowed = can_manage_event(g.api_user, scope.event) if scope.event is not None else \
        manages_every_event(g.api_user)
    if not allowed:
        abort(404, "There is no such message.")
    items = services.deliveries(message)
    return jsonify({
        "id": message.id, "event": scope.event.slug if scope.event else None,
        "year": scope.work_plan.year if scope.work_plan else None,
        "subject": message.subject, "sent_at": iso(message.sent_at),
        "recipients": message.recipient_count if message.sent_at else
        len(message.previewed_ids or []),
        "counts": services.delivery_counts(items),
        "deliveries": [{
            "registration_id": d.registration_id, "name": d.name, "email": d.email,
            "status": d.status, "attempts": d.attempts, "retried": d.retried,
            "error": d.error or None, "sent_at": iso(d.sent_at),
            "next_attempt_at": iso(d.next_attempt_at)} for d in items],
    })
