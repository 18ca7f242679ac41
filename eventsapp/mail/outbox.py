"""The mail outbox: messages are written in the transaction that causes them, sent after commit.

`queue_email` builds the whole RFC 5322 message (with `email.message.EmailMessage`,
so headers are encoded by the library, never by string formatting) and adds it
to the session; the caller commits. `deliver_pending` sends what is due. A
message is claimed with a conditional UPDATE before it is sent, so several
processes (the CLI, request handlers) never send the same message twice and no
database lock is held while talking to the SMTP server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app, g, has_app_context
from sqlalchemy import select, update

from ..extensions import db
from ..models import OutboxMessage, utcnow
from . import transport

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


def queue_email(to: str, subject: str, text: str,
                attachments: Sequence[tuple[str, str, bytes]] = (), *,
                to_name: str = "") -> OutboxMessage:
    """Add a message to the current transaction's outbox.

    :param attachments: (filename, MIME type "maintype/subtype", content) triples.
    :raises MailHeaderError: a header value (address, name, subject) holds a line break.
    """
    _no_line_breaks(to, "The recipient address")
    _no_line_breaks(to_name, "The recipient name")
    _no_line_breaks(subject, "The subject")
    local, _, domain = to.rpartition("@")
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = Address(display_name=to_name, username=local, domain=domain)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain=_sender_domain())
    msg.set_content(text)
    for filename, mimetype, content in attachments:
        maintype, _, subtype = mimetype.partition("/")
        # Text attachments name their charset, or clients guess (Indico #5228, .ics).
        params = {"charset": "utf-8"} if maintype == "text" else {}
        msg.add_attachment(content, maintype=maintype, subtype=subtype, params=params,
                           filename=_no_line_breaks(filename, "An attachment name"))
    message = OutboxMessage(to_addr=to, subject=subject, raw=msg.as_bytes(policy=SMTP))
    db.session.add(message)
    if has_app_context():
        g.setdefault("outbox_queued", []).append(message)
    return message


def _sender_domain() -> str:
    addr = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    return addr.rpartition("@")[2] or "localhost"


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
    if not queued or not current_app.config.get("MAIL_SEND_AFTER_REQUEST", True):
        return 0, 0
    try:
        ids = [m.id for m in queued if m.id is not None]
        return _deliver(ids, utcnow())
    except Exception:
        db.session.rollback()
        log.exception("Sending mail after the request failed; `send-mail` will retry")
        return 0, len(queued)


@dataclass(frozen=True)
class Outgoing:
    """What a transport needs of a message, read before the transaction ends."""

    id: int
    to_addr: str
    raw: bytes
    attempts: int


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
        select(OutboxMessage.id, OutboxMessage.to_addr, OutboxMessage.raw,
               OutboxMessage.attempts).where(due).order_by(OutboxMessage.id))]
    # End the read before sending: on SQLite a transaction that read and then writes
    # cannot wait for the write lock (it fails at once), one that starts by writing can.
    db.session.commit()
    if not batch:
        return 0, 0
    results = transport.send_all(current_app, batch)
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
