"""Organisers' own wording of the system emails, per event (mail/templates.py holds the
registry and the checks). A template is checked when it is saved, never when it is sent."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import audit
from ..database import unit_of_work
from ..extensions import db
from ..models import Event, MailTemplateOverride, User, utcnow
from .templates import SYSTEM_EMAILS, SystemEmail, TemplateError, check_template


@dataclass(frozen=True)
class Wording:
    """The subject and body an event's email uses now, and whether they are its own."""

    email: SystemEmail
    subject: str
    body: str
    override: MailTemplateOverride | None

    @property
    def edited(self) -> bool:
        return self.override is not None


def system_email(key: str) -> SystemEmail:
    """:raises KeyError: no system email has this key."""
    return SYSTEM_EMAILS[key]


def overrides_of(event_id: int) -> dict[str, MailTemplateOverride]:
    return {o.key: o for o in db.session.scalars(
        select(MailTemplateOverride).where(MailTemplateOverride.event_id == event_id))}


def wording(event_id: int, key: str) -> Wording:
    """What the event's email `key` says: its override, or the default."""
    email = system_email(key)
    override = db.session.scalar(select(MailTemplateOverride).where(
        MailTemplateOverride.event_id == event_id, MailTemplateOverride.key == key))
    if override is None:
        return Wording(email, email.subject, email.body, None)
    return Wording(email, override.subject, override.body, override)


def clean(subject: str, body: str) -> tuple[str, str]:
    """Text as a browser sends it, made comparable: LF line ends, no blank lines before
    or after, one final newline."""
    body = body.replace("\r\n", "\n").replace("\r", "\n").strip("\n") + "\n"
    return subject.strip(" \t"), body


def check(key: str, subject: str, body: str) -> list[str]:
    """Every problem of this wording, each naming its placeholder (empty: it can be saved)."""
    email = system_email(key)
    return (check_template(subject, email.placeholders, subject=True)
            + check_template(body, email.placeholders))


def save_wording(event: Event, key: str, subject: str, body: str, *, user: User | None) -> bool:
    """Save the event's wording of email `key`; returns whether anything changed.

    The same text as now writes nothing; the default text again removes the override.

    :raises TemplateError: the wording cannot be sent (unknown placeholder, formatting
        trick, unpaired brace, a line break in the subject, too long); nothing is written.
    """
    subject, body = clean(subject, body)
    problems = check(key, subject, body)
    if problems:
        raise TemplateError(" ".join(problems))
    email = system_email(key)
    default = clean(email.subject, email.body)
    with unit_of_work():
        current = wording(event.id, key)
        if (subject, body) == clean(current.subject, current.body):
            return False
        if (subject, body) == default:
            db.session.delete(current.override)
            audit.record("mail_template_reset", event, event_id=event.id, user=user, key=key)
            return True
        override = current.override
        if override is None:
            override = MailTemplateOverride(event_id=event.id, key=key)
            db.session.add(override)
        before = (current.subject, current.body)
        override.subject, override.body = subject, body
        override.updated_at = utcnow()
        override.updated_by_user_id = user.id if user is not None else None
        audit.record("mail_template_changed", event, event_id=event.id, user=user, key=key,
                     subject_before=before[0], subject=subject,
                     body_changed=before[1] != body)
    return True


def reset_wording(event: Event, key: str, *, user: User | None) -> bool:
    """Go back to the default wording; returns whether there was an override."""
    system_email(key)
    with unit_of_work():
        override = wording(event.id, key).override
        if override is None:
            return False
        db.session.delete(override)
        audit.record("mail_template_reset", event, event_id=event.id, user=user, key=key)
    return True
