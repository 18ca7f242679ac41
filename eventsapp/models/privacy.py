"""Privacy: the notice registrants accept (versioned per work plan) and erasure requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class PrivacyNotice(Base):
    """One published version of a work plan's privacy notice; a change is a new version,
    so what each registrant accepted (Registration.privacy_version) stays readable."""

    __tablename__ = "privacy_notice"
    __table_args__ = (UniqueConstraint("work_plan_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_plan_id: Mapped[int] = mapped_column(ForeignKey("work_plan.id", ondelete="CASCADE"))
    version: Mapped[int]
    controller: Mapped[str] = mapped_column(String(300))  # who decides about the data
    contact: Mapped[str] = mapped_column(String(300))  # where to ask (an address, a page)
    purposes: Mapped[str] = mapped_column(Text)
    retention: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))


class ErasureRequest(Base):
    """A registrant asked, from their private page, that their data be erased; organisers
    confirm it by the due date (ERASURE_DUE_DAYS), which anonymises the registration."""

    __tablename__ = "erasure_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          index=True)
    # Kept after the registration is anonymised (the row stays, without personal data).
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
