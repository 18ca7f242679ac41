"""A writer holding the event too long: others wait a bounded time, then get 503 + Retry-After."""

import threading
import time

import pytest
from sqlalchemy import create_engine, text

from eventsapp.auth.services import create_api_token, get_user_by_email
from tests.auth.fixtures import make_user as make_user  # noqa: F401  (a fixture)

from .conftest import form_data


@pytest.fixture
def app_config():
    return {"LOCK_TIMEOUT_SECONDS": 1}


@pytest.fixture
def lock_holder(app, backend):
    """Another connection holds the event's write lock, as a slow writer would."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    conn = engine.connect()
    if backend == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")
        conn.execute(text("SELECT id FROM event WHERE slug = 'event-1' FOR UPDATE"))
    yield
    conn.exec_driver_sql("ROLLBACK")
    conn.close()
    engine.dispose()


@pytest.fixture
def make_event_first(make_event):
    make_event()


def test_registration_waits_at_most_the_lock_timeout_then_answers_503(make_event_first, client,
                                                                     lock_holder):
    started = time.monotonic()
    response = client.post("/api/v1/events/event-1/registrations",
                           json={"given_name": "A", "family_name": "B", "email": "a@x.org"})
    waited = time.monotonic() - started
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.json["error"] == "Busy"
    assert 0.9 < waited < 2.5


def test_form_gets_the_same_busy_page(make_event_first, client, lock_holder):
    response = client.post("/events/event-1/register", data=form_data())
    assert response.status_code == 503
    assert "Nothing was saved: go back and send it again in a moment." in \
        response.get_data(as_text=True)


def test_registration_proceeds_once_the_holder_commits(client, make_event, app, backend):
    make_event()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if backend == "sqlite" else "BEGIN")
        if backend != "sqlite":
            conn.execute(text("SELECT id FROM event WHERE slug = 'event-1' FOR UPDATE"))
        release = threading.Timer(0.3, lambda: conn.exec_driver_sql("ROLLBACK"))
        release.start()
        response = client.post("/api/v1/events/event-1/registrations",
                               json={"given_name": "A", "family_name": "B", "email": "a@x.org"})
        release.join()
    engine.dispose()
    assert response.status_code == 201


@pytest.fixture
def organiser_token(make_event_first, app, make_user) -> str:
    email = make_user("organiser", events=("event-1",))
    with app.app_context():
        return create_api_token(get_user_by_email(email), "test")


def test_any_write_that_waits_past_the_lock_timeout_answers_503(organiser_token, client,
                                                                lock_holder, backend):
    """Not only the registration services: an organiser's edit of the locked event too.

    PostgreSQL waits out lock_timeout. SQLite refuses at once: the edit read first, and a
    WAL reader cannot become a writer while another holds the write lock (SQLITE_BUSY
    without the busy handler, which would deadlock otherwise)."""
    started = time.monotonic()
    response = client.patch("/api/v1/events/event-1", json={"per_economy_limit": 3},
                            headers={"Authorization": f"Bearer {organiser_token}"})
    waited = time.monotonic() - started
    assert (response.status_code, response.headers.get("Retry-After")) == (503, "2")
    assert response.json["error"] == "Busy"
    assert (0.9 if backend == "postgres" else 0) < waited < 2.5


@pytest.fixture
def two_events(make_event):
    make_event()
    make_event(slug="event-2")


def test_a_held_event_does_not_hold_up_another_on_postgresql(two_events, client, lock_holder,
                                                              backend):
    """R10: the lock is the event's row. (SQLite has one write lock for the whole database:
    there every writer waits, which the tests above bound.)"""
    if backend != "postgres":
        pytest.skip("SQLite's write lock is the database's")
    started = time.monotonic()
    held = client.post("/api/v1/events/event-1/registrations",
                       json={"given_name": "A", "family_name": "B", "email": "a@x.org"})
    other = client.post("/api/v1/events/event-2/registrations",
                        json={"given_name": "A", "family_name": "B", "email": "a@x.org"})
    assert (held.status_code, other.status_code, other.json["status"]) == (
        503, 201, "confirmed")
    assert time.monotonic() - started < 1.5  # the 1 s wait for event-1 and no more
