"""Registrations management: the list (filters, status tabs, sorting, pages), bulk actions on a
selection, one registration's page (edit, cancel, promote by hand) and the CSV export.

A selection travels in the query string, as ticked rows (`id=…`, repeated) or as "every
registration matching these filters" (`all=1` with the list's filters). Bulk actions that
change something are confirmed on a page that names how many they touch and POSTs the
resolved ids; those that only read (export, badges) answer the GET directly.
"""

from __future__ import annotations

import re
import tempfile

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from ..auth.permissions import MANAGERS, managed_event_or_404, roles_required
from ..badges import services as badges
from ..badges.layouts import LAYOUTS
from ..badges.render import render_badges
from ..checkin import services as checkin
from ..events.services import availability
from ..extensions import db
from ..letters import services as letters
from ..models import CANCELLED, CONFIRMED, WAITLISTED, Event, Registration, User
from ..questions import services as questions
from ..registration import services as rules
from ..registration.forms import leave_out
from ..registration.validation import FIELD_NAMES, ValidationFailed, clean_registration
from ..timelimit import pdf_time_limit
from . import export
from .forms import (
    BulkCancelForm,
    BulkPromoteForm,
    PromoteForm,
    ReasonForm,
    RegistrationEditForm,
    RegistrationFilterForm,
)
from .services import (
    MAX_ROWS,
    list_registrations,
    matching_ids,
    search_registrations,
    selected_registrations,
    waitlist_positions,
)

bp = Blueprint("admin_registrations", __name__, url_prefix="/admin/events/<slug>")

# The list's filters, which a selection made with "all matching" carries along.
FILTER_KEYS = ("q", "status", "economy", "category", "checked_in", "answer", "participation",
               "sort", "dir")
BULK_ACTIONS = ("cancel", "promote", "badges", "export", "message")
SHOWN_NAMES = 50  # names listed on a confirmation page; the count covers the rest
_IDS = re.compile(r"^\d{1,10}(,\d{1,10})*$")


def _user() -> User:
    return current_user._get_current_object()


def _registration_or_404(event: Event, reg_id: int) -> Registration:
    # Scoped to the event in the URL, whose access was checked: no reaching across events.
    return db.one_or_404(select(Registration).where(Registration.id == reg_id,
                                                    Registration.event_id == event.id),
                         description="There is no such registration for this event.")


def _filter_form(args: MultiDict, event: Event) -> RegistrationFilterForm:
    form = RegistrationFilterForm(args)
    form.answer.choices = [SelectChoice("", "Any answer")] + [
        SelectChoice(value, label) for value, label in questions.filter_choices(event)]
    return form


def _list_args(form: RegistrationFilterForm, **changes) -> dict:
    """The list's query string as it stands, with `changes`; defaults left out."""
    args = {k: form[k].data for k in FILTER_KEYS if form[k].data}
    if form.per_page.data and form.per_page.data != form.per_page.default:
        args["per_page"] = form.per_page.data
    if form.page.data and form.page.data > 1:
        args["page"] = form.page.data
    args.update(changes)
    return {k: v for k, v in args.items() if v not in (None, "")}


@bp.get("/registrations")
@roles_required(*MANAGERS)
def registrations(slug: str):
    event = managed_event_or_404(slug)
    form = _filter_form(request.args, event)
    valid = form.validate()
    page = list_registrations(event, form.to_query()) if valid else None
    return render_template(
        "admin/registrations.html", event=event, form=form, page=page,
        positions=waitlist_positions(event) if page else {}, availability=availability(event),
        list_args=lambda **changes: _list_args(form, **changes), bulk_actions=BULK_ACTIONS,
    ), (200 if valid else 422)


@bp.get("/registrations.csv")
@roles_required(*MANAGERS)
def registrations_csv(slug: str) -> Response:
    event = managed_event_or_404(slug)
    form = _filter_form(request.args, event)
    if not form.validate():
        abort(422, _form_problem(form))
    return _csv(event, search_registrations(event, form.to_query()), "registrations")


def _csv(event: Event, regs: list[Registration], name: str) -> Response:
    asked = questions.questions_of(event, removed=True)
    body = export.registrations_csv(regs, waitlist_positions(event), event.timezone,
                                    questions=asked,
                                    answers=questions.answers_for([r.id for r in regs]))
    return Response(body, mimetype="text/csv", headers={
        # The slug is [a-z0-9-] (checked on creation), so it is safe in the header.
        "Content-Disposition": f'attachment; filename="{name}-{event.slug}.csv"'})


