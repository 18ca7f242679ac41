"""The mail outbox: messages are written in the transaction that causes them, sent after commit.

`queue_email` checks the headers and adds the message's parts to the session; the
caller commits. Whoever sends (`send-mail`, or the request that queued it) builds
the RFC 5322 bytes (mail/message.py), so a registration storm pays for no MIME
encoding. `deliver_pending` sends what is due. A message is claimed with a
conditional UPDATE before it is sent, so several processes never send the same
message twice and no database lock is held while talking to the SMTP server.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr

from flask import current_app, g, has_app_context
from sqlalchemy import select, update

from ..extensions import db
from ..models import OutboxMessage, utcnow
from . import transport
from .message import Outgoing, build, encode_attachment

log = logging.getLogger(__name__)

# A claimed message that was not marked sent within this time (the sender died) is retried.
CLAIM_LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)


class MailHeaderError(ValueError):
    """A header value would have carried a line break."""


def _no_line_breaks(value: str, what: str) -> str:
    if any(ch in value for ch in "\r\n\x00") or "\u2028" in value or "\u2029" in value:
        raise MailHeaderError(f"{what} must not contain line breaks.")
    return value


# Core, on the table: the ORM's bulk-insert path costs more than the row itself.
OUTBOX_INSERT = OutboxMessage.__table__.insert().returning(OutboxMessage.__table__.c.id)


def queue_email(to: str, subject: str, text: str,
                attachments: Sequence[tuple[str, str, bytes]] = (), *,
                to_name: str = "") -> int:
    """Write a message to the outbox in the current transaction; returns its id.

    :param attachments: (filename, MIME type "maintype/subtype", content) triples.
    :raises MailHeaderError: a header value (address, name, subject) holds a line break.
    """
    _no_line_breaks(to, "The recipient address")
    _no_line_breaks(to_name, "The recipient name")
    _no_line_breaks(subject, "The subject")
    message_id = db.session.scalar(OUTBOX_INSERT, {
        "to_addr": to, "to_name": to_name, "subject": subject, "body": text,
        "attachments": [encode_attachment(_no_line_breaks(name, "An attachment name"),
                                          mimetype, content)
                        for name, mimetype, content in attachments],
        "message_id": make_msgid(domain=_sender_domain(
            current_app.config["MAIL_DEFAULT_SENDER"]))})
    if has_app_context():
        g.setdefault("outbox_queued", []).append(message_id)
    return message_id


@functools.lru_cache(maxsize=8)
def _sender_domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def deliver_pending(limit: int = 100, *, now: datetime | None = None) -> tuple[int, int]:
    """Send up to `limit` messages that are due; return (sent, failed).

    `now` stands for the clock, so a test (or an operator) can deliver messages
    whose retry time lies ahead.
    """
    now = now or utcnow()
    ids = list(db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(limit)
    ))
    db.session.commit()
    return _deliver(ids, now)


def deliver_queued() -> tuple[int, int]:
    """Best effort, right after a request's commit: send the messages this request queued.

    Never raises: whatever is not sent now stays pending for `send-mail`.
    """
    queued = g.pop("outbox_queued", [])
    if not queued or not current_app.config["MAIL_SEND_AFTER_REQUEST"]:
        return 0, 0
    try:
        return _deliver(queued, utcnow())
    except Exception:
        db.session.rollback()
        log.exception("Sending mail after the request failed; `send-mail` will retry")
        return 0, len(queued)


def _deliver(ids: Iterable[int], now: datetime) -> tuple[int, int]:
    ids = list(ids)
    if current_app.config.get("MAIL_SERVER"):
        ids = _claim(ids, now)
        due = OutboxMessage.id.in_(ids)
    else:
        # A file is named by the message id, so writing it twice is harmless: no claim,
        # which saves SQLite a write transaction per request.
        due = (OutboxMessage.id.in_(ids) & OutboxMessage.sent_at.is_(None)
               & (OutboxMessage.next_attempt_at <= now))
    if not ids:
        return 0, 0
    batch = [Outgoing(*row) for row in db.session.execute(
        select(OutboxMessage.id, OutboxMessage.to_addr, OutboxMessage.to_name,
               OutboxMessage.subject, OutboxMessage.body, OutboxMessage.attachments,
               OutboxMessage.message_id, OutboxMessage.created_at, OutboxMessage.attempts)
        .where(due).order_by(OutboxMessage.id))]
    # End the read before sending: on SQLite a transaction that read and then writes
    # cannot wait for the write lock (it fails at once), one that starts by writing can.
    db.session.commit()
    if not batch:
        return 0, 0
    results = _send(batch)
    done = utcnow()
    sent_ids = [m.id for m, error in zip(batch, results, strict=True) if error is None]
    if sent_ids:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(sent_ids))
            .values(sent_at=done, last_error="", attempts=OutboxMessage.attempts + 1))
    for message, error in zip(batch, results, strict=True):
        if error is not None:
            db.session.execute(
                update(OutboxMessage).where(OutboxMessage.id == message.id)
                .values(last_error=error[:2000], attempts=OutboxMessage.attempts + 1,
                        next_attempt_at=done + _backoff(message.attempts + 1)))
    db.session.commit()
    return len(sent_ids), len(batch) - len(sent_ids)


def _send(batch: list[Outgoing]) -> list[str | None]:
    """Build and send each message; None for each one sent, or the error."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    built: list[transport.Envelope] = []
    results: dict[int, str | None] = {}
    for message in batch:
        try:
            built.append(transport.Envelope(message.id, message.to_addr, build(message, sender)))
        except Exception as exc:  # one message the email library refuses must not stop the rest
            log.exception("Mail %s cannot be built", message.id)
            results[message.id] = f"cannot build the message: {exc!r}"
    for envelope, error in zip(built, transport.send_all(current_app, built), strict=True):
        results[envelope.id] = error
    return [results[m.id] for m in batch]


def _claim(ids: list[int], now: datetime) -> list[int]:
    """Take the messages nobody else has taken; one statement, so two claimers never overlap."""
    if not ids:
        return []
    claimed = list(db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.sent_at.is_(None),
               OutboxMessage.next_attempt_at <= now)
        .values(next_attempt_at=now + CLAIM_LEASE)
        .returning(OutboxMessage.id)
    ))
    db.session.commit()
    return claimed


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)
