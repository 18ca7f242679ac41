"""Meeting documents: submitting papers and revisions, numbering them, the event's settings,
and reading what a visitor may see.

Every submission is one unit of work under the event's lock: the next running number is
read and used while no other submission to the event can run, and the unique
constraints (event, seq) and (event, number) make a collision impossible even so. The
file is checked and hashed before the unit of work begins (slow work holds no lock);
its bytes are written inside it, so a refused or failed submission leaves nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..database import lock_event, transactional, unit_of_work
from ..extensions import db
from ..inputs import check_text
from ..models import (
    ACCESS_LEVELS,
    PUBLIC,
    AgendaItem,
    Deliverable,
    Document,
    DocumentRevision,
    DocumentSettings,
    Event,
    User,
    utcnow,
)
from ..reference import ECONOMIES
from . import filetypes, numbering, storage
from .access import Viewer, may_open

MAX_TITLE = 300
MAX_ORGANISATION = 200
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}")
# The languages offered on the form (any BCP 47 tag is accepted through the API).
LANGUAGES = {"en": "English", "es": "Spanish", "fr": "French", "zh": "Chinese",
             "ru": "Russian", "ja": "Japanese", "ko": "Korean", "id": "Indonesian",
             "ms": "Malay", "th": "Thai", "vi": "Vietnamese"}
ACCESS_LABELS = {"public": "Public", "participants": "Participants and staff",
                 "staff": "Staff only"}


class DocumentError(Exception):
    """A refused submission or change; `errors` maps field names to messages for the user,
    `status` is the HTTP status that fits (413 too large, 415 wrong type, 422 otherwise)."""

    def __init__(self, errors: dict[str, list[str]], status: int = 422):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors
        self.status = status


@dataclass
class Upload:
    """An uploaded file: a seekable binary stream (a spooled temporary file), its size in
    bytes and the name the uploader's computer gave it."""

    stream: BinaryIO
    filename: str
    size: int


@dataclass
class DocumentInput:
    title: str
    access: str = PUBLIC
    economy: str | None = None
    organisation: str = ""
    language: str = "en"
    agenda_item_id: int | None = None
    deliverable: str | None = None  # the work plan's number, "1.8"


@dataclass(frozen=True)
class CheckedFile:
    kind: filetypes.FileKind
    filename: str
    size: int
    sha256: str


# --- settings ---------------------------------------------------------------------------------


def settings_for(event: Event) -> DocumentSettings:
    """The event's settings row, or an unsaved one with the defaults."""
    found = db.session.get(DocumentSettings, event.id)
    return found if found is not None else DocumentSettings(
        event_id=event.id, event_code="", number_scheme=numbering.DEFAULT_NUMBER_SCHEME)


@transactional
def update_settings(event: Event, *, event_code: str, number_scheme: str,
                    deadline: datetime | None, user: User | None = None) -> DocumentSettings:
    """Set the event code, numbering scheme and submission deadline (aware, or None).

    Numbers already given keep their value; the scheme applies to new documents.

    :raises DocumentError: a malformed code or scheme (field-named messages).
    """
    errors: dict[str, list[str]] = {}
    event_code = (event_code or "").strip()
    if event_code and not numbering.EVENT_CODE.fullmatch(event_code):
        errors["event_code"] = ["Use letters, digits and hyphens (at most 40), e.g. CTWG15."]
    number_scheme = (number_scheme or "").strip() or numbering.DEFAULT_NUMBER_SCHEME
    if problems := numbering.check_scheme(number_scheme):
        errors["number_scheme"] = problems
    if deadline is not None and deadline.tzinfo is None:
        raise ValueError("naive deadline")
    if errors:
        raise DocumentError(errors)
    lock_event(event.id)
    settings = db.session.get(DocumentSettings, event.id)
    current = ((settings.event_code, settings.number_scheme, settings.deadline) if settings
               else ("", numbering.DEFAULT_NUMBER_SCHEME, None))
    if (event_code, number_scheme, deadline) == current:
        # Saved unchanged: nothing to write or log (the defaults need no row).
        return settings or DocumentSettings(event_id=event.id, event_code=event_code,
                                            number_scheme=number_scheme, deadline=deadline)
    if settings is None:
        settings = DocumentSettings(event_id=event.id)
        db.session.add(settings)
    settings.event_code, settings.number_scheme, settings.deadline = (
        event_code, number_scheme, deadline)
    audit.record("update", settings, event_id=event.id, user=user, event_code=event_code,
                 number_scheme=number_scheme, deadline=deadline)
    return settings


def example_number(event: Event, settings: DocumentSettings | None = None) -> str:
    settings = settings or settings_for(event)
    return numbering.format_number(settings.number_scheme, event, settings.event_code, 1)


# --- submitting -------------------------------------------------------------------------------


def _limits() -> tuple[int, int]:
    config = current_app.config
    return config["DOCUMENTS_MAX_FILE_BYTES"], config["DOCUMENTS_MAX_EVENT_BYTES"]


