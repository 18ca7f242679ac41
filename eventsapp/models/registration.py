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

PENDING = "pending"  # awaits approval (registration_mode "approval"); holds no place
CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
DECLINED = "declined"  # refused by a focal point or the secretariat, with a reason
CANCELLED = "cancelled"
STATUSES = (PENDING, CONFIRMED, WAITLISTED, DECLINED, CANCELLED)
# Statuses that keep the address taken and count as someone's registration.
ACTIVE_STATUSES = (PENDING, CONFIRMED, WAITLISTED)
HEAD_OF_DELEGATION = "head_of_delegation"


_HEAD_WHERE = ("category = 'head_of_delegation' "
               "AND status IN ('pending', 'confirmed', 'waitlisted')")


class Registration(Base):
    __tablename__ = "registration"
    __table_args__ = (
        # One active registration per address and event; a cancelled or declined one
        # does not block registering again. The service relies on it for one person.
        Index(
            "uq_registration_active_email",
            "event_id",
            "email_normalized",
            unique=True,
            sqlite_where=text("status NOT IN ('cancelled', 'declined')"),
            postgresql_where=text("status NOT IN ('cancelled', 'declined')"),
        ),
        # At most one head of delegation per economy and event among active registrations:
        # the second guard behind the service's check under the event lock.
        Index(
            "uq_registration_head",
            "event_id",
            "economy",
            unique=True,
            sqlite_where=text(_HEAD_WHERE),
            postgresql_where=text(_HEAD_WHERE),
        ),
        Index("ix_registration_event_status", "event_id", "status"),
        # A search reads the event's keys from the index alone (LIKE '%…%' scans them).
        Index("ix_registration_event_search", "event_id", "search_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    # How protocol addresses the person: "Mr", "Ms", "Dr", "H.E. Ms", ...
    honorific: Mapped[str] = mapped_column(String(40), default="")
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
    # "in_person" or "online": chosen in a hybrid event, else the event's own mode.
    participation: Mapped[str] = mapped_column(String(20), default="in_person",
                                               server_default="in_person")
    # Registrations made together by a head of delegation share the head's id.
    delegation_head_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"))
    # Order in the waiting list (smaller is served first), from the event's counter when
    # the person joined it; a substitute inherits it. NULL for rows older than the counter
    # and for those who never waited (they sort by id).
    waitlist_seq: Mapped[int | None]
    # Two-step accreditation: the economy's focal point nominated, the secretariat accredits.
    nominated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    nominated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    # A substitute's row names the registration whose place it took.
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"))

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

    @property
    def is_head(self) -> bool:
        return self.category == HEAD_OF_DELEGATION

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


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


class OnlineAttendance(Base):
    """Minutes an online participant attended on one day, from the meeting platform's
    participant report (participation/attendance.py); one row per registration and day."""

    __tablename__ = "online_attendance"
    __table_args__ = (UniqueConstraint("registration_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)  # local date at the venue
    minutes: Mapped[int]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
