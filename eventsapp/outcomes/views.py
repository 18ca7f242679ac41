"""Decisions and action items: the organisers' page, and the Chair's Summary (HTML, PDF)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.permissions import MANAGERS, managed_event_or_404, roles_required
from ..documents.access import viewer_for
from ..documents.programme import agenda_numbers
from ..documents.render import content_disposition
from ..documents.views import event_for_viewer
from ..extensions import db
from ..formfields import choices
from ..models import ActionItem, Decision, Event, User
from ..timelimit import pdf_time_limit
from . import services
from .forms import ActionForm, CloseForm, DecisionForm
from .render import chairs_summary_pdf
from .summary import chairs_summary

bp = Blueprint("outcomes", __name__)


def _user() -> User:
    return current_user._get_current_object()


def _link_choices(form, event: Event) -> None:
    numbers = agenda_numbers(event)
    form.agenda_item.choices = choices(
        [("", "None (the meeting as a whole)")]
        + [(str(i.id), " ".join(x for x in (numbers.get(i.id, ""), i.title) if x))
           for i in event.agenda_items if i.kind not in ("break", "meal")])
    plan = event.work_plan
    form.deliverable.choices = choices(
        [("", "None")] + [(d.number, f"{d.number} {d.title}"[:120])
                          for d in (plan.deliverables if plan else [])])


def _item_id(form) -> int | None:
    value = form.agenda_item.data
    return int(value) if value and value.isdigit() else None


def _put_errors(form, errors: dict[str, list[str]]) -> None:
    names = {"agenda_item_id": "agenda_item"}
    for name, messages in errors.items():
        field = getattr(form, names.get(name, name), None)
        if field is not None:
            field.errors = [*field.errors, *messages]


def _page(event: Event, decision_form: DecisionForm, action_form: ActionForm, status: int = 200):
    summary = chairs_summary(event, viewer_for(event, user=_user()))
    return render_template("outcomes/admin.html", event=event, s=summary,
                           decision_form=decision_form, action_form=action_form,
                           close_form=CloseForm(formdata=None)), status


@bp.get("/admin/events/<slug>/outcomes")
@roles_required(*MANAGERS)
def outcomes(slug: str):
    event = managed_event_or_404(slug)
    decision_form, action_form = DecisionForm(formdata=None), ActionForm(formdata=None)
    _link_choices(decision_form, event)
    _link_choices(action_form, event)
    if item := request.args.get("item", ""):
        decision_form.agenda_item.data = action_form.agenda_item.data = item
    return _page(event, decision_form, action_form)


@bp.post("/admin/events/<slug>/outcomes/decisions")
@roles_required(*MANAGERS)
def add_decision(slug: str):
    event = managed_event_or_404(slug)
    form, other = DecisionForm(), ActionForm(formdata=None)
    _link_choices(form, event)
    _link_choices(other, event)
    if form.validate_on_submit():
        try:
            services.add_decision(event, services.DecisionInput(
                text=form.text.data or "", agenda_item_id=_item_id(form),
                deliverable=form.deliverable.data or None), user=_user())
        except services.OutcomeError as exc:
            _put_errors(form, exc.errors)
        else:
            flash("Recorded the decision.", "success")
            return redirect(url_for("outcomes.outcomes", slug=slug), 303)
    return _page(event, form, other, 422)


@bp.post("/admin/events/<slug>/outcomes/actions")
@roles_required(*MANAGERS)
def add_action(slug: str):
    event = managed_event_or_404(slug)
    form, other = ActionForm(), DecisionForm(formdata=None)
    _link_choices(form, event)
    _link_choices(other, event)
    if form.validate_on_submit():
        try:
            services.add_action(event, services.ActionInput(
                text=form.text.data or "", owner_kind=form.owner_kind.data,
                owner_economy=form.owner_economy.data or None,
                owner_name=form.owner_name.data or "", due_date=form.due_date.data,
                agenda_item_id=_item_id(form), deliverable=form.deliverable.data or None),
                user=_user())
        except services.OutcomeError as exc:
            _put_errors(form, exc.errors)
        else:
            flash("Recorded the action item.", "success")
            return redirect(url_for("outcomes.outcomes", slug=slug), 303)
    return _page(event, other, form, 422)


def _action_here(event: Event, action_id: int) -> ActionItem:
    """An action of this meeting, or one carried forward to it."""
    action = db.session.get(ActionItem, action_id)
    if action is None or (action.event_id != event.id
                          and action not in services.carried_forward(event)):
        abort(404, "There is no such action item at this meeting.")
    return action


@bp.post("/admin/events/<slug>/outcomes/actions/<int:action_id>/close")
@roles_required(*MANAGERS)
def close_action(slug: str, action_id: int) -> Response:
    event = managed_event_or_404(slug)
    action = _action_here(event, action_id)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            services.close_action(action, note=form.note.data or "", user=_user(),
                                  at_event=event)
        except services.OutcomeError as exc:
            flash(str(exc), "error")
        else:
            flash("Closed the action item.", "success")
    return redirect(url_for("outcomes.outcomes", slug=slug), 303)


@bp.post("/admin/events/<slug>/outcomes/actions/<int:action_id>/delete")
@roles_required(*MANAGERS)
def delete_action(slug: str, action_id: int) -> Response:
    event = managed_event_or_404(slug)
    action = db.session.get(ActionItem, action_id)
    if action is None or action.event_id != event.id:
        abort(404, "There is no such action item at this meeting.")
    if CloseForm().validate_on_submit():
        services.delete_action(action, user=_user())
        flash("Deleted the action item.", "success")
    return redirect(url_for("outcomes.outcomes", slug=slug), 303)


@bp.post("/admin/events/<slug>/outcomes/decisions/<int:decision_id>/delete")
@roles_required(*MANAGERS)
def delete_decision(slug: str, decision_id: int) -> Response:
    event = managed_event_or_404(slug)
    decision = db.session.get(Decision, decision_id)
    if decision is None or decision.event_id != event.id:
        abort(404, "There is no such decision at this meeting.")
    if CloseForm().validate_on_submit():
        services.delete_decision(decision, user=_user())
        flash("Deleted the decision.", "success")
    return redirect(url_for("outcomes.outcomes", slug=slug), 303)


@bp.post("/admin/events/<slug>/outcomes/publish")
@roles_required(*MANAGERS)
def publish(slug: str) -> Response:
    event = managed_event_or_404(slug)
    if CloseForm().validate_on_submit():
        publish_it = request.form.get("publish") == "1"
        services.publish_summary(event, publish_it, user=_user())
        flash("The Chair's Summary is public." if publish_it
              else "The Chair's Summary is visible to staff only.", "success")
    return redirect(url_for("outcomes.outcomes", slug=slug), 303)


# --- the Chair's Summary ----------------------------------------------------------------------


def _summary_or_404(slug: str):
    event, viewer = event_for_viewer(slug)
    if not viewer.staff and not services.summary_published(event):
        abort(404, "The Chair's Summary of this meeting has not been published.")
    return event, chairs_summary(event, viewer)


@bp.get("/events/<slug>/chairs-summary")
def summary(slug: str) -> str:
    event, s = _summary_or_404(slug)
    return render_template("outcomes/summary.html", event=event, s=s)


@bp.get("/events/<slug>/chairs-summary.pdf")
def summary_pdf(slug: str) -> Response:
    event, s = _summary_or_404(slug)
    with pdf_time_limit():
        data = chairs_summary_pdf(s)
    disposition = "inline" + content_disposition(f"{event.slug}-chairs-summary.pdf")[10:]
    response = Response(data, mimetype="application/pdf",
                        headers={"Content-Disposition": disposition})
    response.vary.add("Cookie")
    return response