def _form_problem(form: RegistrationFilterForm) -> str:
    return "; ".join(f"{form[name].label.text}: {' '.join(errors)}"
                     for name, errors in form.errors.items())


# --- bulk actions -------------------------------------------------------------------------------


def _parse_ids(values: list[str]) -> list[int]:
    """Registration ids from the query or the form.

    :raises ValueError: something that is not an id.
    """
    ids: list[int] = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        if not _IDS.match(value):
            raise ValueError("The selection holds something that is not a registration.")
        ids.extend(int(v) for v in value.split(","))
    return ids


def _selection(event: Event) -> tuple[list[Registration], dict]:
    """The registrations a bulk action's GET names, and the query string that names them.

    Refusals answer 422 with the reason (an unknown filter value, a malformed id).
    """
    form = _filter_form(request.args, event)
    if not form.validate():
        abort(422, _form_problem(form))
    if request.args.get("all") == "1":
        args = {"all": "1", **{k: form[k].data for k in FILTER_KEYS if form[k].data}}
        ids = matching_ids(event, form.to_query(), limit=MAX_ROWS + 1)
        if len(ids) > MAX_ROWS:
            abort(422, f"A bulk action takes at most {MAX_ROWS:,} registrations at once; "
                       "narrow the filters.")
        return selected_registrations(event, ids), args
    try:
        ids = _parse_ids(request.args.getlist("id"))
    except ValueError as exc:
        abort(422, str(exc))
    if len(ids) > MAX_ROWS:
        abort(422, f"A bulk action takes at most {MAX_ROWS:,} registrations at once.")
    regs = selected_registrations(event, ids)
    return regs, {"id": [r.id for r in regs]}


def _back_to_list(slug: str) -> Response:
    args = {k: v for k, v in request.args.items() if k in (*FILTER_KEYS, "page", "per_page")}
    return redirect(url_for(".registrations", slug=slug, **args), 303)


@bp.get("/registrations/bulk")
@roles_required(*MANAGERS)
def bulk(slug: str):
    """Where the list's action buttons lead: a confirmation page, a CSV or the badge choices."""
    event = managed_event_or_404(slug)
    action = request.args.get("action", "")
    if action not in BULK_ACTIONS:
        abort(422, f"Choose one of the actions: {', '.join(BULK_ACTIONS)}.")
    regs, selection = _selection(event)
    if not regs:
        flash("Select at least one registration, or every registration that matches.", "error")
        return _back_to_list(slug)
    if action == "export":
        return _csv(event, regs, "selected-registrations")
    if action == "badges":
        return _badges_page(event, regs, selection)
    if action == "message":  # issue 18: the compose page, the selection in a hidden field
        from ..messages.views import compose_for_selection

        return compose_for_selection(event, [r.id for r in regs])
    if action == "cancel":
        return _cancel_page(event, regs, BulkCancelForm(formdata=None))
    return _promote_page(event, regs, BulkPromoteForm(formdata=None))


def _ids_value(regs: list[Registration]) -> str:
    return ",".join(str(r.id) for r in regs)


def _cancel_page(event: Event, regs: list[Registration], form: BulkCancelForm,
                 status: int = 200, problem: str | None = None):
    to_cancel = [r for r in regs if r.status != CANCELLED]
    form.ids.data = _ids_value(to_cancel)
    return render_template(
        "admin/bulk_cancel.html", event=event, form=form, regs=to_cancel,
        skipped=len(regs) - len(to_cancel), shown=SHOWN_NAMES, problem=problem,
        waitlisted=sum(1 for r in to_cancel if r.status == WAITLISTED),
        confirmed=sum(1 for r in to_cancel if r.status == CONFIRMED),
    ), status


def _promote_page(event: Event, regs: list[Registration], form: BulkPromoteForm,
                  status: int = 200, problem: str | None = None):
    waiting = [r for r in regs if r.status == WAITLISTED]
    form.ids.data = _ids_value(waiting)
    return render_template(
        "admin/bulk_promote.html", event=event, form=form, regs=waiting,
        skipped=len(regs) - len(waiting), shown=SHOWN_NAMES, problem=problem,
        availability=availability(event), positions=waitlist_positions(event),
    ), status


def _posted_selection(event: Event, form) -> list[Registration]:
    try:
        ids = _parse_ids([form.ids.data or ""])
    except ValueError as exc:
        abort(422, str(exc))
    if len(ids) > MAX_ROWS:
        abort(422, f"A bulk action takes at most {MAX_ROWS:,} registrations at once.")
    return selected_registrations(event, ids)