def check_upload(upload: Upload | None) -> CheckedFile:
    """The file's kind (by content), cleaned name, size and hash; reads it once or twice.

    :raises DocumentError: on the field `file`: missing, empty, too large (413), not an
        allowed type (415), cut off, a zip bomb, or a name with a path or control
        characters.
    """
    if upload is None:
        raise DocumentError({"file": ["Choose a file to upload."]})
    max_file, _ = _limits()
    if upload.size > max_file:
        raise DocumentError({"file": [f"The file is {upload.size:,} bytes; the limit is "
                                      f"{_mb(max_file)} ({max_file:,} bytes) per file."]}, 413)
    try:
        kind = filetypes.detect(upload.stream, upload.size)
        filename = filetypes.check_filename(upload.filename, kind)
    except filetypes.FileRefused as exc:
        raise DocumentError({"file": [str(exc)]}, exc.status) from exc
    d = storage.digest(upload.stream)
    if d.size != upload.size:
        raise DocumentError({"file": ["The file changed while it was read; upload it again."]})
    return CheckedFile(kind, filename, d.size, d.sha256)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n % 1_000_000 else f"{n // 1_000_000} MB"


def _check_input(data: DocumentInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    data.title = " ".join((data.title or "").split())
    data.organisation = " ".join((data.organisation or "").split())
    data.language = (data.language or "en").strip()
    if not data.title:
        errors["title"] = ["Enter the document's title."]
    elif len(data.title) > MAX_TITLE:
        errors["title"] = [f"Keep the title under {MAX_TITLE} characters."]
    for name, label in (("title", "The title"), ("organisation", "The organisation")):
        if name not in errors:
            try:  # the same rule as every other text people type (no bidi overrides)
                check_text(getattr(data, name), label)
            except ValueError as exc:
                errors[name] = [str(exc)]
    if data.access not in ACCESS_LEVELS:
        errors["access"] = ["Choose public, participants or staff."]
    if data.economy is not None and data.economy not in ECONOMIES:
        errors["economy"] = ["Choose one of the 21 member economies, or none."]
    if len(data.organisation) > MAX_ORGANISATION:
        errors["organisation"] = [f"Keep it under {MAX_ORGANISATION} characters."]
    if not LANGUAGE_TAG.fullmatch(data.language):
        errors["language"] = ["Give a language tag such as en, es or zh-Hans."]
    return errors


def _resolve_links(event: Event, data: DocumentInput) -> tuple[int | None, int | None]:
    """The agenda item (of this event) and deliverable (of its work plan) the input names."""
    errors: dict[str, list[str]] = {}
    item_id = deliverable_id = None
    if data.agenda_item_id is not None:
        item = db.session.get(AgendaItem, data.agenda_item_id)
        if item is None or item.event_id != event.id:
            errors["agenda_item_id"] = ["This event's agenda has no such item."]
        else:
            item_id = item.id
    if data.deliverable:
        found = db.session.scalar(select(Deliverable).where(
            Deliverable.work_plan_id == event.work_plan_id,
            Deliverable.number == data.deliverable.strip())) if event.work_plan_id else None
        if found is None:
            errors["deliverable"] = ["The event's work plan has no such deliverable."]
        else:
            deliverable_id = found.id
    if errors:
        raise DocumentError(errors)
    return item_id, deliverable_id


def _check_space(event: Event, size: int) -> None:
    _, max_event = _limits()
    used = db.session.scalar(
        select(func.coalesce(func.sum(DocumentRevision.size), 0))
        .join(Document, Document.id == DocumentRevision.document_id)
        .where(Document.event_id == event.id)) or 0
    if used + size > max_event:
        raise DocumentError({"file": [f"The event's documents would take more than "
                                      f"{_mb(max_event)} ({_mb(used)} are used)."]}, 413)


def submit_document(event: Event, data: DocumentInput, upload: Upload | None, *,
                    user: User | None = None) -> Document:
    """Number and store a new document of `event`; its file is revision 0.

    :raises DocumentError: a refused field or file (nothing is stored).
    """
    errors = _check_input(data)
    try:
        checked = check_upload(upload)
    except DocumentError as exc:
        errors.update(exc.errors)
        raise DocumentError(errors, exc.status) from exc
    if errors:
        raise DocumentError(errors)
    with unit_of_work():
        ev = lock_event(event.id)
        item_id, deliverable_id = _resolve_links(ev, data)
        _check_space(ev, checked.size)
        settings = settings_for(ev)
        seq = (db.session.scalar(select(func.max(Document.seq))
                                 .where(Document.event_id == ev.id)) or 0) + 1
        number = numbering.format_number(settings.number_scheme, ev, settings.event_code, seq)
        if db.session.scalar(select(Document.id).where(Document.event_id == ev.id,
                                                       Document.number == number)):
            raise DocumentError({"file": [f"The number {number} is taken already: change the "
                                          "numbering scheme so that it uses {seq}."]}, 409)
        now = utcnow()
        document = Document(
            event_id=ev.id, seq=seq, number=number, title=data.title, economy=data.economy,
            organisation=data.organisation, language=data.language, access=data.access,
            agenda_item_id=item_id, deliverable_id=deliverable_id, current_revision=0,
            created_at=now, updated_at=now)
        db.session.add(document)
        db.session.flush()
        _store(document, 0, checked, upload.stream, user, now)
        audit.record("create", document, event_id=ev.id, user=user, number=number,
                     title=data.title, access=data.access, size=checked.size,
                     sha256=checked.sha256)
    return document


def submit_revision(document: Document, upload: Upload | None, *,
                    user: User | None = None) -> DocumentRevision:
    """Store a new file for `document`: it keeps its number and becomes rev n+1.

    :raises DocumentError: a refused file (nothing is stored).
    """
    checked = check_upload(upload)
    with unit_of_work():
        ev = lock_event(document.event_id)
        _check_space(ev, checked.size)
        doc = db.session.get(Document, document.id, populate_existing=True)
        revision = (db.session.scalar(select(func.max(DocumentRevision.revision))
                                      .where(DocumentRevision.document_id == doc.id)) or 0) + 1
        now = utcnow()
        rev = _store(doc, revision, checked, upload.stream, user, now)
        doc.current_revision = revision
        doc.updated_at = now
        audit.record("revise", doc, event_id=ev.id, user=user, number=doc.number,
                     revision=revision, size=checked.size, sha256=checked.sha256)
    return rev


def _store(document: Document, revision: int, checked: CheckedFile, stream: BinaryIO,
           user: User | None, now: datetime) -> DocumentRevision:
    rev = DocumentRevision(
        document_id=document.id, revision=revision, filename=checked.filename,
        kind=checked.kind.kind, content_type=checked.kind.content_type, size=checked.size,
        sha256=checked.sha256, submitted_at=now,
        submitted_by_id=user.id if user is not None and getattr(user, "id", None) else None)
    db.session.add(rev)
    db.session.flush()
    written = storage.write_chunks(rev.id, stream)
    if written != checked.size:
        raise DocumentError({"file": ["The file changed while it was stored; upload it "
                                      "again."]})
    return rev


@transactional
def update_document(document: Document, data: DocumentInput, *,
                    user: User | None = None) -> Document:
    """Change a document's title, submitter, language, access and links (not its number).

    :raises DocumentError: a refused field.
    """
    errors = _check_input(data)
    if errors:
        raise DocumentError(errors)
    ev = lock_event(document.event_id)
    item_id, deliverable_id = _resolve_links(ev, data)
    before = {"title": document.title, "access": document.access}
    document.title, document.access = data.title, data.access
    document.economy, document.organisation = data.economy, data.organisation
    document.language = data.language
    document.agenda_item_id, document.deliverable_id = item_id, deliverable_id
    document.updated_at = utcnow()
    audit.record("update", document, event_id=ev.id, user=user, number=document.number,
                 before=before, after={"title": data.title, "access": data.access})
    return document


# --- reading ----------------------------------------------------------------------------------


def event_documents(event: Event, viewer: Viewer | None = None) -> list[Document]:
    """The event's documents in number order; only those `viewer` may open (None: all)."""
    docs = list(db.session.scalars(
        select(Document).where(Document.event_id == event.id)
        .options(selectinload(Document.revisions), selectinload(Document.deliverable))
        .order_by(Document.seq)))
    if viewer is None:
        return docs
    return [d for d in docs if may_open(viewer, d, event)]


def by_agenda_item(documents: list[Document]) -> dict[int, list[Document]]:
    grouped: dict[int, list[Document]] = defaultdict(list)
    for d in documents:
        if d.agenda_item_id is not None:
            grouped[d.agenda_item_id].append(d)
    return dict(grouped)


def find_document(event: Event, document_id: int, viewer: Viewer | None = None
                  ) -> Document | None:
    """The event's document `document_id` if `viewer` may open it (None: staff use)."""
    doc = db.session.get(Document, document_id)
    if doc is None or doc.event_id != event.id:
        return None
    if viewer is not None and not may_open(viewer, doc, event):
        return None
    return doc


def revision_of(document: Document, number: int | None = None) -> DocumentRevision | None:
    """Revision `number` of the document (None: the current one)."""
    wanted = document.current_revision if number is None else number
    return next((r for r in document.revisions if r.revision == wanted), None)


def is_late(revision: DocumentRevision, deadline: datetime | None) -> bool:
    return deadline is not None and revision.submitted_at > deadline


def event_bytes(event: Event) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(DocumentRevision.size), 0))
        .join(Document, Document.id == DocumentRevision.document_id)
        .where(Document.event_id == event.id)) or 0


def submitter_label(document: Document) -> str:
    parts = [ECONOMIES[document.economy]] if document.economy in ECONOMIES else []
    if document.organisation:
        parts.append(document.organisation)
    return ", ".join(parts)
