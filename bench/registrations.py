"""Registrations per second through two gunicorn hosts, beside bare Flask routes doing the same.

    .venv/bin/python bench/registrations.py [--seconds 10] [--pg postgresql://postgres@127.0.0.1/db]

For each backend (a SQLite file; PostgreSQL when --pg or TEST_DATABASE_URL is given, in a
database the script empties) it starts two gunicorn masters (two app hosts, sync workers as in
docs/deploy/gunicorn.conf.py) and loads them with wrk (bench/register.lua: every request
registers a new address) for a fixed time, at an event of capacity 100 with a waiting list.
Then it checks that exactly 100 are confirmed and the rest wait.

The floors are bench/floor_app.py on the same gunicorn, database and load: bare Flask routes
with the two correct ways to keep a cap, lock-and-count and a conditional UPDATE of a counter.
Loopback only; needs `wrk` (Debian package).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eventsapp import create_app  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.models import Event  # noqa: E402
from tests.registration.gunicorn_helpers import gunicorn  # noqa: E402
from tests.support import base_config  # noqa: E402

CAPACITY = 100


def prepare(url: str, floor: bool) -> int:
    """A fresh schema with one open event; returns its id.

    For a floor, without eventsapp's counter triggers: the floor keeps its own counter.
    """
    if url.startswith("postgresql"):  # the schema too: an older one may lie there
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(base_config(url))
    with app.app_context():
        db.create_all()
        ev = Event(slug="bench", title="Benchmark", status="published", capacity=CAPACITY,
                   start_date=date(2030, 1, 1))
        db.session.add(ev)
        db.session.commit()
        event_id = ev.id
        db.engine.dispose()
    if floor:
        engine = create_engine(url)
        with engine.begin() as conn:
            for name in ("insert", "update", "delete"):
                on = " ON registration" if url.startswith("postgresql") else ""
                conn.execute(text(f"DROP TRIGGER registration_counted_{name}{on}"))
        engine.dispose()
    return event_id


def load(urls: list[str], seconds: int, connections: int) -> tuple[float, Counter, str]:
    """One wrk per host at once; returns (requests/s summed, statuses, latency line)."""
    procs = [subprocess.Popen(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
         "-s", str(ROOT / "bench" / "register.lua"), url, "--", f"h{i}"],
        stdout=subprocess.PIPE, text=True) for i, url in enumerate(urls)]
    rate, statuses, latency = 0.0, Counter(), []
    for proc in procs:
        out = proc.communicate()[0]
        rate += float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        for code, n in re.findall(r"(\d{3})=(\d+)", out):
            statuses[int(code)] += int(n)
        latency.append(re.search(r"p50_ms .*", out).group(0))
    return rate, statuses, " | ".join(latency)


def confirmed_and_waiting(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = dict(conn.execute(text(
            "SELECT status, count(*) FROM registration GROUP BY status")).all())
    engine.dispose()
    return rows.get("confirmed", 0), rows.get("waitlisted", 0)


@contextmanager
def mail_service(url: str, workdir: Path):
    """`send-mail --watch`, as docs/DEPLOYMENT.md runs it: its CPU counts against the rate."""
    env = {**os.environ, "DATABASE_URL": url, "FLASK_MAIL_FILE_DIR": str(workdir / "mail")}
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("flask")), "--app", "eventsapp", "send-mail",
         "--watch", "--interval", "0.5"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(30)


def measure(label: str, url: str, app: str, path: str, args, workdir: Path) -> float:
    ours = app.startswith("eventsapp")
    event_id = prepare(url, floor=not ours)
    path = path.format(event_id=event_id)
    env = {"FLASK_LOCK_TIMEOUT_SECONDS": "30", "PYTHONPATH": str(ROOT),
           "FLASK_MAIL_SEND_AFTER_REQUEST": "false"}
    with (gunicorn(url, processes=2, workers=args.workers, threads=1, log_dir=workdir, app=app,
                   ready_path="/api/v1/events/bench" if ours else "/", env=env) as urls,
          mail_service(url, workdir) if ours else nullcontext()):
        rate, statuses, latency = load([u + path for u in urls], args.seconds, args.connections)
    confirmed, waiting = confirmed_and_waiting(url)
    created = statuses.get(201, 0)
    # Requests in flight when wrk stops may commit without wrk counting their answer.
    exact = (set(statuses) == {201} and confirmed == min(CAPACITY, confirmed + waiting)
             and 0 <= confirmed + waiting - created <= 2 * args.connections)
    print(f"  {label:38} {rate:7.1f}/s  cap exact: {'yes' if exact else 'NO'}"
          f" ({confirmed} confirmed, {waiting} waiting)  statuses {dict(statuses)}  {latency}",
          flush=True)
    if ours:
        sent = len(list((workdir / "mail").glob("*.eml")))
        print(f"  {'':38} mail service wrote {sent} of {confirmed + waiting} emails by the end")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="load time per run")
    parser.add_argument("--workers", type=int, default=1, help="sync workers per host")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections per host")
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"),
                        help="PostgreSQL database to use (it is emptied)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/registrations.py needs wrk: apt-get install wrk")
    backends = {"SQLite": None}
    if args.pg:
        backends["PostgreSQL"] = args.pg.replace("postgresql://", "postgresql+psycopg://", 1)
    if args.only:
        backends = {k: v for k, v in backends.items() if k.lower() == args.only}
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; Python {platform.python_version()}; "
          f"2 hosts × {args.workers} sync worker(s), wrk {args.connections} connections per "
          f"host, {args.seconds} s per run, capacity {CAPACITY}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, url in backends.items():
            print(name)
            rates = {}
            for label, app, path in (
                ("eventsapp (JSON API)", "eventsapp:create_app()",
                 "/api/v1/events/bench/registrations"),
                ("floor: bare Flask, lock and count", "bench.floor_app:app", "/lock/{event_id}"),
                ("floor: bare Flask, conditional UPDATE", "bench.floor_app:app",
                 "/counter/{event_id}"),
            ):
                workdir = Path(tmp) / f"{name}-{len(rates)}"
                workdir.mkdir()
                run_url = url or f"sqlite:///{workdir / 'bench.sqlite'}"
                rates[label] = measure(label, run_url, app, path, args, workdir)
            ours = rates["eventsapp (JSON API)"]
            print(f"  eventsapp / lock-and-count floor: {ours / rates[list(rates)[1]]:.0%};"
                  f" / conditional-UPDATE floor: {ours / rates[list(rates)[2]]:.0%}")


if __name__ == "__main__":
    main()
