"""Helpers for registration tests: valid input and direct service calls in an app context."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Event, OutboxMessage, Registration
from eventsapp.registration.validation import RegistrationInput

_n = itertools.count(1)


def person(**overrides) -> RegistrationInput:
    n = next(_n)
    fields = {"given_name": f"Given{n}", "family_name": f"Family{n}",
              "email": f"person{n}@example.org", "economy": "MAS", **overrides}
    return RegistrationInput(**fields)


def form_data(**overrides) -> dict:
    n = next(_n)
    return {"given_name": f"Given{n}", "family_name": f"Family{n}",
            "email": f"form{n}@example.org", "economy": "AUS", "organisation": "",
            "sector": "government", "category": "delegate", **overrides}


def event(event_id: int) -> Event:
    return db.session.get(Event, event_id)


def statuses(event_id: int) -> list[tuple[str, str]]:
    """(email, status) in arrival order."""
    return [(r.email, r.status) for r in db.session.scalars(
        select(Registration).where(Registration.event_id == event_id).order_by(Registration.id))]


def outbox() -> list[tuple[str, str]]:
    """(recipient, subject) of every queued message, oldest first."""
    return [(m.to_addr, m.subject) for m in
            db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app
