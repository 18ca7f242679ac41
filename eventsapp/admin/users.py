"""User accounts (administrators): the list, invitations, role and events, deactivation.

A new account gets the least it needs: check-in staff by default, limited to chosen events
unless "every event" is chosen, and no password: the person sets one through the emailed
invitation (auth/links.py). Deactivating is confirmed on a page of its own first.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth import links, mfa
from ..auth import services as accounts
from ..auth.forms import ROLE_HINTS, ROLE_LABELS, InviteForm, UserAccessForm
from ..auth.permissions import roles_required
from ..events.services import event_sort_key
from ..extensions import db
from ..formfields import choices
from ..models import ADMIN, Event, User
from ..ops import security_event
from .forms import ConfirmForm

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users")


def _user() -> User:
    return current_user._get_current_object()


def _events() -> list[Event]:
    return sorted(db.session.scalars(select(Event)), key=event_sort_key)


def _with_events(form: UserAccessForm, events: list[Event]) -> UserAccessForm:
    form.events.choices = choices((e.id, e.title) for e in events)
    return form


def _chosen(form: UserAccessForm, events: list[Event]) -> list[Event]:
    wanted = set(form.chosen_event_ids())
    return [e for e in events if e.id in wanted]


@bp.route("", methods=["GET", "POST"])
@roles_required(ADMIN)
def users():
    events = _events()
    form = _with_events(InviteForm(), events)
    if form.validate_on_submit():
        try:
            user = links.invite_user(form.email.data, form.role.data,
                                     events=_chosen(form, events), by=_user(),
                                     economy=form.chosen_economy())
        except accounts.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(f"Invited {user.email}: they have been emailed a link to choose their "
                  f"password (it works for 7 days).", "success")
            return redirect(url_for(".users"), 303)
    return render_template("admin/users.html", form=form, users=accounts.list_users(),
                           ROLE_LABELS=ROLE_LABELS, ROLE_HINTS=ROLE_HINTS), (
        422 if request.method == "POST" else 200)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit(user_id: int):
    user = db.get_or_404(User, user_id, description="There is no such account.")
    events = _events()
    if request.method == "GET":
        form = UserAccessForm(formdata=None, role=user.role, economy=user.economy or "",
                              scope="some" if user.events else "all",
                              events=[e.id for e in user.events])
    else:
        form = UserAccessForm()
    _with_events(form, events)
    if form.validate_on_submit():
        try:
            changed = accounts.update_user(user, form.role.data, _chosen(form, events),
                                           by=_user(), economy=form.chosen_economy())
        except accounts.AccountError as exc:
            form.role.errors.append(str(exc))
        else:
            flash(f"Saved the access of {user.email}." if changed else "Nothing changed.",
                  "success")
            return redirect(url_for(".users"), 303)
    return render_template("admin/user_edit.html", form=form, account=user,
                           ROLE_HINTS=ROLE_HINTS), (422 if request.method == "POST" else 200)


@bp.route("/<int:user_id>/deactivate", methods=["GET", "POST"])
@roles_required(ADMIN)
def deactivate(user_id: int):
    """GET: "Deactivate …?"; POST: deactivate (every session of the account ends)."""
    user = db.get_or_404(User, user_id, description="There is no such account.")
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            accounts.set_active(user, False, by=_user())
        except accounts.AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(f"{user.email} is deactivated and signed out everywhere.", "success")
        return redirect(url_for(".users"), 303)
    if user.id == current_user.id:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for(".users"), 303)
    return render_template("admin/user_deactivate.html", form=form, account=user)


@bp.post("/<int:user_id>/reactivate")
@roles_required(ADMIN)
def reactivate(user_id: int) -> Response:
    user = db.get_or_404(User, user_id, description="There is no such account.")
    if ConfirmForm().validate_on_submit():
        accounts.set_active(user, True, by=_user())
        flash(f"{user.email} is active again.", "success")
    return redirect(url_for(".users"), 303)


@bp.post("/<int:user_id>/invitation")
@roles_required(ADMIN)
def resend_invitation(user_id: int) -> Response:
    user = db.get_or_404(User, user_id, description="There is no such account.")
    if ConfirmForm().validate_on_submit():
        try:
            links.resend_invitation(user, by=_user())
        except accounts.AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Sent {user.email} a new invitation; the earlier link no longer works.",
                  "success")
    return redirect(url_for(".users"), 303)


@bp.post("/<int:user_id>/mfa-reset")
@roles_required(ADMIN)
def mfa_reset(user_id: int) -> Response:
    """Another administrator turns a user's second factor off (a lost phone); audited."""
    user = db.get_or_404(User, user_id, description="There is no such account.")
    if ConfirmForm().validate_on_submit():
        try:
            mfa.reset(user, by=_user())
        except mfa.MfaError as exc:
            flash(str(exc), "error")
        else:
            security_event("mfa_reset", user_id=user.id, by_user_id=_user().id)
            flash(f"The second factor of {user.email} is reset: they set it up again at their "
                  "next sign-in, and their sessions have ended.", "success")
    return redirect(url_for(".users"), 303)
