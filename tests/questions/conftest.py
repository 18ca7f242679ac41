"""Fixtures of the questions tests: accounts, and an event asking the visa and dietary
presets (the visa letter's passport follow-ups included)."""

from datetime import date

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Event
from eventsapp.questions import services as questions
from tests.auth.fixtures import admin_client, make_user, organiser_client  # noqa: F401


@pytest.fixture
def event(app, make_event):
    """{"slug", "id", "visa": [the preset's question ids, in order], "diet": id}; a test
    module may define its own `event` instead."""
    event_id = make_event(start_date=date(2099, 8, 4), end_date=date(2099, 8, 6))
    with app.app_context():
        ev = db.session.get(Event, event_id)
        visa = questions.add_preset(ev, "visa", user=None)
        diet = questions.add_preset(ev, "dietary", user=None)[0]
        return {"slug": ev.slug, "id": ev.id, "visa": [q.id for q in visa], "diet": diet.id}


@pytest.fixture
def plain_event(app, make_event) -> str:
    """A published event asking no question yet: its slug."""
    event_id = make_event()
    with app.app_context():
        return db.session.get(Event, event_id).slug


def event_by_slug(slug: str) -> Event:
    """The event of `slug` (inside an app context)."""
    return db.session.scalar(select(Event).where(Event.slug == slug))
