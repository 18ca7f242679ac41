"""Mail from organisers' actions leaves on commit, on every path, with no `send-mail` run.

Each organiser path that changes a registration (cancel, promote, confirm over capacity,
capacity raised in the form and through the API) is driven through its real route; a
real SMTP server (aiosmtpd) must receive exactly one message for each person concerned.
"""

from __future__ import annotations

import email
import email.policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from eventsapp.auth.services import create_api_token, get_user_by_email
from eventsapp.extensions import db
from eventsapp.mail.outbox import deliver_pending
from eventsapp.models import Event, OutboxMessage, Registration
from eventsapp.registration.services import register
from eventsapp.registration.validation import clean_registration
from tests.registration.gunicorn_helpers import free_port


class Collect:
    def __init__(self):
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, msg["Subject"]))
        return "250 OK"

    def received(self) -> list[tuple[str, str]]:
        return sorted((rcpt, subject) for rcpts, subject in self.messages for rcpt in rcpts)


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def app_config(smtp_port):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port}


@pytest.fixture
def smtp(smtp_port):
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    controller.stop()


def _fill(app, event_id: int, n: int) -> list[int]:
    """n registrations made without mail (arrival order = id order); returns their ids."""
    with app.app_context():
        ev = db.session.get(Event, event_id)
        return [register(ev, clean_registration({
            "given_name": f"P{i}", "family_name": "X", "email": f"p{i}@example.org"}),
            notify=False).registration.id for i in range(n)]


def _nothing_left(app) -> None:
    with app.app_context():
        assert deliver_pending() == (0, 0)
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.sent_at.is_(None))) == 0


def test_organiser_cancel_mails_the_cancelled_and_the_promoted_once_each(
        app, admin_client, make_event, smtp):
    event_id = make_event(slug="full", capacity=1)
    first, waiting = _fill(app, event_id, 2)
    response = admin_client.post(f"/admin/events/full/registrations/{first}/cancel",
                                 data={"cancel-reason": "Asked by phone"})
    assert response.status_code == 303
    assert smtp.received() == [
        ("p0@example.org", "Registration cancelled: Test event 1"),
        ("p1@example.org", "A place is yours: Test event 1")]
    _nothing_left(app)
    with app.app_context():
        assert db.session.get(Registration, waiting).status == "confirmed"


def test_organiser_promote_over_capacity_mails_the_promoted_once(
        app, admin_client, make_event, smtp):
    event_id = make_event(slug="full", capacity=1)
    _first, waiting = _fill(app, event_id, 2)
    response = admin_client.post(f"/admin/events/full/registrations/{waiting}/promote",
                                 data={"promote-reason": "Minister",
                                       "promote-over_capacity": "y"})
    assert response.status_code == 303
    assert smtp.received() == [("p1@example.org", "A place is yours: Test event 1")]
    _nothing_left(app)


def test_capacity_raised_in_the_form_mails_each_promoted_once(
        app, admin_client, make_event, smtp):
    event_id = make_event(slug="full", capacity=1)
    _fill(app, event_id, 4)
    with app.app_context():
        ev = db.session.get(Event, event_id)
        values = {"title": ev.title, "kind": ev.kind, "status": ev.status,
                  "timezone": ev.timezone, "start_date": ev.start_date.isoformat(),
                  "end_date": ev.end_date.isoformat(), "capacity": "3",
                  "waitlist_enabled": "y", "lead_economy": "", "venue_economy": ""}
    assert admin_client.post("/admin/events/full/edit", data=values).status_code == 303
    assert smtp.received() == [("p1@example.org", "A place is yours: Test event 1"),
                               ("p2@example.org", "A place is yours: Test event 1")]
    _nothing_left(app)


def test_capacity_raised_through_the_api_mails_each_promoted_once(
        app, client, make_event, make_user, smtp):
    event_id = make_event(slug="full", capacity=1)
    _fill(app, event_id, 3)
    email_address = make_user("organiser")
    with app.app_context():
        token = create_api_token(get_user_by_email(email_address), "test")
    response = client.patch("/api/v1/events/full", json={"capacity": 2},
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert smtp.received() == [("p1@example.org", "A place is yours: Test event 1")]
    _nothing_left(app)
