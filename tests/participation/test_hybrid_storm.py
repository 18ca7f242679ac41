"""A hybrid event under a storm: 300 registrations at once, split between in person and
online, through two real gunicorn masters (2 workers × 4 threads each), on a real SQLite
file and on PostgreSQL. Each mode's cap is exact and each mode's waiting list is numbered
1..n in arrival order; the negative control (lock skipped by the test-only hooks) shows the
race."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import Event, Registration
from tests.registration.gunicorn_helpers import gunicorn, storm
from tests.support import negative_control

pytestmark = pytest.mark.slow
N, IN_PERSON, ONLINE = 300, 60, 90
PATIENT = {"FLASK_LOCK_TIMEOUT_SECONDS": "30"}


def mode(i: int) -> dict:
    # 180 in person for 60 places, 120 online for 90: both modes overflow.
    return {"participation": "online" if i % 5 in (1, 3) else "in_person"}


def _hybrid(make_event) -> int:
    return make_event(participation_mode="hybrid", capacity_in_person=IN_PERSON,
                      capacity_online=ONLINE, capacity=IN_PERSON + ONLINE)


def _stored(app, eid) -> dict[str, list[tuple[str, str]]]:
    with app.app_context():
        found: dict[str, list[tuple[str, str]]] = {"in_person": [], "online": []}
        for r in db.session.scalars(select(Registration).where(Registration.event_id == eid)
                                    .order_by(Registration.id)):
            found[r.participation].append((r.email, r.status))
        return found


def test_each_cap_is_exact_under_300_parallel_registrations(app, make_event, tmp_path):
    eid = _hybrid(make_event)
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], log_dir=tmp_path) as urls:
        results = storm(urls, "event-1", N, extra=mode)
    assert sorted({code for code, _ in results}) == [201], \
        [r for r in results if r[0] != 201][:5]
    stored = _stored(app, eid)
    wanted = {"in_person": sum(1 for i in range(N) if mode(i)["participation"] == "in_person")}
    wanted["online"] = N - wanted["in_person"]
    for participation, cap in (("in_person", IN_PERSON), ("online", ONLINE)):
        rows = stored[participation]
        assert len(rows) == wanted[participation]
        assert sum(1 for _, s in rows if s == "confirmed") == cap
        # Each mode's waiting list: positions 1..n, as told, in arrival (id) order.
        told = {b["email"]: b["waitlist_position"] for _, b in results
                if b["participation"] == participation and b["status"] == "waitlisted"}
        in_order = [e for e, s in rows if s == "waitlisted"]
        assert [told[e] for e in in_order] == list(range(1, wanted[participation] - cap + 1))
    with app.app_context():
        ev = db.session.get(Event, eid)
        assert (ev.confirmed_count, ev.waitlisted_count) == (IN_PERSON + ONLINE,
                                                             N - IN_PERSON - ONLINE)


@negative_control
def test_negative_control_without_the_lock_overbooks_a_mode_or_fails(app, make_event,
                                                                      tmp_path):
    """Proves the storm test can fail: with the lock skipped, the race shows."""
    eid = _hybrid(make_event)
    hooks = {**PATIENT, "FLASK_TESTING": "true", "FLASK_TESTING_SKIP_CAPACITY_LOCK": "true",
             "FLASK_TESTING_SLEEP_AFTER_CAPACITY_CHECK": "0.05"}
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], log_dir=tmp_path, env=hooks) as urls:
        results = storm(urls, "event-1", N, extra=mode)
    errors = sum(1 for code, _ in results if code != 201)
    stored = _stored(app, eid)
    over = [m for m, cap in (("in_person", IN_PERSON), ("online", ONLINE))
            if sum(1 for _, s in stored[m] if s == "confirmed") > cap]
    assert over or errors > 0, (over, errors)
