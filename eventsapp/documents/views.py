"""Public side of the documents: the List of Documents, downloads, the annotated agenda, and a
participant's documents through their private link."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import CONFIRMED, PUBLIC, Document, DocumentRevision, Event, Registration
from ..registration.services import find_by_token
from ..timelimit import pdf_time_limit
from . import render
from .access import PUBLIC_STATUSES, Viewer, viewer_for
from .filetypes import KINDS
from .programme import document_list, programme
from .services import find_document, revision_of
from .storage import read_range

bp = Blueprint("documents", __name__)


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


def event_for_viewer(slug: str) -> tuple[Event, Viewer]:
    """The event at `slug` and the visitor's standing there; 404 for a draft unless staff."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404, "There is no event at this address.")
    viewer = viewer_for(event, user=_user())
    if event.status not in PUBLIC_STATUSES and not viewer.staff:
        abort(404, "There is no event at this address.")
    return event, viewer


def _registration(token: str) -> Registration:
    reg = find_by_token(token)
    if reg is None:
        abort(404, "This link is not valid. Check that you copied the whole address.")
    return reg


def _file(data: bytes, mimetype: str, filename: str, inline: bool) -> Response:
    disposition = render.content_disposition(filename)
    if inline:
        disposition = "inline" + disposition[len("attachment"):]
    response = Response(data, mimetype=mimetype, headers={"Content-Disposition": disposition})
    response.vary.add("Cookie")
    return response


# --- the List of Documents --------------------------------------------------------------------


@bp.get("/events/<slug>/documents")
def document_list_page(slug: str) -> str:
    event, viewer = event_for_viewer(slug)
    return render_template("documents/list.html", event=event, viewer=viewer,
                           doc_list=document_list(event, viewer), token=None)


@bp.get("/events/<slug>/documents.csv")
def document_list_csv(slug: str) -> Response:
    event, viewer = event_for_viewer(slug)
    return _file(render.document_list_csv(document_list(event, viewer)), "text/csv",
                 f"{event.slug}-documents.csv", inline=False)


@bp.get("/events/<slug>/documents.pdf")
def document_list_pdf(slug: str) -> Response:
    event, viewer = event_for_viewer(slug)
    doc_list = document_list(event, viewer)
    with pdf_time_limit():
        data = render.document_list_pdf(doc_list)
    return _file(data, "application/pdf", f"{event.slug}-documents.pdf", inline=True)


@bp.get("/events/<slug>/programme.pdf")
def programme_pdf(slug: str) -> Response:
    event, viewer = event_for_viewer(slug)
    data_ = programme(event, viewer)
    with pdf_time_limit():
        data = render.programme_pdf(data_)
    return _file(data, "application/pdf", f"{event.slug}-programme.pdf", inline=True)


# --- downloads --------------------------------------------------------------------------------


@bp.get("/events/<slug>/documents/<int:document_id>")
def download(slug: str, document_id: int) -> Response:
    event, viewer = event_for_viewer(slug)
    doc = find_document(event, document_id, viewer)
    if doc is None:
        abort(404, "There is no such document, or it is not open to you.")
    return send_revision(doc, revision_of(doc))


@bp.get("/events/<slug>/documents/<int:document_id>/revisions/<int:revision>")
def download_revision(slug: str, document_id: int, revision: int) -> Response:
    """Any revision, earlier ones included: staff only."""
    event, viewer = event_for_viewer(slug)
    doc = find_document(event, document_id, viewer) if viewer.staff else None
    rev = revision_of(doc, revision) if doc is not None else None
    if rev is None:
        abort(404, "There is no such revision, or it is not open to you.")
    return send_revision(doc, rev)


@bp.get("/registrations/<token>/documents")
def participant_documents(token: str) -> str:
    reg = _registration(token)
    event = reg.event
    viewer = viewer_for(event, user=_user(), registration=reg)
    return render_template("documents/list.html", event=event, viewer=viewer,
                           doc_list=document_list(event, viewer), token=token,
                           confirmed=reg.status == CONFIRMED)


@bp.get("/registrations/<token>/documents/<int:document_id>")
def participant_download(token: str, document_id: int) -> Response:
    reg = _registration(token)
    event = reg.event
    doc = find_document(event, document_id, viewer_for(event, registration=reg))
    if doc is None:
        abort(404, "There is no such document, or it is not open to you.")
    return send_revision(doc, revision_of(doc))


def send_revision(doc: Document, rev: DocumentRevision | None) -> Response:
    """The stored file as an attachment: strong ETag (its SHA-256), 304, one byte `Range`
    (206/416), streamed one chunk at a time; never rendered by the browser."""
    if rev is None:
        abort(404, "The document has no file.")
    etag = rev.sha256
    private = doc.access != PUBLIC
    headers = {
        "Content-Disposition": render.content_disposition(
            render.download_name(doc.number, rev.revision, doc.title,
                                 KINDS[rev.kind].extension)),
        "Content-Security-Policy": render.DOWNLOAD_CSP,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, no-store" if private else "public, no-cache",
    }
    if etag in request.if_none_match:
        response = Response(status=304, headers=headers)
        response.set_etag(etag)
        return response
    start, stop, status = 0, rev.size, 200
    if_range = request.if_range
    range_applies = (if_range.etag is None and if_range.date is None) or if_range.etag == etag
    if request.range is not None and range_applies and request.range.units == "bytes" \
            and len(request.range.ranges) == 1:
        span = request.range.range_for_length(rev.size)
        if span is None:
            response = Response(status=416, headers=headers)
            response.headers["Content-Range"] = f"bytes */{rev.size}"
            return response
        (start, stop), status = span, 206
    response = Response(read_range(db.engine, rev.id, start, stop), status=status,
                        mimetype=rev.content_type, headers=headers, direct_passthrough=True)
    response.content_length = stop - start
    if status == 206:
        response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{rev.size}"
    response.set_etag(etag)
    return response
