"""Invitations: a one-time registration link bound to one address of one event."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .event import Event

INVITED = "invited"  # sent, no answer yet ("silent" once reminded or expired)
ACCEPTED = "registered"
REFUSED = "declined"
INVITATION_STATUSES = (INVITED, ACCEPTED, REFUSED)


class Invitation(Base):
    __tablename__ = "invitation"
    # Inviting an address again renews its invitation (a new link) instead of adding one.
    __table_args__ = (UniqueConstraint("event_id", "email_normalized",
                                       name="uq_invitation_event_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          index=True)
    email: Mapped[str] = mapped_column(String(320))
    email_normalized: Mapped[str] = mapped_column(String(320))
    # Pre-assigned by the organisers; None lets the person choose (category among the
    # event's public ones, economy freely).
    category: Mapped[str | None] = mapped_column(String(40))
    economy: Mapped[str | None] = mapped_column(String(5))
    # Only the hash of the link's secret; a reminder replaces it (the old link stops).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=INVITED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reminders: Mapped[int] = mapped_column(default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.expires_at
