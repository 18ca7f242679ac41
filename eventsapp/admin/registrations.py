"""Registrations management: list with filters, edit, cancel, promote by hand, CSV export."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import MANAGERS, managed_event_or_404, roles_required
from ..events.services import availability
from ..extensions import db
from ..models import Event, Registration
from ..registration import services as rules
from ..registration.validation import FIELD_NAMES, ValidationFailed, clean_registration
from . import export
from .forms import PromoteForm, ReasonForm, RegistrationEditForm, RegistrationFilterForm
from .services import search_registrations, waitlist_positions

bp = Blueprint("admin_registrations", __name__, url_prefix="/admin/events/<slug>")


def _registration_or_404(event: Event, reg_id: int) -> Registration:
    # Scoped to the event in the URL, whose access was checked: no reaching across events.
    return db.one_or_404(select(Registration).where(Registration.id == reg_id,
                                                    Registration.event_id == event.id),
                         description="There is no such registration for this event.")


def _filtered(event: Event) -> tuple[RegistrationFilterForm, list[Registration]]:
    form = RegistrationFilterForm(request.args)
    if not form.validate():
        return form, []
    return form, search_registrations(event, q=form.q.data or "", status=form.status.data or "",
                                      economy=form.economy.data or "",
                                      category=form.category.data or "")


@bp.get("/registrations")
@roles_required(*MANAGERS)
def registrations(slug: str):
    event = managed_event_or_404(slug)
    form, regs = _filtered(event)
    return render_template(
        "admin/registrations.html", event=event, form=form, registrations=regs,
        positions=waitlist_positions(event), availability=availability(event),
        csv_args={k: v for k, v in request.args.items() if v},
    ), (200 if not form.errors else 422)


@bp.get("/registrations.csv")
@roles_required(*MANAGERS)
def registrations_csv(slug: str) -> Response:
    event = managed_event_or_404(slug)
    _form, regs = _filtered(event)
    body = export.registrations_csv(regs, waitlist_positions(event), event.timezone)
    return Response(body, mimetype="text/csv", headers={
        # The slug is [a-z0-9-] (checked on creation), so it is safe in the header.
        "Content-Disposition": f'attachment; filename="registrations-{event.slug}.csv"'})


def _manage_page(event: Event, reg: Registration, edit_form, status: int = 200):
    return render_template(
        "admin/registration.html", event=event, reg=reg, form=edit_form,
        cancel_form=ReasonForm(prefix="cancel"), promote_form=PromoteForm(prefix="promote"),
        position=rules.waitlist_position(reg)), status


@bp.route("/registrations/<int:reg_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def registration(slug: str, reg_id: int):
    event = managed_event_or_404(slug)
    reg = _registration_or_404(event, reg_id)
    form = RegistrationEditForm(obj=reg if request.method == "GET" else None)
    if request.method == "GET":
        form.economy.data = reg.economy or ""
    if form.validate_on_submit():
        raw = {name: getattr(reg, name) for name in FIELD_NAMES}
        raw.update({name: getattr(form, name).data for name in RegistrationEditForm.FIELDS})
        try:
            rules.update_registration(reg, clean_registration(raw),
                                        user=current_user._get_current_object())
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                target = getattr(form, name, None)
                (target.errors if target is not None else form.form_errors).extend(messages)
        except rules.RegistrationError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(f"Saved the registration of {reg.full_name}.", "success")
            return redirect(url_for(".registration", slug=slug, reg_id=reg.id), 303)
    return _manage_page(event, reg, form, 422 if request.method == "POST" else 200)


@bp.post("/registrations/<int:reg_id>/cancel")
@roles_required(*MANAGERS)
def cancel(slug: str, reg_id: int):
    event = managed_event_or_404(slug)
    reg = _registration_or_404(event, reg_id)
    form = ReasonForm(prefix="cancel")
    if form.validate_on_submit():
        try:
            promoted = rules.cancel_registration(reg, user=current_user._get_current_object(),
                                                 reason=form.reason.data)
        except rules.RegistrationError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Cancelled the registration of {reg.full_name}."
                  + (f" Confirmed {len(promoted)} from the waiting list." if promoted else ""),
                  "success")
        return redirect(url_for(".registration", slug=slug, reg_id=reg.id), 303)
    flash("Give a reason for cancelling.", "error")
    return _manage_page(event, reg, RegistrationEditForm(obj=reg), 422)


@bp.post("/registrations/<int:reg_id>/promote")
@roles_required(*MANAGERS)
def promote(slug: str, reg_id: int):
    event = managed_event_or_404(slug)
    reg = _registration_or_404(event, reg_id)
    form = PromoteForm(prefix="promote")
    if form.validate_on_submit():
        try:
            rules.promote_registration(reg, user=current_user._get_current_object(),
                                       reason=form.reason.data,
                                       over_capacity=form.over_capacity.data)
        except rules.RegistrationError as exc:
            flash(str(exc), "error")
        else:
            flash(f"{reg.full_name} is now confirmed.", "success")
        return redirect(url_for(".registration", slug=slug, reg_id=reg.id), 303)
    flash("Give a reason for moving this person off the waiting list.", "error")
    return _manage_page(event, reg, RegistrationEditForm(obj=reg), 422)
