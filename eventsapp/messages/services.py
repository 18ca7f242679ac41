"""Organisers write to participants: draft, preview, send, and each recipient's delivery.

Use cases, each one unit of work:
- `save_draft(scope, data, by=)` checks the input (placeholders, sizes, header values,
  attachment) and stores a draft with the registration ids it matches now (`previewed_ids`).
- `send(message, by=, expected=, repeat_confirmed=)` re-runs the criteria under the event's
  lock; if they give another set of people than the preview counted it refuses
  (`RecipientsChanged`, the view shows the new count) — the count sent is the count
  previewed. It then writes one `MessageRecipient` and one outbox row per person (paced:
  `send-mail --watch` delivers at MAIL_MESSAGES_PER_MINUTE) and one audit entry.
- The same subject and body sent before to the same event (or year) is refused unless
  `repeat_confirmed` (`RepeatNeedsConfirmation`); a message already sent cannot be sent
  again, only copied to a new draft (`copy_to_draft`).

Private links: only hashes of registrants' management tokens are stored, so no message can
carry a person's own private link without replacing it, which would break the link they
have. `{manage_url}` is therefore the event's "new link" page (registration.new_link), where
the person asks for their link and gets it by mail; `{calendar_url}` is the event's public
feed. Neither is a secret, so nothing needs sealing; a secret placeholder added later goes in
through `queue_email(sealed=…)` like registration/notices.py does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from .. import audit
from ..database import lock_event, unit_of_work
from ..documents.services import revision_of
from ..documents.storage import read_range
from ..extensions import db
from ..inputs import check_text
from ..labels import date_label, venue_label
from ..mail.outbox import queue_email
from ..models import (
    PARTICIPANTS,
    PUBLIC,
    Document,
    Event,
    Message,
    MessageRecipient,
    OutboxMessage,
    Registration,
    User,
    WorkPlan,
    utcnow,
)
from ..reference import CATEGORIES, ECONOMIES
from ..registration.notices import event_attachments
from .placeholders import TemplateProblem, check, fill, one_line
from .recipients import Criteria, recipients_query

SUBJECT_MAX = 200  # the subject as written; filled in, it is cut to the outbox's 300
MESSAGE_RECIPIENT_INSERT = MessageRecipient.__table__.insert()


class MessageProblem(ValueError):
    """Input refused; `errors` maps a field name to its messages (shown beside the field)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(" ".join(v) for v in errors.values()))
        self.errors = errors


class RecipientsChanged(Exception):
    """The criteria now match other people than the preview counted."""

    def __init__(self, previewed: int, now: int, added: int, removed: int):
        super().__init__(
            f"The recipients changed since the preview: it counted {previewed}, the same "
            f"criteria now give {now} ({added} added, {removed} no longer matching). "
            "Nothing was sent; check the new list and send again.")
        self.previewed, self.now = previewed, now


class RepeatNeedsConfirmation(Exception):
    """The same subject and body went to this event (or year) before."""

    def __init__(self, earlier: Message):
        super().__init__(
            f"A message with this subject and body was sent on "
            f"{earlier.sent_at:%d %B %Y at %H:%M} UTC to {earlier.recipient_count} "
            "people. Confirm that it should go out again.")
        self.earlier = earlier


class AlreadySent(Exception):
    """This message was sent already; copy it to a new draft to send it again."""


@dataclass(frozen=True)
class Scope:
    """What a message is written from: one event, or a work plan's year (event None)."""

    event: Event | None = None
    work_plan: WorkPlan | None = None

    @property
    def ids(self) -> dict:
        if self.event is not None:
            return {"event_id": self.event.id}
        return {"work_plan_id": self.work_plan.id}


@dataclass
class MessageInput:
    subject: str = ""
    body: str = ""
    criteria: Criteria = field(default_factory=Criteria)
    attach_calendar: bool = False
    document_id: int | None = None
    reply_to: str = ""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    attachments: list[tuple[str, str, bytes]]


def scope_of(message: Message) -> Scope:
    if message.event_id is not None:
        return Scope(event=db.session.get(Event, message.event_id))
    return Scope(work_plan=db.session.get(WorkPlan, message.work_plan_id))