def _done(count: int, verb: str, promoted: list[Registration], skipped: int) -> str:
    message = f"{verb} {count} registration{'s' if count != 1 else ''}."
    if promoted:
        message += f" Confirmed {len(promoted)} from the waiting list."
    if skipped == 1:
        message += " 1 had changed in the meantime and was left as it stood."
    elif skipped:
        message += f" {skipped} had changed in the meantime and were left as they stood."
    return message


@bp.post("/registrations/bulk/cancel")
@roles_required(*MANAGERS)
def bulk_cancel(slug: str):
    event = managed_event_or_404(slug)
    form = BulkCancelForm()
    regs = _posted_selection(event, form)
    if not regs:
        flash("Nothing was selected; nothing changed.", "error")
        return redirect(url_for(".registrations", slug=slug), 303)
    if not form.validate_on_submit():
        return _cancel_page(event, regs, form, 422)
    result = rules.cancel_registrations(event, [r.id for r in regs], user=_user(),
                                        reason=form.reason.data)
    flash(_done(len(result.changed), "Cancelled", result.promoted, len(result.skipped)),
          "success")
    return redirect(url_for(".registrations", slug=slug), 303)


@bp.post("/registrations/bulk/promote")
@roles_required(*MANAGERS)
def bulk_promote(slug: str):
    event = managed_event_or_404(slug)
    form = BulkPromoteForm()
    regs = _posted_selection(event, form)
    if not regs:
        flash("Nothing was selected; nothing changed.", "error")
        return redirect(url_for(".registrations", slug=slug), 303)
    if not form.validate_on_submit():
        return _promote_page(event, regs, form, 422)
    try:
        result = rules.promote_registrations(event, [r.id for r in regs], user=_user(),
                                             reason=form.reason.data,
                                             over_capacity=form.over_capacity.data)
    except rules.CapacityError as exc:
        return _promote_page(event, regs, form, 409, problem=str(exc))
    flash(_done(len(result.changed), "Confirmed", [], len(result.skipped)), "success")
    return redirect(url_for(".registrations", slug=slug, status="confirmed"), 303)


# --- badges of a selection: preview only, nothing is marked as printed ------------------------


def _badges_page(event: Event, regs: list[Registration], selection: dict):
    confirmed = [r for r in regs if r.status == CONFIRMED and r.participation != "online"]
    return render_template(
        "admin/bulk_badges.html", event=event, count=len(confirmed),
        skipped=len(regs) - len(confirmed), selection=selection, layouts=LAYOUTS)


