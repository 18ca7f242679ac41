"""Registrations of delegates and their check-ins."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    inspect,
    text,
)
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..textnorm import search_key
from . import counters
from .base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .event import Event

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
CANCELLED = "cancelled"


class Registration(Base):
    __tablename__ = "registration"
    __table_args__ = (
        # One active registration per address and event; a cancelled one does
        # not block registering again. The service relies on it for one person
        # (a delegation is checked first, to name who is registered already).
        Index(
            "uq_registration_active_email",
            "event_id",
            "email_normalized",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_registration_event_status", "event_id", "status"),
        # A search reads the event's keys from the index alone (LIKE '%…%' scans them).
        Index("ix_registration_event_search", "event_id", "search_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    given_name: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    badge_name: Mapped[str] = mapped_column(String(200), default="")
    native_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320))
    email_normalized: Mapped[str] = mapped_column(String(320))
    economy: Mapped[str | None] = mapped_column(String(5))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    sector: Mapped[str] = mapped_column(String(40), default="government")
    category: Mapped[str] = mapped_column(String(40), default="delegate")
    dietary: Mapped[str] = mapped_column(String(500), default="")
    accessibility: Mapped[str] = mapped_column(String(500), default="")
    consent_to_list: Mapped[bool] = mapped_column(default=False)
    # The names folded for search (textnorm.search_key of given, family, badge and native
    # name): "alvaro nunez" for Álvaro NÚÑEZ, the same on SQLite and PostgreSQL. Written by
    # the registration services with the names.
    search_key: Mapped[str] = mapped_column(String(600), default="", server_default="")

    status: Mapped[str] = mapped_column(String(20), default=CONFIRMED)
    # Registrations made together by a head of delegation share the head's id.
    delegation_head_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"))

    # Only hashes of the secrets are stored: a database dump opens nothing.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    feed_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Bumped when the registrant resets their calendar link (tokens.derive_feed_token).
    feed_token_version: Mapped[int] = mapped_column(default=1)
    # Printed on the badge for the door; grants nothing else.
    checkin_code: Mapped[str] = mapped_column(String(32), unique=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    badge_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    # The version of the work plan's privacy notice in force when they registered.
    privacy_version: Mapped[int | None]
    # Personal data removed (retention, erasure): the row stays for counts and reports.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship(back_populates="registrations")
    checkins: Mapped[list[CheckIn]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="CheckIn.day"
    )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def display_name(self) -> str:
        return self.badge_name or self.full_name


counters.install(Registration.__table__)

_NAME_FIELDS = ("given_name", "family_name", "badge_name", "native_name")


@sa_event.listens_for(Registration, "before_insert")
@sa_event.listens_for(Registration, "before_update")
def _keep_search_key(_mapper, _connection, reg: Registration) -> None:
    """Rows written through the ORM keep their search key with their names (the services'
    Core insert sets it itself), so no code path leaves a name unfindable."""
    state = inspect(reg)
    if state.has_identity and not any(state.attrs[f].history.has_changes()
                                       for f in _NAME_FIELDS):
        return
    reg.search_key = search_key(*(getattr(reg, f) for f in _NAME_FIELDS))


class CheckIn(Base):
    __tablename__ = "check_in"
    __table_args__ = (UniqueConstraint("registration_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)  # local date at the venue
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    registration: Mapped[Registration] = relationship(back_populates="checkins")
