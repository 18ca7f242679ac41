"""Benchmark: counting a hybrid event's places per mode under the event's lock (not a test).

    cd <worktree> && /work/main/.venv/bin/python bench/participation.py [--rows 5000] [--pg URL]

A hybrid event counts its confirmed and waiting rows per participation with one grouped
query (`registration.services.pool_counts`) where a single-mode event reads the two
counters the triggers keep (one row). This prints both, median of 200 runs inside one
transaction, for an event with `rows` registrations (80% confirmed, 15% waiting, half of
them online), so the cost of not adding per-mode triggers can be judged.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eventsapp import create_app  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.models import Event, Registration, utcnow  # noqa: E402
from eventsapp.registration.services import counts, pool_counts  # noqa: E402


def run(url: str, rows: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        ev = Event(slug="bench", title="Bench", status="published", participation_mode="hybrid",
                   capacity_in_person=rows, capacity_online=rows)
        db.session.add(ev)
        db.session.flush()
        now = utcnow()
        db.session.execute(Registration.__table__.insert(), [{
            "event_id": ev.id, "given_name": f"G{i}", "family_name": "F",
            "email": f"p{i}@example.org", "email_normalized": f"p{i}@example.org",
            "status": "confirmed" if i % 20 < 16 else "waitlisted" if i % 20 < 19
            else "cancelled", "participation": "online" if i % 2 else "in_person",
            "token_hash": f"t{i}", "feed_token_hash": f"f{i}", "checkin_code": f"c{i}",
            "created_at": now, "updated_at": now} for i in range(rows)])
        db.session.commit()
        ev = db.session.get(Event, ev.id)
        for name, fn in (("trigger-kept counters (single mode)", lambda: counts(ev)),
                         ("grouped count per mode (hybrid)", lambda: pool_counts(ev))):
            times = []
            for _ in range(200):
                start = time.perf_counter()
                fn()
                times.append((time.perf_counter() - start) * 1000)
            print(f"{db.engine.dialect.name:10} {rows:6} rows  {name:40} "
                  f"median {statistics.median(times):.3f} ms")
        print("  per mode:", pool_counts(ev))
        db.session.rollback()
        db.drop_all()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--pg")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.db", args.rows)
    if args.pg:
        run(args.pg, args.rows)


if __name__ == "__main__":
    main()
