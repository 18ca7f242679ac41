"""Organiser API: agenda and event settings with a personal token (`Authorization: Bearer`).

Same services and rules as the agenda editor and the event form; warnings
come back in the response, refusals as 422 (bad fields) or 409 (a rule).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import abort, g, jsonify, request, url_for
from sqlalchemy import select

from ..accreditation import services as accreditation
from ..agenda import services as agenda
from ..auth.permissions import MANAGERS, can_check_in, can_manage_event
from ..auth.services import check_api_token
from ..checkin import services as checkin
from ..events import editing
from ..events.services import availability, registration_open
from ..extensions import db
from ..inputs import date_out_of_range
from ..models import ROLES, AgendaItem, Event
from ..ops import security_event
from ..participation import services as participation
from ..registration.services import RegistrationError
from .serializers import agenda_item_json, event_json
from .views import bp

ITEM_TEXT = {"title": str, "kind": str, "room": str, "description": str, "status": str}
ITEM_LISTS = ("speakers", "chairs")
EVENT_FIELDS = ("capacity", "waitlist_enabled", "per_economy_limit", "registration_opens_at",
                "registration_closes_at", "registration_mode", "approval_steps",
                "public_categories", "category_limits", "participation_mode",
                "capacity_in_person", "capacity_online", "online_url", "online_details")
PARTICIPATION = ("participation_mode", "capacity_in_person", "capacity_online", "online_url",
                 "online_details")
SETTINGS = ("registration_mode", "approval_steps", "public_categories", "category_limits")


class Invalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors


def token_required(scope: str, roles: tuple[str, ...] = MANAGERS) -> Callable:
    """A usable bearer token with `scope` of an account with one of `roles`, else 401 / 403.

    401: no token, or one unknown, revoked, expired or of a deactivated account; 403: the
    token lacks the scope (`insufficient_scope`) or the account the role. Every use and
    refusal is a security log record.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            auth_scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            check = check_api_token(token.strip(), scope) \
                if auth_scheme.lower() == "bearer" and token.strip() else None
            if check is None or check.user is None:
                security_event("api_token_refused", problem=check.problem if check else "none",
                               token_id=check.token.id if check and check.token else None)
                return jsonify({"error": "Unauthorized",
                                "message": "Send a valid personal API token as "
                                           "'Authorization: Bearer <token>'; it may have "
                                           "expired or been revoked."}), 401, {
                    "WWW-Authenticate": 'Bearer realm="eventsapp"'}
            security_event("api_token_used", token_id=check.token.id, user_id=check.user.id,
                           scope=scope, allowed=not check.problem)
            if check.problem == "scope":
                return jsonify({"error": "Forbidden",
                                "message": f"This token may not do this: it needs the "
                                           f"'{scope}' scope."}), 403, {
                    "WWW-Authenticate": f'Bearer realm="eventsapp", '
                                        f'error="insufficient_scope", scope="{scope}"'}
            if check.user.role not in roles:
                abort(403, "This account cannot change events.")
            g.api_user, g.api_token = check.user, check.token
            try:
                return view(*args, **kwargs)
            except Invalid as exc:
                return jsonify({"errors": exc.errors}), 422

        return wrapped

    return decorator


def _managed_event(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404, "There is no event with this slug.")
    if not can_manage_event(g.api_user, event):
        abort(403, "This account cannot change this event.")
    return event


