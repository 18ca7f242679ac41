"""Privacy pages: the public notice, a registrant's data download and erasure request,
organisers' erasure requests, retention and anonymising, the `purge-personal-data` command."""

from __future__ import annotations

import json

import click
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import MANAGERS, managed_event_or_404, roles_required
from ..events.services import current_work_plan
from ..extensions import db
from ..models import ADMIN, ErasureRequest, Registration, utcnow
from ..ops import security_event
from ..registration import services as registrations
from ..registration.views import limit_management
from . import services
from .forms import AnonymiseForm, ErasureForm, NoticeForm, RetentionForm
from .notices import current_notice, notice_version

bp = Blueprint("privacy", __name__, cli_group=None)


@bp.get("/privacy")
def notice() -> str:
    plan = current_work_plan()
    version = request.args.get("version", type=int)
    shown = None
    if plan is not None:
        shown = notice_version(plan.id, version) if version else current_notice(plan.id)
        if version and shown is None:
            abort(404, "There is no such version of the privacy notice.")
    latest = current_notice(plan.id) if plan is not None else None
    return render_template("privacy/notice.html", plan=plan, notice=shown, latest=latest)


def _registration_or_404(token: str) -> Registration:
    reg = registrations.find_by_token(token)
    if reg is None:
        abort(404, "There is no registration at this address. Check that you copied the whole "
                   "link from your email.")
    return reg


@bp.get("/registrations/<token>/data.json")
@limit_management
def download(token: str) -> Response:
    """Everything kept about the registrant, as JSON (GDPR art. 15 and 20)."""
    reg = _registration_or_404(token)
    body = json.dumps(services.export_registration(reg), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="registration-{reg.event.slug}.json"'})


@bp.post("/registrations/<token>/erase")
@limit_management
def request_erasure(token: str) -> Response:
    reg = _registration_or_404(token)
    if ErasureForm().validate_on_submit():
        try:
            req = services.request_erasure(reg)
        except services.PrivacyError as exc:
            flash(str(exc), "error")
        else:
            flash("We have your request. The organisers will erase your data by "
                  f"{req.due_at:%d %B %Y}; this link will then stop working. Download your "
                  "data first if you want a copy.", "success")
    return redirect(url_for("registration.manage", token=token), 303)


# --- organisers ------------------------------------------------------------------------------


@bp.route("/admin/privacy", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_notice():
    plan = current_work_plan()
    if plan is None:
        abort(404, "There is no work plan yet: run `flask --app eventsapp seed` first.")
    latest = current_notice(plan.id)
    form = NoticeForm(obj=latest if request.method == "GET" else None)
    if request.method == "GET" and latest is None:
        form.process(data=vars(services.default_notice_text(plan)))
    if form.validate_on_submit():
        try:
            published = services.publish_notice(plan, services.NoticeText(
                form.controller.data, form.contact.data, form.purposes.data,
                form.retention.data), by=current_user._get_current_object())
        except services.PrivacyError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Published version {published.version} of the privacy notice; new "
                  "registrations accept it.", "success")
            return redirect(url_for("privacy.edit_notice"), 303)
    return render_template("privacy/edit_notice.html", form=form, latest=latest,
                           plan=plan), 422 if form.is_submitted() else 200


def _event_page(event, status: int = 200, retention_form=None, anonymise_form=None):
    retention_form = retention_form or RetentionForm(
        retention_days=event.retention_days,
        sensitive_retention_days=event.sensitive_retention_days)
    return render_template(
        "privacy/event.html", event=event, requests=services.erasure_requests(event),
        now=utcnow(), retention_form=retention_form,
        anonymise_form=anonymise_form or AnonymiseForm(), confirm_form=ErasureForm(),
        can_anonymise=services.can_anonymise_event(event),
        purge_on=services.purge_date(event),
        sensitive_on=services.purge_date(event, sensitive=True),
        anonymised=db.session.scalar(select(db.func.count()).select_from(Registration).where(
            Registration.event_id == event.id, Registration.anonymised_at.is_not(None))),
    ), status


@bp.get("/admin/events/<slug>/privacy")
@roles_required(*MANAGERS)
def event_privacy(slug: str):
    return _event_page(managed_event_or_404(slug))


@bp.post("/admin/events/<slug>/privacy/retention")
@roles_required(*MANAGERS)
def event_retention(slug: str):
    event = managed_event_or_404(slug)
    form = RetentionForm()
    if form.validate_on_submit():
        try:
            services.set_retention(event, form.retention_days.data,
                                   form.sensitive_retention_days.data,
                                   by=current_user._get_current_object())
        except services.PrivacyError as exc:
            form.sensitive_retention_days.errors.append(str(exc))
        else:
            flash("Saved the retention periods.", "success")
            return redirect(url_for("privacy.event_privacy", slug=slug), 303)
    return _event_page(event, 422, retention_form=form)


@bp.post("/admin/events/<slug>/privacy/erasure/<int:request_id>/confirm")
@roles_required(*MANAGERS)
def confirm_erasure(slug: str, request_id: int) -> Response:
    event = managed_event_or_404(slug)
    req = db.one_or_404(select(ErasureRequest).where(ErasureRequest.id == request_id,
                                                     ErasureRequest.event_id == event.id))
    if ErasureForm().validate_on_submit():
        try:
            services.confirm_erasure(req, by=current_user._get_current_object())
        except services.PrivacyError as exc:
            flash(str(exc), "error")
        else:
            flash("The registration is erased: it stays in the counts without personal "
                  "data.", "success")
    return redirect(url_for("privacy.event_privacy", slug=slug), 303)


@bp.post("/admin/events/<slug>/privacy/anonymise")
@roles_required(*MANAGERS)
def anonymise_event(slug: str):
    event = managed_event_or_404(slug)
    form = AnonymiseForm()
    if form.validate_on_submit():
        try:
            count = services.anonymise_event(event, by=current_user._get_current_object())
        except services.PrivacyError as exc:
            flash(str(exc), "error")
        else:
            security_event("registrations_anonymised", event=event.slug, count=count,
                           user_id=current_user.id)
            flash(f"Anonymised {count} registration(s) of {event.title}.", "success")
            return redirect(url_for("privacy.event_privacy", slug=slug), 303)
    return _event_page(event, 422, anonymise_form=form)


# --- the retention command -------------------------------------------------------------------


@bp.cli.command("purge-personal-data")
@click.option("--dry-run", is_flag=True, help="Count what would be purged; change nothing.")
def purge_personal_data(dry_run: bool) -> None:
    """Anonymise registrations past their event's retention period and clear sensitive
    details past the shorter one (run it daily: docs/DEPLOYMENT.md)."""
    report = services.purge_expired(dry_run=dry_run)
    anonymised, cleared = ("Would anonymise", "would clear") if dry_run else (
        "Anonymised", "cleared")
    click.echo(f"{anonymised} {report.anonymised} registration(s); {cleared} sensitive "
               f"details of {report.sensitive_cleared} "
               f"({', '.join(report.events) or 'no event due'}).")
    current_app.logger.info("purge-personal-data: %s", report)