@bp.get("/registrations/badges.pdf")
@roles_required(*MANAGERS)
def selection_badges(slug: str):
    """The badges of the selection (confirmed people only), for printing; a GET, so it
    records nothing: the badge page's POST marks badges as printed."""
    event = managed_event_or_404(slug)
    layout = request.args.get("layout") or "a6x4"
    if layout not in LAYOUTS:
        abort(422, f"Unknown sheet layout. Choose one of: {', '.join(LAYOUTS)}.")
    regs, _selection_args = _selection(event)
    # Online participants come to no door: no badge.
    confirmed = sorted((r for r in regs if r.status == CONFIRMED and r.participation != "online"),
                       key=badges.sort_key)
    if not confirmed:
        abort(404, "Nobody confirmed in person is selected: there is no badge to print.")
    data = [badges.badge_data(r, event) for r in confirmed]  # read before the alarm is set
    out = tempfile.TemporaryFile()  # closed by the response once it is sent
    try:
        with pdf_time_limit():
            render_badges(data, layout, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return send_file(out, mimetype="application/pdf", as_attachment=True,
                     download_name=f"badges-{event.slug}-selected-{layout}.pdf",
                     conditional=False, etag=False)


# --- one registration -----------------------------------------------------------------------


def _edit_form(reg: Registration, obj: Registration | None) -> RegistrationEditForm:
    """The staff's details form, without the fixed fields the event asks as questions: the
    answer (under Answers) is what is shown and changed, not a second field of that name."""
    form = RegistrationEditForm(obj=obj)
    leave_out(form, questions.fields_asked_as_questions(reg.event))
    return form


def _manage_page(event: Event, reg: Registration, edit_form, status: int = 200):
    return render_template(
        "admin/registration.html", event=event, reg=reg, form=edit_form,
        promote_form=PromoteForm(prefix="promote"),
        position=rules.waitlist_position(reg), answers=questions.answer_rows(reg),
        asks_questions=bool(questions.questions_of(event)),
        answers_refused=questions.answers_refusal(reg),
        attendance=checkin.attendance(reg), admission=checkin.admission(reg),
        letters=[(kind, letters.TITLES[kind], letters.issued_letter(reg, kind),
                  letters.refusal(reg, kind)) for kind in letters.LETTER_KINDS]), status


@bp.route("/registrations/<int:reg_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def registration(slug: str, reg_id: int):
    event = managed_event_or_404(slug)
    reg = _registration_or_404(event, reg_id)
    form = _edit_form(reg, obj=reg if request.method == "GET" else None)
    if request.method == "GET":
        form.economy.data = reg.economy or ""
    if form.validate_on_submit():
        # A field left out (asked as a question) keeps its stored value.
        raw = {name: getattr(reg, name) for name in FIELD_NAMES}
        raw.update({name: getattr(form, name).data for name in RegistrationEditForm.FIELDS
                    if name in form})
        try:
            rules.update_registration(reg, clean_registration(raw), user=_user())
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


@bp.post("/registrations/<int:reg_id>/checkin")
@roles_required(*MANAGERS)
def check_in(slug: str, reg_id: int) -> Response:
    """Check the person in for the day posted (`day`) with the desk's own rule and record."""
    event = managed_event_or_404(slug)
    reg = _registration_or_404(event, reg_id)
    try:
        day = checkin.named_day(event, request.form.get("day", "")[:10])
        result = checkin.check_in(reg, day, user=_user())
    except checkin.CheckInError as exc:
        if exc.status == 400 or not event.days:
            abort(400, exc.organiser_message)
        flash(exc.organiser_message, "error")
    else:
        flash(result.message, "info" if result.already else "success")
    return redirect(url_for(".registration", slug=slug, reg_id=reg.id) + "#checkin-h", 303)


@bp.post("/registrations/<int:reg_id>/checkin/undo")
@roles_required(*MANAGERS)
def undo_check_in(slug: str, reg_id: int) -> Response:
    """Take back one of this registration's check-ins (form field `checkin_id`)."""
    event = managed_event_or_404(slug)
    reg = _registration_or_404(event, reg_id)
    checkin_id = request.form.get("checkin_id", "")
    if not checkin_id.isdigit() or len(checkin_id) > 18:
        abort(400, "The check-in to undo was not understood.")
    owned = {a.checkin.id for a in checkin.attendance(reg) if a.checkin is not None}
    try:
        if int(checkin_id) not in owned:
            raise checkin.CheckInError("There is no such check-in any more: it was undone "
                                       "already.")
        undone = checkin.undo_check_in(event, int(checkin_id), user=_user())
    except checkin.CheckInError as exc:
        flash(exc.organiser_message, "error")
    else:
        flash(undone.message, "success")
    return redirect(url_for(".registration", slug=slug, reg_id=reg.id) + "#checkin-h", 303)


@bp.route("/registrations/<int:reg_id>/cancel", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def cancel(slug: str, reg_id: int):
    """GET: the confirmation page (with the reason); POST: cancel."""
    event = managed_event_or_404(slug)
    reg = _registration_or_404(event, reg_id)
    form = ReasonForm(prefix="cancel")
    if request.method == "GET":
        if reg.status == CANCELLED:
            flash("This registration has already been cancelled.", "info")
            return redirect(url_for(".registration", slug=slug, reg_id=reg.id), 303)
        return render_template("admin/registration_cancel.html", event=event, reg=reg,
                               form=form)
    if form.validate_on_submit():
        try:
            promoted = rules.cancel_registration(reg, user=_user(), reason=form.reason.data)
        except rules.RegistrationError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Cancelled the registration of {reg.full_name}."
                  + (f" Confirmed {len(promoted)} from the waiting list." if promoted else ""),
                  "success")
        return redirect(url_for(".registration", slug=slug, reg_id=reg.id), 303)
    return render_template("admin/registration_cancel.html", event=event, reg=reg,
                           form=form), 422


@bp.post("/registrations/<int:reg_id>/promote")
@roles_required(*MANAGERS)
def promote(slug: str, reg_id: int):
    event = managed_event_or_404(slug)
    reg = _registration_or_404(event, reg_id)
    form = PromoteForm(prefix="promote")
    if form.validate_on_submit():
        try:
            rules.promote_registration(reg, user=_user(), reason=form.reason.data,
                                       over_capacity=form.over_capacity.data)
        except rules.RegistrationError as exc:
            flash(str(exc), "error")
        else:
            flash(f"{reg.full_name} is now confirmed.", "success")
        return redirect(url_for(".registration", slug=slug, reg_id=reg.id), 303)
    flash("Give a reason for moving this person off the waiting list.", "error")
    return _manage_page(event, reg, _edit_form(reg, obj=reg), 422)