def _managed_item(item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None:
        abort(404, "There is no agenda item with this id.")
    _managed_event(item.event.slug)
    return item


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid({"body": ["Send a JSON object (Content-Type: application/json)."]})
    return body


def _instant(value: Any, name: str, errors: dict, *, nullable: bool = False) -> datetime | None:
    if value is None and nullable:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        errors.setdefault(name, []).append(
            "Give an ISO 8601 date and time with its UTC offset, e.g. 2020-08-04T09:00:00+08:00.")
        return None
    if message := date_out_of_range(parsed):
        # Refused here, before anything converts it to UTC (year 1 at +14:00 would overflow).
        errors.setdefault(name, []).append(message)
        return None
    return parsed


def _item_data(body: dict, base: agenda.ItemData | None) -> agenda.ItemData:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, kind in ITEM_TEXT.items():
        if name in body:
            if not isinstance(body[name], kind):
                errors.setdefault(name, []).append("Must be a string.")
            else:
                values[name] = body[name]
    for name in ITEM_LISTS:
        if name in body:
            people = body[name]
            if not isinstance(people, list) or not all(isinstance(p, str) for p in people):
                errors.setdefault(name, []).append("Must be a list of names (strings).")
            else:
                values[name] = list(people)
    for name in ("starts_at", "ends_at"):
        if name in body:
            values[name] = _instant(body[name], name, errors)
    if base is None:
        for name in ("title", "starts_at", "ends_at"):
            if name not in body:
                errors.setdefault(name, []).append("Required.")
    unknown = set(body) - set(ITEM_TEXT) - set(ITEM_LISTS) - {"starts_at", "ends_at"}
    for name in sorted(unknown):
        errors.setdefault(name, []).append("Unknown field.")
    if errors:
        raise Invalid(errors)
    if base is None:
        return agenda.ItemData(**values)
    for name, value in values.items():
        setattr(base, name, value)
    return base


def _item_response(item: AgendaItem, warnings: list[str], status: int = 200):
    body = {**agenda_item_json(item, item.event.timezone), "warnings": warnings}
    return jsonify(body), status


@bp.post("/events/<slug>/agenda")
@token_required("agenda")
def create_agenda_item(slug: str):
    event = _managed_event(slug)
    try:
        item, warnings = agenda.add_item(event, _item_data(_body(), None), user=g.api_user)
    except agenda.AgendaError as exc:
        raise Invalid(exc.errors) from exc
    except agenda.AgendaFull as exc:
        return jsonify({"error": "Conflict", "message": str(exc)}), 409
    response, status = _item_response(item, warnings, 201)
    response.headers["Location"] = url_for("api.agenda_item", item_id=item.id)
    return response, status


@bp.patch("/agenda/<int:item_id>")
@token_required("agenda")
def agenda_item(item_id: int):
    item = _managed_item(item_id)
    data = _item_data(_body(), agenda.ItemData.of(item))
    try:
        item, warnings = agenda.update_item(item, data, user=g.api_user)
    except agenda.AgendaError as exc:
        raise Invalid(exc.errors) from exc
    return _item_response(item, warnings)


@bp.delete("/agenda/<int:item_id>")
@token_required("agenda")
def delete_agenda_item(item_id: int):
    item = _managed_item(item_id)
    if agenda.delete_item(item, user=g.api_user):
        return jsonify({"id": item_id, "deleted": True})
    # It was public: it stays as cancelled, so calendars can drop it.
    return jsonify({"id": item_id, "deleted": False,
                    "item": agenda_item_json(item, item.event.timezone)})


@bp.patch("/events/<slug>")
@token_required("registrations")
def update_event(slug: str):
    event = _managed_event(slug)
    body = _body()
    errors: dict[str, list[str]] = {}
    for name in sorted(set(body) - set(EVENT_FIELDS)):
        errors.setdefault(name, []).append("Unknown field (this endpoint changes only: "
                                           + ", ".join(EVENT_FIELDS) + ").")
    data = editing.EventData.of(event)
    capacity = body.get("capacity", event.capacity)
    if "capacity" in body and not (capacity is None or _whole(capacity, 0, 100_000)):
        errors.setdefault("capacity", []).append("A whole number from 0 to 100000, or null.")
    if "per_economy_limit" in body:
        limit = body["per_economy_limit"]
        if not (limit is None or _whole(limit, 1, 10_000)):
            errors.setdefault("per_economy_limit", []).append(
                "A whole number from 1 to 10000, or null.")
        data.per_economy_limit = limit
    if "waitlist_enabled" in body:
        if not isinstance(body["waitlist_enabled"], bool):
            errors.setdefault("waitlist_enabled", []).append("true or false.")
        data.waitlist_enabled = body["waitlist_enabled"]
    for name in ("registration_opens_at", "registration_closes_at"):
        if name in body:
            setattr(data, name, _instant(body[name], name, errors, nullable=True))
    settings = accreditation.Settings.of(event)
    for name in SETTINGS:
        if name in body:
            setattr(settings, name, body[name])
    taking_part = participation.ParticipationSettings.of(event)
    for name in PARTICIPATION:
        if name in body:
            setattr(taking_part, name, body[name])
    if errors:
        raise Invalid(errors)
    try:
        participation.edit_event_everything(event, data, settings, taking_part,
                                            user=g.api_user, capacity=capacity)
    except editing.EventError as exc:
        raise Invalid(exc.errors) from exc
    except RegistrationError as exc:
        return jsonify({"error": "Conflict", "message": str(exc)}), 409
    return jsonify(event_json(event, availability(event), registration_open(event),
                              url_for("events.event", slug=event.slug, _external=True)))


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


@bp.get("/token")
@token_required("read", roles=ROLES)
def token_info():
    """The token's own account, scopes and expiry: a script can check what it holds."""
    token = g.api_token
    return jsonify({"user": g.api_user.email, "role": g.api_user.role,
                    "scopes": sorted(token.scope_set),
                    "expires_at": token.expires_at.isoformat() if token.expires_at else None})


@bp.post("/events/<slug>/checkins")
@token_required("checkin", roles=ROLES)
def create_checkin(slug: str):
    """Check in the badge `code` (today at the venue, or `day`): 201 new, 200 already in."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404, "There is no event with this slug.")
    if not can_check_in(g.api_user, event):
        abort(403, "This account cannot check people in at this event.")
    body = _body()
    code = checkin.extract_code(str(body.get("code", "")))
    if code is None:
        raise Invalid({"code": ["The check-in code printed on the badge."]})
    try:
        day = checkin.resolve_day(event, body.get("day"))
        result = checkin.check_in(checkin.find_by_code(event, code), day, user=g.api_user)
    except checkin.CheckInError as exc:
        return jsonify({"error": "Not admitted", "message": exc.message}), exc.status
    return jsonify({"registration_id": result.registration.id, "day": result.day.isoformat(),
                    "already": result.already, "message": result.message}), \
        200 if result.already else 201
