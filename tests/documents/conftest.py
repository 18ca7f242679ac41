"""A meeting with a published two-day agenda, and one of each kind of visitor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from eventsapp.agenda.services import publish_agenda
from eventsapp.auth.services import create_api_token, create_user
from eventsapp.database import unit_of_work
from eventsapp.extensions import db
from eventsapp.models import AgendaItem, Event
from eventsapp.registration import services as registrations
from eventsapp.registration.validation import RegistrationInput
from tests.auth.fixtures import PASSWORD, sign_in

TZ = "Asia/Kuala_Lumpur"


@dataclass
class Meeting:
    slug: str
    event_id: int
    items: list[int]  # agenda item ids: day 1 (two sessions, a break), day 2 (one session)
    confirmed: str  # private-link tokens
    waitlisted: str
    cancelled: str
    admin: str  # emails
    organiser: str  # limited to this event
    other_organiser: str  # limited to another event
    checkin: str
    api_token: str  # the admin's


def person(n: int) -> RegistrationInput:
    return RegistrationInput(given_name=f"Given{n}", family_name=f"Family{n}",
                             email=f"p{n}@example.org", economy="CHL")


@pytest.fixture
def meeting(app, make_event) -> Meeting:
    event_id = make_event(slug="ctwg-99", title="99th CTWG Meeting", short_title="CTWG 99",
                          timezone=TZ, capacity=1)
    other_id = make_event(slug="other-meeting", title="Another meeting")
    tz = ZoneInfo(TZ)
    with app.app_context():
        event = db.session.get(Event, event_id)
        with unit_of_work():
            ev = db.session.get(Event, event_id)
            for title, kind, start, end in (
                    ("Opening and adoption of the agenda", "plenary", (4, 9), (4, 10)),
                    ("Coffee", "break", (4, 10), (4, 10, 30)),
                    ("Strategic Trade Management", "session", (4, 10, 30), (4, 12)),
                    ("Counter Terrorism Action Plans", "session", (5, 9), (5, 11))):
                ev.agenda_items.append(AgendaItem(
                    title=title, kind=kind, starts_at=datetime(2030, 3, *start, tzinfo=tz),
                    ends_at=datetime(2030, 3, *end, tzinfo=tz)))
            db.session.flush()
            publish_agenda(ev)
        items = [i.id for i in sorted(db.session.get(Event, event_id).agenda_items,
                                      key=lambda i: i.starts_at)]
        event = db.session.get(Event, event_id)
        confirmed = registrations.register(event, person(1), notify=False).token
        waitlisted = registrations.register(event, person(2), notify=False).token
        cancelled_reg = registrations.register(event, person(3), notify=False)
        registrations.cancel_registration(cancelled_reg.registration, notify=False)
        other = db.session.get(Event, other_id)
        admin = create_user("admin@example.org", PASSWORD, "admin")
        create_user("organiser@example.org", PASSWORD, "organiser",
                    events=[db.session.get(Event, event_id)])
        create_user("other@example.org", PASSWORD, "organiser", events=[other])
        create_user("checkin@example.org", PASSWORD, "checkin")
        token = create_api_token(admin, "tests")
    return Meeting("ctwg-99", event_id, items, confirmed, waitlisted, cancelled_reg.token,
                   "admin@example.org", "organiser@example.org", "other@example.org",
                   "checkin@example.org", token)


@pytest.fixture
def signed_in(app):
    """signed_in(email) -> a test client with that account's session."""
    def make(email: str):
        client = app.test_client()
        assert sign_in(client, email).status_code == 303
        return client
    return make
