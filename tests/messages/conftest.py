"""Fixtures of the messages tests: a real SMTP server (aiosmtpd) that keeps every message,
and an event with registrations of several statuses, economies and categories."""

from __future__ import annotations

import email
import email.policy
import threading
from datetime import date

import pytest
from aiosmtpd.controller import Controller

from eventsapp.extensions import db
from eventsapp.models import Event
from eventsapp.registration.services import register
from eventsapp.registration.validation import clean_registration
from tests.auth.fixtures import admin_client, make_user, organiser_client  # noqa: F401
from tests.registration.gunicorn_helpers import free_port


class Inbox:
    """What the SMTP server received: (recipient, parsed message) pairs."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[tuple[str, email.message.EmailMessage]] = []
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.extend((rcpt, msg) for rcpt in envelope.rcpt_tos)
        return "250 OK"

    def to(self) -> list[str]:
        with self.lock:
            return sorted(rcpt for rcpt, _ in self.messages)

    def body_for(self, rcpt: str) -> str:
        with self.lock:
            msg = next(m for r, m in self.messages if r == rcpt)
        return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")

    def message_for(self, rcpt: str):
        with self.lock:
            return next(m for r, m in self.messages if r == rcpt)


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def app_config(smtp_port):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port,
            "MAIL_REPLY_TO": "secretariat@apec-ctwg.example"}


@pytest.fixture
def smtp(smtp_port):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield inbox
    controller.stop()


PEOPLE = [
    # given, family, email, economy, category, status wanted
    ("Ana", "Lima", "ana@example.org", "PE", "head_of_delegation", "confirmed"),
    ("Budi", "Santoso", "budi@example.org", "INA", "delegate", "confirmed"),
    ("Chen", "Wei", "chen@example.org", "PRC", "delegate", "confirmed"),
    ("Dara", "Sok", "dara@example.org", "THA", "observer", "confirmed"),
    ("Emma", "Jones", "emma@example.org", "AUS", "delegate", "waitlisted"),
    ("Farid", "Aziz", "farid@example.org", "MAS", "delegate", "cancelled"),
]


@pytest.fixture
def star(app, make_event):
    """An event (capacity 4) with PEOPLE registered: 4 confirmed, 1 waiting, 1 cancelled.
    Returns {"id", "slug", "regs": {email: registration id}}."""
    from eventsapp.models import Registration
    from eventsapp.registration.services import cancel_registration

    event_id = make_event(slug="star-test", title="STAR XI test", capacity=4,
                          start_date=date(2030, 3, 4), end_date=date(2030, 3, 6),
                          timezone="Asia/Kuala_Lumpur", venue_name="KLCC",
                          city="Kuala Lumpur")
    regs = {}
    with app.app_context():
        ev = db.session.get(Event, event_id)
        for given, family, addr, economy, category, _status in PEOPLE:
            done = register(ev, clean_registration({
                "given_name": given, "family_name": family, "email": addr,
                "economy": economy, "organisation": "Ministry", "sector": "government",
                "category": category}), notify=False, trusted=True)  # staff name heads
            regs[addr] = done.registration.id
        for _given, _family, addr, *_rest, status in PEOPLE:
            if status == "cancelled":  # the last in line: nobody is promoted
                cancel_registration(db.session.get(Registration, regs[addr]), notify=False)
    return {"id": event_id, "slug": "star-test", "regs": regs}
