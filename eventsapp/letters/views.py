"""Letters: the organisers' page (templates, who may have one, issue one or all), the PDF
for organisers, and the registrant's own download from their private page."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField

from ..auth.permissions import MANAGERS, managed_event_or_404, roles_required
from ..documents.render import content_disposition
from ..extensions import db
from ..models import LETTER_KINDS, Event, IssuedLetter, Registration, User
from ..registration import services as registrations
from ..registration.views import limit_management
from ..timelimit import pdf_time_limit
from . import services
from .render import letter_pdf

bp = Blueprint("letters", __name__)


class TemplateForm(FlaskForm):
    code = StringField("Code in the number", description="E.g. CTWG16: letters are numbered "
                                                         "CTWG16/VISA/001, CTWG16/CERT/001.")
    signatory_name = StringField("Signatory")
    signatory_title = StringField("Signatory's title")
    body = TextAreaField("Text", description="Placeholders: " + ", ".join(
        f"{{{p}}}" for p in services.PLACEHOLDERS) + ". A blank line starts a paragraph.")
    letterhead = FileField("Letterhead image (PNG or JPEG, at most 1.5 MB)",
                           description="Printed across the top. Leave empty to keep the "
                                       "current one.")
    remove_letterhead = BooleanField("Remove the letterhead")


class IssueForm(FlaskForm):
    """Issue: `ids` from the page (one person) or `all` (everyone eligible)."""


def _user() -> User:
    return current_user._get_current_object()


def _kind(kind: str) -> str:
    if kind not in LETTER_KINDS:
        abort(404, "There is no such kind of letter.")
    return kind


@bp.get("/admin/events/<slug>/letters")
@roles_required(*MANAGERS)
def letters(slug: str):
    event = managed_event_or_404(slug)
    kinds = []
    for kind in LETTER_KINDS:
        issued = services.issued_for_event(event, kind)
        done = {reg.id for _, reg in issued}
        waiting = [(reg, services.refusal(reg, kind)) for reg in services.eligible(event, kind)
                   if reg.id not in done]
        kinds.append({"kind": kind, "title": services.TITLES[kind],
                      "plural": services.PLURAL_TITLES[kind], "issued": issued,
                      "waiting": waiting, "template": services.template_for(event, kind)})
    return render_template("letters/admin.html", event=event, kinds=kinds,
                           form=IssueForm(formdata=None))


@bp.route("/admin/events/<slug>/letters/<kind>/template", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def template(slug: str, kind: str):
    event = managed_event_or_404(slug)
    kind = _kind(kind)
    tpl = services.template_for(event, kind)
    form = TemplateForm()
    problem = None
    if request.method == "GET":
        form.code.data, form.signatory_name.data = tpl.code, tpl.signatory_name
        form.signatory_title.data, form.body.data = tpl.signatory_title, tpl.body
    elif form.validate_on_submit():
        upload = form.letterhead.data
        data = upload.read(services.LETTERHEAD_MAX + 1) if upload and upload.filename else None
        try:
            changed = services.save_template(
                event, kind, services.clean_template(
                    {"code": form.code.data, "signatory_name": form.signatory_name.data,
                     "signatory_title": form.signatory_title.data, "body": form.body.data}),
                letterhead=data, remove_letterhead=bool(form.remove_letterhead.data),
                user=_user())
        except services.LetterError as exc:
            problem = str(exc)
        else:
            flash("The template is saved." if changed else "Nothing changed.", "success")
            return redirect(url_for(".letters", slug=slug), 303)
    else:
        problem = "The form has expired; try again."
    return render_template("letters/template.html", event=event, kind=kind,
                           title=services.TITLES[kind], form=form, problem=problem,
                           has_letterhead=tpl.letterhead is not None), 422 if problem else 200


@bp.post("/admin/events/<slug>/letters/<kind>/issue")
@roles_required(*MANAGERS)
def issue(slug: str, kind: str) -> Response:
    event = managed_event_or_404(slug)
    kind = _kind(kind)
    if not IssueForm().validate_on_submit():
        abort(400, "The form has expired; reload the page and try again.")
    if request.form.get("all") == "1":
        ids = [r.id for r in services.eligible(event, kind)]
    else:
        ids = [int(i) for i in request.form.getlist("ids") if i.isdigit() and len(i) < 10]
    if not ids:
        flash("Nobody to issue a letter to.", "info")
        return redirect(url_for(".letters", slug=slug), 303)
    result = services.issue(event, kind, ids, user=_user())
    if result.issued:
        flash(f"Issued {len(result.issued)}: "
              + ", ".join(letter.number for letter in result.issued) + ".", "success")
    for message in result.refused:
        flash(message, "error")
    back = request.form.get("back", "")
    if back.isdigit():
        return redirect(url_for("admin_registrations.registration", slug=slug,
                                reg_id=int(back)), 303)
    return redirect(url_for(".letters", slug=slug), 303)


def _send(reg: Registration, letter: IssuedLetter) -> Response:
    tpl = services.template_for(reg.event, letter.kind)
    try:
        values = services.letter_values(reg, letter, tpl)
    except services.LetterError as exc:
        abort(410, str(exc))
    title = services.TITLES[letter.kind]
    with pdf_time_limit():
        pdf = letter_pdf(title=title, number=letter.number, date=values["date"],
                         body=services.fill(tpl.body, values), signatory=tpl.signatory_name,
                         signatory_title=tpl.signatory_title, letterhead=tpl.letterhead,
                         author=reg.event.title)
    name = f"{letter.number.replace('/', '-')}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": content_disposition(name),
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


@bp.get("/admin/events/<slug>/letters/<kind>/<int:reg_id>.pdf")
@roles_required(*MANAGERS)
def letter(slug: str, kind: str, reg_id: int) -> Response:
    event: Event = managed_event_or_404(slug)
    reg = db.session.get(Registration, reg_id)
    if reg is None or reg.event_id != event.id:
        abort(404, "There is no such registration for this event.")
    issued = services.issued_letter(reg, _kind(kind))
    if issued is None:
        abort(404, "This letter has not been issued.")
    return _send(reg, issued)


@bp.get("/registrations/<token>/letters/<kind>.pdf")
@limit_management
def own_letter(token: str, kind: str) -> Response:
    reg = registrations.find_by_token(token)
    if reg is None:
        abort(404, "There is no registration at this address.")
    issued = services.issued_letter(reg, _kind(kind))
    if issued is None:
        abort(404, "This letter has not been issued yet: the secretariat issues it.")
    return _send(reg, issued)
