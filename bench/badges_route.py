"""Benchmark badge PDFs through the app's route against the pure renderer (the floor).

    cd /work/main && .venv/bin/python bench/badges_route.py [--counts 100 1000 5000] [--gunicorn]

For each count, in a fresh subprocess each: a SQLite database with that many
confirmed mixed-script registrations (the sample of bench/badges.py), then
- route: GET /admin/events/<slug>/badges.pdf through Flask's test client as a
  signed-in admin (query, sort, BadgeData, render to a temporary file, stream
  the file back; the preview records nothing);
- floor: render_badges() on the same BadgeData, already built, into memory.
CPU seconds (time.process_time), peak Python memory (tracemalloc, a second pass),
the process's peak RSS, and PDF size. With --gunicorn, the largest count is
also fetched over HTTP from one gunicorn sync worker, to compare with its 60 s
default timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.badges import TITLE, sample  # noqa: E402

LAYOUT = "a6x4"
SLUG = "bench"


def build_app(db_path: Path, n: int):
    from datetime import date

    from sqlalchemy import insert

    from eventsapp import create_app
    from eventsapp.extensions import db
    from eventsapp.models import Event, Registration, User
    from eventsapp.reference import ECONOMIES
    from eventsapp.tokens import hash_token, new_checkin_code

    code_of = {name: code for code, name in ECONOMIES.items()}
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "SECRET_KEY": "bench-secret",
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SERVER_NAME": "events.test",
        "MFA_REQUIRED_ROLES": (),  # the bench signs in by writing the session
    })
    with app.app_context():
        db.create_all()
        event = Event(slug=SLUG, title=TITLE, status="published", timezone="Asia/Kuala_Lumpur",
                      start_date=date(2026, 3, 3), end_date=date(2026, 3, 5))
        user = User(email="admin@example.org", password_hash="x", role="admin",
                    session_nonce=secrets.token_hex(16))
        db.session.add_all([event, user])
        db.session.flush()
        rows = []
        for i, (_s, name, native, econ, cat, _qr) in enumerate(sample(n)):
            given, _, family = name.partition(" ")
            rows.append({
                "event_id": event.id, "given_name": given, "family_name": family or given,
                "badge_name": name, "native_name": native or "", "email": f"p{i}@example.org",
                "email_normalized": f"p{i}@example.org", "economy": code_of[econ],
                "category": cat, "status": "confirmed",
                "token_hash": hash_token(secrets.token_urlsafe(32)),
                "feed_token_hash": hash_token(secrets.token_urlsafe(32)),
                "checkin_code": new_checkin_code(),
            })
        db.session.execute(insert(Registration), rows)
        db.session.commit()
        session_id = f"{user.id}:{user.session_nonce}"
    return app, session_id


def one_case(which: str, n: int) -> dict:
    from eventsapp.badges import render_badges

    with tempfile.TemporaryDirectory() as tmp:
        app, session_id = build_app(Path(tmp) / "bench.sqlite", n)
        render_badges(sample_badges(app, 10), LAYOUT)  # warm up fonts and shaping tables
        if which == "route":
            client = app.test_client()
            with client.session_transaction() as s:
                s["_user_id"], s["_fresh"] = session_id, True
                s["signed_in_at"] = int(time.time())

            def run() -> bytes:
                response = client.get(f"/admin/events/{SLUG}/badges.pdf",
                                      query_string={"layout": LAYOUT})
                assert response.status_code == 200, response.status_code
                return response.get_data()
        else:
            badges = sample_badges(app, None)

            def run() -> bytes:
                return render_badges(badges, LAYOUT)

        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0, w0 = time.process_time(), time.perf_counter()
        pdf = run()
        cpu, wall = time.process_time() - t0, time.perf_counter() - w0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # tracemalloc slows Python several times over: the timed run above kept the shipped
        # PDF time limit, this one only counts memory.
        app.config["PDF_TIME_LIMIT_SECONDS"] = None
        tracemalloc.start()
        run()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"cpu": cpu, "wall": wall, "peak": peak, "rss_growth": (rss - rss0) * 1024,
            "size": len(pdf)}


def sample_badges(app, limit: int | None) -> list:
    """The BadgeData the route renders (same query, order and check-in codes)."""
    from sqlalchemy import select

    from eventsapp.badges import services
    from eventsapp.extensions import db
    from eventsapp.models import Event

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        regs = services.badge_registrations(event)[:limit]
        return list(services.badges_for(event, regs))


def over_gunicorn(n: int) -> dict:
    """Wall time of one request for n badges from one gunicorn sync worker (timeout 60 s)."""
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite"
        app, session_id = build_app(db_path, n)
        with app.test_request_context():
            from flask import session

            session["_user_id"], session["_fresh"] = session_id, True
            session["signed_in_at"] = int(time.time())
            cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}",
               "FLASK_SECRET_KEY": "bench-secret", "FLASK_WTF_CSRF_ENABLED": "false",
               # The bench signs in by writing the session; no second factor to give.
               "FLASK_MFA_REQUIRED_ROLES": "[]",
               "FLASK_RATELIMIT_ENABLED": "false"}
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-w", "1", "--timeout", "60",
             "-b", f"127.0.0.1:{port}", "eventsapp:create_app()"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            import requests

            url = f"http://127.0.0.1:{port}/admin/events/{SLUG}/badges.pdf"
            headers = {"Cookie": f"session={cookie}"}
            for _ in range(100):
                try:
                    requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except requests.RequestException:  # still starting
                    time.sleep(0.2)
            get = {"params": {"layout": LAYOUT}, "headers": headers, "timeout": 120,
                   "allow_redirects": False}
            requests.get(url, **get)  # warm up
            w0 = time.perf_counter()
            response = requests.get(url, **get)
            wall = time.perf_counter() - w0
            assert response.headers.get("Content-Type") == "application/pdf", (
                response.status_code, response.headers, response.text[:500])
            return {"wall": wall, "size": len(response.content)}
        finally:
            proc.terminate()
            proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counts", type=int, nargs="+", default=[100, 1000, 5000])
    ap.add_argument("--gunicorn", action="store_true")
    ap.add_argument("--case", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        print(json.dumps(one_case(args.case[0], int(args.case[1]))))
        return

    def sub(which: str, n: int) -> dict:
        out = subprocess.run([sys.executable, __file__, "--case", which, str(n)],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    print(f"layout {LAYOUT}: GET badges.pdf through the app vs render_badges() alone")
    print(f"{'badges':>7} {'case':>6} {'CPU s':>7} {'wall s':>7} {'ratio':>6} {'peak MB':>8}"
          f" {'RSS+ MB':>8} {'PDF KB':>7}")
    for n in args.counts:
        res = {w: sub(w, n) for w in ("route", "floor")}
        for w, r in res.items():
            ratio = r["cpu"] / res["floor"]["cpu"]
            print(f"{n:>7} {w:>6} {r['cpu']:>7.2f} {r['wall']:>7.2f} {ratio:>6.2f}"
                  f" {r['peak'] / 1e6:>8.1f} {r['rss_growth'] / 1e6:>8.1f} {r['size'] / 1e3:>7.0f}",
                  flush=True)
    if args.gunicorn:
        n = max(args.counts)
        r = over_gunicorn(n)
        print(f"gunicorn, 1 sync worker, {n} badges: {r['wall']:.2f} s wall,"
              f" {r['size'] / 1e3:.0f} KB (worker timeout 60 s)")


if __name__ == "__main__":
    main()
