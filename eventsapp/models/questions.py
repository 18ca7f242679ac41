"""Registration questions per event, their answers, and issued letters (issue 17).

A question is never deleted once it exists: removing it sets `removed_at`, so its
answers stay in exports under its label, marked as removed. Answers are keyed by the
question's id, so reordering questions while someone registers changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

# The kinds of question (the API's `type`).
TEXT = "text"
LONG_TEXT = "long_text"
CHOICE = "choice"
MULTI_CHOICE = "multi_choice"
BOOLEAN = "boolean"
DATE = "date"
NUMBER = "number"
QUESTION_KINDS = (TEXT, LONG_TEXT, CHOICE, MULTI_CHOICE, BOOLEAN, DATE, NUMBER)
CHOICE_KINDS = (CHOICE, MULTI_CHOICE)

# Letter kinds.
VISA_LETTER = "visa"
CERTIFICATE = "certificate"
LETTER_KINDS = (VISA_LETTER, CERTIFICATE)


def _empty_list() -> list:
    return []


class Question(Base):
    __tablename__ = "question"
    __table_args__ = (Index("ix_question_event_position", "event_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    help_text: Mapped[str] = mapped_column(String(500), default="")
    # Choice and multiple choice: the offered values, in order (also their labels).
    choices: Mapped[list[str]] = mapped_column(JSON, default=_empty_list)
    # A choice question may let people type another value ("Other: ...").
    allow_other: Mapped[bool] = mapped_column(default=False)
    required: Mapped[bool] = mapped_column(default=False)
    # Asked only of these categories; empty: of everyone.
    categories: Mapped[list[str]] = mapped_column(JSON, default=_empty_list)
    # Shown only when another question (of no dependency itself) has this answer.
    depends_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("question.id", ondelete="SET NULL"))
    depends_value: Mapped[str] = mapped_column(String(200), default="")
    # "", "near_event" (within 60 days of the event's days), "after_event", "past".
    date_rule: Mapped[str] = mapped_column(String(20), default="")
    # Answers cleared after the event's shorter (sensitive) retention period.
    sensitive: Mapped[bool] = mapped_column(default=False)
    # What a preset question stands for ("visa", "passport_number", ...): letters read it.
    preset: Mapped[str] = mapped_column(String(40), default="")
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class Answer(Base):
    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("registration_id", "question_id"),
                      Index("ix_answer_question", "question_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    # Text as typed; a choice as offered; several choices one per line; yes/no as
    # "yes"/"no"; a date as YYYY-MM-DD; a number in decimal.
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuestionSettings(Base):
    """Per event: until which local day registrants may change their answers."""

    __tablename__ = "question_settings"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          primary_key=True)
    answers_until: Mapped[date | None] = mapped_column(Date)


class LetterTemplate(Base):
    __tablename__ = "letter_template"
    __table_args__ = (UniqueConstraint("event_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40), default="")  # "CTWG16" of CTWG16/VISA/001
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    letterhead: Mapped[bytes | None] = mapped_column(LargeBinary)
    letterhead_type: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IssuedLetter(Base):
    __tablename__ = "issued_letter"
    __table_args__ = (UniqueConstraint("event_id", "kind", "seq"),
                      UniqueConstraint("registration_id", "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
