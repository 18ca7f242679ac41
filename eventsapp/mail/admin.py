"""Organisers' pages for the system emails of an event: the list, the editor with a
preview (sample values or a chosen registration's), and going back to the default."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import MANAGERS, managed_event_or_404, roles_required
from ..extensions import db
from ..models import Event, Registration
from ..registration.notices import placeholder_values
from . import services
from .forms import WordingForm
from .message import html_of
from .templates import SAMPLE, SYSTEM_EMAILS, TemplateError, render

bp = Blueprint("mail_templates", __name__, url_prefix="/admin/events/<slug>/emails")

PREVIEW_CHOICES = 300  # registrations offered for a preview, by name
PRIVATE_LINK = "(the private link: filled in for each person, only in the email)"


def _email_or_404(key: str):
    if key not in SYSTEM_EMAILS:
        abort(404, "There is no system email with this name.")
    return SYSTEM_EMAILS[key]


@bp.get("")
@roles_required(*MANAGERS)
def emails(slug: str) -> str:
    event = managed_event_or_404(slug)
    overrides = services.overrides_of(event.id)
    return render_template("mail/admin_list.html", event=event,
                           emails=list(SYSTEM_EMAILS.values()), overrides=overrides)


def _registrations(event: Event) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.anonymised_at.is_(None))
        .order_by(Registration.family_name, Registration.given_name, Registration.id)
        .limit(PREVIEW_CHOICES)))


def _values(event: Event,
            registration_id: str | None) -> tuple[dict[str, str], Registration | None]:
    """Sample values, or those of one of the event's registrations (private links shown as a
    note: only their hashes are kept)."""
    reg = None
    if registration_id and registration_id.isdigit():
        reg = db.session.scalar(select(Registration).where(
            Registration.id == int(registration_id), Registration.event_id == event.id))
    if reg is None:
        values = dict(SAMPLE, event=" ".join(event.title.split()))
        return values, None
    values = placeholder_values(reg, position="(their place on the waiting list)",
                                reason="\nReason: (the reason the organisers give)")
    values.update(manage_url=PRIVATE_LINK, calendar_url=PRIVATE_LINK)
    return values, reg


def _preview(subject: str, body: str, values: dict[str, str]) -> dict:
    text = render(body, values)
    return {"subject": " ".join(render(subject, values).split()), "text": text,
            "html": html_of(text)}


@bp.route("/<key>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(slug: str, key: str) -> Response | tuple[str, int]:
    """The wording of one email. POST saves (unchanged: nothing written); the preview
    button posts to `preview`, which renders the unsaved text without saving."""
    event = managed_event_or_404(slug)
    email = _email_or_404(key)
    current = services.wording(event.id, key)
    form = WordingForm()
    status = 200
    problems: list[str] = []
    if request.method == "GET":
        form.subject.data, form.body.data = current.subject, current.body
    elif form.validate_on_submit():
        try:
            changed = services.save_wording(event, key, form.subject.data or "",
                                            form.body.data or "",
                                            user=current_user._get_current_object())
        except TemplateError:
            problems = services.check(key, *services.clean(form.subject.data or "",
                                                           form.body.data or ""))
            status = 422
        else:
            flash(f"Saved the wording of “{email.title}”." if changed else
                  "Nothing changed, so nothing was saved.", "success")
            return redirect(url_for(".edit", slug=slug, key=key), 303)
    else:
        status = 422
    return _page(event, email, form, current, problems, status)


@bp.post("/<key>/preview")
@roles_required(*MANAGERS)
def preview(slug: str, key: str) -> tuple[str, int]:
    """The preview of the text in the form, not saved; refused like a save would be."""
    event = managed_event_or_404(slug)
    email = _email_or_404(key)
    form = WordingForm()
    if not form.validate_on_submit():
        abort(400)
    subject, body = services.clean(form.subject.data or "", form.body.data or "")
    problems = services.check(key, subject, body)
    return _page(event, email, form, services.wording(event.id, key), problems,
                 422 if problems else 200, draft=(subject, body))


def _page(event, email, form, current, problems, status, draft=None) -> tuple[str, int]:
    registration_id = request.values.get("registration", "")
    values, reg = _values(event, registration_id)
    shown = None
    if not problems:
        subject, body = draft or (current.subject, current.body)
        shown = _preview(subject, body, values)
    return render_template(
        "mail/admin_edit.html", event=event, email=email, form=form, current=current,
        problems=problems, preview=shown, draft=draft is not None,
        registrations=_registrations(event), chosen=reg,
        placeholders=email.placeholders), status


@bp.route("/<key>/reset", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def reset(slug: str, key: str) -> Response | str:
    """Ask first (GET), then go back to the default wording (POST)."""
    event = managed_event_or_404(slug)
    email = _email_or_404(key)
    current = services.wording(event.id, key)
    if request.method == "POST":  # CSRF checked for every POST (extensions.csrf)
        if services.reset_wording(event, key, user=current_user._get_current_object()):
            flash(f"“{email.title}” uses the default wording again.", "success")
        return redirect(url_for(".edit", slug=slug, key=key), 303)
    return render_template("mail/admin_reset.html", event=event, email=email, current=current)
