"""Database wiring: SQLite pragmas, the unit of work, and the per-event write lock.

Every change is one unit of work (`unit_of_work`, or `transactional` on a service
function): it begins the transaction, commits exactly once, rolls back on any error,
and only after a successful commit runs the side effects registered with `on_commit`
(sending the mail the change queued). Nothing else commits; views never do.

On SQLite a unit of work first takes this host's turn to write (`sqlite_writer`), then
holds the database's write lock from its first statement (BEGIN IMMEDIATE): a deferred
transaction that reads and then writes cannot wait for the lock once another writer
committed in between, so SQLite would answer "busy" at once, whatever the busy timeout.
Reads take no turn and no lock (WAL).

Every rule that counts rows before writing (capacity, waiting list, per-economy
limits) also runs under `lock_event`, which serialises writers of one event:
- PostgreSQL: `SELECT … FOR UPDATE` on the event row; every connection waits at most
  LOCK_TIMEOUT_SECONDS for any lock (`lock_timeout`), then the request answers 503;
- SQLite (no row locks; the dialect drops FOR UPDATE): the unit of work already holds
  the database's write lock.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from .extensions import db
from .files import private_sqlite_database
from .models import Event

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


class LockTimeout(Exception):
    """The event is locked by another writer for longer than we wait; try again."""


# --- the unit of work ------------------------------------------------------------------------

_WORK = "unit_of_work"  # key in Session.info: the open unit of work's after-commit callbacks


class _Work:
    __slots__ = ("after_commit", "locals", "expire_on_commit")

    def __init__(self, expire_on_commit: bool) -> None:
        self.after_commit: list[Callable[[], object]] = []
        self.locals: dict[str, object] = {}
        self.expire_on_commit = expire_on_commit


@contextmanager
def unit_of_work(*, expire_on_commit: bool = True, reload: bool = True) -> Iterator[None]:
    """Run the block as one transaction: commit once at its end, roll back on any error.

    The one place a transaction begins and ends. A unit of work opened inside another
    joins it (the outer one commits). On SQLite it first waits for this host's turn to
    write and then holds the database's write lock (BEGIN IMMEDIATE); what the session
    had loaded before is expired, so whatever the block decides on is read under the
    lock. Callbacks registered with `on_commit` run after a successful commit, in order;
    one that fails is logged and does not undo the change.

    :param expire_on_commit: False keeps the loaded objects as written (the caller knows
        they hold exactly the stored values), saving a reload per object after commit.
    :param reload: False keeps what the session loaded as it is on SQLite, for a block that
        decides nothing on loaded objects (Core statements only, e.g. the outbox's).
    :raises LockTimeout: no turn to write within LOCK_TIMEOUT_SECONDS (answer 503).
    :raises RuntimeError: the session already holds unflushed or flushed writes made
        outside a unit of work (a bug: every write belongs to one).
    """
    session = db.session()
    if _WORK in session.info:
        yield
        return
    work = _Work(expire_on_commit)
    with sqlite_writer():
        session.info[_WORK] = work
        try:
            if session.get_bind().dialect.name == "sqlite":
                _begin_immediate(session)
                if reload:
                    session.expire_all()
            yield
            configured = session.expire_on_commit
            session.expire_on_commit = work.expire_on_commit
            try:
                session.commit()
            finally:
                session.expire_on_commit = configured
        except BaseException:
            session.rollback()
            raise
        finally:
            session.info.pop(_WORK, None)
    for callback in work.after_commit:
        try:
            callback()
        except Exception:
            session.rollback()
            log.exception("An after-commit action failed; the change itself is saved")


def transactional(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate a service function that writes: it runs as one `unit_of_work`."""

    @wraps(function)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return function(*args, **kwargs)

    return wrapped


def on_commit(callback: Callable[[], object]) -> None:
    """Run `callback` after the open unit of work commits; never if it rolls back.

    :raises RuntimeError: no unit of work is open (a side effect needs a commit to follow).
    """
    _open_work().after_commit.append(callback)


def work_local(name: str, factory: Callable[[], T]) -> T:
    """A value that lives as long as the open unit of work, made by `factory` on first use
    (e.g. the ids of the messages it queued, sent together after the commit).

    :raises RuntimeError: no unit of work is open.
    """
    values = _open_work().locals
    if name not in values:
        values[name] = factory()
    return values[name]  # type: ignore[return-value]


def _open_work() -> _Work:
    work = db.session().info.get(_WORK)
    if work is None:
        raise RuntimeError("this needs an open unit of work")
    return work


def in_unit_of_work() -> bool:
    return _WORK in db.session().info


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
    private_sqlite_database(engine.url.database)

    @sa_event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Take transaction control away from pysqlite so BEGIN is ours to emit
        # (SQLAlchemy's documented recipe for SQLite transactions).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        # Deleted and overwritten content is zeroed, not left in free space: an erased or
        # anonymised person cannot be read back from the file (privacy/services.py).
        cur.execute("PRAGMA secure_delete=ON")
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
    """Hold the event's write lock until the unit of work ends; returns the event as it is now.

    Call it first in a service that counts and then writes, and read the rows it decides
    on only after it.

    :raises LockTimeout: another writer held the lock past LOCK_TIMEOUT_SECONDS.
    :raises RuntimeError: called outside a unit of work.
    """
    if not in_unit_of_work():
        raise RuntimeError("lock_event needs an open unit of work")
    session = db.session
    skip = _skip_lock()
    try:
        if session.get_bind().dialect.name == "sqlite":
            # The unit of work holds the database's write lock already (BEGIN IMMEDIATE).
            ev = session.execute(_EVENT_FRESH, {"event_id": event_id}).scalar_one()
        else:
            stmt = _EVENT_FRESH if skip else _EVENT_LOCKED
            ev = session.execute(stmt, {"event_id": event_id}).scalar_one()
    except OperationalError as exc:
        if is_lock_timeout(exc):
            raise LockTimeout() from exc
        raise
    config = current_app.config
    sleep = config.get("TESTING") and config.get("TESTING_SLEEP_AFTER_CAPACITY_CHECK")
    if sleep:
        time.sleep(float(sleep))
    return ev


def _skip_lock() -> bool:
    """The race tests' negative control runs without any write lock."""
    config = current_app.config
    return bool(config.get("TESTING") and config.get("TESTING_SKIP_CAPACITY_LOCK"))


def _begin_immediate(session) -> None:
    """Turn the session's transaction into one that holds SQLite's write lock."""
    if _skip_lock():
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a unit of work must begin before any write")
    # The transaction so far only read (the view found the event). End it and begin one
    # that holds the lock, on the same connection: SQLAlchemy's COMMIT or ROLLBACK then
    # ends the new one, and the connection is not handed back to the pool and taken
    # again. The caller expires what was read before.
    connection = session.connection()
    try:
        connection.exec_driver_sql("COMMIT")
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as exc:
        if is_lock_timeout(exc):
            raise LockTimeout() from exc
        raise


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
            or _skip_lock()):
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
