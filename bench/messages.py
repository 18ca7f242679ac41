"""Benchmark an organiser's message to 5,000 participants (not a test).

    cd /work/main && .venv/bin/python bench/messages.py [--people 5000] [--pg URL]

Two stages, each timed (wall) and then run again under tracemalloc for its peak of Python
memory, beside a floor:
- queue: `messages.services.send_now` — criteria query, placeholders filled for each person,
  one outbox row and one recipient row each, one audit entry, in one unit of work.
  Floor: the same number of outbox rows written by one Core executemany of ready bodies.
- deliver: `mail.outbox.deliver_pending` to a real SMTP server (aiosmtpd, in this process,
  discarding), claiming, building the MIME bytes and recording each outcome.
  Floor: the same messages built with email.mime and sent over one smtplib connection.
"""

from __future__ import annotations

import argparse
import secrets
import smtplib
import socket
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from email.mime.text import MIMEText
from email.utils import formataddr, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import delete, func, select, text  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.mail.outbox import deliver_pending  # noqa: E402
from eventsapp.messages import services  # noqa: E402
from eventsapp.messages.recipients import Criteria  # noqa: E402
from eventsapp.models import (  # noqa: E402
    Event,
    Message,
    MessageRecipient,
    OutboxMessage,
    Registration,
    User,
)
from eventsapp.reference import ECONOMIES  # noqa: E402

SUBJECT = "Logistics for {event}"
BODY = ("Dear {given_name} {family_name},\n\nThe meeting room of {event} has moved to the "
        "second floor of {venue}. The agenda is at {event_url}.\n\nIf you need your private "
        "link again: {manage_url}\n\nThe secretariat\n") * 3


class Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += len(envelope.rcpt_tos)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(app, people: int) -> None:
    economies = list(ECONOMIES)
    with app.app_context():
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        ev = Event(slug="bench", title="Benchmark meeting", status="published",
                   timezone="Asia/Kuala_Lumpur", start_date=date(2030, 3, 4),
                   end_date=date(2030, 3, 6), capacity=None, venue_name="KLCC",
                   city="Kuala Lumpur")
        db.session.add(ev)
        db.session.add(User(email="admin@example.org", password_hash="x", role="admin",
                            session_nonce="bench"))
        db.session.flush()
        start = datetime(2030, 1, 1, tzinfo=UTC)
        db.session.execute(Registration.__table__.insert(), [{
            "event_id": ev.id, "given_name": f"Person {n}", "family_name": f"Family{n}",
            "email": f"p{n}@example.org", "email_normalized": f"p{n}@example.org",
            "economy": economies[n % len(economies)], "organisation": "Ministry",
            "sector": "government", "category": "delegate", "status": "confirmed",
            "token_hash": secrets.token_hex(32), "feed_token_hash": secrets.token_hex(32),
            "checkin_code": secrets.token_hex(6), "created_at": start + timedelta(seconds=n),
            "updated_at": start} for n in range(people)])
        db.session.commit()


def reset_outbox(app) -> None:
    with app.app_context():
        db.session.execute(delete(MessageRecipient))
        db.session.execute(delete(Message))
        db.session.execute(delete(OutboxMessage))
        db.session.commit()


def queue(app) -> int:
    with app.app_context(), app.test_request_context():
        ev = db.session.scalar(select(Event))
        user = db.session.scalar(select(User))
        sent = services.send_now(services.Scope(event=ev), services.MessageInput(
            subject=SUBJECT, body=BODY, criteria=Criteria(status=("confirmed",))), by=user,
            repeat_confirmed=True)
        return sent.recipients


def queue_floor(app) -> int:
    with app.app_context():
        regs = db.session.execute(select(Registration.email, Registration.given_name,
                                         Registration.family_name)).all()
        now = datetime.now(UTC)
        db.session.execute(OutboxMessage.__table__.insert(), [{
            "to_addr": e, "to_name": f"{g} {f}", "subject": "Logistics for Benchmark meeting",
            "body": BODY, "attachments": [], "message_id": make_msgid(), "reply_to": "",
            "next_attempt_at": now, "created_at": now, "attempts": 0, "last_error": ""}
            for e, g, f in regs])
        db.session.commit()
        return len(regs)


def deliver(app, people: int) -> int:
    with app.app_context():
        sent, failed = deliver_pending(limit=people)
        assert failed == 0
        return sent


def deliver_floor(port: int, people: int) -> int:
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(people):
            msg = MIMEText(BODY, "plain", "us-ascii")
            msg["From"] = "eventsapp <no-reply@localhost>"
            msg["To"] = formataddr((f"Person {n} Family{n}", f"p{n}@example.org"))
            msg["Subject"] = "Logistics for Benchmark meeting"
            msg["Message-ID"] = make_msgid()
            smtp.sendmail("no-reply@localhost", [f"p{n}@example.org"], msg.as_bytes())
    return people


def measure(fn, before=None):
    """(seconds, peak MiB of Python allocations): timed once, then run again traced."""
    if before:
        before()
    t = time.perf_counter()
    n = fn()
    seconds = time.perf_counter() - t
    if before:
        before()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return n, seconds, peak


def run(name: str, url: str, port: int, people: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "SERVER_NAME": "bench.test",
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                      "MAIL_SEND_AFTER_REQUEST": False})
    build(app, people)
    print(f"{name}, a message to {people:,} people "
          "(time; peak Python memory under tracemalloc)")
    rows = [
        ("queue: send_now (rows, placeholders, audit)",
         lambda: queue(app), lambda: reset_outbox(app)),
        ("  floor: Core executemany of ready rows",
         lambda: queue_floor(app), lambda: reset_outbox(app)),
    ]
    for label, fn, before in rows:
        n, seconds, peak = measure(fn, before)
        print(f"  {label:46} {n:6,} in {seconds:6.2f} s "
              f"({n / seconds:7,.0f}/s), peak {peak:6.1f} MiB")

    def refill():
        reset_outbox(app)
        queue(app)
    n, seconds, peak = measure(lambda: deliver(app, people), refill)
    print(f"  {'deliver: deliver_pending to aiosmtpd':46} {n:6,} in {seconds:6.2f} s "
          f"({n / seconds:7,.0f}/s), peak {peak:6.1f} MiB")
    n, seconds, peak = measure(lambda: deliver_floor(port, people))
    print(f"  {'  floor: email.mime + one smtplib connection':46} {n:6,} in "
          f"{seconds:6.2f} s ({n / seconds:7,.0f}/s), peak {peak:6.1f} MiB")
    with app.app_context():
        left = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.sent_at.is_(None)))
        assert left == 0, left
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--pg", help="also on this PostgreSQL URL (its tables are replaced)")
    args = parser.parse_args()
    port = free_port()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            urls = [("SQLite", f"sqlite:///{Path(tmp) / 'messages.sqlite'}")]
            if args.pg:
                urls.append(("PostgreSQL",
                             args.pg.replace("postgresql://", "postgresql+psycopg://", 1)))
            for name, url in urls:
                run(name, url, port, args.people)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
