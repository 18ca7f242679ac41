"""R9: PostgreSQL restarted (immediate mode) during a registration storm.

Runs against a private PostgreSQL cluster that the test creates, so restarting
it disturbs nothing else on the machine. Afterwards the app must serve again
without being restarted (pool_pre_ping), every acknowledged registration must
have its row, and the capacity rules must hold.
"""

import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from eventsapp import create_app
from eventsapp.extensions import db
from eventsapp.models import CONFIRMED, WAITLISTED, Event
from tests.registration.gunicorn_helpers import free_port, gunicorn, storm
from tests.support import base_config

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
pytestmark = pytest.mark.skipif(
    not PG_BIN or os.geteuid() != 0 or shutil.which("su") is None,
    reason="needs PostgreSQL server binaries and root (to run a private cluster as postgres)")


def as_postgres(*args: str) -> None:
    subprocess.run(["su", "postgres", "-c", " ".join(args)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=60)


@pytest.fixture
def private_postgres():
    bin_dir = PG_BIN[-1]
    data = Path(tempfile.mkdtemp(prefix="eventsapp-pg-"))
    shutil.chown(data, "postgres", "postgres")
    port = free_port()
    as_postgres(f"{bin_dir}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
    ctl = (f"{bin_dir}/pg_ctl", "-D", str(data), "-l", str(data / "log"), "-w",
           "-o", f"'-k {data} -p {port} -c listen_addresses=127.0.0.1'")
    as_postgres(*ctl, "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", ctl
    finally:
        subprocess.run(["su", "postgres", "-c", " ".join((*ctl, "-m", "immediate", "stop"))],
                       check=False, capture_output=True, timeout=60)
        shutil.rmtree(data, ignore_errors=True)


def counts(url: str, event_id: int) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT email, status FROM registration WHERE event_id = :e"),
                            {"e": event_id}).all()
    engine.dispose()
    return rows


def test_database_restart_mid_storm_loses_no_acknowledged_registration(private_postgres,
                                                                         tmp_path):
    url, ctl = private_postgres
    app = create_app(base_config(url))
    with app.app_context():
        db.create_all()
        ev = Event(slug="r9", title="R9", status="published", timezone="UTC", capacity=40)
        db.session.add(ev)
        db.session.commit()
        event_id = ev.id
        db.engine.dispose()

    with gunicorn(url, processes=1, workers=2, threads=4, log_dir=tmp_path,
                  env={"FLASK_LOCK_TIMEOUT_SECONDS": "30"}) as urls:
        restarted = threading.Event()

        def restart_once_rows_arrive() -> None:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and len(counts(url, event_id)) < 10:
                time.sleep(0.02)
            subprocess.run(["su", "postgres", "-c", " ".join((*ctl, "-m", "immediate",
                                                              "restart"))],
                           check=True, capture_output=True, timeout=60)
            restarted.set()

        restarter = threading.Thread(target=restart_once_rows_arrive)
        restarter.start()
        results = storm(urls, "r9", 120, prefix="r9-")
        restarter.join()
        assert restarted.is_set()

        # The same workers, never restarted, serve again once the database is back.
        after = requests.post(f"{urls[0]}/api/v1/events/r9/registrations", timeout=30, json={
            "given_name": "After", "family_name": "Restart", "email": "after@example.org"})
        assert after.status_code == 201

    rows = dict(counts(url, event_id))
    acknowledged = {f"r9-{i}@example.org" for i, (code, _) in enumerate(results) if code == 201}
    assert acknowledged - set(rows) == set()
    assert {code for code, _ in results} <= {0, 201, 500, 503}
    confirmed = sum(1 for s in rows.values() if s == CONFIRMED)
    waitlisted = sum(1 for s in rows.values() if s == WAITLISTED)
    assert confirmed <= 40
    assert confirmed == 40 or waitlisted == 0
