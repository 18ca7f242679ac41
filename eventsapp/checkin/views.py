"""The check-in desk: one field for a scanner, a camera or a person typing a code or a name.

Every answer is the same page with one result: admitted (green), already checked in
(amber), not admitted or not found (red), in words as well as colour. The camera
(static/js/checkin-scanner.js) only fills in the same field and submits the same
form, so the desk works the same without JavaScript or with a keyboard-wedge scanner.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import can_check_in, require_event_access, roles_required
from ..badges.layouts import LAYOUTS
from ..extensions import db
from ..labels import day_label
from ..models import ADMIN, CHECKIN, ORGANISER, Event
from . import services

bp = Blueprint("checkin", __name__)


@dataclass(frozen=True)
class Outcome:
    """The desk's answer as shown: `kind` picks the colour and the verdict word."""

    kind: str  # admitted, already, refused, notfound, undone, notice, preview
    message: str

    VERDICTS = {
        "admitted": "Admitted", "already": "Already checked in", "refused": "Not admitted",
        "notfound": "Not found", "undone": "Check-in undone", "notice": "Nothing changed",
        "preview": "Confirmed registration",
    }

    @property
    def verdict(self) -> str:
        return self.VERDICTS[self.kind]

    @property
    def urgent(self) -> bool:
        """Refusals interrupt a screen reader (role=alert); the rest is a status."""
        return self.kind in ("refused", "notfound")


def _refusal(exc: services.CheckInError) -> Outcome:
    kind = {404: "notfound", 409: "refused"}.get(exc.status, "notice")
    return Outcome(kind, exc.message)


def _event(slug: str) -> Event:
    event = db.one_or_404(select(Event).where(Event.slug == slug),
                          description="There is no event at this address.")
    require_event_access(event, can_check_in)
    return event


def _page(event: Event, status: int = 200, *, selected_day=None, **context):
    today = services.local_today(event)
    days = services.check_in_days(event)  # none before the event: a scan is refused
    selected_day = selected_day or services.default_day(event)
    matches = context.get("matches") or []
    return render_template(
        "checkin/desk.html", event=event, days=days,
        choose_day=bool(days) and today not in days, selected_day=selected_day,
        counts=services.day_counts(event), day_label=day_label,
        admission=services.admission, layouts=LAYOUTS,
        checked_in=services.checked_in_ids(matches, selected_day) if selected_day else set(),
        **context,
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
            return _page(event, exc.status, outcome=_refusal(exc), person=exc.registration)
        verdict = services.admission(reg)
        if not verdict.admitted:
            return _page(event, 409, outcome=Outcome("refused", verdict.message), person=reg)
        return _page(event, outcome=Outcome("preview", "Check in this person?"),
                     preview=reg, person=reg, person_days=services.days_checked_in(reg))

    raw = request.form.get("code", "")
    closed = None  # before the event (or without dates): names can be looked up, not checked in
    try:
        day = services.resolve_day(event, request.form.get("day"))
    except services.CheckInError as exc:
        if exc.status == 400 or not raw.strip():
            return _page(event, exc.status, outcome=_refusal(exc))
        day, closed = None, exc
    if not raw.strip():
        return _page(event, 400, selected_day=day,
                     outcome=Outcome("notice", "Scan a badge, or type a code or a name."))
    code = services.extract_code(raw)
    if code is None:
        query = raw.strip()[:services.MAX_QUERY]
        matches = services.search_by_name(event, raw.strip())
        if not matches:
            return _page(event, 404, selected_day=day, query=query, outcome=Outcome(
                "notfound", "No registration of this event matches that code or name."))
        return _page(event, selected_day=day, matches=matches, query=query)
    try:
        reg = services.find_by_code(event, code)
        if closed is not None:
            raise services.CheckInError(closed.message, closed.status, registration=reg)
        result = services.check_in(reg, day, user=current_user)
    except services.CheckInError as exc:
        return _page(event, exc.status, selected_day=day, outcome=_refusal(exc),
                     person=exc.registration)
    return _page(event, selected_day=day, result=result, person=reg,
                 outcome=Outcome("already" if result.already else "admitted", result.message),
                 person_days=services.days_checked_in(reg))


@bp.post("/admin/events/<slug>/checkin/undo")
@roles_required(ADMIN, ORGANISER, CHECKIN)
def undo(slug: str):
    """Take back the check-in the desk just made (form field `checkin_id`)."""
    event = _event(slug)
    checkin_id = request.form.get("checkin_id", "")
    if not checkin_id.isdigit() or len(checkin_id) > 18:
        abort(400, "The check-in to undo was not understood.")
    try:
        undone = services.undo_check_in(event, int(checkin_id), user=current_user)
    except services.CheckInError as exc:
        return _page(event, exc.status,
                     outcome=Outcome("notice", exc.message), person=exc.registration)
    return _page(event, selected_day=undone.day, outcome=Outcome("undone", undone.message),
                 person=undone.registration,
                 person_days=services.days_checked_in(undone.registration))
