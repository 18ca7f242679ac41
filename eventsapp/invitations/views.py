"""Invitation pages: the organisers' list, inviting one address or a CSV (preview, then
send), reminders; and the invited person's page (register or decline)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..accreditation.forms import ConfirmForm
from ..auth.permissions import MANAGERS, managed_event_or_404, roles_required
from ..models import Event, User
from ..reference import CATEGORIES, ECONOMIES
from ..registration import services as rules
from ..registration.forms import RegistrationForm, offer_categories
from ..registration.validation import ValidationFailed, clean_registration
from ..registration.views import limit_management, limit_registering
from . import services
from .forms import InviteForm, SendForm, UploadForm

bp = Blueprint("invitations", __name__)
PREVIEW_ROWS = 50


def _user() -> User:
    return current_user._get_current_object()


def _page(event: Event, *, invite_form=None, upload_form=None, status: int = 200):
    return render_template(
        "invitations/manage.html", event=event, overview=services.overview(event),
        invite_form=invite_form or InviteForm(formdata=None),
        upload_form=upload_form or UploadForm(formdata=None), categories=CATEGORIES,
        max_rows=services.MAX_ROWS), status


@bp.get("/admin/events/<slug>/invitations")
@roles_required(*MANAGERS)
def manage(slug: str):
    return _page(managed_event_or_404(slug))


def _defaults(form) -> tuple[str | None, str | None, int | None]:
    return form.category.data or None, form.economy.data or None, form.days.data


@bp.post("/admin/events/<slug>/invitations")
@roles_required(*MANAGERS)
def invite_one(slug: str):
    event = managed_event_or_404(slug)
    form = InviteForm()
    if form.validate_on_submit():
        category, economy, days = _defaults(form)
        try:
            batch = services.parse_addresses([form.email.data], category=category,
                                             economy=economy)
            sent = services.invite(event, batch, user=_user(), days=days)
        except services.InvitationInputError as exc:
            for name, messages in exc.errors.items():
                target = form.email if name == "emails" else getattr(form, name, form.email)
                target.errors = [*target.errors, *messages]
        else:
            flash(f"Invited {batch[0].email}." if sent else
                  f"{batch[0].email} is registered for this event already; no invitation "
                  "was sent.", "success" if sent else "info")
            return redirect(url_for(".manage", slug=slug), 303)
    return _page(event, invite_form=form, status=422)


@bp.post("/admin/events/<slug>/invitations/upload")
@roles_required(*MANAGERS)
def upload(slug: str):
    event = managed_event_or_404(slug)
    form = UploadForm()
    if form.validate_on_submit():
        try:
            preview = services.leave_out_registered(event, services.parse_csv(
                form.file.data.read(services.MAX_BYTES + 1)))
        except services.InvitationInputError as exc:
            form.file.errors = [*form.file.errors, *exc.errors["file"]]
        else:
            category, economy, days = _defaults(form)
            send = SendForm(formdata=None, category=form.category.data,
                            economy=form.economy.data, days=days,
                            rows=services.invitees_csv(preview.invitees),
                            count=str(len(preview.invitees)))
            return render_template(
                "invitations/preview.html", event=event, preview=preview, form=send,
                shown=preview.invitees[:PREVIEW_ROWS], default_category=category,
                default_economy=economy)
    return _page(event, upload_form=form, status=422)


@bp.post("/admin/events/<slug>/invitations/send")
@roles_required(*MANAGERS)
def send(slug: str) -> Response:
    event = managed_event_or_404(slug)
    form = SendForm()
    if not form.validate_on_submit():
        flash("The list to send was missing; upload the file again.", "error")
        return redirect(url_for(".manage", slug=slug), 303)
    category, economy, days = _defaults(form)
    try:
        # Read again: nothing from the browser is trusted, and the count must match.
        preview = services.parse_csv(form.rows.data.encode("utf-8"))
        if str(len(preview.invitees)) != form.count.data or preview.problems:
            raise services.InvitationInputError({"file": [
                "The list changed after the preview; upload the file again."]})
        invitees = [services.Invitee(i.email, i.category or category, i.economy or economy)
                    for i in preview.invitees]
        sent = services.invite(event, invitees, user=_user(), days=days)
    except services.InvitationInputError as exc:
        flash(" ".join(m for ms in exc.errors.values() for m in ms), "error")
        return redirect(url_for(".manage", slug=slug), 303)
    left_out = len(invitees) - len(sent)
    flash(f"Sent {len(sent)} invitation{'s' if len(sent) != 1 else ''}."
          + (f" {left_out} address{'es' if left_out != 1 else ''} registered already "
             "left out." if left_out else ""), "success")
    return redirect(url_for(".manage", slug=slug), 303)


@bp.post("/admin/events/<slug>/invitations/remind")
@roles_required(*MANAGERS)
def remind(slug: str) -> Response:
    event = managed_event_or_404(slug)
    if ConfirmForm().validate_on_submit():
        n = services.remind(event, user=_user())
        flash(f"Reminded {n} invited {'person' if n == 1 else 'people'} who had not answered, "
              "each with a new link.", "success")
    return redirect(url_for(".manage", slug=slug), 303)


# --- the invited person ---------------------------------------------------------------------


def _invitation_or_404(token: str):
    invitation = rules.find_invitation(token)
    if invitation is None:
        abort(404, "This invitation link is not valid. Use the most recent invitation email: "
                   "a reminder replaces the earlier link.")
    return invitation


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limit_management
@limit_registering
def respond(token: str):
    invitation = _invitation_or_404(token)
    event = invitation.event
    form = RegistrationForm()
    offered = [invitation.category] if invitation.category else rules.public_categories(event)
    offer_categories(form, offered)
    if request.method == "GET":
        form.email.data = invitation.email
        if invitation.economy:
            form.economy.data = invitation.economy
    refusal = None
    if rules.invitation_is_open(invitation) and form.validate_on_submit():
        raw = form.service_data()
        if invitation.category:
            raw["category"] = invitation.category
        if invitation.economy:
            raw["economy"] = invitation.economy
        try:
            result = rules.register(event, clean_registration(raw), invitation_token=token)
        except ValidationFailed as exc:
            form.apply_errors(exc.errors)
        except rules.RegistrationError as exc:
            refusal = str(exc)
        else:
            flash("Thank you: you are registered" + (
                "." if result.position is None else
                f"; the meeting is full, so you are number {result.position} on the waiting "
                "list.") + " We have emailed you this page's private link.", "success")
            return redirect(url_for("registration.manage", token=result.token), 303)
    status = 200
    if refusal:
        status = 409
    elif form.is_submitted() and form.errors:
        status = 422
    elif not rules.invitation_is_open(invitation):
        status = 410
    return render_template(
        "invitations/respond.html", invitation=invitation, event=event, form=form,
        token=token, refusal=refusal, open=rules.invitation_is_open(invitation),
        category=CATEGORIES.get(invitation.category or ""),
        economy=ECONOMIES.get(invitation.economy or "")), status


@bp.post("/invitations/<token>/decline")
@limit_management
def decline(token: str) -> Response:
    invitation = _invitation_or_404(token)
    try:
        services.decline(token)
    except services.InvitationRefused as exc:
        flash(str(exc), "info")
        return redirect(url_for(".respond", token=token), 303)
    flash("You have declined the invitation. Thank you for telling us.", "success")
    return redirect(url_for("events.event", slug=invitation.event.slug), 303)
