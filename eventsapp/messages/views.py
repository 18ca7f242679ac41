"""Organisers' pages: write to participants (an event's or the year's), preview, send, see
each recipient's delivery; an event's reminder rules. Thin: parse, call a service, render."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import (
    MANAGERS,
    can_manage_event,
    managed_event_or_404,
    manages_every_event,
    roles_required,
)
from ..events.services import current_work_plan
from ..extensions import db
from ..formfields import choices
from ..models import Event, Message, ReminderRule, User, WorkPlan
from . import reminders as rules
from . import services
from .forms import MessageForm, ReminderForm, SendForm
from .placeholders import PLACEHOLDERS
from .recipients import Criteria
from .services import MessageInput, MessageProblem, Scope

bp = Blueprint("messages", __name__, url_prefix="/admin")
SHOWN_NAMES = 50
PREVIEW_CHOICES = 200  # recipients offered in "preview as"


def _user() -> User:
    return current_user._get_current_object()


# A year's message reaches every event's participants: only for those who manage every event.
can_write_to_year = manages_every_event


def _work_plan_or_404(year: int) -> WorkPlan:
    wp = db.session.scalar(select(WorkPlan).where(WorkPlan.year == year)
                           .order_by(WorkPlan.id).limit(1))
    if wp is None:
        abort(404, f"There is no work plan for {year}.")
    if not can_write_to_year(_user()):
        abort(403, "Only administrators and organisers of every event write to the whole "
                   "year's participants.")
    return wp


def _message_or_404(message_id: int) -> tuple[Message, Scope]:
    message = db.get_or_404(Message, message_id, description="There is no such message.")
    scope = services.scope_of(message)
    if scope.event is not None:
        if not can_manage_event(_user(), scope.event):
            abort(403, "Your account does not have access to this event.")
    elif not can_write_to_year(_user()):
        abort(403, "Your account does not have access to the year's messages.")
    return message, scope


def _context(scope: Scope) -> dict:
    return {"event": scope.event, "work_plan": scope.work_plan,
            "scope_title": scope.event.title if scope.event else
            f"every event of {scope.work_plan.year}"}


# --- lists -----------------------------------------------------------------------------------


@bp.get("/events/<slug>/messages")
@roles_required(*MANAGERS)
def event_messages(slug: str):
    event = managed_event_or_404(slug)
    scope = Scope(event=event)
    return render_template("messages/list.html", messages=services.messages_of(scope),
                           rules=rules.rules_of(event), describe_rule=rules.describe,
                           reminder_counts=rules.sent_counts(event),
                           compose_url=url_for(".compose_event", slug=slug), **_context(scope))


@bp.get("/messages")
@roles_required(*MANAGERS)
def current_year():
    """The top navigation's "Messages": the latest work plan's year."""
    plan = current_work_plan()
    if plan is None:
        abort(404, "No work plan has been loaded yet.")
    return redirect(url_for(".year_messages", year=plan.year), 303)


@bp.get("/years/<int:year>/messages")
@roles_required(*MANAGERS)
def year_messages(year: int):
    wp = _work_plan_or_404(year)
    scope = Scope(work_plan=wp)
    events = [e for e in db.session.scalars(select(Event).where(Event.work_plan_id == wp.id)
                                            .order_by(Event.start_date))]
    return render_template("messages/list.html", messages=services.messages_of(scope),
                           events=events, compose_url=url_for(".compose_year", year=year),
                           **_context(scope))


# --- compose and edit --------------------------------------------------------------------------


def _form(scope: Scope, formdata=None, message: Message | None = None) -> MessageForm:
    form = MessageForm(formdata=formdata)
    form.document_id.choices = choices([("", "No document")] + [
        (str(d.id), f"{d.number} {d.title} ({size / 1024 / 1024:.1f} MB)")
        for d, size in services.sendable_documents(scope.event)])
    if formdata is None:
        if message is not None:
            form.subject.data, form.body.data = message.subject, message.body
            form.fill_criteria(Criteria.from_dict(message.criteria))
            form.attach_calendar.data = message.attach_calendar
            form.document_id.data = str(message.document_id or "")
            form.reply_to.data = message.reply_to
        else:
            form.status.data = ["confirmed"]
            form.reply_to.data = services.default_reply_to(scope)
    return form


def _input(form: MessageForm) -> MessageInput:
    return MessageInput(subject=form.subject.data or "", body=form.body.data or "",
                        criteria=form.criteria(), attach_calendar=bool(form.attach_calendar.data),
                        document_id=int(form.document_id.data) if form.document_id.data
                        else None, reply_to=(form.reply_to.data or "").strip())


def _compose_page(scope: Scope, form: MessageForm, *, action: str, status: int = 200,
                  message: Message | None = None, selection: int = 0):
    return render_template(
        "messages/compose.html", form=form, action=action, placeholders=PLACEHOLDERS,
        message=message, selection=selection, body_max=current_app.config[
            "MESSAGE_BODY_MAX_CHARS"], **_context(scope)), status


def _save(scope: Scope, form: MessageForm, action: str, message: Message | None = None):
    if not form.validate_on_submit():
        return _compose_page(scope, form, action=action, status=422, message=message,
                             selection=len(form.criteria().ids))
    try:
        saved = services.save_draft(scope, _input(form), by=_user(), message=message)
    except MessageProblem as exc:
        for name, errors in exc.errors.items():
            target = form[name] if name in form else form.subject
            target.errors = list(target.errors or []) + errors
        return _compose_page(scope, form, action=action, status=422, message=message,
                             selection=len(form.criteria().ids))
    except services.AlreadySent:
        abort(409, "This message was sent already; copy it to a new draft to change it.")
    return redirect(url_for(".show", message_id=saved.id), 303)


@bp.route("/events/<slug>/messages/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def compose_event(slug: str):
    scope = Scope(event=managed_event_or_404(slug))
    action = url_for(".compose_event", slug=slug)
    if request.method == "POST":
        return _save(scope, _form(scope, request.form), action)
    return _compose_page(scope, _form(scope), action=action)


def compose_for_selection(event: Event, ids: list[int]):
    """The compose page for registrations chosen in the list ("Write to selected…")."""
    scope = Scope(event=event)
    form = _form(scope)
    form.status.data = []  # the selection is explicit: every status it holds
    form.ids.data = ",".join(map(str, ids))
    return _compose_page(scope, form, action=url_for("messages.compose_event", slug=event.slug),
                         selection=len(ids))


@bp.route("/years/<int:year>/messages/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def compose_year(year: int):
    scope = Scope(work_plan=_work_plan_or_404(year))
    action = url_for(".compose_year", year=year)
    if request.method == "POST":
        return _save(scope, _form(scope, request.form), action)
    return _compose_page(scope, _form(scope), action=action)


@bp.route("/messages/<int:message_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(message_id: int):
    message, scope = _message_or_404(message_id)
    if message.sent_at is not None:
        abort(409, "This message was sent already; copy it to a new draft to change it.")
    action = url_for(".edit", message_id=message.id)
    if request.method == "POST":
        return _save(scope, _form(scope, request.form), action, message)
    return _compose_page(scope, _form(scope, message=message), action=action, message=message,
                         selection=len(message.criteria.get("ids", [])))


# --- one message: preview and send, or its delivery ---------------------------------------------


def _show_page(message: Message, scope: Scope, *, status: int = 200, problem: str = "",
               send_form: SendForm | None = None):
    ctx = _context(scope)
    criteria = Criteria.from_dict(message.criteria)
    if message.sent_at is not None:
        items = services.deliveries(message)
        return render_template(
            "messages/sent.html", message=message, deliveries=items,
            counts=services.delivery_counts(items), criteria=criteria.describe(),
            pace=current_app.config.get("MAIL_MESSAGES_PER_MINUTE") or 0,
            sent_by=db.session.get(User, message.sent_by_id) if message.sent_by_id else None,
            **ctx), status
    people = services.previewed_registrations(message, PREVIEW_CHOICES)
    as_id = request.args.get("as", type=int)
    chosen = next((r for r in people if r.id == as_id), people[0] if people else None)
    rendered = services.preview(message, chosen) if chosen is not None else None
    form = send_form or SendForm(formdata=None)
    form.expected.data = len(message.previewed_ids or [])
    earlier = services.earlier_same(scope, message.subject, message.body, message.id)
    return render_template(
        "messages/preview.html", message=message, people=people, shown=SHOWN_NAMES,
        chosen=chosen, rendered=rendered, form=form, problem=problem, earlier=earlier,
        count=len(message.previewed_ids or []), criteria=criteria.describe(),
        sender=current_app.config["MAIL_DEFAULT_SENDER"], **ctx), status


@bp.get("/messages/<int:message_id>")
@roles_required(*MANAGERS)
def show(message_id: int):
    message, scope = _message_or_404(message_id)
    return _show_page(message, scope)


@bp.post("/messages/<int:message_id>/send")
@roles_required(*MANAGERS)
def send(message_id: int):
    message, scope = _message_or_404(message_id)
    form = SendForm()
    if not form.validate_on_submit():
        return _show_page(message, scope, status=422, send_form=form,
                          problem="The page was out of date; check the count and send again.")
    try:
        sent = services.send(message, by=_user(), expected=form.expected.data,
                             repeat_confirmed=bool(form.repeat.data))
    except services.AlreadySent:
        flash("This message was sent already; nothing was sent again.", "error")
        return redirect(url_for(".show", message_id=message.id), 303)
    except services.RecipientsChanged as exc:
        message = services.refresh_preview(message)
        return _show_page(message, scope, status=409, problem=str(exc))
    except services.RepeatNeedsConfirmation as exc:
        return _show_page(message, scope, status=409, problem=str(exc), send_form=form)
    flash(f"Sent to {sent.recipients} {'person' if sent.recipients == 1 else 'people'}; "
          "each delivery is listed below.", "success")
    return redirect(url_for(".show", message_id=message.id), 303)


@bp.post("/messages/<int:message_id>/copy")
@roles_required(*MANAGERS)
def copy(message_id: int):
    message, _scope = _message_or_404(message_id)
    copy = services.copy_to_draft(message, by=_user())
    flash("A new draft with the same text: check it and send it when ready.", "success")
    return redirect(url_for(".edit", message_id=copy.id), 303)


@bp.post("/messages/<int:message_id>/delete")
@roles_required(*MANAGERS)
def delete(message_id: int):
    message, scope = _message_or_404(message_id)
    try:
        services.delete_draft(message)
    except services.AlreadySent:
        abort(409, "A sent message stays, with its delivery record.")
    flash("The draft was deleted.", "success")
    if scope.event is not None:
        return redirect(url_for(".event_messages", slug=scope.event.slug), 303)
    return redirect(url_for(".year_messages", year=scope.work_plan.year), 303)


# --- reminder rules ------------------------------------------------------------------------------


def _rule_or_404(rule_id: int) -> tuple[ReminderRule, Event]:
    rule = db.get_or_404(ReminderRule, rule_id, description="There is no such reminder.")
    event = db.session.get(Event, rule.event_id)
    if not can_manage_event(_user(), event):
        abort(403, "Your account does not have access to this event.")
    return rule, event


def _rule_page(event: Event, form: ReminderForm, action: str, status: int = 200,
               rule: ReminderRule | None = None):
    return render_template("messages/reminder_form.html", event=event, form=form,
                           action=action, rule=rule, placeholders=PLACEHOLDERS), status


def _rule_input(form: ReminderForm) -> rules.RuleInput:
    return rules.RuleInput(kind=form.kind.data, days_before=form.days_before.data or 0,
                           local_time=form.local_time.data, criteria=form.criteria(),
                           subject=form.subject.data or "", body=form.body.data or "",
                           attach_calendar=bool(form.attach_calendar.data),
                           reply_to=(form.reply_to.data or "").strip())


def _save_rule(event: Event, form: ReminderForm, action: str, rule: ReminderRule | None = None):
    if not form.validate_on_submit():
        return _rule_page(event, form, action, 422, rule)
    try:
        rules.save_rule(event, _rule_input(form), by=_user(), rule=rule)
    except MessageProblem as exc:
        for name, errors in exc.errors.items():
            target = form[name] if name in form else form.subject
            target.errors = list(target.errors or []) + errors
        return _rule_page(event, form, action, 422, rule)
    flash("The reminder is saved; it goes out at its time to the people who match then.",
          "success")
    return redirect(url_for(".event_messages", slug=event.slug) + "#reminders", 303)


@bp.route("/events/<slug>/reminders/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new_reminder(slug: str):
    event = managed_event_or_404(slug)
    action = url_for(".new_reminder", slug=slug)
    if request.method == "POST":
        return _save_rule(event, ReminderForm(), action)
    form = ReminderForm(formdata=None)
    form.status.data = ["confirmed"]
    form.reply_to.data = services.default_reply_to(Scope(event=event))
    return _rule_page(event, form, action)


@bp.route("/reminders/<int:rule_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_reminder(rule_id: int):
    rule, event = _rule_or_404(rule_id)
    action = url_for(".edit_reminder", rule_id=rule.id)
    if request.method == "POST":
        return _save_rule(event, ReminderForm(), action, rule)
    form = ReminderForm(formdata=None, obj=rule)
    form.fill_criteria(Criteria.from_dict(rule.criteria))
    return _rule_page(event, form, action, rule=rule)


@bp.post("/reminders/<int:rule_id>/delete")
@roles_required(*MANAGERS)
def delete_reminder(rule_id: int):
    rule, event = _rule_or_404(rule_id)
    rules.delete_rule(rule, by=_user())
    flash("The reminder was deleted; reminders already sent stay sent.", "success")
    return redirect(url_for(".event_messages", slug=event.slug) + "#reminders", 303)


