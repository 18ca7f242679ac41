"""The mail outbox: messages are written in the unit of work that causes them, sent after
its commit.

`queue_email` checks the headers and adds the message's parts in the open unit of work
(database.unit_of_work); if that commits, the messages it queued are delivered right
after (MAIL_SEND_AFTER_REQUEST, the default) or by `send-mail --watch`. Whoever sends
builds the RFC 5322 bytes (mail/message.py), so a registration storm pays for no MIME
encoding inside its transactions.

No message is sent twice by two processes: a message is sent only by the process that
claimed it, and a claim is a lease written in the database. Messages queued for sending
after commit are written already claimed by the process that queued them; everything
else that is due (a retry after a failure, a message whose sender died and whose lease
ran out) is claimed by one statement, `FOR UPDATE SKIP LOCKED` on PostgreSQL and under
the writer's turn on SQLite. Failures are retried with exponential back-off (30 s
doubling to 1 h) by the next delivery after commit, or by the watcher.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr

from flask import current_app
from sqlalchemy import delete, func, select, update

from ..database import on_commit, unit_of_work, work_local
from ..extensions import db
from ..models import OutboxMessage, utcnow
from ..sealing import SealError, seal, unseal
from . import transport
from .message import Outgoing, ascii_address, build, encode_attachment

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

# Retries picked up by one delivery after a commit; the watcher takes its own --limit.
RETRIES_AFTER_COMMIT = 20


SEAL_PURPOSE = "outbox-secrets"
# What a message says in place of a link that can no longer be opened (SECRET_KEY changed).
UNAVAILABLE = "(this link could not be included; ask for a new one on the event's page)"


def secret_placeholder(name: str) -> str:
    """A marker to put in a body where a secret goes; pass the secret in `sealed`."""
    return f"[[{name}-{secrets.token_hex(6)}]]"


def queue_email(to: str, subject: str, text: str,
                attachments: Sequence[tuple[str, str, bytes]] = (), *,
                to_name: str = "", sealed: Mapping[str, str] | None = None,
                reply_to: str = "", paced: bool = False) -> int:
    """Write a message to the outbox in the open unit of work; returns its id.

    It is delivered after the commit (never if the unit of work rolls back).

    :param attachments: (filename, MIME type "maintype/subtype", content) triples.
    :param sealed: placeholder (secret_placeholder) → secret, e.g. a private link: the row
        keeps the body with the placeholders and the secrets sealed; the sender fills them
        in, and they are dropped once the message is sent.
    :param reply_to: a Reply-To address (organisers' messages: the secretariat).
    :param paced: an organiser's message to many: written due but unclaimed, so deliveries
        take it at MAIL_MESSAGES_PER_MINUTE (`send-mail --watch`, or later commits' retries)
        instead of the request sending thousands right after its commit.
    :raises MailHeaderError: a header value (address, name, subject) holds a line break.
    :raises RuntimeError: no unit of work is open.
    """
    _no_line_breaks(to, "The recipient address")
    _no_line_breaks(to_name, "The recipient name")
    _no_line_breaks(subject, "The subject")
    _no_line_breaks(reply_to, "The Reply-To address")
    queued = work_local("outbox", list)
    now = utcnow()
    after_commit = current_app.config["MAIL_SEND_AFTER_REQUEST"] and not paced
    message_id = db.session.scalar(OUTBOX_INSERT, {
        "to_addr": to, "to_name": to_name, "subject": subject, "body": text,
        "reply_to": reply_to,
        "sealed": seal(json.dumps(dict(sealed)), SEAL_PURPOSE) if sealed else None,
        "attachments": [encode_attachment(_no_line_breaks(name, "An attachment name"),
                                          mimetype, content)
                        for name, mimetype, content in attachments],
        "message_id": make_msgid(domain=_sender_domain(
            current_app.config["MAIL_DEFAULT_SENDER"])),
        # Born claimed by this process, which sends it right after the commit: no second
        # write to claim it, and nobody else takes it unless the lease runs out.
        "next_attempt_at": now + CLAIM_LEASE if after_commit else now,
        "created_at": now})
    if after_commit:
        if not queued:
            on_commit(lambda: _deliver_after_commit(queued))
        queued.append(message_id)
    return message_id


@functools.lru_cache(maxsize=8)
def _sender_domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def deliver_pending(limit: int = 100, *, now: datetime | None = None) -> tuple[int, int]:
    """Claim and send up to `limit` messages that are due; return (sent, failed).

    `now` stands for the clock, so a test (or an operator) can deliver messages
    whose retry time lies ahead.

    :raises LockTimeout: no turn to write the claim within LOCK_TIMEOUT_SECONDS.
    """
    now = now or utcnow()
    return _deliver(_claim_due(limit, now))


def _deliver_after_commit(queued: list[int]) -> None:
    """Send what a unit of work queued, then whatever else is due (retries).

    Runs after the commit, so the change stands whatever happens here; a message not
    sent stays in the outbox and is retried.
    """
    _deliver(queued)
    now = utcnow()
    if db.session.scalar(select(OutboxMessage.id).where(*_due(now)).limit(1)) is not None:
        _deliver(_claim_due(RETRIES_AFTER_COMMIT, now))


def _due(now: datetime):
    return OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now


def _claim_due(limit: int, now: datetime) -> list[int]:
    """Take up to `limit` due messages nobody else holds; one statement, so two claimers
    never take the same message (PostgreSQL skips rows another claim has locked; on
    SQLite the unit of work holds the write lock).

    With MAIL_MESSAGES_PER_MINUTE set, `limit` shrinks to what the last minute left of
    that pace (counted from the messages sent, by every process, in the minute before
    `now`): the relay's limit holds across hosts, give or take one batch per watcher
    claiming at the same instant."""
    limit = min(limit, paced_budget(now))
    if limit <= 0:
        return []
    oldest_due = (select(OutboxMessage.id).where(*_due(now)).order_by(OutboxMessage.id)
                  .limit(limit).with_for_update(skip_locked=True).scalar_subquery())
    with unit_of_work(reload=False, expire_on_commit=False):
        return sorted(db.session.scalars(
            update(OutboxMessage).where(OutboxMessage.id.in_(oldest_due))
            .values(next_attempt_at=now + CLAIM_LEASE)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)))


def paced_budget(now: datetime) -> int:
    """How many more messages may leave in the minute ending at `now` (a large number when
    MAIL_MESSAGES_PER_MINUTE is 0 or unset, meaning no limit)."""
    pace = int(current_app.config.get("MAIL_MESSAGES_PER_MINUTE") or 0)
    if pace <= 0:
        return 1 << 30
    sent = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.sent_at > now - timedelta(minutes=1), OutboxMessage.sent_at <= now))
    return max(pace - (sent or 0), 0)


def _deliver(ids: Iterable[int]) -> tuple[int, int]:
    """Send the messages `ids`, which this process has claimed; record each outcome."""
    ids = list(ids)
    if not ids:
        return 0, 0
    batch = [Outgoing(*row[:4], _unsealed_body(row[4], row[-1]), *row[5:-1])
             for row in db.session.execute(
        select(OutboxMessage.id, OutboxMessage.to_addr, OutboxMessage.to_name,
               OutboxMessage.subject, OutboxMessage.body, OutboxMessage.attachments,
               OutboxMessage.message_id, OutboxMessage.created_at, OutboxMessage.attempts,
               OutboxMessage.reply_to, OutboxMessage.sealed)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.sent_at.is_(None))
        .order_by(OutboxMessage.id))]
    if not batch:
        return 0, 0
    results = _send(batch)
    done = utcnow()
    sent_ids = [m.id for m, error in zip(batch, results, strict=True) if error is None]
    with unit_of_work(reload=False, expire_on_commit=False):
        if sent_ids:
            db.session.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_(sent_ids))
                .values(sent_at=done, last_error="", attempts=OutboxMessage.attempts + 1,
                        sealed=None)
                .execution_options(synchronize_session=False))
        for message, error in zip(batch, results, strict=True):
            if error is not None:
                db.session.execute(
                    update(OutboxMessage).where(OutboxMessage.id == message.id)
                    .values(last_error=error[:2000], attempts=OutboxMessage.attempts + 1,
                            next_attempt_at=done + _backoff(message.attempts + 1))
                    .execution_options(synchronize_session=False))
    return len(sent_ids), len(batch) - len(sent_ids)


def _unsealed_body(body: str, sealed: str | None) -> str:
    """The body with its secrets filled in (only in memory, for the sender)."""
    if not sealed:
        return body
    try:
        values = json.loads(unseal(sealed, SEAL_PURPOSE))
    except (SealError, ValueError):
        log.warning("The sealed links of a queued message cannot be opened with this "
                    "SECRET_KEY; it is sent without them")
        values = {name: UNAVAILABLE for name in re.findall(r"\[\[[a-z_]+-[0-9a-f]{12}\]\]", body)}
    for placeholder, value in values.items():
        body = body.replace(placeholder, value)
    return body


def purge_sent(older_than: timedelta, *, now: datetime | None = None) -> int:
    """Delete messages sent more than `older_than` ago; returns how many (OUTBOX_KEEP_DAYS)."""
    cutoff = (now or utcnow()) - older_than
    with unit_of_work(reload=False):
        result = db.session.execute(
            delete(OutboxMessage).where(OutboxMessage.sent_at.is_not(None),
                                        OutboxMessage.sent_at < cutoff)
            .execution_options(synchronize_session=False))
    return result.rowcount or 0


def _send(batch: list[Outgoing]) -> list[str | None]:
    """Build and send each message; None for each one sent, or the error."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    built: list[transport.Envelope] = []
    results: dict[int, str | None] = {}
    for message in batch:
        try:
            built.append(transport.Envelope(message.id, ascii_address(message.to_addr),
                                            build(message, sender)))
        except Exception as exc:  # one message the email library refuses must not stop the rest
            log.exception("Mail %s cannot be built", message.id)
            results[message.id] = f"cannot build the message: {exc!r}"
    for envelope, error in zip(built, transport.send_all(current_app, built), strict=True):
        results[envelope.id] = error
    return [results[m.id] for m in batch]


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)
