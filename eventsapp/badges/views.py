"""Badge pages and PDFs for organisers (and, for one badge, the check-in desk).

Previewing is a GET and records nothing: an organiser may download the sheets as
often as they like. "Mark as printed" is a separate POST (with CSRF) that names
the registrations the page listed, so a trial download never empties "only badges
not printed yet", and nobody who registered after the preview is marked. The one
exception is the desk's "Reprint badge" (a POST that returns the PDF and records a
reprint): it is the act of printing, done for a person standing there.

The PDF is rendered into a temporary file and streamed from there, so a batch of
thousands of badges is never copied into the response in memory.
"""

from __future__ import annotations

import re
import tempfile
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import can_check_in, require_event_access, roles_required
from ..extensions import db
from ..labels import day_label, local, time_label
from ..models import ADMIN, CHECKIN, ORGANISER, Event, Registration
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


def _pdf(badges, layout: str, filename: str, double_sided: bool = False):
    out = tempfile.TemporaryFile()  # closed by the response once it is sent
    try:
        with pdf_time_limit():
            render_badges(badges, layout, out, double_sided=double_sided)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return send_file(out, mimetype="application/pdf", as_attachment=True,
                     download_name=filename, conditional=False, etag=False)


def _filter():
    try:
        return services.parse_filter(request.values.get("layout"), request.values.get("category"),
                                     request.values.get("not_printed"),
                                     request.values.get("double_sided"))
    except services.BadgeError as exc:
        abort(400, str(exc))


@bp.get("/admin/events/<slug>/badges")
@roles_required(ADMIN, ORGANISER)
def page(slug: str):
    event = _event(slug)
    flt = _filter()
    registrations = services.badge_registrations(event)
    selection = services.badge_registrations(event, flt)
    printed = sum(1 for r in registrations if r.badge_printed_at is not None)

    def printed_label(at: datetime) -> str:
        return f"{day_label(local(at, event.timezone).date())} {time_label(at, event.timezone)}"

    return render_template(
        "badges/page.html", event=event, registrations=registrations, printed=printed,
        selection=selection, flt=flt,
        warnings=glyph_warnings(registrations), layouts=LAYOUTS,
        printed_label=printed_label,
    )


@bp.get("/admin/events/<slug>/badges.pdf")
@roles_required(ADMIN, ORGANISER)
def batch_pdf(slug: str):
    """The sheets for a selection: a preview, as often as wanted; records nothing."""
    event = _event(slug)
    flt = _filter()
    registrations = services.badge_registrations(event, flt)
    if not registrations:
        abort(404, "No confirmed registration matches these choices: there is no badge to print.")
    return _pdf(services.badges_for(event, registrations), flt.layout,
                _safe_filename("badges", event.slug, flt.category or "all", flt.layout),
                flt.double_sided)


@bp.post("/admin/events/<slug>/badges/printed")
@roles_required(ADMIN, ORGANISER)
def mark_printed(slug: str):
    """Record as printed the badges the page listed (form field `ids`)."""
    event = _event(slug)
    flt = _filter()
    try:
        ids = services.parse_ids(request.form.get("ids"))
    except services.BadgeError as exc:
        abort(400, str(exc))
    marked = services.mark_printed(event, ids, flt, user=current_user)
    skipped = len(ids) - marked
    message = f"Marked {marked} badge{'' if marked == 1 else 's'} as printed."
    if skipped:
        message += (f" {skipped} {'was' if skipped == 1 else 'were'} left out: no longer "
                    "confirmed.")
    flash(message, "success")
    return redirect(url_for("badges.page", slug=event.slug, **flt.query(),
                            _anchor="print-heading"), 303)


@bp.route("/admin/registrations/<int:reg_id>/badge.pdf", methods=["GET", "POST"])
@roles_required(ADMIN, ORGANISER, CHECKIN)
def one_pdf(reg_id: int):
    """One badge. GET previews it; POST is the desk's reprint: the PDF, recorded."""
    reg = db.get_or_404(Registration, reg_id, description="There is no such registration.")
    # Door staff reprint lost badges for people of their event; the badge shows
    # nothing the desk does not already show.
    require_event_access(reg.event, can_check_in)
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
