"""R6: registrations, cancellations and a capacity increase all at once, through gunicorn.

After the storm: confirmed = min(capacity, active), no free place while someone
waits, and the waiting list was served strictly in arrival order (every
confirmed registration is older than every one still waiting).
"""

import threading

import pytest
import requests
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import CANCELLED, CONFIRMED, WAITLISTED, Event, Registration
from eventsapp.registration import services
from eventsapp.registration.validation import RegistrationInput
from tests.registration.gunicorn_helpers import gunicorn, storm


@pytest.mark.slow
def test_mixed_storm_keeps_the_cap_and_serves_the_waiting_list_in_order(app, make_event,
                                                                        tmp_path):
    capacity, raised, cancels = 60, 75, 20
    eid = make_event(capacity=capacity)
    with app.app_context():
        ev = db.session.get(Event, eid)
        tokens = [services.register(ev, RegistrationInput(
            given_name="Early", family_name=str(i), email=f"early{i}@example.org"),
            notify=False).token for i in range(capacity + 20)]

    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], processes=2, workers=2, threads=4,
                  log_dir=tmp_path, env={"FLASK_LOCK_TIMEOUT_SECONDS": "30"}) as urls:
        cancel_codes: list[int] = []

        def cancel(i: int) -> None:
            r = requests.delete(f"{urls[i % 2]}/api/v1/registrations/{tokens[i * 3]}",
                                timeout=60)
            cancel_codes.append(r.status_code)

        def raise_capacity() -> None:
            with app.app_context():
                services.change_capacity(db.session.get(Event, eid), raised, user=None)

        others = [threading.Thread(target=cancel, args=(i,)) for i in range(cancels)]
        others.append(threading.Thread(target=raise_capacity))
        for t in others:
            t.start()
        results = storm(urls, "event-1", 60, prefix="late-")
        for t in others:
            t.join()

    assert sorted(set(code for code, _ in results)) == [201]
    assert cancel_codes == [200] * cancels
    with app.app_context():
        rows = list(db.session.scalars(select(Registration).where(
            Registration.event_id == eid).order_by(Registration.id)))
        ev = db.session.get(Event, eid)
        counters = (ev.confirmed_count, ev.waitlisted_count)
    confirmed = [r.id for r in rows if r.status == CONFIRMED]
    waiting = [r.id for r in rows if r.status == WAITLISTED]
    active = len(confirmed) + len(waiting)
    assert sum(r.status == CANCELLED for r in rows) == cancels
    assert len(confirmed) == min(raised, active)
    assert not waiting or len(confirmed) == raised
    assert not waiting or max(confirmed) < min(waiting)
    assert counters == (len(confirmed), len(waiting))
