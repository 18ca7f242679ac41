"""Accounts for tests: users made through the real service, and signing in through /login."""

from __future__ import annotations

import pytest

from eventsapp.auth.services import create_user
from eventsapp.extensions import db
from eventsapp.models import Event

PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(app):
    """Factory: make_user(role, events=[slug, ...], economy=None) -> email."""
    counter = iter(range(1, 10_000))

    def make(role: str = "organiser", events: tuple[str, ...] = (), email: str | None = None,
             economy: str | None = None):
        email = email or f"{role}{next(counter)}@example.org"
        with app.app_context():
            evs = [db.session.query(Event).filter_by(slug=s).one() for s in events]
            create_user(email, PASSWORD, role, events=evs, economy=economy)
        return email

    return make


def sign_in(client, email: str, password: str = PASSWORD, next_url: str | None = None,
            **request_options):
    data = {"email": email, "password": password}
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data=data, **request_options)


@pytest.fixture
def admin_client(app, make_user):
    client = app.test_client()
    assert sign_in(client, make_user("admin")).status_code == 303
    return client


@pytest.fixture
def organiser_client(app, make_user):
    client = app.test_client()
    assert sign_in(client, make_user("organiser")).status_code == 303
    return client
