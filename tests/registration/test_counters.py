"""The event's counters follow its registration rows, whatever writes them (models/counters.py)."""

from sqlalchemy import delete, func, select, update

from eventsapp.extensions import db
from eventsapp.models import Event, Registration
from eventsapp.models.counters import RECOUNT
from eventsapp.registration import services
from tests.checkin.factories import make_registration

from .conftest import event, person


def counters(event_id: int) -> tuple[int, int]:
    db.session.expire_all()
    ev = db.session.get(Event, event_id)
    return ev.confirmed_count, ev.waitlisted_count


def test_counters_follow_inserts_status_changes_moves_and_deletes(app, make_event):
    a, b = make_event(capacity=None), make_event(capacity=None)
    ids = {status: make_registration(app, a, status=status)[0]
           for status in ("confirmed", "waitlisted", "cancelled")}
    with app.app_context():
        assert counters(a) == (1, 1)
        db.session.execute(update(Registration).where(Registration.id == ids["waitlisted"])
                           .values(status="confirmed"))
        assert counters(a) == (2, 0)
        db.session.execute(update(Registration).where(Registration.id == ids["cancelled"])
                           .values(status="waitlisted"))
        assert counters(a) == (2, 1)
        db.session.execute(update(Registration).where(Registration.id == ids["confirmed"])
                           .values(event_id=b))
        assert (counters(a), counters(b)) == ((1, 1), (1, 0))
        # Writing the same status again changes nothing.
        db.session.execute(update(Registration).where(Registration.event_id == a)
                           .values(status=Registration.status))
        assert counters(a) == (1, 1)
        db.session.execute(delete(Registration).where(Registration.event_id == a))
        db.session.commit()
        assert (counters(a), counters(b)) == ((0, 0), (1, 0))


def test_deleting_an_event_deletes_its_counted_registrations(app, make_event):
    eid = make_event(capacity=3)
    with app.app_context():
        for _ in range(4):
            services.register(event(eid), person())
        db.session.delete(db.session.get(Event, eid))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_counters_seen_under_the_lock_are_those_of_the_services_own_changes(ctx, make_event):
    eid = make_event(capacity=2)
    regs = [services.register(event(eid), person()).registration for _ in range(4)]
    assert counters(eid) == (2, 2)
    services.cancel_registration(regs[0])  # the head of the list takes the place
    assert counters(eid) == (2, 1)
    services.change_capacity(event(eid), 5, user=None)
    assert counters(eid) == (3, 0)
    services.cancel_registration(regs[1])
    assert counters(eid) == (2, 0)


def test_recount_repairs_counters_from_the_rows(app, make_event):
    eid = make_event(capacity=1)
    with app.app_context():
        for _ in range(3):
            services.register(event(eid), person())
        db.session.execute(update(Event).values(confirmed_count=40, waitlisted_count=-2))
        db.session.connection().exec_driver_sql(RECOUNT)
        db.session.commit()
        assert counters(eid) == (1, 2)
