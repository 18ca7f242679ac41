"""Helpers shared by tests: database URLs and the test configuration."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid

from sqlalchemy import create_engine, text

from eventsapp.models import Base

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


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


def reset_postgres(url: str) -> None:
    """Empty every table; much faster than dropping and creating the schema per test."""
    engine = create_engine(url)
    with engine.begin() as conn:
        Base.metadata.create_all(conn)
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def database_uri_for(backend: str, tmp_path) -> str:
    if backend == "postgres":
        reset_postgres(pg_url())
        return pg_url()
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


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
