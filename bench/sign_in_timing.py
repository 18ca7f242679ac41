"""Sign-in timing for a known and an unknown address (issue 20: 326 vs 684 ms before).

    cd WT && /work/main/.venv/bin/python bench/sign_in_timing.py [--tries 50]

POSTs /login through the test client with the production argon2 parameters (argon2-cffi's
RFC 9106 low-memory profile), a wrong password each time, alternating a known staff address
and an unknown one (interleaved, so load on the machine hits both alike). Prints both
medians and their ratio; the target is within 10 %. A timing comparison belongs here, not
in a test: tests/auth/test_sign_in_hardening.py counts the argon2 operations instead.
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
from eventsapp.auth.services import create_user  # noqa: E402
from eventsapp.extensions import db  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tries", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                          "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False, "SERVER_NAME": "events.test",
                          "MFA_REQUIRED_ROLES": ()})
        with app.app_context():
            db.create_all()
            create_user("chair@example.org", "correct horse battery staple", "admin")
        client = app.test_client()
        timings: dict[str, list[float]] = {"known": [], "unknown": []}
        for i in range(args.tries * 2 + 2):
            which = "known" if i % 2 == 0 else "unknown"
            email = "chair@example.org" if which == "known" else f"nobody{i}@example.org"
            start = time.perf_counter()
            status = client.post("/login", data={"email": email,
                                                 "password": f"wrong guess {i:04d}"}).status_code
            elapsed = (time.perf_counter() - start) * 1000
            assert status == 401, status
            if i >= 2:  # the first pair warms up templates and the connection
                timings[which].append(elapsed)
        known, unknown = (statistics.median(timings[k]) for k in ("known", "unknown"))
        print(f"median of {args.tries} interleaved failed sign-ins: known address "
              f"{known:.0f} ms, unknown address {unknown:.0f} ms, "
              f"ratio {unknown / known:.3f} (target 0.90-1.10)")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
