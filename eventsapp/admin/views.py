"""Organisers' pages: dashboard, event editing, the audit log and user accounts."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..agenda.services import unpublished_changes
from ..auth import services as accounts
from ..auth.forms import UserForm
from ..auth.permissions import MANAGERS, manageable_events, managed_event_or_404, roles_required
from ..events import editing
from ..events.localtime import (
    TIMEZONE_NAMES,
    AmbiguousLocalTime,
    LocalTimeError,
    is_valid_timezone,
    localize,
)
from ..events.services import availability_for, current_work_plan, event_sort_key
from ..extensions import db
from ..formfields import choices
from ..models import ADMIN, ORGANISER, AuditEntry, Event, User
from ..registration.services import RegistrationError
from .forms import CloneForm, ConfirmForm, EventForm, NewEventForm

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_PAGE_SIZE = 100


def _user() -> User:
    return current_user._get_current_object()


@bp.app_template_filter("local_datetime")
def local_datetime(dt: datetime | None, tz: str) -> str:
    """'2020-08-04 09:00' at the venue."""
    return dt.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if dt else ""


@bp.get("/")
@roles_required(*MANAGERS)
def dashboard() -> str:
    events = sorted(manageable_events(_user()), key=event_sort_key)
    pending = {e.id: unpublished_changes(e) for e in events}
    return render_template(
        "admin/dashboard.html", events=events, availability=availability_for(events),
        pending=pending, unpublished=[e for e in events if pending[e.id]],
        can_create=_can_create_events(),
    )


def _can_create_events() -> bool:
    user = _user()
    return user.role == ADMIN or (user.role == ORGANISER and not user.events)


# --- events ----------------------------------------------------------------------------------


def _deliverable_choices(event: Event | None) -> list:
    plan = event.work_plan if event is not None and event.work_plan else current_work_plan()
    if plan is None:
        return []
    return choices((d.id, f"{d.number} {d.title}") for d in plan.deliverables)


def _event_data(form: EventForm) -> editing.EventData | None:
    """The form's values as EventData, or None after putting the errors on the form."""
    tz = form.timezone.data.strip()
    data = editing.EventData(
        title=form.title.data, timezone=tz, kind=form.kind.data, status=form.status.data,
        short_title=form.short_title.data or "", description=form.description.data or "",
        theme=form.theme.data or "", lead_economy=form.lead_economy.data or None,
        co_sponsors=form.co_sponsors.data or "",
        collaborating_fora=form.collaborating_fora.data or "",
        venue_name=form.venue_name.data or "", city=form.city.data or "",
        venue_economy=form.venue_economy.data or None, start_date=form.start_date.data,
        end_date=form.end_date.data,
        tentative_month=form.tentative_month.data.strftime("%Y-%m")
        if form.tentative_month.data else None,
        waitlist_enabled=form.waitlist_enabled.data,
        per_economy_limit=form.per_economy_limit.data, deliverable_ids=form.deliverables.data,
    )
    ok = True
    if not is_valid_timezone(tz):
        form.timezone.errors.append(
            "Choose a time zone from the list (an IANA name such as Asia/Singapore).")
        return None
    fold = int(form.fold.data) if form.fold.data in ("0", "1") else None
    for name in ("registration_opens_at", "registration_closes_at"):
        field = getattr(form, name)
        if field.data is None:
            continue
        try:
            setattr(data, name, localize(field.data, tz, fold))
        except AmbiguousLocalTime as exc:
            form.fold.choices = choices(exc.choices)
            field.errors.append(str(exc))
            ok = False
        except LocalTimeError as exc:
            field.errors.append(str(exc))
            ok = False
    return data if ok else None


