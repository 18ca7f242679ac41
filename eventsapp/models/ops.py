"""Operational records: the mail outbox and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class OutboxMessage(Base):
    """An email written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    to_addr: Mapped[str] = mapped_column(String(320))
    # The registrant's full name: given and family name of up to 200 characters each.
    to_name: Mapped[str] = mapped_column(String(401), default="")
    subject: Mapped[str] = mapped_column(String(300))
    # Where replies go (organisers' messages: MAIL_REPLY_TO or the message's own); "" none.
    reply_to: Mapped[str] = mapped_column(String(320), default="", server_default="")
    # The parts, not the RFC 5322 bytes: the sender builds the message, so a registration
    # storm does not pay for MIME encoding inside its transactions (mail/message.py).
    body: Mapped[str] = mapped_column(Text)
    # [{"filename", "type", "content" (base64)}]
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    # Secrets of the body (private links), sealed (sealing.py): the body holds a marker for
    # each, filled in by the sender; cleared once sent, so a database dump opens nothing.
    sealed: Mapped[str | None] = mapped_column(Text)
    # Fixed when queued, so a retried send carries the same Message-ID and clients dedupe it.
    message_id: Mapped[str] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Who acted when there is no user: "registrant", "system", "cli".
    actor: Mapped[str] = mapped_column(String(100), default="")
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), index=True
    )
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