def default_reply_to(scope: Scope) -> str:
    """The Reply-To the form starts with: the event's last message's, else MAIL_REPLY_TO."""
    last = db.session.scalar(select(Message.reply_to).filter_by(**scope.ids)
                             .where(Message.reply_to != "").order_by(Message.id.desc())
                             .limit(1))
    return last or current_app.config.get("MAIL_REPLY_TO") or ""


def sendable_documents(event: Event | None) -> list[tuple[Document, int]]:
    """The event's documents one may attach (public or for participants, never staff-only),
    with the current revision's size in bytes."""
    if event is None:
        return []
    out = []
    for doc in db.session.scalars(select(Document).where(
            Document.event_id == event.id, Document.access.in_((PUBLIC, PARTICIPANTS)))
            .order_by(Document.seq)):
        revision = revision_of(doc)
        if revision is not None:
            out.append((doc, revision.size))
    return out


# --- checking ------------------------------------------------------------------------------


def check_input(scope: Scope, data: MessageInput, *, subject_field: str = "subject",
                body_field: str = "body") -> None:
    """:raises MessageProblem: every problem found, by field."""
    errors: dict[str, list[str]] = {}
    check_template_pair(data.subject, data.body, errors, subject_field=subject_field,
                        body_field=body_field)
    if data.reply_to:
        try:
            check_text(data.reply_to, "The Reply-To address")
            data.reply_to = validate_email(data.reply_to,
                                           check_deliverability=False).normalized
        except (ValueError, EmailNotValidError) as exc:
            errors.setdefault("reply_to", []).append(f"The Reply-To address: {exc}")
    if data.document_id is not None:
        allowed = dict((d.id, size) for d, size in sendable_documents(scope.event))
        cap = current_app.config["MESSAGE_ATTACHMENT_MAX_BYTES"]
        if data.document_id not in allowed:
            errors.setdefault("document_id", []).append(
                "Choose one of the event's public or participants' documents.")
        elif allowed[data.document_id] > cap:
            errors.setdefault("document_id", []).append(
                f"The document is {_mb(allowed[data.document_id])}; a message may carry at "
                f"most {_mb(cap)} (each recipient's copy is stored until sent). Send a "
                "link to it instead: {event_url} lists the event's documents.")
    if data.criteria.ids and scope.event is None:
        errors.setdefault("criteria", []).append(
            "A selection from the registrations list belongs to one event.")
    if errors:
        raise MessageProblem(errors)


def check_template_pair(subject: str, body: str, errors: dict[str, list[str]], *,
                        subject_field: str = "subject", body_field: str = "body") -> None:
    """Subject and body of a message or a reminder: sizes, control characters (a line break
    in a subject would start a header of its own), placeholders."""
    max_body = current_app.config["MESSAGE_BODY_MAX_CHARS"]
    if not subject.strip():
        errors.setdefault(subject_field, []).append("Write a subject.")
    elif len(subject) > SUBJECT_MAX:
        errors.setdefault(subject_field, []).append(
            f"The subject is {len(subject):,} characters; keep it to {SUBJECT_MAX}.")
    else:
        try:
            check_text(subject, "The subject")
            check(subject, "The subject")
        except (ValueError, TemplateProblem) as exc:
            errors.setdefault(subject_field, []).append(str(exc))
    if not body.strip():
        errors.setdefault(body_field, []).append("Write the message.")
    elif len(body) > max_body:
        errors.setdefault(body_field, []).append(
            f"The message is {len(body):,} characters; a message may have at most "
            f"{max_body:,}. Attach a document or link to it instead.")
    else:
        try:
            check_text(body, "The message", multiline=True)
            check(body, "The message")
        except (ValueError, TemplateProblem) as exc:
            errors.setdefault(body_field, []).append(str(exc))


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


# --- drafts ----------------------------------------------------------------------------------


