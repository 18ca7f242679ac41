"""The check-in desk: one field for a scanner (or a person typing a code or a name)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import can_check_in, require_event_access, roles_required
from ..extensions import db
from ..labels import day_label
from ..models import ADMIN, CHECKIN, ORGANISER, Event
from . import services

bp = Blueprint("checkin", __name__)


def _event(slug: str) -> Event:
    event = db.one_or_404(select(Event).where(Event.slug == slug),
                          description="There is no event at this address.")
    require_event_access(event, can_check_in)
    return event


def _page(event: Event, status: int = 200, *, selected_day=None, **context):
    today = services.local_today(event)
    days = event.days
    return render_template(
        "checkin/desk.html", event=event, days=days,
        choose_day=bool(days) and today not in days,
        selected_day=selected_day or services.default_day(event),
        counts=services.day_counts(event), day_label=day_label, **context,
    ), status


@bp.route("/admin/events/<slug>/checkin", methods=["GET", "POST"])
@roles_required(ADMIN, ORGANISER, CHECKIN)
def desk(slug: str):
    event = _event(slug)
    if request.method == "GET":
        # A phone camera opens the URL in the QR code: show the person, check in on POST only.
        code = services.extract_code(request.args.get("code", ""))
        if code is None:
            return _page(event)
        try:
            reg = services.find_by_code(event, code)
        except services.CheckInError as exc:
            return _page(event, exc.status, error=exc.message, person=exc.registration)
        return _page(event, preview=reg, person=reg,
                     person_days=services.days_checked_in(reg))

    raw = request.form.get("code", "")
    try:
        day = services.resolve_day(event, request.form.get("day"))
    except services.CheckInError as exc:
        return _page(event, exc.status, error=exc.message)
    if not raw.strip():
        return _page(event, 400, selected_day=day, error="Scan a badge, or type a code or a name.")
    code = services.extract_code(raw)
    if code is None:
        matches = services.search_by_name(event, raw.strip())
        if not matches:
            return _page(event, 404, selected_day=day, query=raw.strip()[:services.MAX_QUERY],
                         error="No registration of this event matches that code or name.")
        return _page(event, selected_day=day, matches=matches,
                     query=raw.strip()[:services.MAX_QUERY])
    try:
        reg = services.find_by_code(event, code)
        result = services.check_in(reg, day, user=current_user)
    except services.CheckInError as exc:
        return _page(event, exc.status, selected_day=day, error=exc.message,
                     person=exc.registration)
    return _page(event, selected_day=day, result=result, person=reg,
                 person_days=services.days_checked_in(reg))
