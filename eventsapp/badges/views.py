"""Badge pages and PDFs for organisers.

Downloading with GET only renders; the badge page's buttons POST (with CSRF),
and only a POST records the badges as printed, since no GET may change state.
The PDF is rendered into a temporary file and streamed from there, so a batch
of thousands of badges is never copied into the response in memory.
"""

from __future__ import annotations

import re
import tempfile
from datetime import datetime

from flask import Blueprint, abort, render_template, request, send_file
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import require_event_access, roles_required
from ..extensions import db
from ..labels import day_label, local, time_label
from ..models import ADMIN, ORGANISER, Event, Registration
from ..timelimit import pdf_time_limit
from . import services
from .fonts import glyph_warnings
from .layouts import LAYOUTS
from .render import render_badges

bp = Blueprint("badges", __name__)


def _event(slug: str) -> Event:
    event = db.one_or_404(select(Event).where(Event.slug == slug),
                          description="There is no event at this address.")
    require_event_access(event)
    return event


def _safe_filename(*parts: str) -> str:
    return "-".join(re.sub(r"[^A-Za-z0-9_]+", "-", p).strip("-") or "x" for p in parts) + ".pdf"


def _pdf(badges, layout: str, filename: str):
    out = tempfile.TemporaryFile()  # closed by the response once it is sent
    try:
        with pdf_time_limit():
            render_badges(badges, layout, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return send_file(out, mimetype="application/pdf", as_attachment=True,
                     download_name=filename, conditional=False, etag=False)


@bp.get("/admin/events/<slug>/badges")
@roles_required(ADMIN, ORGANISER)
def page(slug: str):
    event = _event(slug)
    registrations = services.badge_registrations(event)
    printed = sum(1 for r in registrations if r.badge_printed_at is not None)

    def printed_label(at: datetime) -> str:
        return f"{day_label(local(at, event.timezone).date())} {time_label(at, event.timezone)}"

    return render_template(
        "badges/page.html", event=event, registrations=registrations, printed=printed,
        warnings=glyph_warnings(registrations), layouts=LAYOUTS,
        printed_label=printed_label,
    )


@bp.route("/admin/events/<slug>/badges.pdf", methods=["GET", "POST"])
@roles_required(ADMIN, ORGANISER)
def batch_pdf(slug: str):
    event = _event(slug)
    try:
        flt = services.parse_filter(request.values.get("layout"), request.values.get("category"),
                                    request.values.get("not_printed"))
    except services.BadgeError as exc:
        abort(400, str(exc))
    registrations = services.badge_registrations(event, flt)
    if not registrations:
        abort(404, "No confirmed registration matches these choices: there is no badge to print.")
    response = _pdf(services.badges_for(event, registrations), flt.layout,
                    _safe_filename("badges", event.slug, flt.category or "all", flt.layout))
    if request.method == "POST":
        services.mark_printed(event, registrations, flt, user=current_user)
    return response


@bp.route("/admin/registrations/<int:reg_id>/badge.pdf", methods=["GET", "POST"])
@roles_required(ADMIN, ORGANISER)
def one_pdf(reg_id: int):
    reg = db.get_or_404(Registration, reg_id, description="There is no such registration.")
    require_event_access(reg.event)
    layout = request.values.get("layout") or "a6"
    if layout not in LAYOUTS:
        abort(400, f"Unknown sheet layout. Choose one of: {', '.join(LAYOUTS)}.")
    try:
        services.check_printable(reg)
    except services.BadgeError as exc:
        abort(409, str(exc))
    event = reg.event
    badge = services.badge_data(reg, event)
    response = _pdf([badge], layout, _safe_filename("badge", event.slug, str(reg.id)))
    if request.method == "POST":
        services.mark_one_printed(reg, user=current_user, layout=layout)
    return response
