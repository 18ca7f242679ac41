"""Helpers shared by tests: database URLs and the test configuration."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from eventsapp.models import Base

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# A negative control shows that a slow multi-process race test can fail without the lock
# it checks. Whether the test's assertions catch a race does not depend on the database,
# and the race tests themselves run on both, so a control runs once: on PostgreSQL when
# it is available, else on SQLite.
negative_control = pytest.mark.parametrize("backend", BACKENDS[-1:])


def pg_url() -> str:
    """The test database; under pytest-xdist each worker gets a database of its own."""
    url = PG_URL or ""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url and worker:
        url = f"{url}_{worker}"
        _ensure_database(url)
    return url


_created: set[str] = set()


def _ensure_database(url: str) -> None:
    if url in _created:
        return
    base, name = url.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    _created.add(url)


def drop_worker_databases() -> None:
    """Drop the per-worker databases this process created (called at session end)."""
    for url in _created:
        base, name = url.rsplit("/", 1)
        admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    _created.clear()


def base_config(database_uri: str, **overrides) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": None,
        "SERVER_NAME": "events.test",
        # Tests sign staff in with a password only (tests/auth/fixtures.py); the second
        # factor's own tests (tests/auth/test_mfa.py) turn the requirement back on.
        "MFA_REQUIRED_ROLES": (),
        **overrides,
    }


_schema_made: set[str] = set()


def reset_postgres(url: str) -> None:
    """Empty every table and restart the sequences that moved: the state a new schema has.

    The schema is created once per process and database; after that a reset deletes the
    rows children first. TRUNCATE of every table cost ~0.7 s per test once the tables had
    rows (new files for each table and index); DELETE of a test's few rows costs a few ms.
    Deleting registrations fires the counter triggers (models/counters.py) on their events,
    which are deleted after them. A schema a test broke (a missing table) is made again.
    """
    engine = create_engine(url)
    try:
        if url not in _schema_made:
            with engine.begin() as conn:
                Base.metadata.create_all(conn)
            _schema_made.add(url)
        try:
            _delete_rows(engine)
        except ProgrammingError:
            with engine.begin() as conn:
                Base.metadata.create_all(conn)
            _delete_rows(engine)
    finally:
        engine.dispose()


# pg_sequences shows last_value NULL for a sequence never used since it was (re)started.
_RESTART_USED_SEQUENCES = """DO $$ DECLARE s record; BEGIN
  FOR s IN SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) AS name
             FROM pg_sequences WHERE last_value IS NOT NULL LOOP
    EXECUTE 'ALTER SEQUENCE ' || s.name || ' RESTART';
  END LOOP;
END $$"""


def _delete_rows(engine) -> None:
    # One round trip: children first, then the sequences.
    statements = [f'DELETE FROM "{t.name}"' for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        conn.exec_driver_sql(";\n".join([*statements, _RESTART_USED_SEQUENCES]))


_sqlite_template: list[str] = []


def sqlite_schema() -> str:
    """A SQLite file holding exactly the app's `create_all` schema (tables, indexes and the
    counter triggers), made once per process; tests copy it instead of creating the schema
    (tests/test_test_support.py checks the copy against a fresh `create_all`)."""
    if not _sqlite_template:
        from eventsapp import create_app
        from eventsapp.extensions import db

        folder = tempfile.mkdtemp(prefix="eventsapp-schema-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = os.path.join(folder, "schema.sqlite")
        app = create_app(base_config(f"sqlite:///{path}"))
        with app.app_context():
            db.create_all()
            with db.engine.connect() as conn:
                # Everything into the main file: only that file is copied.
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            db.session.remove()
            db.engine.dispose()
        _sqlite_template.append(path)
    return _sqlite_template[0]


def database_uri_for(backend: str, tmp_path) -> str:
    """A database with the app's schema and no rows, for the `app` fixture."""
    if backend == "postgres":
        reset_postgres(pg_url())
        return pg_url()
    path = tmp_path / "test.sqlite"
    shutil.copyfile(sqlite_schema(), path)
    return f"sqlite:///{path}"


@contextlib.contextmanager
def fresh_postgres_database():
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    name = f"eventsapp_tmp_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{pg_url().rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def table_checksums(url: str) -> dict:
    """Row count and content checksum of every table of the database at `url`."""
    from eventsapp.copydb import table_checksum

    engine = create_engine(url)
    with engine.connect() as conn:
        result = {t.name: table_checksum(conn, t) for t in Base.metadata.sorted_tables}
    engine.dispose()
    return result


def move_to_future(app, slug: str, start=None) -> None:
    """Give a seeded (2020, so past) event days ahead of the clock, so that it takes
    registrations: registration closes when an event begins."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from eventsapp.extensions import db
    from eventsapp.models import Event

    start = start or date(2099, 8, 4)
    with app.app_context():
        ev = db.session.scalar(select(Event).where(Event.slug == slug))
        length = (ev.end_date - ev.start_date) if ev.start_date and ev.end_date else timedelta(0)
        ev.start_date, ev.end_date, ev.tentative_month = start, start + length, None
        db.session.commit()


def register_before_start(app, slug: str, raw: dict) -> str:
    """Register through the service as of a day before a (past) seeded event began, as the
    demo seed does; returns the management token."""
    from datetime import timedelta

    from sqlalchemy import select

    from eventsapp.events.services import event_starts_at
    from eventsapp.extensions import db
    from eventsapp.models import Event
    from eventsapp.registration import services
    from eventsapp.registration.validation import clean_registration

    with app.app_context():
        ev = db.session.scalar(select(Event).where(Event.slug == slug))
        done = services.register(ev, clean_registration(raw), notify=False,
                                 now=event_starts_at(ev) - timedelta(days=1))
        return done.token


def sent_body(app, message_id: int) -> str:
    """The plain-text body of an outbox message as it left (its .eml file under the
    instance's mail folder): the outbox keeps private links sealed, the sent mail has them."""
    import email
    import email.policy
    from pathlib import Path

    folder = Path(app.config.get("MAIL_FILE_DIR") or Path(app.instance_path) / "mail")
    raw = (folder / f"{message_id:08d}.eml").read_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default).get_body(
        ("plain",)).get_content()


def lazy_url_builders() -> None:
    """Compile each URL rule's builders when a URL is first built, not when it is added.

    Werkzeug compiles two Python functions per rule as the rule is added: ~90% of
    `create_app`'s time with ~200 rules, paid by every test's app, though a test builds
    a handful of URLs. The builders are Werkzeug's own, made on first use
    (tests/test_test_support.py checks that every rule builds the same URLs).
    """
    from werkzeug.routing.rules import Rule

    if getattr(Rule._compile_builder, "lazy", False):
        return
    eager = Rule._compile_builder

    def compile_builder(self, append_unknown=True):
        name = "_build_unknown" if append_unknown else "_build"

        def build(rule, **values):
            real = eager(rule, append_unknown).__get__(rule, None)
            setattr(rule, name, real)
            return real(**values)

        return build

    compile_builder.lazy = True
    compile_builder.eager = eager
    Rule._compile_builder = compile_builder