def _put_errors(form, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        getattr(form, name).errors = [*getattr(form, name).errors, *messages]


def _render_event_form(form: EventForm, event: Event | None, status: int = 200):
    return render_template("admin/event_form.html", form=form, event=event,
                           timezones=TIMEZONE_NAMES), status


@bp.route("/events/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def event_new():
    if not _can_create_events():
        abort(403, "Your account is limited to some events and cannot create new ones.")
    form = NewEventForm()
    form.deliverables.choices = _deliverable_choices(None)
    if request.method == "GET":
        form.timezone.data, form.waitlist_enabled.data = "UTC", True
    if form.validate_on_submit() and (data := _event_data(form)) is not None:
        try:
            event = editing.create_event(data, slug=form.slug.data.strip(), user=_user(),
                                         work_plan=current_work_plan(),
                                         capacity=form.capacity.data)
        except editing.EventError as exc:
            _put_errors(form, exc.errors)
        else:
            flash(f"Created {event.title}.", "success")
            return redirect(url_for("admin.event_edit", slug=event.slug), 303)
    return _render_event_form(form, None, 422 if request.method == "POST" else 200)


@bp.route("/events/<slug>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def event_edit(slug: str):
    event = managed_event_or_404(slug)
    form = EventForm(obj=None if request.method == "POST" else _form_values(event))
    form.deliverables.choices = _deliverable_choices(event)
    if form.validate_on_submit() and (data := _event_data(form)) is not None:
        try:
            result = editing.edit_event(event, data, user=_user(), capacity=form.capacity.data)
        except editing.EventError as exc:
            _put_errors(form, exc.errors)
        except RegistrationError as exc:
            form.capacity.errors.append(str(exc))
        else:
            if result.promoted:
                flash(f"Confirmed {len(result.promoted)} from the waiting list.", "success")
            flash("Saved." if result.changed else "Nothing changed.", "success")
            return redirect(url_for("admin.event_edit", slug=event.slug), 303)
    return _render_event_form(form, event, 422 if request.method == "POST" else 200)


class _Values:
    """An object the form reads initial values from (local times, month as a date)."""

    def __init__(self, **values):
        self.__dict__.update(values)


def _form_values(event: Event) -> _Values:
    values = {f: getattr(event, f) for f in editing.EVENT_FIELDS}
    for name in ("registration_opens_at", "registration_closes_at"):
        if values[name] is not None:
            values[name] = values[name].astimezone(ZoneInfo(event.timezone)).replace(tzinfo=None)
    month = event.tentative_month
    values["tentative_month"] = date(int(month[:4]), int(month[5:]), 1) if month else None
    values["lead_economy"] = event.lead_economy or ""
    values["venue_economy"] = event.venue_economy or ""
    values["deliverables"] = [d.id for d in event.deliverables]
    values["capacity"] = event.capacity
    return _Values(**values)


@bp.route("/events/<slug>/clone", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def event_clone(slug: str):
    source = managed_event_or_404(slug)
    if not _can_create_events():
        abort(403, "Your account is limited to some events and cannot create new ones.")
    form = CloneForm()
    if form.validate_on_submit():
        month = form.tentative_month.data
        try:
            event = editing.clone_event(
                source, slug=form.slug.data.strip(), title=form.title.data,
                start_date=form.start_date.data, user=_user(),
                tentative_month=month.strftime("%Y-%m") if month else None)
        except editing.EventError as exc:
            _put_errors(form, exc.errors)
        else:
            flash(f"Created {event.title} as a draft, with the agenda moved to its dates.",
                  "success")
            return redirect(url_for("admin.event_edit", slug=event.slug), 303)
    return render_template("admin/event_clone.html", form=form, event=source), (
        422 if request.method == "POST" else 200)


@bp.route("/events/<slug>/cancel", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def event_cancel(slug: str):
    event = managed_event_or_404(slug)
    form = ConfirmForm()
    if form.validate_on_submit():
        editing.cancel_event(event, user=_user())
        flash(f"{event.title} is now marked as cancelled.", "success")
        return redirect(url_for("admin.dashboard"), 303)
    return render_template("admin/event_cancel.html", form=form, event=event)


@bp.post("/events/<slug>/assumptions/confirm")
@roles_required(*MANAGERS)
def confirm_assumptions(slug: str) -> Response:
    event = managed_event_or_404(slug)
    if ConfirmForm().validate_on_submit():
        editing.confirm_assumptions(event, user=_user())
        flash(f"Marked the assumptions of {event.title} as confirmed.", "success")
    return redirect(url_for("admin.dashboard"), 303)


# --- audit log and users (administrators) --------------------------------------------------


@bp.get("/audit")
@roles_required(ADMIN)
def audit_log() -> str:
    page = request.args.get("page", 1, type=int) or 1
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    event_slug = request.args.get("event", "")
    event = db.session.scalar(select(Event).where(Event.slug == event_slug)) if event_slug \
        else None
    if event is not None:
        stmt = stmt.where(AuditEntry.event_id == event.id)
    entries = db.paginate(stmt, page=max(page, 1), per_page=AUDIT_PAGE_SIZE, error_out=False)
    events = {e.id: e for e in db.session.scalars(select(Event))}
    users = {u.id: u for u in db.session.scalars(select(User))}
    return render_template("admin/audit.html", entries=entries, events=events, users=users,
                           event=event)


@bp.route("/users", methods=["GET", "POST"])
@roles_required(ADMIN)
def users():
    form = UserForm()
    all_events = sorted(db.session.scalars(select(Event)), key=event_sort_key)
    form.events.choices = choices((e.id, e.title) for e in all_events)
    if form.validate_on_submit():
        chosen = [e for e in all_events if e.id in (form.events.data or [])]
        try:
            user = accounts.create_user(form.email.data, form.password.data, form.role.data,
                                        events=chosen, economy=form.economy.data or None,
                                        by=_user())
        except accounts.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(f"Created the account {user.email}.", "success")
            return redirect(url_for("admin.users"), 303)
    return render_template("admin/users.html", form=form, users=accounts.list_users(),
                           toggle_form=ConfirmForm()), (422 if request.method == "POST" else 200)


@bp.post("/users/<int:user_id>/active")
@roles_required(ADMIN)
def user_active(user_id: int) -> Response:
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            accounts.set_active(user, not user.active, by=_user())
        except accounts.AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(f"{user.email} is now {'active' if user.active else 'deactivated'}.", "success")
    return redirect(url_for("admin.users"), 303)
