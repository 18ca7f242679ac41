"""Benchmark the organisers' registrations list with 5,000 registrations (not a test).

    cd /work/main && .venv/bin/python bench/registrations_list.py [--rows 5000] [--pg URL]

Server time of one request in-process (Flask's test client, signed in as an administrator,
median of runs), for the list as an organiser opens it and for the costlier variants
(sorted by name, by check-in, a search, a deep page, 200 rows per page), beside a floor:
a bare Flask app on the same database running the two queries such a page needs at the
least (the page's rows and the count) and rendering them with a one-loop Jinja table.
Target: under 150 ms for the list.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask, render_template_string  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.models import CheckIn, Event, Registration, User  # noqa: E402
from eventsapp.reference import CATEGORIES, ECONOMIES  # noqa: E402

SLUG = "bench"
FLOOR_TEMPLATE = """<!doctype html><title>{{ e.title }}</title><h1>Registrations</h1>
<p>{{ total }} registrations</p><table><thead><tr><th>Name</th><th>Email</th><th>Economy</th>
<th>Organisation</th><th>Category</th><th>Status</th><th>Registered</th></tr></thead><tbody>
{% for r in rows %}<tr><td><input type="checkbox" name="id" value="{{ r.id }}">
<a href="/r/{{ r.id }}">{{ r.given_name }} {{ r.family_name }}</a></td><td>{{ r.email }}</td>
<td>{{ r.economy }}</td><td>{{ r.organisation }}</td><td>{{ r.category }}</td>
<td>{{ r.status }}</td><td>{{ r.created_at.strftime('%Y-%m-%d') }}</td></tr>{% endfor %}
</tbody></table>"""

VARIANTS = [
    ("the list as opened (50 rows)", ""),
    ("sorted by name", "?sort=name"),
    ("confirmed, sorted by check-in", "?status=confirmed&sort=checkin"),
    ("search 'ana'", "?q=ana"),
    ("page 60 of 100", "?page=60"),
    ("200 rows per page", "?per_page=200"),
]


def build(url: str, rows: int) -> None:
    """An event with `rows` registrations (90% confirmed, the rest waiting or cancelled),
    a fifth of them checked in, written with plain INSERTs (the counters are kept by the
    database's triggers, as always)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False})
    economies, categories = list(ECONOMIES), list(CATEGORIES)
    with app.app_context():
        if url.startswith("postgresql"):
            _empty_postgres()
        db.create_all()
        ev = Event(slug=SLUG, title="Benchmark meeting", status="published",
                   timezone="Asia/Kuala_Lumpur", start_date=date(2030, 3, 4),
                   end_date=date(2030, 3, 6), capacity=None)
        db.session.add(ev)
        db.session.add(User(email="admin@example.org", password_hash="x", role="admin",
                            session_nonce="bench"))
        db.session.flush()
        start = datetime(2030, 1, 1, tzinfo=UTC)
        batch = []
        for n in range(rows):
            status = "confirmed" if n % 10 < 9 else ("waitlisted" if n % 20 == 9
                                                      else "cancelled")
            email = f"person{n}@example.org"
            batch.append({
                "event_id": ev.id, "given_name": ("Ana", "Budi", "Chen", "Dewi", "Emi")[n % 5]
                + f" {n}", "family_name": f"Family{n * 7919 % rows}", "email": email,
                "email_normalized": email, "economy": economies[n % len(economies)],
                "organisation": f"Ministry of Examples {n % 40}", "sector": "government",
                "category": categories[n % len(categories)], "status": status,
                "token_hash": secrets.token_hex(32), "feed_token_hash": secrets.token_hex(32),
                "checkin_code": secrets.token_hex(6), "created_at": start + timedelta(minutes=n),
                "updated_at": start + timedelta(minutes=n)})
        db.session.execute(Registration.__table__.insert(), batch)
        ids = db.session.scalars(select(Registration.id).where(
            Registration.status == "confirmed")).all()
        db.session.execute(CheckIn.__table__.insert(), [
            {"registration_id": i, "day": date(2030, 3, 4), "at": start} for i in ids[::5]])
        db.session.commit()
        if url.startswith("postgresql"):
            # What autovacuum would have done by the time an organiser looks.
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        counted = db.session.scalar(select(func.count()).select_from(Registration))
        assert counted == rows, counted
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_postgres() -> None:
    """The bench database starts empty: tables, triggers and functions alike."""
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def median_ms(fn, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process, in ms. On a shared machine the
    CPU time is the steadier figure (PostgreSQL's own work is not in it; SQLite's is)."""
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def signed_in_client(url: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "SERVER_NAME": "bench.test"})
    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "admin@example.org"))
        session_id = user.get_id()
    with client.session_transaction() as s:
        s["_user_id"] = session_id
        s["_fresh"] = True
        s["signed_in_at"] = time.time()
    return app, client


def floor_client(url: str):
    engine = create_engine(url)
    app = Flask("floor")

    @app.get("/")
    def page():
        with Session(engine) as s:
            ev = s.scalar(select(Event).where(Event.slug == SLUG))
            total = s.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.event_id == ev.id))
            rows = s.scalars(select(Registration).where(Registration.event_id == ev.id)
                             .order_by(Registration.id).limit(50)).all()
            return render_template_string(FLOOR_TEMPLATE, e=ev, rows=rows, total=total)

    return app.test_client()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pg", help="also on this PostgreSQL URL (its tables are replaced)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        urls = [("SQLite", f"sqlite:///{Path(tmp) / 'list.sqlite'}")]
        if args.pg:
            pg = args.pg.replace("postgresql://", "postgresql+psycopg://", 1)
            urls.append(("PostgreSQL", pg))
        for name, url in urls:
            build(url, args.rows)
            app, client = signed_in_client(url)
            path = f"/admin/events/{SLUG}/registrations"
            first = client.get(path)
            assert first.status_code == 200, first.status_code
            assert f"of {args.rows}" in first.text
            bare = floor_client(url)
            floor, floor_cpu = median_ms(lambda c=bare: c.get("/"), args.runs)
            print(f"{name}, {args.rows:,} registrations, in-process, median of {args.runs} "
                  f"(target < 150 ms)")
            print(f"  {'':34} {'wall':>8} {'CPU':>8}")
            print(f"  {'floor: bare Flask, 2 queries, Jinja':34} {floor:6.1f}ms {floor_cpu:6.1f}ms")
            for label, query in VARIANTS:
                ms, cpu = median_ms(lambda c=client, p=path + query: c.get(p), args.runs)
                print(f"  {label:34} {ms:6.1f}ms {cpu:6.1f}ms  ({ms / floor:3.1f}x floor)")
            with app.app_context():
                if name == "PostgreSQL":
                    _empty_postgres()
                db.engine.dispose()


if __name__ == "__main__":
    main()
