"""Registrations per second through gunicorn, against a floor of plain SQL in one process.

    .venv/bin/python bench/registrations.py [--n 300] [--pg postgresql://postgres@127.0.0.1/db]

For each backend (SQLite file; PostgreSQL when --pg or TEST_DATABASE_URL is given, in a
database the script empties) it creates an event of capacity 100, starts two gunicorn
masters (2 workers × 4 threads each, as two app hosts) and sends N JSON registrations
from 32 client threads. The floor does the same rule with plain SQL in one process:
lock, count, insert, commit — no HTTP, no ORM, no email. Loopback only; bounded.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eventsapp import create_app  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.models import Event  # noqa: E402
from tests.registration.gunicorn_helpers import gunicorn  # noqa: E402
from tests.support import base_config, reset_postgres  # noqa: E402

CAPACITY = 100
CLIENTS = 32


def prepare(url: str) -> None:
    if url.startswith("postgresql"):
        reset_postgres(url)
    app = create_app(base_config(url))
    with app.app_context():
        db.create_all()
        db.session.add(Event(slug="bench", title="Benchmark", status="published",
                             capacity=CAPACITY, start_date=date(2030, 1, 1)))
        db.session.commit()
        db.engine.dispose()


def through_gunicorn(url: str, n: int, workdir: Path) -> tuple[float, Counter]:
    prepare(url)

    def one(i: int) -> int:
        body = {"given_name": f"Bench {i}", "family_name": "Mark",
                "email": f"bench{i}@example.org", "economy": "NZ"}
        r = requests.post(f"{urls[i % 2]}/api/v1/events/bench/registrations", json=body,
                          timeout=60)
        return r.status_code

    with gunicorn(url, log_dir=workdir, env={"FLASK_LOCK_TIMEOUT_SECONDS": "30"}) as urls:
        for u in urls:  # warm both masters' workers up
            requests.get(u + "/api/v1/events/bench", timeout=30)
        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            codes = Counter(pool.map(one, range(n)))
        elapsed = time.perf_counter() - started
    return n / elapsed, codes


def plain_sql_floor(url: str, n: int) -> float:
    prepare(url)
    sqlite = url.startswith("sqlite")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    insert = text(
        "INSERT INTO registration (event_id, given_name, family_name, badge_name, native_name,"
        " email, email_normalized, economy, organisation, job_title, sector, category, dietary,"
        " accessibility, consent_to_list, status, token_hash, feed_token_hash,"
        " feed_token_version, checkin_code, created_at, updated_at, note)"
        " VALUES (:e, 'Floor', 'Test', '', '', :m, :m, 'NZ', '', '', 'government', 'delegate',"
        " '', '', false, :s, :t, :f, 1, :c, :now, :now, '')")
    with engine.connect() as conn:
        event_id = conn.execute(text("SELECT id FROM event WHERE slug = 'bench'")).scalar_one()
        now = datetime.now(UTC).replace(tzinfo=None) if sqlite else datetime.now(UTC)
        started = time.perf_counter()
        for i in range(n):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if sqlite else "BEGIN")
            if not sqlite:
                conn.execute(text("SELECT id FROM event WHERE id = :e FOR UPDATE"), {"e": event_id})
            confirmed = conn.execute(text(
                "SELECT count(*) FROM registration WHERE event_id = :e AND status = 'confirmed'"),
                {"e": event_id}).scalar_one()
            conn.execute(insert, {
                "e": event_id, "m": f"floor{i}@example.org",
                "s": "confirmed" if confirmed < CAPACITY else "waitlisted",
                "t": secrets.token_hex(32), "f": secrets.token_hex(32),
                "c": secrets.token_hex(6), "now": now})
            conn.exec_driver_sql("COMMIT")
        elapsed = time.perf_counter() - started
    engine.dispose()
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="registrations per run")
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"),
                        help="PostgreSQL database to use (it is emptied)")
    args = parser.parse_args()
    backends = {"SQLite": None}
    if args.pg:
        backends["PostgreSQL"] = args.pg.replace("postgresql://", "postgresql+psycopg://", 1)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; Python {platform.python_version()}; "
          f"n={args.n}, capacity {CAPACITY}, {CLIENTS} client threads")
    print(f"{'backend':12} {'gunicorn reg/s':>15} {'plain SQL reg/s':>16} {'ratio':>7}  statuses")
    with tempfile.TemporaryDirectory() as tmp:
        for name, url in backends.items():
            workdir = Path(tmp) / name
            workdir.mkdir()
            url = url or f"sqlite:///{workdir / 'bench.sqlite'}"
            rate, codes = through_gunicorn(url, args.n, workdir)
            if url.startswith("sqlite"):
                url = f"sqlite:///{workdir / 'floor.sqlite'}"
            floor = plain_sql_floor(url, args.n)
            print(f"{name:12} {rate:15.1f} {floor:16.1f} {rate / floor:7.1%}  {dict(codes)}")


if __name__ == "__main__":
    main()
