"""What a meeting decided and who is to do what: per agenda item, carried to the next meeting.

An ActionItem stays open until an organiser closes it, at whatever meeting; the later
meetings of the same work plan list every open one as carried forward.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .agenda import AgendaItem
    from .event import Event
    from .workplan import Deliverable

# Who an action is for.
ECONOMY = "economy"
SECRETARIAT = "secretariat"
PERSON = "person"
OWNER_KINDS = (ECONOMY, SECRETARIAT, PERSON)
OPEN = "open"
CLOSED = "closed"


class Decision(Base):
    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # None: a decision of the meeting as a whole (listed after the items).
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    deliverable_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliverable.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()
    deliverable: Mapped[Deliverable | None] = relationship()


class ActionItem(Base):
    __tablename__ = "action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The meeting that agreed it.
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)  # what is to be done
    owner_kind: Mapped[str] = mapped_column(String(20))  # economy, secretariat, person
    owner_economy: Mapped[str | None] = mapped_column(String(5))
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date | None] = mapped_column(Date)  # a calendar date, no zone
    deliverable_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliverable.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=OPEN, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closing_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()
    deliverable: Mapped[Deliverable | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == OPEN
