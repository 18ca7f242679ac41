"""Many processes, one event: never more confirmed than the capacity, no 5xx, nothing lost.

Real gunicorn (two separate masters, as two app hosts would be, each with
2 workers × 4 threads) on a real SQLite file and on PostgreSQL: 400 registrations
released at once by a barrier for 100 places (R1, R2), with the shipped 3 s lock
timeout; then 50 concurrent cancellations promote the head of the list (R4). The
negative control turns the lock off through the test-only hooks and must show the race.
"""

import random
import threading
import time

import pytest
import requests
from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.models import Event, OutboxMessage, Registration
from tests.support import negative_control

from .gunicorn_helpers import gunicorn, storm

pytestmark = pytest.mark.slow
N, CAPACITY, CANCELS = 400, 100, 50
# The negative control sleeps inside the race window; its waits are not under test.
PATIENT = {"FLASK_LOCK_TIMEOUT_SECONDS": "30"}


def rows(app, eid):
    with app.app_context():
        return [(r.email, r.status) for r in db.session.scalars(
            select(Registration).where(Registration.event_id == eid).order_by(Registration.id))]


def cancel_all_at_once(urls: list[str], tokens: list[str]) -> list[int]:
    barrier = threading.Barrier(len(tokens))
    codes = [0] * len(tokens)

    def one(i: int) -> None:
        barrier.wait()
        codes[i] = requests.delete(f"{urls[i % 2]}/api/v1/registrations/{tokens[i]}",
                                   timeout=60).status_code

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return codes


def test_storm_confirms_exactly_capacity_and_waitlists_the_rest_in_order(
        app, make_event, tmp_path):
    eid = make_event(capacity=CAPACITY)
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], log_dir=tmp_path) as urls:
        started = time.monotonic()
        results = storm(urls, "event-1", N)
        elapsed = time.monotonic() - started
        confirmed = [b for _, b in results if b.get("status") == "confirmed"]
        tokens = [b["manage_url"].rsplit("/", 1)[1] for b in confirmed]
        cancel_codes = cancel_all_at_once(urls, random.sample(tokens, CANCELS))

    # R1/R2: every request answered 201, exactly the capacity confirmed, nothing lost.
    codes = sorted({code for code, _ in results})
    assert codes == [201], [r for r in results if r[0] != 201][:5]
    waiting = {b["email"]: b["waitlist_position"] for _, b in results
               if b["status"] == "waitlisted"}
    assert len(confirmed) == CAPACITY
    assert sorted(waiting.values()) == list(range(1, N - CAPACITY + 1))
    assert elapsed <= 30
    # The position each person was told is their place in arrival (id) order.
    in_order = [email for email, _ in rows(app, eid) if email in waiting]
    assert [waiting[e] for e in in_order] == list(range(1, N - CAPACITY + 1))

    # R4: the cancellations promoted the 50 lowest positions, each told exactly once.
    assert cancel_codes == [200] * CANCELS
    stored = dict(rows(app, eid))
    promoted = {e for e, p in waiting.items() if stored[e] == "confirmed"}
    assert promoted == {e for e, p in waiting.items() if p <= CANCELS}
    counts = {s: sum(1 for v in stored.values() if v == s)
              for s in ("confirmed", "cancelled", "waitlisted")}
    assert counts == {"confirmed": CAPACITY, "cancelled": CANCELS,
                      "waitlisted": N - CAPACITY - CANCELS}
    with app.app_context():
        told = dict(db.session.execute(
            select(OutboxMessage.to_addr, func.count()).where(
                OutboxMessage.subject.startswith("A place is yours"))
            .group_by(OutboxMessage.to_addr)).all())
        ev = db.session.get(Event, eid)
        assert (ev.confirmed_count, ev.waitlisted_count) == (CAPACITY, N - CAPACITY - CANCELS)
    assert told == {email: 1 for email in promoted}


@negative_control
def test_negative_control_without_the_lock_overbooks_or_fails(app, make_event, tmp_path):
    """Proves the storm test can fail: with the lock skipped, the race shows."""
    eid = make_event(capacity=CAPACITY)
    hooks = {**PATIENT, "FLASK_TESTING": "true", "FLASK_TESTING_SKIP_CAPACITY_LOCK": "true",
             "FLASK_TESTING_SLEEP_AFTER_CAPACITY_CHECK": "0.05"}
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], log_dir=tmp_path, env=hooks) as urls:
        results = storm(urls, "event-1", N)
    errors = sum(1 for code, _ in results if code != 201)
    confirmed = sum(1 for _, s in rows(app, eid) if s == "confirmed")
    assert confirmed > CAPACITY or errors > 0, (confirmed, errors)
