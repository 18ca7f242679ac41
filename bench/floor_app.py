"""The floor for bench/registrations.py: bare Flask routes doing the registration's core work.

Served by the same gunicorn, on the same database, hit by the same load generator as
eventsapp, so the ratio between the two is what eventsapp's own code costs. Two routes,
the two correct ways to keep a cap (RELIABILITY.md):
- POST /lock/<event_id>: take the event's lock (BEGIN IMMEDIATE on SQLite, SELECT … FOR
  UPDATE on PostgreSQL), count the confirmed, insert the registration, commit;
- POST /counter/<event_id>: one conditional UPDATE of a counter (… WHERE taken < capacity),
  then the insert, in one transaction.
No validation, no ORM, no email, no audit: a JSON body in, a JSON body out.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, event, text

URL = os.environ["DATABASE_URL"]
SQLITE = URL.startswith("sqlite")

engine = create_engine(URL, pool_size=5)
if SQLITE:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")
        dbapi_conn.execute("PRAGMA busy_timeout=30000")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

INSERT = text(
    "INSERT INTO registration (event_id, given_name, family_name, badge_name, native_name,"
    " email, email_normalized, economy, organisation, job_title, sector, category, dietary,"
    " accessibility, consent_to_list, status, token_hash, feed_token_hash,"
    " feed_token_version, checkin_code, created_at, updated_at, note)"
    " VALUES (:e, :g, :f, '', '', :m, :m, 'NZ', '', '', 'government', 'delegate',"
    " '', '', false, :s, :t, :h, 1, :c, :now, :now, '')")

app = Flask(__name__)


def _insert(conn, event_id: int, body: dict, status: str) -> None:
    now = datetime.now(UTC)
    conn.execute(INSERT, {
        "e": event_id, "g": body["given_name"], "f": body["family_name"],
        "m": body["email"].lower(), "s": status, "t": secrets.token_hex(32),
        "h": secrets.token_hex(32), "c": secrets.token_hex(6),
        "now": now.replace(tzinfo=None) if SQLITE else now})


@app.post("/lock/<int:event_id>")
def lock_and_count(event_id: int):
    body = request.get_json()
    with engine.begin() as conn:
        lock = "" if SQLITE else " FOR UPDATE"
        capacity = conn.execute(text(f"SELECT capacity FROM event WHERE id = :e{lock}"),
                                {"e": event_id}).scalar_one()
        confirmed = conn.execute(text(
            "SELECT count(*) FROM registration WHERE event_id = :e AND status = 'confirmed'"),
            {"e": event_id}).scalar_one()
        status = "confirmed" if confirmed < capacity else "waitlisted"
        _insert(conn, event_id, body, status)
    return jsonify({"status": status}), 201


@app.post("/counter/<int:event_id>")
def conditional_update(event_id: int):
    body = request.get_json()
    with engine.begin() as conn:
        won = conn.execute(text(
            "UPDATE event SET confirmed_count = confirmed_count + 1"
            " WHERE id = :e AND confirmed_count < capacity"), {"e": event_id}).rowcount
        status = "confirmed" if won else "waitlisted"
        _insert(conn, event_id, body, status)
    return jsonify({"status": status}), 201


@app.get("/")
def ready():
    return "ready"
