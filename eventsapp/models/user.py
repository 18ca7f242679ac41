"""Organiser accounts, their event limits and personal API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Column, ForeignKey, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .event import Event

ADMIN = "admin"
ORGANISER = "organiser"
CHECKIN = "checkin"
# An economy's focal point: sees and decides on that economy's registrations only.
FOCAL_POINT = "focal_point"
ROLES = (ADMIN, ORGANISER, CHECKIN, FOCAL_POINT)

INVITE = "invite"
RESET = "reset"

user_event = Table(
    "user_event",
    Base.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    # Changing it signs the user out everywhere (it is part of the session id).
    session_nonce: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by an administrator: the first sign-in must choose a new password.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Second factor (auth/mfa.py): the TOTP secret, sealed (sealing.py); when it was set up;
    # the last time step accepted, so a code is never accepted twice.
    mfa_secret: Mapped[str | None] = mapped_column(String(300))
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mfa_last_step: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    # The one economy a focal point acts for (APEC code); None for every other role.
    economy: Mapped[str | None] = mapped_column(String(5))
    # Empty: all events (for organisers, check-in staff and focal points alike).
    events: Mapped[list[Event]] = relationship(secondary=user_event)
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    @property
    def has_password(self) -> bool:
        """False for an invited user who has not set a password yet (nothing can sign in)."""
        return bool(self.password_hash)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    @property
    def is_active(self) -> bool:
        return self.active


class RecoveryCode(Base):
    """A one-time code that stands in for the second factor; only its hash is kept."""

    __tablename__ = "mfa_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# What a personal API token may do (auth/services.py: TOKEN_SCOPES says which routes).
# "messages" (write to participants, read their deliveries) is never a default: it mails people.
TOKEN_SCOPES = ("read", "agenda", "registrations", "checkin", "messages")
DEFAULT_TOKEN_SCOPES = ("read", "agenda", "registrations")


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Space-separated names from TOKEN_SCOPES.
    scopes: Mapped[str] = mapped_column(String(100), default=" ".join(DEFAULT_TOKEN_SCOPES),
                                        server_default=" ".join(DEFAULT_TOKEN_SCOPES))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None only for tokens made before tokens expired (the migration gives them one).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def usable_at(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class PasswordLink(Base):
    """A one-time link to set a password: an invitation or a reset. Only its hash is kept.

    Used once (`used_at`), or never after `expires_at`; setting a password through any
    link of a user ends every other link of that user.
    """

    __tablename__ = "password_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # INVITE or RESET
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
