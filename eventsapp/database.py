"""Database wiring: SQLite pragmas, BEGIN IMMEDIATE, and the per-event write lock.

Every rule that counts rows before writing (capacity, waiting list, per-economy
limits) runs under `lock_event`, which serialises writers of one event:
- PostgreSQL: `SELECT … FOR UPDATE` on the event row; every connection waits at most
  LOCK_TIMEOUT_SECONDS for any lock (`lock_timeout`), then the request answers 503;
- SQLite (no row locks; the dialect drops FOR UPDATE): the transaction starts
  with BEGIN IMMEDIATE, i.e. it holds the database's write lock before it
  counts; other writers queue on the busy timeout. WAL keeps readers free.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from .extensions import db
from .models import Event


class LockTimeout(Exception):
    """The event is locked by another writer for longer than we wait; try again."""


def configure_engine(engine: Engine, lock_timeout_seconds: float) -> None:
    """Install per-connection settings; called once per engine."""
    if engine.dialect.name == "postgresql":

        @sa_event.listens_for(engine, "connect")
        def _on_connect_postgresql(dbapi_conn, _record):
            # For the whole session rather than SET LOCAL in each locking transaction: one
            # round trip less per registration, and no other statement (an organiser's
            # edit, a migration's ALTER TABLE) queues behind a lock without bound either.
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET lock_timeout = {int(lock_timeout_seconds * 1000)}")
            dbapi_conn.commit()

        return
    if engine.dialect.name != "sqlite":
        return

    @sa_event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Take transaction control away from pysqlite so BEGIN is ours to emit
        # (SQLAlchemy's documented recipe for SQLite transactions).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(lock_timeout_seconds * 1000)}")
        cur.close()

    @sa_event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN DEFERRED")


# Built once: every registration, cancellation and capacity change takes the lock.
_EVENT_FRESH = (select(Event).where(Event.id == bindparam("event_id"))
                .execution_options(populate_existing=True))
_EVENT_LOCKED = _EVENT_FRESH.with_for_update()


def lock_event(event_id: int) -> Event:
    """Start (or continue) a write transaction holding the event's write lock.

    Call it first in a service that counts and then writes. Returns the event
    freshly loaded under the lock.

    :raises LockTimeout: another writer held the lock past LOCK_TIMEOUT_SECONDS.
    """
    session = db.session
    config = current_app.config
    skip = config.get("TESTING") and config.get("TESTING_SKIP_CAPACITY_LOCK")
    try:
        if session.get_bind().dialect.name == "sqlite":
            if not skip:
                _begin_immediate(session)
            ev = session.execute(_EVENT_FRESH, {"event_id": event_id}).scalar_one()
        else:
            stmt = _EVENT_FRESH if skip else _EVENT_LOCKED
            ev = session.execute(stmt, {"event_id": event_id}).scalar_one()
    except OperationalError as exc:
        session.rollback()
        if is_lock_timeout(exc):
            raise LockTimeout() from exc
        raise
    sleep = config.get("TESTING") and config.get("TESTING_SLEEP_AFTER_CAPACITY_CHECK")
    if sleep:
        time.sleep(float(sleep))
    return ev


def _begin_immediate(scoped) -> None:
    """Turn the session's transaction into one that holds SQLite's write lock."""
    session = scoped()  # the Session of this context (info and transactions are its own)
    transaction = session.get_transaction()
    if transaction is not None and session.info.get("immediate") is transaction:
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("lock_event must come before any write in the transaction")
    # The transaction so far only read (the view found the event). End it and begin one
    # that holds the lock, on the same connection: SQLAlchemy's COMMIT or ROLLBACK then
    # ends the new one, and the connection is not handed back to the pool and taken
    # again. What the services decide on, they read again under the lock.
    connection = session.connection()
    connection.exec_driver_sql("COMMIT")
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    session.info["immediate"] = session.get_transaction()


def is_lock_timeout(exc: OperationalError) -> bool:
    message = str(exc.orig).lower()
    return "database is locked" in message or "lock timeout" in message or "55p03" in message


# --- SQLite: writers queue before they ask for the write lock ---------------------------------
#
# SQLite's busy handler sleeps between tries (1 ms growing to 100 ms), so under a storm a
# waiting writer idles while the database is free, and can be overtaken again and again
# until it times out. Writers that count and then write (the registration services) take
# a lock on a file next to the database first, polled every half millisecond; threads of
# one process queue on a threading lock before that, so that they wait without polling.

_thread_locks: dict[str, threading.Lock] = {}
_registry = threading.Lock()
POLL_SECONDS = 0.0005


@contextmanager
def sqlite_writer() -> Iterator[None]:
    """Hold this host's turn to write to the SQLite database; no-op on PostgreSQL.

    :raises LockTimeout: no turn within LOCK_TIMEOUT_SECONDS.
    """
    config = current_app.config
    url = db.engine.url
    if (url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:"
            or (config.get("TESTING") and config.get("TESTING_SKIP_CAPACITY_LOCK"))):
        yield
        return
    path = os.path.abspath(url.database) + ".writers"
    deadline = time.monotonic() + config["LOCK_TIMEOUT_SECONDS"]
    with _registry:
        thread_lock = _thread_locks.setdefault(path, threading.Lock())
    if not thread_lock.acquire(timeout=config["LOCK_TIMEOUT_SECONDS"]):
        raise LockTimeout()
    try:
        # Opened per turn: a few microseconds, and no descriptor outlives its database.
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockTimeout() from None
                    time.sleep(POLL_SECONDS)
            yield  # closing the descriptor releases the flock
        finally:
            os.close(fd)
    finally:
        thread_lock.release()
