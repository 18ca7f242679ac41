"""Accreditation pages: approvals and delegations for focal points and the secretariat,
the event's accreditation settings, and the head of delegation's page (private link)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..auth.permissions import (
    ACCREDITORS,
    MANAGERS,
    accreditable_events,
    accreditation_economy,
    economy_scope,
    managed_event_or_404,
    nominates,
    roles_required,
)
from ..events.services import availability, event_sort_key
from ..extensions import db
from ..models import ACTIVE_STATUSES, PENDING, Event, Registration, User
from ..questions import services as questions
from ..reference import CATEGORIES, ECONOMIES
from ..registration import services as rules
from ..registration.forms import RegistrationForm, leave_out, offer_categories
from ..registration.validation import ValidationFailed, clean_registration
from ..registration.views import limit_management, limit_registering
from . import services
from .forms import (
    ConfirmForm,
    DeclineForm,
    EconomyFilterForm,
    HeadForm,
    SettingsForm,
    WithdrawForm,
)

bp = Blueprint("accreditation", __name__)


def _user() -> User:
    return current_user._get_current_object()


def _event_and_scope(slug: str) -> tuple[Event, str | None]:
    """The event and the economy the signed-in account sees (None: every economy)."""
    event = db.one_or_404(select(Event).where(Event.slug == slug),
                          description="There is no event at this address.")
    try:
        return event, accreditation_economy(_user(), event)
    except PermissionError:
        abort(403, "Your account does not have access to this event.")


def _registration(event: Event, scope: str | None, reg_id: int) -> Registration:
    reg = db.one_or_404(select(Registration).where(Registration.id == reg_id,
                                                   Registration.event_id == event.id),
                        description="There is no such registration for this event.")
    if scope is not None and reg.economy != scope:
        abort(403, "This registration belongs to another economy.")
    return reg


def _economy_or_404(code: str) -> str:
    if code not in ECONOMIES:
        abort(404, "There is no such economy.")
    return code


# --- focal point's home and the approvals page ----------------------------------------------


@bp.get("/admin/accreditation")
@roles_required(*ACCREDITORS)
def home() -> str:
    user = _user()
    events = sorted(accreditable_events(user), key=event_sort_key)
    scope = economy_scope(user)
    stmt = (select(Registration.event_id, func.count()).where(Registration.status == PENDING)
            .group_by(Registration.event_id))
    if scope is not None:
        stmt = stmt.where(Registration.economy == scope)
    waiting = dict(db.session.execute(stmt).all())
    return render_template("accreditation/home.html", events=events, waiting=waiting,
                           scope=scope)


@bp.get("/admin/events/<slug>/approvals")
@roles_required(*ACCREDITORS)
def approvals(slug: str) -> tuple[str, int]:
    event, scope = _event_and_scope(slug)
    form = EconomyFilterForm(request.args)
    economy = scope if scope is not None else (form.economy.data or None)
    if economy is not None and economy not in ECONOMIES:
        economy = None
    return _approvals_page(event, scope, economy, DeclineForm(formdata=None))


def _approvals_page(event: Event, scope: str | None, economy: str | None,
                    decline_form: DeclineForm, status: int = 200,
                    declining: int | None = None) -> tuple[str, int]:
    regs = services.awaiting_decision(event, economy)
    user = _user()
    return render_template(
        "accreditation/approvals.html", event=event, scope=scope, economy=economy,
        registrations=regs, availability=availability(event),
        filter_form=EconomyFilterForm(request.args), decline_form=decline_form,
        declining=declining, nominates=nominates(user, event),
        quota=services.quota_use(event),
        delegations=services.economies_registered(event) if scope is None else []), status


def _back_to_approvals(event: Event) -> Response:
    economy = request.form.get("economy") or None
    return redirect(url_for(".approvals", slug=event.slug,
                            **({"economy": economy} if economy in ECONOMIES else {})), 303)


@bp.post("/admin/events/<slug>/approvals/<int:reg_id>/approve")
@roles_required(*ACCREDITORS)
def approve(slug: str, reg_id: int) -> Response:
    event, scope = _event_and_scope(slug)
    reg = _registration(event, scope, reg_id)
    if ConfirmForm().validate_on_submit():
        try:
            decision = services.approve(reg, user=_user())
        except rules.RegistrationError as exc:
            flash(str(exc), "error")
        else:
            r = decision.registration
            if r.status == PENDING:
                flash(f"Nominated {r.full_name}; the secretariat accredits next.", "success")
            elif decision.position is None:
                flash(f"Approved {r.full_name}: confirmed.", "success")
            else:
                flash(f"Approved {r.full_name}: the meeting is full, so on the waiting list "
                      f"(number {decision.position}).", "success")
    return _back_to_approvals(event)


@bp.post("/admin/events/<slug>/approvals/<int:reg_id>/decline")
@roles_required(*ACCREDITORS)
def decline(slug: str, reg_id: int):
    event, scope = _event_and_scope(slug)
    reg = _registration(event, scope, reg_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline(reg, user=_user(), reason=form.reason.data)
        except rules.RegistrationError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Declined {reg.full_name}; the reason was emailed.", "success")
        return _back_to_approvals(event)
    economy = scope if scope is not None else (request.form.get("economy") or None)
    return _approvals_page(event, scope, economy if economy in ECONOMIES else None, form,
                           422, declining=reg.id)


# --- delegations (staff) --------------------------------------------------------------------


def _staff_delegation(slug: str, code: str) -> tuple[Event, str | None, str]:
    event, scope = _event_and_scope(slug)
    economy = _economy_or_404(code)
    if scope is not None and scope != economy:
        abort(403, "This delegation belongs to another economy.")
    return event, scope, economy


def _registration_form(event: Event, *, staff: bool) -> RegistrationForm:
    """The form for a new member of a delegation, by the head or by staff alike: like the
    public delegation form's rows, it leaves out the fixed fields the event asks as
    questions (the member answers those on their own private page)."""
    form = RegistrationForm(prefix="new")
    offer_categories(form, list(CATEGORIES) if staff else rules.public_categories(event))
    leave_out(form, questions.fields_asked_as_questions(event))
    return form


@bp.get("/admin/events/<slug>/delegations/<code>")
@roles_required(*ACCREDITORS)
def delegation(slug: str, code: str) -> tuple[str, int]:
    event, scope, economy = _staff_delegation(slug, code)
    return _delegation_page(event, economy, _registration_form(event, staff=True))


def _delegation_page(event: Event, economy: str, form: RegistrationForm, status: int = 200,
                     refusal: str | None = None) -> tuple[str, int]:
    members = services.delegation(event, economy)
    return render_template(
        "accreditation/delegation.html", event=event, economy=economy, members=members,
        head=next((m for m in members if m.is_head and m.status in ACTIVE_STATUSES), None),
        positions=rules.waitlist_positions(event), form=form, refusal=refusal,
        head_form=HeadForm(formdata=None), withdraw_form=WithdrawForm(formdata=None),
        active=ACTIVE_STATUSES), status


@bp.post("/admin/events/<slug>/delegations/<code>/register")
@roles_required(*ACCREDITORS)
def register_member(slug: str, code: str):
    event, scope, economy = _staff_delegation(slug, code)
    form = _registration_form(event, staff=True)
    refusal = None
    if form.validate_on_submit():
        try:
            data = clean_registration({**form.service_data(), "economy": economy})
            done = services.register_for_economy(event, data, user=_user())
        except ValidationFailed as exc:
            form.apply_errors(exc.errors)
        except rules.RegistrationError as exc:
            refusal = str(exc)
        else:
            r = done.registration
            flash(f"Registered {r.full_name} ({r.status}); they were emailed their private "
                  "link.", "success")
            return redirect(url_for(".delegation", slug=slug, code=economy), 303)
    return _delegation_page(event, economy, form, 409 if refusal else 422, refusal)


@bp.post("/admin/events/<slug>/delegations/<code>/<int:reg_id>/head")
@roles_required(*ACCREDITORS)
def name_head(slug: str, code: str, reg_id: int) -> Response:
    event, scope, economy = _staff_delegation(slug, code)
    reg = _registration(event, economy, reg_id)
    form = HeadForm()
    if form.validate_on_submit():
        try:
            old = services.name_head(reg, user=_user(),
                                     replace_current=form.replace_current.data,
                                     replacing=form.replacing.data)
        except rules.RegistrationError as exc:
            flash(str(exc), "error")
        else:
            flash(f"{reg.full_name} is now head of delegation"
                  + (f"; {old.full_name} is a delegate." if old is not None else "."),
                  "success")
    return redirect(url_for(".delegation", slug=slug, code=economy), 303)


@bp.post("/admin/events/<slug>/delegations/<code>/<int:reg_id>/withdraw")
@roles_required(*ACCREDITORS)
def withdraw(slug: str, code: str, reg_id: int) -> Response:
    event, scope, economy = _staff_delegation(slug, code)
    reg = _registration(event, economy, reg_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            promoted = services.withdraw(reg, user=_user(), reason=form.reason.data or "")
        except rules.RegistrationError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Withdrew {reg.full_name}."
                  + (f" Confirmed {len(promoted)} from the waiting list." if promoted else ""),
                  "success")
    return redirect(url_for(".delegation", slug=slug, code=economy), 303)


@bp.route("/admin/events/<slug>/delegations/<code>/<int:reg_id>/substitute",
          methods=["GET", "POST"])
@roles_required(*ACCREDITORS)
def substitute(slug: str, code: str, reg_id: int):
    event, scope, economy = _staff_delegation(slug, code)
    reg = _registration(event, economy, reg_id)
    form = RegistrationForm()
    back = url_for(".delegation", slug=slug, code=economy)
    result = _substitute(form, reg, user=_user(), head=None)
    if result is not None:
        return redirect(back, 303)
    return _substitute_page(event, reg, form, back, url_for(
        ".substitute", slug=slug, code=economy, reg_id=reg.id))


def _substitute(form: RegistrationForm, reg: Registration, *, user: User | None,
                head: Registration | None):
    offer_categories(form, [reg.category])
    form.economy.data = reg.economy or ""
    if not form.validate_on_submit():
        return None
    raw = {**form.service_data(), "economy": reg.economy, "category": reg.category}
    try:
        done = services.substitute(reg, clean_registration(raw), user=user, head=head)
    except ValidationFailed as exc:
        form.apply_errors(exc.errors)
        return None
    except rules.RegistrationError as exc:
        form.form_errors.append(str(exc))
        return None
    flash(f"{done.registration.full_name} takes the place of {reg.full_name}; both have been "
          "emailed.", "success")
    return done


def _substitute_page(event: Event, reg: Registration, form: RegistrationForm, back: str,
                     action: str):
    status = 200
    if form.is_submitted():
        status = 409 if form.form_errors else 422
    return render_template("accreditation/substitute.html", event=event, reg=reg, form=form,
                           back=back, action=action,
                           position=rules.waitlist_position(reg)), status


# --- the event's accreditation settings -----------------------------------------------------


@bp.route("/admin/events/<slug>/accreditation", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def settings(slug: str):
    event = managed_event_or_404(slug)
    current = services.Settings.of(event)
    form = SettingsForm(obj=None if request.method == "POST" else current)
    if request.method == "GET":
        for code in CATEGORIES:
            getattr(form, f"limit_{code}").data = current.category_limits.get(code)
    if form.validate_on_submit():
        limits = {code: getattr(form, f"limit_{code}").data for code in CATEGORIES
                  if getattr(form, f"limit_{code}").data is not None}
        wanted = services.Settings(form.registration_mode.data, form.approval_steps.data,
                                   list(form.public_categories.data or []), limits)
        try:
            changed = services.update_settings(event, wanted, user=_user())
        except services.EventError as exc:
            for name, messages in exc.errors.items():
                getattr(form, name).errors = [*getattr(form, name).errors, *messages]
        else:
            flash("Saved." if changed else "Nothing changed.", "success")
            return redirect(url_for(".settings", slug=slug), 303)
    return render_template("accreditation/settings.html", event=event, form=form,
                           categories=CATEGORIES), 422 if request.method == "POST" else 200


# --- the head of delegation's page (private link) -------------------------------------------


def _head_or_404(token: str) -> Registration:
    reg = rules.find_by_token(token)
    if reg is None or not reg.is_head or reg.status not in ACTIVE_STATUSES or not reg.economy:
        abort(404, "There is no delegation at this address. Only a head of delegation's "
                   "private link opens one.")
    return reg


@bp.get("/registrations/<token>/delegation")
@limit_management
def head_delegation(token: str) -> tuple[str, int]:
    head = _head_or_404(token)
    return _head_page(head, token, _registration_form(head.event, staff=False))


def _head_page(head: Registration, token: str, form: RegistrationForm, status: int = 200,
               refusal: str | None = None) -> tuple[str, int]:
    event = head.event
    return render_template(
        "accreditation/head.html", event=event, head=head, token=token,
        members=services.delegation(event, head.economy), form=form, refusal=refusal,
        positions=rules.waitlist_positions(event), withdraw_form=WithdrawForm(formdata=None),
        active=ACTIVE_STATUSES), status


@bp.post("/registrations/<token>/delegation/add")
@limit_management
@limit_registering
def head_add(token: str):
    head = _head_or_404(token)
    event = head.event
    form = _registration_form(event, staff=False)
    refusal = None
    if form.validate_on_submit():
        try:
            data = clean_registration({**form.service_data(), "economy": head.economy,
                                       "organisation": form.organisation.data
                                       or head.organisation})
            rules.add_delegate(event, data, head=head)
        except ValidationFailed as exc:
            form.apply_errors(exc.errors)
        except rules.RegistrationError as exc:
            refusal = str(exc)
        else:
            # The same answer whether or not the address was registered already.
            flash(f"Thank you: {data.given_name} {data.family_name} has been added, and gets "
                  "an email about their registration.", "success")
            return redirect(url_for(".head_delegation", token=token), 303)
    return _head_page(head, token, form, 409 if refusal else 422, refusal)


def _member_of(head: Registration, reg_id: int) -> Registration:
    reg = db.session.get(Registration, reg_id)
    if reg is None or reg.event_id != head.event_id or reg.economy != head.economy:
        abort(404, "There is no such member of your delegation.")
    return reg


@bp.post("/registrations/<token>/delegation/<int:reg_id>/withdraw")
@limit_management
def head_withdraw(token: str, reg_id: int) -> Response:
    head = _head_or_404(token)
    reg = _member_of(head, reg_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw(reg, head=head, reason=form.reason.data or "")
        except rules.RegistrationError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Withdrew {reg.full_name}; they have been emailed.", "success")
    return redirect(url_for(".head_delegation", token=token), 303)


@bp.route("/registrations/<token>/delegation/<int:reg_id>/substitute", methods=["GET", "POST"])
@limit_management
def head_substitute(token: str, reg_id: int):
    head = _head_or_404(token)
    reg = _member_of(head, reg_id)
    form = RegistrationForm()
    leave_out(form, questions.fields_asked_as_questions(head.event))
    back = url_for(".head_delegation", token=token)
    if _substitute(form, reg, user=None, head=head) is not None:
        return redirect(back, 303)
    return _substitute_page(head.event, reg, form, back,
                            url_for(".head_substitute", token=token, reg_id=reg.id))
