"""Participation pages: the event's mode, capacities and online link (organisers); online
attendance uploads (organisers); the registrant's switch between in person and online."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import MANAGERS, managed_event_or_404, roles_required
from ..events.editing import EventError
from ..extensions import db
from ..labels import day_label
from ..models import Event, Registration, User
from ..registration import services as rules
from ..registration.views import limit_management
from . import attendance, services
from .forms import AttendanceSaveForm, AttendanceUploadForm, ParticipationForm, SwitchForm

bp = Blueprint("participation", __name__)

PREVIEW_ROWS = 500  # lines listed on the preview page; the counts cover all of them


def _user() -> User:
    return current_user._get_current_object()


# --- organisers: mode, capacities, link -------------------------------------------------------


def _settings_page(event: Event, form: ParticipationForm, status: int = 200):
    return render_template("participation/settings.html", event=event, form=form,
                           places=services.mode_places(event),
                           labels=services.MODE_LABELS), status


@bp.route("/admin/events/<slug>/participation", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def settings(slug: str):
    event = managed_event_or_404(slug)
    form = ParticipationForm(
        obj=None if request.method == "POST" else services.ParticipationSettings.of(event))
    if form.validate_on_submit():
        wanted = services.ParticipationSettings(
            form.participation_mode.data, form.capacity_in_person.data,
            form.capacity_online.data, form.online_url.data or "",
            form.online_details.data or "")
        try:
            changed, promoted = services.update_participation(event, wanted, user=_user())
        except EventError as exc:
            for name, messages in exc.errors.items():
                getattr(form, name).errors = [*getattr(form, name).errors, *messages]
        except rules.RegistrationError as exc:
            form.form_errors.append(str(exc))
        else:
            message = "Saved." if changed else "Nothing changed."
            if promoted:
                message += (f" {len(promoted)} "
                            f"{'person' if len(promoted) == 1 else 'people'} confirmed from "
                            "the waiting list.")
            flash(message, "success")
            return redirect(url_for(".settings", slug=slug), 303)
    return _settings_page(event, form, 422 if request.method == "POST" else 200)


# --- organisers: online attendance ------------------------------------------------------------


def _upload_form(event: Event, formdata=None) -> AttendanceUploadForm:
    form = AttendanceUploadForm() if formdata is None else AttendanceUploadForm(formdata=None)
    form.day.choices = [(d.isoformat(), day_label(d)) for d in event.days]
    return form


def _attendance_page(event: Event, form: AttendanceUploadForm, status: int = 200):
    return render_template("participation/attendance.html", event=event, form=form,
                           counts=attendance.attendance_counts([event.id]),
                           by_day=attendance.attendance_by_day(event)), status


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


@bp.get("/admin/events/<slug>/participation/attendance")
@roles_required(*MANAGERS)
def attendance_page(slug: str):
    event = managed_event_or_404(slug)
    return _attendance_page(event, _upload_form(event, formdata=False))


@bp.post("/admin/events/<slug>/participation/attendance")
@roles_required(*MANAGERS)
def attendance_upload(slug: str):
    event = managed_event_or_404(slug)
    form = _upload_form(event)
    if form.validate_on_submit():
        data = form.file.data.read(attendance.MAX_BYTES + 1)
        try:
            day = attendance.check_day(event, _day(form.day.data))
            result = attendance.preview(event, data)
        except attendance.AttendanceInputError as exc:
            for name, messages in exc.errors.items():
                getattr(form, name).errors = [*getattr(form, name).errors, *messages]
        else:
            save = AttendanceSaveForm(formdata=None, day=day.isoformat(),
                                      report=data.decode("utf-8-sig"))
            return render_template("participation/preview.html", event=event, form=save,
                                   preview=result, day=day,
                                   unmatched=result.unmatched[:PREVIEW_ROWS])
    return _attendance_page(event, form, 422)


@bp.post("/admin/events/<slug>/participation/attendance/save")
@roles_required(*MANAGERS)
def attendance_save(slug: str):
    event = managed_event_or_404(slug)
    form = AttendanceSaveForm()
    if not form.validate_on_submit():
        flash("The report to save was missing; upload it again.", "error")
        return redirect(url_for(".attendance_page", slug=slug), 303)
    try:
        # Read again: nothing from the browser is trusted.
        result = attendance.save_report(event, _day(form.day.data),
                                        form.report.data.encode("utf-8"), user=_user())
    except attendance.AttendanceInputError as exc:
        flash(" ".join(m for ms in exc.errors.values() for m in ms), "error")
        return redirect(url_for(".attendance_page", slug=slug), 303)
    n = len(result.matched)
    flash(f"Saved the online attendance of {n} {'person' if n == 1 else 'people'}"
          + (f"; {len(result.unmatched)} line{'s' if len(result.unmatched) != 1 else ''} "
             "not matched." if result.unmatched else "."), "success")
    return redirect(url_for(".attendance_page", slug=slug), 303)


# --- switching between in person and online --------------------------------------------------


@bp.post("/registrations/<token>/participation")
@limit_management
def switch(token: str):
    reg = rules.find_by_token(token)
    if reg is None:
        abort(404, "There is no registration at this address.")
    form = SwitchForm()
    if not form.validate_on_submit():
        flash("Choose in person or online.", "error")
        return redirect(url_for("registration.manage", token=token), 303)
    _switch(reg, form.participation.data, user=None)
    return redirect(url_for("registration.manage", token=token), 303)


@bp.post("/admin/events/<slug>/registrations/<int:reg_id>/participation")
@roles_required(*MANAGERS)
def staff_switch(slug: str, reg_id: int):
    event = managed_event_or_404(slug)
    reg = db.session.scalar(select(Registration).where(Registration.id == reg_id,
                                                       Registration.event_id == event.id))
    if reg is None:
        abort(404, "There is no such registration at this event.")
    form = SwitchForm()
    if form.validate_on_submit():
        _switch(reg, form.participation.data, user=_user())
    else:
        flash("Choose in person or online.", "error")
    return redirect(url_for("admin_registrations.registration", slug=slug, reg_id=reg_id), 303)


def _switch(reg: Registration, participation: str, *, user: User | None) -> None:
    was = reg.participation
    try:
        done = services.switch(reg, participation, user=user)
    except rules.RegistrationError as exc:
        flash(str(exc), "error")
        return
    if done.registration.participation == was:
        flash("Nothing changed.", "info")
        return
    label = services.MODE_LABELS[participation].lower()
    flash(f"You now take part {label}." if user is None else
          f"{reg.full_name} now takes part {label}.", "success")


@bp.app_template_global()
def places_per_mode(event: Event) -> list[services.ModePlaces]:
    """Places per mode for a page's figures (public pages show counts only, never a link)."""
    return services.mode_places(event)


@bp.app_template_global()
def online_link(reg: Registration) -> services.OnlineLink | None:
    """The meeting link `reg` may see on their private page, or None."""
    return services.online_link_for(reg)


@bp.app_template_global()
def participation_switch_hint(reg: Registration) -> str:
    """What switching mode would mean for `reg`, worded by `services.switch_hint`."""
    return services.switch_hint(reg)
