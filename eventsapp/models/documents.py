"""Meeting documents: numbered papers per event, their revisions, and the bytes of each.

A Document keeps its number for life; each upload is a DocumentRevision (0 is the
original, 1 is "rev1", …). The bytes live in the database, cut into DocumentChunk rows
of CHUNK_SIZE bytes, so that every host serves them without a shared disk and a
download or a `Range` reads only the chunks it needs (one short query each) instead of
a whole 50 MB value. Listing documents never loads a byte of content.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DDL, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .agenda import AgendaItem
    from .workplan import Deliverable

PUBLIC = "public"
PARTICIPANTS = "participants"
STAFF = "staff"
ACCESS_LEVELS = (PUBLIC, PARTICIPANTS, STAFF)

DEFAULT_NUMBER_SCHEME = "{year}/{event_code}/{seq:03d}"
# 1 MiB: a 50 MB file is 50 rows; one chunk is what a download holds in memory.
CHUNK_SIZE = 1024 * 1024


class DocumentSettings(Base):
    """An event's document settings; a missing row means the defaults."""

    __tablename__ = "document_settings"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          primary_key=True)
    # "CTWG15"; empty: made from the event's short title.
    event_code: Mapped[str] = mapped_column(String(40), default="")
    number_scheme: Mapped[str] = mapped_column(String(100), default=DEFAULT_NUMBER_SCHEME)
    # Papers submitted after it are flagged late (not refused).
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the organiser made the Chair's Summary public; None: staff only.
    summary_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Document(Base):
    __tablename__ = "document"
    __table_args__ = (
        # The event lock serialises numbering; these make a collision impossible anyway.
        UniqueConstraint("event_id", "seq", name="uq_document_event_id_seq"),
        UniqueConstraint("event_id", "number", name="uq_document_event_id_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    # Who submitted it: an economy (APEC code) or else an organisation ("APEC Secretariat").
    economy: Mapped[str | None] = mapped_column(String(5))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(35), default="en")  # BCP 47 tag
    access: Mapped[str] = mapped_column(String(20), default=PUBLIC)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"), index=True)
    deliverable_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliverable.id", ondelete="SET NULL"), index=True)
    # The revision downloads serve: 0 for the original, n for "rev n".
    current_revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    revisions: Mapped[list[DocumentRevision]] = relationship(
        back_populates="document", order_by="DocumentRevision.revision",
        cascade="all, delete-orphan", passive_deletes=True)
    agenda_item: Mapped[AgendaItem | None] = relationship()
    deliverable: Mapped[Deliverable | None] = relationship()

    @property
    def revision_label(self) -> str:
        return f"rev{self.current_revision}" if self.current_revision else ""


class DocumentRevision(Base):
    __tablename__ = "document_revision"
    __table_args__ = (UniqueConstraint("document_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    revision: Mapped[int]
    # The uploader's name for it, cleaned (documents/filetypes.py: safe_filename).
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))  # "pdf", "docx", …, from the content
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]  # bytes
    sha256: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))

    document: Mapped[Document] = relationship(back_populates="revisions")

    @property
    def label(self) -> str:
        return f"rev{self.revision}" if self.revision else "original"


class DocumentChunk(Base):
    """Bytes [seq × CHUNK_SIZE, …) of a revision's file."""

    __tablename__ = "document_chunk"

    revision_id: Mapped[int] = mapped_column(
        ForeignKey("document_revision.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


# Uncompressed, out of line on PostgreSQL: the allowed files are compressed already
# (the migration says the same).
sa_event.listen(DocumentChunk.__table__, "after_create", DDL(
    "ALTER TABLE document_chunk ALTER COLUMN data SET STORAGE EXTERNAL",
).execute_if(dialect="postgresql"))
