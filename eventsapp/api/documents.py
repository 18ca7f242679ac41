"""Documents and outcomes in the JSON API.

`POST /events/<slug>/documents` (staff token, multipart: file, title, access; optional
agenda_item_id, deliverable, economy, organisation, language) → 201 with number,
revision, url. Lists answer with what the caller may open: the public without a token,
everything with a staff token, participants' documents through the registration's token.
"""

from __future__ import annotations

from flask import abort, current_app, g, jsonify, request, url_for
from sqlalchemy import select

from ..auth.services import user_for_api_token
from ..documents import services as documents
from ..documents.access import PUBLIC_STATUSES, Viewer, can_submit, viewer_for
from ..documents.admin import upload_from
from ..documents.programme import DocumentList, DocumentRow, document_list
from ..extensions import db
from ..models import Event, Registration
from ..outcomes import services as outcomes
from ..outcomes.summary import ActionRow, chairs_summary
from ..registration.services import find_by_token
from .organiser import _managed_event, token_required
from .serializers import iso
from .views import bp


def _optional_user():
    """The token's user when a bearer token is sent (401 for a bad one), else None."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    user = user_for_api_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        abort(401, "Send a valid personal API token as 'Authorization: Bearer <token>', "
                   "or none for public documents.")
    return user


def _event(slug: str) -> tuple[Event, Viewer]:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404, "There is no event with this slug.")
    viewer = viewer_for(event, user=_optional_user())
    if event.status not in PUBLIC_STATUSES and not viewer.staff:
        abort(404, "There is no event with this slug.")
    return event, viewer


def document_json(row: DocumentRow, url: str, *, revisions: list[dict] | None = None) -> dict:
    body = {
        "id": row.id, "number": row.number,
        "revision": int(row.revision[3:]) if row.revision else 0,
        "revision_label": row.revision, "title": row.title,
        "submitted_by": row.submitted_by, "economy": row.economy, "language": row.language,
        "access": row.access, "agenda_item_id": row.agenda_item_id,
        "agenda_item": row.agenda_item or None, "deliverable": row.deliverable or None,
        "type": row.kind, "size": row.size, "submitted_at": iso(row.submitted_at),
        "late": row.late, "url": url,
    }
    if revisions is not None:
        body["revisions"] = revisions
    return body


def _list_json(event: Event, viewer: Viewer, doc_list: DocumentList, token: str | None) -> dict:
    docs = {d.id: d for d in documents.event_documents(event)} if viewer.staff else {}
    out = []
    for row in doc_list.rows:
        if token is not None:
            url = url_for("documents.participant_download", token=token, document_id=row.id,
                          _external=True)
        else:
            url = url_for("documents.download", slug=event.slug, document_id=row.id,
                          _external=True)
        revisions = None
        if viewer.staff:
            revisions = [{"revision": r.revision, "size": r.size, "sha256": r.sha256,
                          "submitted_at": iso(r.submitted_at),
                          "url": url_for("documents.download_revision", slug=event.slug,
                                         document_id=row.id, revision=r.revision,
                                         _external=True)}
                         for r in docs[row.id].revisions]
        out.append(document_json(row, url, revisions=revisions))
    return {"event": event.slug, "access": list(viewer.levels), "documents": out}


@bp.get("/events/<slug>/documents")
def list_documents(slug: str):
    event, viewer = _event(slug)
    return jsonify(_list_json(event, viewer, document_list(event, viewer), None))


@bp.get("/registrations/<token>/documents")
def participant_documents(token: str):
    reg: Registration | None = find_by_token(token)
    if reg is None:
        abort(404, "There is no registration with this token.")
    viewer = viewer_for(reg.event, registration=reg)
    return jsonify(_list_json(reg.event, viewer, document_list(reg.event, viewer), token))


def _upload_limit() -> None:
    config = current_app.config
    request.max_content_length = (config["DOCUMENTS_MAX_FILE_BYTES"]
                                  + config["DOCUMENTS_FORM_OVERHEAD_BYTES"])


UPLOAD_ENDPOINTS = {"api.create_document", "api.create_revision"}


@bp.url_value_preprocessor
def _allow_uploads(endpoint: str | None, _values: dict | None) -> None:
    # Before any before_request function: the request guard reads a multipart form to
    # check it, and would otherwise parse it under the site-wide body limit.
    if endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
        _upload_limit()


def _created(event: Event, doc):
    row = next(r for r in document_list(event, None).rows if r.id == doc.id)
    url = url_for("documents.download", slug=event.slug, document_id=doc.id, _external=True)
    body = document_json(row, url)
    body.update(revision=0, revision_label="")  # this upload's, whatever came after it
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url
    return response


def _refused(exc: documents.DocumentError):
    return jsonify({"errors": exc.errors}), exc.status


@bp.post("/events/<slug>/documents")
@token_required("agenda")
def create_document(slug: str):
    _upload_limit()
    event = _managed_event(slug)
    form = request.form
    item = form.get("agenda_item_id", "").strip()
    errors: dict[str, list[str]] = {}
    if item and not item.isdigit():
        errors["agenda_item_id"] = ["An agenda item id (a whole number)."]
    unknown = sorted(set(form) - {"title", "access", "agenda_item_id", "deliverable", "economy",
                                  "organisation", "language"})
    for name in unknown:
        errors[name] = ["Unknown field."]
    if not form.get("access"):
        # Never public by omission: a script that forgets the field publishes nothing.
        errors["access"] = ["Required: public, participants or staff."]
    if errors:
        return jsonify({"errors": errors}), 422
    data = documents.DocumentInput(
        title=form.get("title", ""), access=form["access"],
        economy=form.get("economy") or None, organisation=form.get("organisation", ""),
        language=form.get("language", "en"), agenda_item_id=int(item) if item else None,
        deliverable=form.get("deliverable") or None)
    if not can_submit(g.api_user, event, data.economy):
        abort(403, "This account may not submit documents to this event.")
    try:
        doc = documents.submit_document(event, data, upload_from(request.files.get("file")),
                                        user=g.api_user)
    except documents.DocumentError as exc:
        return _refused(exc)
    return _created(event, doc)


@bp.post("/events/<slug>/documents/<int:document_id>/revisions")
@token_required("agenda")
def create_revision(slug: str, document_id: int):
    _upload_limit()
    event = _managed_event(slug)
    doc = documents.find_document(event, document_id)
    if doc is None:
        abort(404, "There is no such document in this event.")
    if not can_submit(g.api_user, event, doc.economy):
        abort(403, "This account may not submit documents to this event.")
    try:
        rev = documents.submit_revision(doc, upload_from(request.files.get("file")),
                                        user=g.api_user)
    except documents.DocumentError as exc:
        return _refused(exc)
    # This upload's revision, whatever another upload made current since.
    row = next(r for r in document_list(event, None).rows if r.id == document_id)
    url = url_for("documents.download_revision", slug=event.slug, document_id=document_id,
                  revision=rev.revision, _external=True)
    body = document_json(row, url)
    body.update(revision=rev.revision, revision_label=f"rev{rev.revision}", type=rev.kind,
                size=rev.size, submitted_at=iso(rev.submitted_at))
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url
    return response


def action_json(a: ActionRow) -> dict:
    return {"id": a.id, "text": a.text, "owner": a.owner, "due_date":
            a.due_date.isoformat() if a.due_date else None, "deliverable": a.deliverable or None,
            "status": a.status, "closing_note": a.closing_note or None,
            "agreed_at": a.origin_slug, "agenda_item": a.item_number or None}


@bp.get("/events/<slug>/outcomes")
def event_outcomes(slug: str):
    event, viewer = _event(slug)
    if not viewer.staff and not outcomes.summary_published(event):
        abort(404, "The outcomes of this meeting have not been published.")
    s = chairs_summary(event, viewer)
    return jsonify({
        "event": event.slug, "published": s.published,
        "items": [{"agenda_item_id": i.id, "number": i.number or None, "title": i.title,
                   "decisions": [{"id": d.id, "text": d.text,
                                  "deliverable": d.deliverable or None} for d in i.decisions],
                   "actions": [action_json(a) for a in i.actions],
                   "documents": [d.number for d in i.documents]} for i in s.items],
        "carried_forward": [action_json(a) for a in s.carried_forward],
    })
