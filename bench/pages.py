"""Benchmark the public event page against a bare Flask + ORM + Jinja floor.

    cd /work/main && .venv/bin/python bench/pages.py [--items 100 1000] [--requests 400]

1. Latency in one process (test client, median of runs) for an event page with
   N published agenda items, beside the floor: the same ORM query rendered by a
   one-loop Jinja template in a bare Flask app.
2. Throughput and p50/p99 through gunicorn (2 sync workers) on 127.0.0.1 with a
   bounded number of requests from 8 client threads.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from flask import Flask, render_template_string  # noqa: E402
from sqlalchemy import create_engine, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.agenda.services import publish_agenda  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.models import AgendaItem, Event, PublishedAgendaItem  # noqa: E402

FLOOR_TEMPLATE = """<!doctype html><title>{{ e.title }}</title><h1>{{ e.title }}</h1><ol>
{% for i in items %}<li>{{ i.starts_at.strftime('%H:%M') }} {{ i.title }} {{ i.room }}
{{ i.description }}</li>{% endfor %}</ol>"""


def build_database(path: Path, items: int) -> str:
    url = f"sqlite:///{path}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        ev = Event(slug="bench", title="Benchmark meeting", status="published",
                   timezone="Asia/Kuala_Lumpur", start_date=date(2030, 3, 4),
                   end_date=date(2030, 3, 8), capacity=100)
        db.session.add(ev)
        db.session.flush()
        start = datetime(2030, 3, 4, 1, 0, tzinfo=UTC)
        for n in range(items):
            at = start + timedelta(minutes=5 * n)
            ev.agenda_items.append(AgendaItem(
                title=f"Session {n}: secure trade and supply chains", kind="session",
                starts_at=at, ends_at=at + timedelta(minutes=5), room=f"Room {n % 4}",
                speakers=["Speaker A", "Speaker B"], description="Discussion. " * 5))
        db.session.flush()
        publish_agenda(ev)
        db.session.commit()
    return url


def median_ms(fn, runs: int = 30) -> float:
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def floor_app(url: str) -> Flask:
    engine = create_engine(url)
    app = Flask("floor")

    @app.get("/")
    def page():
        with Session(engine) as s:
            ev = s.scalar(select(Event).where(Event.slug == "bench"))
            items = s.scalars(select(PublishedAgendaItem).where(
                PublishedAgendaItem.event_id == ev.id).order_by(PublishedAgendaItem.starts_at))
            return render_template_string(FLOOR_TEMPLATE, e=ev, items=list(items))

    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(url: str, n: int) -> tuple[float, float, float]:
    session = requests.Session()

    def one(_):
        t = time.perf_counter()
        r = session.get(url, timeout=30)
        assert r.status_code == 200
        return (time.perf_counter() - t) * 1000

    start = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        lat = sorted(pool.map(one, range(n)))
    wall = time.perf_counter() - start
    return n / wall, lat[len(lat) // 2], lat[int(len(lat) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    print(f"{'items':>6} {'app ms':>8} {'floor ms':>9} {'ratio':>6}  target")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.items:
            url = build_database(Path(tmp) / f"pages-{n}.sqlite", n)
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                              "RATELIMIT_ENABLED": False})
            client = app.test_client()
            floor = floor_app(url).test_client()
            ours = median_ms(lambda c=client: c.get("/events/bench"))
            base = median_ms(lambda c=floor: c.get("/"))
            target = "< 30 ms" if n <= 100 else "< 150 ms"
            print(f"{n:>6} {ours:>8.1f} {base:>9.1f} {ours / base:>6.2f}  {target}")

        url = build_database(Path(tmp) / "pages-load.sqlite", 100)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "FLASK_SECRET_KEY": "bench",
               "FLASK_RATELIMIT_ENABLED": "false"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "eventsapp:create_app()"], cwd=ROOT, env=env)
        try:
            for _ in range(100):
                try:
                    requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                    break
                except requests.RequestException:
                    time.sleep(0.1)
            rps, p50, p99 = load(f"http://127.0.0.1:{port}/events/bench", args.requests)
            print(f"gunicorn 2 sync workers, 100-item page, {args.requests} requests, "
                  f"8 clients: {rps:.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms "
                  "(bare Flask + ORM + Jinja, 100 rows: about 480-680 req/s here)")
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
