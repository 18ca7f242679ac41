"""Accreditation tests: events in approval mode, focal points and organisers as real accounts."""

from __future__ import annotations

import itertools

import pytest

from eventsapp.auth.services import create_user, get_user_by_email
from eventsapp.extensions import db
from eventsapp.models import Event, User
from tests.auth.fixtures import PASSWORD, sign_in  # noqa: F401
from tests.registration.conftest import ctx, event, outbox, person, statuses  # noqa: F401

_n = itertools.count(1)


@pytest.fixture
def make_staff(app):
    """make_staff(role, economy=None, events=()) -> email of a new account."""

    def make(role: str = "organiser", economy: str | None = None,
             events: tuple[int, ...] = (), email: str | None = None) -> str:
        email = email or f"{role}{next(_n)}@example.org"
        with app.app_context():
            evs = [db.session.get(Event, e) for e in events]
            create_user(email, PASSWORD, role, events=evs, economy=economy)
        return email

    return make


def user(email: str) -> User:
    """The account, read in a new transaction: mail sent after the last commit left a read
    open, whose SQLite snapshot predates the account."""
    db.session.rollback()
    return get_user_by_email(email)
