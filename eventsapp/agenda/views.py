"""The agenda editor: a time grid per day, item forms, moves, publishing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import MANAGERS, managed_event_or_404, roles_required
from ..documents.services import by_agenda_item, event_documents
from ..events.localtime import AmbiguousLocalTime, LocalTimeError, localize
from ..extensions import db
from ..formfields import choices
from ..i18n import ngettext
from ..inputs import check_date
from ..models import AgendaItem, Event, PublishedAgendaItem, User
from . import services
from .forms import ItemForm, MoveForm, ShiftForm
from .grid import agenda_grid

bp = Blueprint("agenda", __name__, url_prefix="/admin/events/<slug>/agenda")


def _user() -> User:
    return current_user._get_current_object()


def _item_or_404(event: Event, item_id: int) -> AgendaItem:
    # Scoped to the event in the URL: an id from another event is simply not found.
    return db.one_or_404(select(AgendaItem).where(AgendaItem.id == item_id,
                                                  AgendaItem.event_id == event.id),
                         description="There is no such item in this agenda.")


def _flash_warnings(warnings: list[str]) -> None:
    for w in warnings:
        flash(f"Warning: {w}", "warning")


#: How an item was moved (the `via` of the editor's address) → the control that gets the
#: focus back, so the next key press moves it again.
MOVE_CONTROLS = {"earlier": "earlier", "later": "later", "moveto": "moveto", "drag": "menu"}


@bp.get("")
@roles_required(*MANAGERS)
def editor(slug: str) -> str:
    event = managed_event_or_404(slug)
    # After a move the page comes back at the item (its #item-N anchor), with its menu
    # open, the confirmation inside it and the control used focused (autofocus: no
    # script needed). The confirmation is rebuilt from the item itself, so a reload
    # shows the truth rather than a stale message.
    moved = request.args.get("moved", type=int)
    via = request.args.get("via", "")
    moved_item = next((i for i in event.agenda_items if i.id == moved), None)
    return render_template(
        "admin/agenda.html", event=event,
        grid=agenda_grid(event.agenda_items, event.days, event.timezone),
        warnings=services.agenda_warnings(event), pending=services.unpublished_changes(event),
        form=ShiftForm(), move_form=MoveForm(),
        item_documents=by_agenda_item(event_documents(event)),
        moved=moved_item, focus=MOVE_CONTROLS.get(via, "menu") if moved_item else None,
        several_days=len({*event.days, *(_local_day(i, event) for i in event.agenda_items)}) > 1,
    )


def _local_day(item: AgendaItem, event: Event):
    return item.starts_at.astimezone(ZoneInfo(event.timezone)).date()


def _back_to(item: AgendaItem, slug: str, via: str) -> Response:
    return redirect(url_for("agenda.editor", slug=slug, moved=item.id, via=via,
                            _anchor=f"item-{item.id}"), 303)


def _item_data(form: ItemForm, event: Event) -> services.ItemData | None:
    """The form's values with local times made instants, or None after noting errors.

    The form has one day: an end at or before the start (or 24:00) is on the next day,
    as an evening reception or a late session ends (`services.end_day`).
    """
    fold = int(form.fold.data) if form.fold.data in ("0", "1") else None
    times = {}
    end_day = services.end_day(form.day.data, form.start.data, form.end.data,
                               end_of_day=form.end.end_of_day)
    for name, field, day in (("starts_at", form.start, form.day.data),
                             ("ends_at", form.end, end_day)):
        try:
            times[name] = localize(datetime.combine(day, field.data), event.timezone, fold)
        except AmbiguousLocalTime as exc:
            form.fold.choices = choices(exc.choices)
            field.errors.append(str(exc))
        except LocalTimeError as exc:
            field.errors.append(str(exc))
    if len(times) < 2:
        return None
    return services.ItemData(
        title=form.title.data, kind=form.kind.data, room=form.room.data or "",
        chairs=services.split_names(form.chairs.data or ""),
        speakers=services.split_names(form.speakers.data or ""),
        description=form.description.data or "", status=form.status.data or "confirmed", **times)


def _put_errors(form: ItemForm, errors: dict[str, list[str]]) -> None:
    fields = {"starts_at": "start", "ends_at": "end"}
    for name, messages in errors.items():
        getattr(form, fields.get(name, name)).errors.extend(messages)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new_item(slug: str):
    event = managed_event_or_404(slug)
    form = ItemForm()
    if request.method == "GET":
        form.day.data = request.args.get("day", type=_date) or (
            event.days[0] if event.days else None)
    if form.validate_on_submit() and (data := _item_data(form, event)) is not None:
        try:
            item, warnings = services.add_item(event, data, user=_user())
        except services.AgendaError as exc:
            _put_errors(form, exc.errors)
        except services.AgendaFull as exc:
            form.form_errors.append(str(exc))
            return render_template("admin/agenda_item.html", form=form, event=event,
                                   item=None), 409
        else:
            flash(f"Added “{item.title}” to the draft agenda.", "success")
            _flash_warnings(warnings)
            return redirect(url_for("agenda.editor", slug=slug, _anchor=f"item-{item.id}"), 303)
    return render_template("admin/agenda_item.html", form=form, event=event, item=None), (
        422 if request.method == "POST" else 200)


def _date(value: str):
    """A `?day=` value; ValueError (so no day) when it is not a date in the accepted range."""
    day = datetime.strptime(value, "%Y-%m-%d").date()
    check_date(day)
    return day


def _flash_refusal(exc: services.AgendaError | services.AgendaFull) -> None:
    # Moves and copies come from buttons, not a form with fields: the reasons go in a flash.
    flash(str(exc), "error")


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_item(slug: str, item_id: int):
    event = managed_event_or_404(slug)
    item = _item_or_404(event, item_id)
    form = ItemForm()
    if request.method == "GET":
        zone = ZoneInfo(event.timezone)
        start, end = item.starts_at.astimezone(zone), item.ends_at.astimezone(zone)
        # The lists as the form edits them, one name per line: `obj=item` would show the
        # list's repr, which the next save would wrap again (issue 14).
        form.process(data={
            "title": item.title, "kind": item.kind, "room": item.room,
            "description": item.description, "status": item.status, "day": start.date(),
            "start": start.time(), "end": end.time(), "chairs": "\n".join(item.chairs),
            "speakers": "\n".join(item.speakers)})
    if form.validate_on_submit() and (data := _item_data(form, event)) is not None:
        try:
            item, warnings = services.update_item(item, data, user=_user())
        except services.AgendaError as exc:
            _put_errors(form, exc.errors)
        else:
            flash(f"Saved “{item.title}”.", "success")
            _flash_warnings(warnings)
            return redirect(url_for("agenda.editor", slug=slug, _anchor=f"item-{item.id}"), 303)
    return render_template("admin/agenda_item.html", form=form, event=event, item=item), (
        422 if request.method == "POST" else 200)


@bp.post("/<int:item_id>/shift")
@roles_required(*MANAGERS)
def shift_item(slug: str, item_id: int) -> Response:
    event = managed_event_or_404(slug)
    item = _item_or_404(event, item_id)
    form = ShiftForm()
    if not form.validate_on_submit():
        flash("That move was not understood.", "error")
        return redirect(url_for("agenda.editor", slug=slug, _anchor=f"item-{item.id}"), 303)
    minutes = int(form.minutes.data)
    try:
        item, _warnings = services.shift_item(item, minutes, user=_user())
    except services.AgendaError as exc:
        _flash_refusal(exc)
        return redirect(url_for("agenda.editor", slug=slug, _anchor=f"item-{item.id}"), 303)
    return _back_to(item, slug, "earlier" if minutes < 0 else "later")


@bp.post("/move")
@roles_required(*MANAGERS)
def move_item(slug: str) -> Response:
    """Move an item to a day and start time: a drop on the grid, or its "Move to" field."""
    event = managed_event_or_404(slug)
    form = MoveForm()
    if not form.validate_on_submit():
        flash("That move was not understood: give a day and a start time.", "error")
        item_id = request.form.get("item_id", type=int)
        return redirect(url_for("agenda.editor", slug=slug,
                                _anchor=f"item-{item_id}" if item_id else None), 303)
    item = _item_or_404(event, form.item_id.data)
    via = "moveto" if request.form.get("via") == "moveto" else "drag"
    try:
        starts_at = localize(datetime.combine(form.day.data, form.time.data), event.timezone)
    except LocalTimeError as exc:
        flash(f"{exc} Use the item's edit form to set its time.", "error")
        return redirect(url_for("agenda.editor", slug=slug, _anchor=f"item-{item.id}"), 303)
    try:
        item, _warnings = services.move_item(item, starts_at, user=_user())
    except services.AgendaError as exc:
        _flash_refusal(exc)
        return redirect(url_for("agenda.editor", slug=slug, _anchor=f"item-{item.id}"), 303)
    return _back_to(item, slug, via)


@bp.post("/<int:item_id>/duplicate")
@roles_required(*MANAGERS)
def duplicate_item(slug: str, item_id: int) -> Response:
    event = managed_event_or_404(slug)
    item = _item_or_404(event, item_id)
    try:
        copy, warnings = services.duplicate_item(item, user=_user())
    except (services.AgendaError, services.AgendaFull) as exc:
        _flash_refusal(exc)
        return redirect(url_for("agenda.editor", slug=slug, _anchor=f"item-{item.id}"), 303)
    flash(f"Added a copy of “{copy.title}” right after it.", "success")
    _flash_warnings(warnings)
    return redirect(url_for("agenda.editor", slug=slug, _anchor=f"item-{copy.id}"), 303)


@bp.route("/<int:item_id>/delete", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def delete_item(slug: str, item_id: int) -> Response | str:
    """GET: "Delete this item?"; POST: delete it (or mark it cancelled once public)."""
    event = managed_event_or_404(slug)
    item = _item_or_404(event, item_id)
    if request.method == "GET":
        return render_template("admin/agenda_item_delete.html", event=event, item=item,
                               public=db.session.get(PublishedAgendaItem, item.id) is not None)
    title = item.title
    if services.delete_item(item, user=_user()):
        flash(f"Deleted “{title}”.", "success")
    else:
        flash(f"“{title}” was already public: it is now marked cancelled, and stays on the "
              "public agenda as cancelled after you publish.", "success")
    return redirect(url_for("agenda.editor", slug=slug), 303)


@bp.post("/publish")
@roles_required(*MANAGERS)
def publish(slug: str) -> Response:
    event = managed_event_or_404(slug)
    changes = services.publish(event, user=_user())
    flash(f"Published the agenda (release {event.agenda_release}, "
          + ngettext("%(num)d change", "%(num)d changes", len(changes)) + ").", "success")
    return redirect(url_for("agenda.editor", slug=slug), 303)


@bp.post("/confirm")
@roles_required(*MANAGERS)
def confirm(slug: str) -> Response:
    event = managed_event_or_404(slug)
    services.confirm_agenda(event, user=_user())
    flash("The agenda times are confirmed; the public page no longer calls them provisional.",
          "success")
    return redirect(url_for("agenda.editor", slug=slug), 303)
