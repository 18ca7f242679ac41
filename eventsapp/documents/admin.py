"""Organisers' document pages: upload, details, revisions, numbering and deadline."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from ..auth.permissions import MANAGERS, managed_event_or_404, roles_required
from ..events.localtime import LocalTimeError, localize
from ..formfields import choices
from ..labels import local
from ..models import Event, User
from . import services
from .access import can_submit
from .forms import DetailsForm, RevisionForm, SettingsForm, UploadForm
from .programme import agenda_numbers, document_list

bp = Blueprint("documents_admin", __name__, url_prefix="/admin/events/<slug>/documents")
UPLOAD_ENDPOINTS = {"documents_admin.documents", "documents_admin.revise"}


@bp.url_value_preprocessor
def _allow_uploads(endpoint: str | None, _values: dict | None) -> None:
    # URL value preprocessors run before every before_request function, and CSRFProtect's
    # reads the form there: the upload routes must raise the body limit before that. Other
    # organiser pages keep MAX_CONTENT_LENGTH.
    if endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
        config = current_app.config
        request.max_content_length = (config["DOCUMENTS_MAX_FILE_BYTES"]
                                      + config["DOCUMENTS_FORM_OVERHEAD_BYTES"])


def _user() -> User:
    return current_user._get_current_object()


def upload_from(storage: FileStorage | None) -> services.Upload | None:
    """The uploaded part as an Upload, or None when no file was chosen."""
    if storage is None or (not storage.filename and not storage.content_length):
        return None
    stream = storage.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if not storage.filename and size == 0:
        return None
    return services.Upload(stream=stream, filename=storage.filename or "", size=size)


def _link_choices(form: DetailsForm, event: Event) -> None:
    numbers = agenda_numbers(event)
    form.agenda_item.choices = choices(
        [("", "None")] + [(str(i.id), " ".join(x for x in (numbers.get(i.id, ""), i.title) if x))
                          for i in event.agenda_items])
    plan = event.work_plan
    form.deliverable.choices = choices(
        [("", "None")] + [(d.number, f"{d.number} {d.title}"[:120])
                          for d in (plan.deliverables if plan else [])])


def _input(form: DetailsForm) -> services.DocumentInput:
    item = form.agenda_item.data
    return services.DocumentInput(
        title=form.title.data or "", access=form.access.data, economy=form.economy.data or None,
        organisation=form.organisation.data or "", language=form.language.data,
        agenda_item_id=int(item) if item and item.isdigit() else None,
        deliverable=form.deliverable.data or None)


def _put_errors(form, errors: dict[str, list[str]]) -> None:
    names = {"agenda_item_id": "agenda_item"}
    for name, messages in errors.items():
        field = getattr(form, names.get(name, name), None)
        if field is not None:
            field.errors = [*field.errors, *messages]


@bp.route("", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def documents(slug: str):
    event = managed_event_or_404(slug)
    form = UploadForm()
    _link_choices(form, event)
    status = 200
    if request.method == "GET":
        form.language.data, form.access.data = "en", "public"
    elif form.validate_on_submit():
        data = _input(form)
        if not can_submit(_user(), event, data.economy):
            abort(403, "Your account may not submit documents to this event.")
        try:
            doc = services.submit_document(event, data, upload_from(form.file.data),
                                           user=_user())
        except services.DocumentError as exc:
            _put_errors(form, exc.errors)
            status = exc.status
        else:
            flash(f"Uploaded {doc.number}: {doc.title}.", "success")
            return redirect(url_for("documents_admin.documents", slug=slug,
                                    _anchor=f"doc-{doc.id}"), 303)
    else:
        status = 422
    settings = services.settings_for(event)
    return render_template(
        "documents/admin.html", event=event, form=form, settings=settings,
        doc_list=document_list(event, None), example=services.example_number(event, settings),
        used=services.event_bytes(event),
        limit=current_app.config["DOCUMENTS_MAX_EVENT_BYTES"]), status


def _document_or_404(event: Event, document_id: int):
    doc = services.find_document(event, document_id)
    if doc is None:
        abort(404, "There is no such document in this event.")
    return doc


@bp.route("/<int:document_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def document(slug: str, document_id: int):
    event = managed_event_or_404(slug)
    doc = _document_or_404(event, document_id)
    form = DetailsForm(obj=None if request.method == "POST" else doc)
    _link_choices(form, event)
    status = 200
    if request.method == "GET":
        form.economy.data = doc.economy or ""
        form.agenda_item.data = str(doc.agenda_item_id) if doc.agenda_item_id else ""
        form.deliverable.data = doc.deliverable.number if doc.deliverable else ""
    elif form.validate_on_submit():
        try:
            services.update_document(doc, _input(form), user=_user())
        except services.DocumentError as exc:
            _put_errors(form, exc.errors)
            status = exc.status
        else:
            flash(f"Saved {doc.number}.", "success")
            return redirect(url_for("documents_admin.document", slug=slug,
                                    document_id=doc.id), 303)
    else:
        status = 422
    return _document_page(event, doc, form, RevisionForm(formdata=None), status)


def _document_page(event: Event, doc, form, revision_form, status: int):
    settings = services.settings_for(event)
    return render_template(
        "documents/document.html", event=event, doc=doc, form=form,
        revision_form=revision_form, deadline=settings.deadline,
        late={r.revision: services.is_late(r, settings.deadline) for r in doc.revisions}), status


@bp.post("/<int:document_id>/revisions")
@roles_required(*MANAGERS)
def revise(slug: str, document_id: int):
    event = managed_event_or_404(slug)
    doc = _document_or_404(event, document_id)
    if not can_submit(_user(), event, doc.economy):
        abort(403, "Your account may not submit documents to this event.")
    revision_form = RevisionForm()
    status = 422
    if revision_form.validate_on_submit():
        try:
            rev = services.submit_revision(doc, upload_from(revision_form.file.data),
                                           user=_user())
        except services.DocumentError as exc:
            _put_errors(revision_form, exc.errors)
            status = exc.status
        else:
            flash(f"Uploaded {doc.number} rev{rev.revision}.", "success")
            return redirect(url_for("documents_admin.document", slug=slug,
                                    document_id=doc.id), 303)
    details = DetailsForm(formdata=None, obj=doc)
    _link_choices(details, event)
    return _document_page(event, doc, details, revision_form, status)


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def settings(slug: str):
    event = managed_event_or_404(slug)
    current = services.settings_for(event)
    form = SettingsForm()
    status = 200
    if request.method == "GET":
        form.event_code.data = current.event_code
        form.number_scheme.data = current.number_scheme
        form.deadline.data = (local(current.deadline, event.timezone).replace(tzinfo=None)
                              if current.deadline else None)
    elif form.validate_on_submit():
        deadline = _deadline(form, event)
        if not form.deadline.errors:
            try:
                services.update_settings(event, event_code=form.event_code.data or "",
                                         number_scheme=form.number_scheme.data or "",
                                         deadline=deadline, user=_user())
            except services.DocumentError as exc:
                _put_errors(form, exc.errors)
                status = exc.status
            else:
                flash("Saved the document settings.", "success")
                return redirect(url_for("documents_admin.documents", slug=slug), 303)
        else:
            status = 422
    else:
        status = 422
    return render_template("documents/settings.html", event=event, form=form,
                           example=services.example_number(event, current)), status


def _deadline(form: SettingsForm, event: Event) -> datetime | None:
    if form.deadline.data is None:
        return None
    try:
        return localize(form.deadline.data, event.timezone, 0)
    except LocalTimeError as exc:
        form.deadline.errors = [*form.deadline.errors, str(exc)]
        return None
