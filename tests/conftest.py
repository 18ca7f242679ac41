"""Fixtures: an app on a real database (SQLite; also PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from eventsapp import create_app
from eventsapp.extensions import db
from tests.support import (
    BACKENDS,
    CHROMIUM,
    base_config,
    database_uri_for,
    drop_worker_databases,
    fresh_postgres_database,
    lazy_url_builders,
)

lazy_url_builders()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def fresh_db_url(backend, tmp_path) -> Iterator[str]:
    """An empty database of the backend, with no schema: for init-db and migrations."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change settings of the `app` fixture."""
    return {}


@pytest.fixture
def app(backend, tmp_path, app_config) -> Iterator:
    """The app on a database that has the schema and no rows (tests/support.py)."""
    app = create_app(base_config(database_uri_for(backend, tmp_path), **app_config))
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def seeded(app):
    """The app with the 2020 work plan loaded."""
    from eventsapp.seed.loader import load_work_plan

    with app.app_context():
        load_work_plan()
    return app


@pytest.fixture
def make_event(app):
    """Factory for published events; returns the event's id."""
    from datetime import date

    from eventsapp.models import Event

    counter = iter(range(1, 10_000))

    def make(**overrides) -> int:
        n = next(counter)
        fields = {
            "slug": f"event-{n}", "title": f"Test event {n}", "kind": "meeting",
            "status": "published", "timezone": "Asia/Kuala_Lumpur",
            "start_date": date(2030, 3, 4), "end_date": date(2030, 3, 5), "capacity": 10,
            "waitlist_enabled": True, **overrides,
        }
        with app.app_context():
            ev = Event(**fields)
            db.session.add(ev)
            db.session.commit()
            return ev.id

    return make


# --- browser tests -------------------------------------------------------------------------


@pytest.fixture
def live_server(seeded):
    """The seeded app served over real HTTP on loopback, in a thread."""
    server = make_server("127.0.0.1", 0, seeded, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    seeded.config["SERVER_NAME"] = None
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


def pytest_collection_modifyitems(config, items):
    skip_browser = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
    kept, dropped = [], []
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            # Pages behave the same on either database; the services under them are tested
            # on both, so browser runs use SQLite only and keep the suite fast.
            params = getattr(getattr(item, "callspec", None), "params", {})
            if params.get("backend") == "postgres":
                dropped.append(item)
                continue
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM:
                item.add_marker(skip_browser)
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_sessionfinish(session, exitstatus):
    drop_worker_databases()
