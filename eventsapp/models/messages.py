"""Organisers' messages to participants and reminder rules (issue 18).

A `Message` is written as a draft (subject, body, recipient criteria), previewed, then sent:
sending writes one `MessageRecipient` and one outbox row per person in one unit of work. A
`ReminderRule` fires at moments computed from the event's days; `ReminderSent` records each
(rule, registration, day) once, and its unique constraint is what keeps two schedulers on two
hosts from reminding anyone twice.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

# ReminderRule.kind
BEFORE_START = "before_start"  # `days_before` days before the first day, at `local_time`
EACH_MORNING = "each_morning"  # every day of the event, at `local_time`
REMINDER_KINDS = (BEFORE_START, EACH_MORNING)


class Message(Base):
    """An organiser's message to a chosen set of registrations of one event or of a year."""

    __tablename__ = "message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One event's message, or (event_id NULL) a message to the year's participants.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), index=True)
    work_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_plan.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # messages/recipients.py: Criteria.as_dict()
    criteria: Mapped[dict] = mapped_column(JSON, default=dict)
    attach_calendar: Mapped[bool] = mapped_column(default=False)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL"))
    reply_to: Mapped[str] = mapped_column(String(320), default="")
    # The registration ids the organiser saw counted on the preview: sending refuses when
    # the criteria now give another set, so the count sent is the count previewed.
    previewed_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None while a draft.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recipient_count: Mapped[int] = mapped_column(default=0)

    recipients: Mapped[list[MessageRecipient]] = relationship(
        back_populates="message", cascade="all, delete-orphan", passive_deletes=True,
        order_by="MessageRecipient.id")


class MessageRecipient(Base):
    """One person a message was sent to, and the outbox row that carries it."""

    __tablename__ = "message_recipient"
    __table_args__ = (UniqueConstraint("message_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True)
    # The outbox row; NULL once the outbox dropped it (sent mail after OUTBOX_KEEP_DAYS,
    # or the person's mail erased).
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True)

    message: Mapped[Message] = relationship(back_populates="recipients")


class ReminderRule(Base):
    """'N days before the start' or 'the morning of each day', at a local time of the venue."""

    __tablename__ = "reminder_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[str] = mapped_column(String(20), default=BEFORE_START)
    days_before: Mapped[int] = mapped_column(default=1)
    # Wall-clock time in the event's time zone (stays local: a zone change moves the instant).
    local_time: Mapped[time] = mapped_column(Time, default=time(8, 0))
    criteria: Mapped[dict] = mapped_column(JSON, default=dict)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    attach_calendar: Mapped[bool] = mapped_column(default=False)
    reply_to: Mapped[str] = mapped_column(String(320), default="")
    active: Mapped[bool] = mapped_column(default=True)
    # Moments before this never fire: a rule made late does not send for the past.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class ReminderSent(Base):
    """A reminder queued for one person at one moment of a rule: never twice."""

    __tablename__ = "reminder_sent"
    __table_args__ = (
        UniqueConstraint("rule_id", "registration_id", "day",
                         name="uq_reminder_sent_rule_registration_day"),
        Index("ix_reminder_sent_rule_day", "rule_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("reminder_rule.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    # The local date of the moment (the event's day for 'each morning'; the day reminded
    # for 'before the start').
    day: Mapped[date] = mapped_column(Date)
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
