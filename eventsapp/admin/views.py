"""Organisers' pages: dashboard, an event's overview and editing, reports, the audit log.

Template helpers of every organiser page are registered here too: the menus
(admin/navigation.py) and date filters.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..agenda.services import unpublished_changes
from ..auth.permissions import (
    MANAGERS,
    manageable_events,
    managed_event_or_404,
    manages_every_event,
    roles_required,
)
from ..events import editing
from ..events.localtime import (
    TIMEZONE_NAMES,
    AmbiguousLocalTime,
    LocalTimeError,
    is_valid_timezone,
    localize,
)
from ..events.services import (
    availability_for,
    current_work_plan,
    event_sort_key,
    registration_closes_at,
)
from ..extensions import db
from ..formfields import choices
from ..labels import MONTHS, local_datetime_label
from ..models import ADMIN, Event, User
from ..registration.services import RegistrationError
from . import audit_text, navigation
from . import services as admin_services
from .forms import AuditFilterForm, CloneForm, ConfirmForm, EventForm, NewEventForm

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.add_app_template_global(navigation.site_menu, "site_menu")
bp.add_app_template_global(navigation.event_menu, "event_menu")


def _user() -> User:
    return current_user._get_current_object()


@bp.app_template_filter("local_date")
def local_date(dt: datetime, tz: str) -> date:
    """The day at the venue."""
    return dt.astimezone(ZoneInfo(tz)).date()


@bp.app_template_filter("dict_with")
def dict_with(values: dict, **changes) -> dict:
    """A copy of a query's arguments with `changes`; a change to None removes the key."""
    merged = {**values, **changes}
    return {k: v for k, v in merged.items() if v is not None}


@bp.app_template_filter("dict_without")
def dict_without(values: dict, *keys: str) -> dict:
    return {k: v for k, v in values.items() if k not in keys}


@bp.app_template_filter("short_day")
def short_day(d: date) -> str:
    """'4 Aug'."""
    return f"{d.day} {MONTHS[d.month - 1][:3]}"


@bp.get("/")
@roles_required(*MANAGERS)
def dashboard() -> str:
    events = sorted(manageable_events(_user()), key=event_sort_key)
    pending = {e.id: unpublished_changes(e) for e in events}
    return render_template(
        "admin/dashboard.html", events=events, availability=availability_for(events),
        pending=pending, unpublished=[e for e in events if pending[e.id]],
        can_create=manages_every_event(_user()),
    )


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
        target = getattr(form, name, None)
        if target is None:
            # A field this form does not show, e.g. a copied event's description the
            # clone form cannot change: the message still reaches the organiser.
            form.form_errors.extend(messages)
        else:
            target.errors = [*target.errors, *messages]


def _render_event_form(form: EventForm, event: Event | None, status: int = 200):
    # Every time shown to organisers says its zone: the window's fields name it.
    tz = event.timezone if event is not None else (form.timezone.data or "").strip()
    if is_valid_timezone(tz):
        for field in (form.registration_opens_at, form.registration_closes_at):
            field.description = field.description.replace(
                "the event's time zone", f"the event's time zone, {tz}", 1)
    return render_template("admin/event_form.html", form=form, event=event,
                           timezones=TIMEZONE_NAMES, closes_at=_closing_label(event)), status


def _closing_label(event: Event | None) -> str:
    """When registration closes as things stand, in the event's zone, labelled with it."""
    if event is None:
        return ""
    closes = registration_closes_at(event)
    if closes is None:
        return "Registration stays open until the event's dates are set or a closing time is."
    when = local_datetime_label(closes, event.timezone)
    if event.registration_closes_at is None:
        return f"Registration closes when the event begins: {when}."
    return f"Registration closes at {when}."


@bp.route("/events/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def event_new():
    if not manages_every_event(_user()):
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
            if result.timezone is not None:
                flash(_timezone_message(result.timezone), "success")
                for note in result.timezone.adjusted:
                    flash(f"Warning: {note}", "warning")
            if result.dates is not None:
                flash(_dates_message(result.dates), "success")
            return redirect(url_for("admin.event_edit", slug=event.slug), 303)
    return _render_event_form(form, event, 422 if request.method == "POST" else 200)


def _counted(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def _timezone_message(change: editing.TimeZoneChange) -> str:
    """What a change of time zone moved, for the organiser who made it."""
    kept = [_counted(change.items, "agenda item"),
            _counted(change.deadlines, "registration time")]
    text = (f"The time zone is now {change.new} (it was {change.old}). "
            f"{kept[0]} and {kept[1]} keep their local times")
    if change.published:
        text += ("; the public agenda and calendar feeds show the new times, and subscribed "
                 "calendars update")
    return text + "."


def _dates_message(move: editing.DatesMove) -> str:
    """What a new first day moved, for the organiser who made it."""
    n = abs(move.days)
    text = (f"{_counted(move.items, 'agenda item')} moved with the dates, "
            f"{_counted(n, 'day')} {'later' if move.days > 0 else 'earlier'}, at the same "
            "local times")
    if move.published:
        text += ("; the public agenda and calendar feeds show the new days, and subscribed "
                 "calendars update")
    return text + "."


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
    if not manages_every_event(_user()):
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


# --- an event's overview, the reports ------------------------------------------------------


@bp.get("/events/<slug>/")
@roles_required(*MANAGERS)
def event_overview(slug: str) -> str:
    event = managed_event_or_404(slug)
    return render_template("admin/event_overview.html", event=event,
                           o=admin_services.event_overview(event),
                           can_create=manages_every_event(_user()), public=event.status != "draft")


@bp.get("/reports")
@roles_required(*MANAGERS)
def reports() -> Response:
    """The top navigation's "Reports": the latest work plan's report to the SCE."""
    plan = current_work_plan()
    if plan is None:
        abort(404, "No work plan has been loaded yet, so there is no year's report. "
                   "Run `flask --app eventsapp seed`.")
    return redirect(url_for("reports.year", year=plan.year), 303)


# --- the audit log (administrators) ----------------------------------------------------------


@bp.get("/audit")
@roles_required(ADMIN)
def audit_log():
    all_events = sorted(db.session.scalars(select(Event)), key=event_sort_key)
    all_users = list(db.session.scalars(select(User).order_by(User.email)))
    form = AuditFilterForm(request.args)
    form.event.choices = choices([("", "Every event"), *((e.slug, e.title) for e in all_events)])
    form.user.choices = choices([("", "Anyone"), *((str(u.id), u.email) for u in all_users)])
    if not form.validate():
        return render_template("admin/audit.html", form=form, page=None, lines={},
                               events={}, event=None), 422
    event = next((e for e in all_events if e.slug == form.event.data), None)
    page = admin_services.audit_page(
        event_id=event.id if event else None,
        user_id=int(form.user.data) if form.user.data else None,
        action=form.action.data or "", registration_id=form.registration.data,
        page=form.page.data or 1)
    users = {u.id: u.email for u in all_users}
    lines = {e.id: audit_text.describe(
        e.action, e.object_type, e.object_id, e.details, subject=page.subjects.get(e.id),
        by=audit_text.actor_label(users.get(e.user_id), e.actor)) for e in page.entries}
    args = {k: v for k, v in request.args.items() if k in ("event", "user", "action",
                                                           "registration") and v}
    return render_template(
        "admin/audit.html", form=form, page=page, lines=lines, args=args,
        events={e.id: e for e in all_events}, event=None, filter_event=event)