def matching_ids(scope: Scope, criteria: Criteria) -> list[int]:
    """The registrations a message goes to, by id.

    From the year, one per person: someone registered for three meetings (under one address
    in any letter case, `email_normalized`) gets one copy, through their earliest
    registration, whose values fill the placeholders.
    """
    rows = db.session.execute(recipients_query(criteria, **scope.ids).with_only_columns(
        Registration.id, Registration.email_normalized).order_by(None)
        .order_by(Registration.id)).all()
    if scope.event is not None:
        return [reg_id for reg_id, _ in rows]
    seen: set[str] = set()
    ids = []
    for reg_id, address in rows:
        if address not in seen:
            seen.add(address)
            ids.append(reg_id)
    return ids


def save_draft(scope: Scope, data: MessageInput, *, by: User,
               message: Message | None = None) -> Message:
    """Store a new draft, or change `message` (a draft), and count its recipients now.

    :raises MessageProblem: the input is refused (nothing written).
    :raises AlreadySent: `message` was sent.
    """
    check_input(scope, data)
    with unit_of_work():
        wanted = {"subject": data.subject, "body": data.body,
                  "criteria": data.criteria.as_dict(), "attach_calendar": data.attach_calendar,
                  "document_id": data.document_id, "reply_to": data.reply_to,
                  "previewed_ids": matching_ids(scope, data.criteria)}
        if message is None:
            message = Message(**scope.ids, created_by_id=by.id)
            db.session.add(message)
        else:
            message = db.session.get(Message, message.id, with_for_update=True)
            if message.sent_at is not None:
                raise AlreadySent()
        # A draft saved unchanged (and still matching the same people) writes nothing.
        if any(getattr(message, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(message, name, value)
            message.updated_at = utcnow()
    return message


def refresh_preview(message: Message) -> Message:
    """Count the draft's recipients again (after RecipientsChanged)."""
    with unit_of_work():
        message = db.session.get(Message, message.id)
        if message.sent_at is None:
            message.previewed_ids = matching_ids(scope_of(message),
                                                 Criteria.from_dict(message.criteria))
    return message


def copy_to_draft(message: Message, *, by: User) -> Message:
    """A new draft with the message's subject, body, criteria and attachments."""
    with unit_of_work():
        copy = Message(event_id=message.event_id, work_plan_id=message.work_plan_id,
                       subject=message.subject, body=message.body,
                       criteria=dict(message.criteria), attach_calendar=message.attach_calendar,
                       document_id=message.document_id, reply_to=message.reply_to,
                       created_by_id=by.id)
        copy.previewed_ids = matching_ids(scope_of(message),
                                          Criteria.from_dict(message.criteria))
        db.session.add(copy)
    return copy


def delete_draft(message: Message) -> None:
    """:raises AlreadySent: a sent message stays (its delivery record)."""
    with unit_of_work():
        message = db.session.get(Message, message.id, with_for_update=True)
        if message.sent_at is not None:
            raise AlreadySent()
        db.session.delete(message)


def previewed_registrations(message: Message, limit: int | None = None) -> list[Registration]:
    ids = list(message.previewed_ids or [])[:limit] if limit else list(message.previewed_ids)
    if not ids:
        return []
    return list(db.session.scalars(select(Registration).where(Registration.id.in_(ids))
                                   .order_by(Registration.id)))


# --- filling in ------------------------------------------------------------------------------


@contextlib.contextmanager
def url_context() -> Iterator[None]:
    """Links can be built: inside a request as it is; elsewhere (the watcher) from
    SERVER_NAME, or http://localhost when the deployment has not set it."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        yield
        return
    with current_app.test_request_context("/", base_url="http://localhost"):
        yield


def placeholder_values(reg: Registration, event: Event) -> dict[str, str]:
    """Each placeholder's value for one registration (placeholders.PLACEHOLDERS)."""
    return {
        "given_name": reg.given_name, "family_name": reg.family_name,
        "full_name": reg.full_name, "badge_name": reg.display_name,
        "economy": ECONOMIES.get(reg.economy or "", ""),
        "organisation": reg.organisation,
        "category": CATEGORIES.get(reg.category, reg.category),
        "status": reg.status, "event": event.title, "dates": date_label(event),
        "venue": venue_label(event),
        "event_url": url_for("events.event", slug=event.slug, _external=True),
        "manage_url": url_for("registration.new_link", slug=event.slug, _external=True),
        "calendar_url": url_for("calendar.event_feed", slug=event.slug, _external=True),
    }


def render(subject: str, body: str, reg: Registration, event: Event,
           attachments: list[tuple[str, str, bytes]] = ()) -> Rendered:
    """The message as `reg` receives it; the subject on one line, whatever a name holds."""
    values = placeholder_values(reg, event)
    return Rendered(one_line(fill(subject, values))[:300], fill(body, values),
                    list(attachments))


class _Attachments:
    """The files of a message, read once per send (the calendar file per event)."""

    def __init__(self, message_or_rule, document_id: int | None = None):
        self.calendar = bool(message_or_rule.attach_calendar)
        self.document: list[tuple[str, str, bytes]] = []
        if document_id is not None:
            doc = db.session.get(Document, document_id)
            revision = revision_of(doc) if doc is not None else None
            if revision is not None:
                content = b"".join(read_range(db.engine, revision.id, 0, revision.size))
                self.document = [(revision.filename, revision.content_type, content)]

    def for_event(self, event: Event) -> list[tuple[str, str, bytes]]:
        return (event_attachments(event) if self.calendar else []) + self.document


def preview(message: Message, reg: Registration) -> Rendered:
    event = reg.event
    with url_context():
        return render(message.subject, message.body, reg, event,
                      _Attachments(message, message.document_id).for_event(event))


# --- sending ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    message: Message
    recipients: int


def earlier_same(scope: Scope, subject: str, body: str,
                 exclude_id: int | None = None) -> Message | None:
    """A message with this subject and body sent to the same event (or year) before."""
    stmt = (select(Message).filter_by(**scope.ids)
            .where(Message.sent_at.is_not(None), Message.subject == subject)
            .order_by(Message.sent_at.desc()))
    if exclude_id is not None:
        stmt = stmt.where(Message.id != exclude_id)
    return next((m for m in db.session.scalars(stmt) if m.body == body), None)


def send(message: Message, *, by: User | None, expected: int | None,
         repeat_confirmed: bool = False, actor: str = "") -> Sent:
    """Send the draft to the people its preview counted, in one unit of work.

    :param expected: the count the organiser saw (the form's hidden field); None from the
        API, which previews nothing: it sends to whoever matches now.
    :raises AlreadySent: sent before (copy it to send again).
    :raises RecipientsChanged: the criteria now match other people, or `expected` is not
        the stored count (another tab changed the draft); nothing written.
    :raises RepeatNeedsConfirmation: same subject and body sent to this scope before.
    """
    with unit_of_work():
        if message.event_id is not None:
            lock_event(message.event_id)  # registrations cannot change while we count
        message = db.session.get(Message, message.id, with_for_update=True,
                                 populate_existing=True)
        if message.sent_at is not None:
            raise AlreadySent()
        scope = scope_of(message)
        criteria = Criteria.from_dict(message.criteria)
        now_ids = matching_ids(scope, criteria)
        previewed = list(message.previewed_ids or [])
        if expected is not None and (set(now_ids) != set(previewed)
                                     or expected != len(previewed)):
            raise RecipientsChanged(expected, len(now_ids),
                                    len(set(now_ids) - set(previewed)),
                                    len(set(previewed) - set(now_ids)))
        if not repeat_confirmed:
            earlier = earlier_same(scope, message.subject, message.body, message.id)
            if earlier is not None:
                raise RepeatNeedsConfirmation(earlier)
        chosen = set(now_ids)
        regs = [r for r in db.session.scalars(recipients_query(criteria, **scope.ids))
                if r.id in chosen]
        count = _queue_all(message, regs)
        message.sent_at = utcnow()
        message.sent_by_id = by.id if by is not None else None
        message.recipient_count = count
        message.previewed_ids = [r.id for r in regs]
        audit.record("message_sent", message, event_id=message.event_id, user=by,
                     actor=actor, subject=message.subject, recipients=count,
                     criteria=criteria.describe(), repeat=repeat_confirmed)
    return Sent(message, count)


def _queue_all(message: Message, regs: list[Registration]) -> int:
    """One outbox row and one MessageRecipient per registration (paced delivery)."""
    files = _Attachments(message, message.document_id)
    events: dict[int, Event] = {}
    rows = []
    with url_context():
        for reg in regs:
            event = events.get(reg.event_id) or events.setdefault(reg.event_id, reg.event)
            rendered = render(message.subject, message.body, reg, event,
                              files.for_event(event))
            outbox_id = queue_email(reg.email, rendered.subject, rendered.body,
                                    rendered.attachments, to_name=one_line(reg.full_name),
                                    reply_to=message.reply_to, paced=True)
            rows.append({"message_id": message.id, "registration_id": reg.id,
                         "outbox_id": outbox_id})
    if rows:
        db.session.execute(MESSAGE_RECIPIENT_INSERT, rows)
    return len(rows)


def send_now(scope: Scope, data: MessageInput, *, by: User, repeat_confirmed: bool = False,
             actor: str = "") -> Sent:
    """The API's use case: store and send in one go, to whoever matches now.

    :raises MessageProblem, RepeatNeedsConfirmation: nothing written.
    """
    check_input(scope, data)
    with unit_of_work():
        if scope.event is not None:
            lock_event(scope.event.id)
        if not repeat_confirmed:
            earlier = earlier_same(scope, data.subject, data.body)
            if earlier is not None:
                raise RepeatNeedsConfirmation(earlier)
        message = Message(**scope.ids, created_by_id=by.id, subject=data.subject,
                          body=data.body, criteria=data.criteria.as_dict(),
                          attach_calendar=data.attach_calendar, document_id=data.document_id,
                          reply_to=data.reply_to, previewed_ids=[])
        db.session.add(message)
        db.session.flush()
        regs = list(db.session.scalars(recipients_query(data.criteria, **scope.ids)))
        count = _queue_all(message, regs)
        message.sent_at, message.sent_by_id = utcnow(), by.id
        message.recipient_count = count
        message.previewed_ids = [r.id for r in regs]
        audit.record("message_sent", message, event_id=message.event_id, user=by,
                     actor=actor, subject=message.subject, recipients=count,
                     criteria=data.criteria.describe(), repeat=repeat_confirmed, via="api")
    return Sent(message, count)


# --- delivery, per recipient -----------------------------------------------------------------

QUEUED, SENT, FAILED, GONE = "queued", "sent", "failed", "gone"


@dataclass(frozen=True)
class Delivery:
    registration_id: int | None
    name: str
    email: str
    status: str  # QUEUED, SENT, FAILED (not sent yet: retried), GONE (left the outbox)
    attempts: int
    error: str
    sent_at: datetime | None
    next_attempt_at: datetime | None

    @property
    def retried(self) -> bool:
        return self.attempts > 1 or (self.status == FAILED and self.attempts > 0)


def deliveries(message: Message) -> list[Delivery]:
    """Each recipient's delivery, in the order they were queued."""
    rows = db.session.execute(
        select(MessageRecipient.registration_id, Registration.given_name,
               Registration.family_name, Registration.email, OutboxMessage.id,
               OutboxMessage.attempts, OutboxMessage.last_error, OutboxMessage.sent_at,
               OutboxMessage.next_attempt_at)
        .select_from(MessageRecipient)
        .outerjoin(Registration, Registration.id == MessageRecipient.registration_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == MessageRecipient.outbox_id)
        .where(MessageRecipient.message_id == message.id).order_by(MessageRecipient.id))
    out = []
    for reg_id, given, family, email, outbox_id, attempts, error, sent_at, next_at in rows:
        if outbox_id is None:
            status = GONE
        elif sent_at is not None:
            status = SENT
        elif error:
            status = FAILED
        else:
            status = QUEUED
        out.append(Delivery(reg_id, f"{given or ''} {family or ''}".strip(), email or "",
                            status, attempts or 0, error or "", sent_at,
                            next_at if status == FAILED else None))
    return out


def delivery_counts(items: list[Delivery]) -> dict[str, int]:
    counts = {QUEUED: 0, SENT: 0, FAILED: 0, GONE: 0}
    for d in items:
        counts[d.status] += 1
    return counts


def messages_of(scope: Scope) -> list[Message]:
    return list(db.session.scalars(select(Message).filter_by(**scope.ids)
                                   .order_by(Message.id.desc())))
