"""Agenda items: the organisers' working copy, its published copy, and the changelog.

Organisers edit AgendaItem rows (the draft). Publishing copies each one into
PublishedAgendaItem with the same id, which is what the public page and the
calendar feeds read, and records what changed in AgendaChange. A published
item that is deleted from the draft stays published as cancelled, so that
subscribed calendars drop it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .event import Event


class AgendaFields:
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="session")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(String(200), default="")
    chairs: Mapped[list[str]] = mapped_column(JSON, default=list)
    speakers: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    # "confirmed" or "cancelled"
    status: Mapped[str] = mapped_column(String(20), default="confirmed")
    # RFC 5545 SEQUENCE: raised on every change of time, place or status.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def people(self) -> list[str]:
        return [*self.chairs, *self.speakers]


class AgendaItem(AgendaFields, Base):
    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)

    event: Mapped[Event] = relationship(back_populates="agenda_items")


class PublishedAgendaItem(AgendaFields, Base):
    __tablename__ = "published_agenda_item"

    # Same id as the draft item it was published from: UIDs in feeds derive from it.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="published_items")


class AgendaChange(Base):
    """One line of an event's public changelog, written when the agenda is published."""

    __tablename__ = "agenda_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    release: Mapped[int]
    item_id: Mapped[int | None]
    change: Mapped[str] = mapped_column(String(20))  # added, moved, changed, cancelled, restored
    summary: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
