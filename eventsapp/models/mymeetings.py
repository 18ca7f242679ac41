"""My meetings: a delegate's verified address (one-time sign-in links, short sessions) and
their one year feed; and organisers' overrides of the system emails, per event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class AddressSignIn(Base):
    """A one-time sign-in link mailed to an address, and the short session it opens.

    Only SHA-256 hashes of the link's secret and of the session's secret are kept. The link
    works once (`used_at`, claimed by one conditional UPDATE) before `expires_at`; using it
    starts a session that lasts until `session_expires_at` or until it is ended.
    """

    __tablename__ = "address_sign_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    # textnorm.email_key of the address: the form Registration.email_normalized holds.
    email_key: Mapped[str] = mapped_column(String(320), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    session_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class YearFeed(Base):
    """One address's personal feed of all its registrations: a secret URL, revocable.

    The secret is kept as its SHA-256 hash (for lookup) and sealed (Fernet, key from
    SECRET_KEY: sealing.py) so a verified session can show the address again while a
    database dump alone opens nothing. A reset writes a new secret: the old URL is gone.
    """

    __tablename__ = "year_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_sealed: Mapped[str] = mapped_column(Text)
    alarms: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MailTemplateOverride(Base):
    """An event's own subject and body for one system email (mail/templates.py: SYSTEM_EMAILS);
    without a row the default is used. Checked when saved, so sending never fails on it."""

    __tablename__ = "mail_template_override"
    __table_args__ = (UniqueConstraint("event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
