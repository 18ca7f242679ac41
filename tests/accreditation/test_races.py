"""Races through real gunicorn processes (two masters, as two hosts), on SQLite and PostgreSQL:
200 approvals at once for 100 places, 20 focal points naming a head at once, quotas under
100 registrations at once. Each has a negative control that shows the race without the lock.
"""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import func, select, text

from eventsapp.auth.services import create_api_token, get_user_by_email
from eventsapp.extensions import db
from eventsapp.models import AuditEntry, Event, Registration
from eventsapp.registration import services
from tests.registration.gunicorn_helpers import gunicorn
from tests.reliability.test_concurrent_writers import csrf_token, signed_in
from tests.support import negative_control

from .conftest import event, person

pytestmark = pytest.mark.slow
PLACES, APPROVALS = 100, 200
PATIENT = {"FLASK_LOCK_TIMEOUT_SECONDS": "30"}
UNLOCKED = {**PATIENT, "FLASK_TESTING": "true", "FLASK_TESTING_SKIP_CAPACITY_LOCK": "true",
            "FLASK_TESTING_SLEEP_AFTER_CAPACITY_CHECK": "0.05"}


def at_once(n: int, call) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def one(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call(i)
        except requests.RequestException as exc:
            results[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def token_of(app, make_staff, role="organiser", economy=None) -> dict:
    email = make_staff(role, economy=economy)
    with app.app_context():
        return {"Authorization": "Bearer " + create_api_token(get_user_by_email(email), "race")}


def pending_registrations(app, eid: int, n: int) -> list[int]:
    with app.app_context():
        return [services.register(event(eid), person(email=f"p{i}@example.org"), notify=False)
                .registration.id for i in range(n)]


def approve_all(urls, ids, bearer):
    return at_once(len(ids), lambda i: requests.post(
        f"{urls[i % len(urls)]}/api/v1/events/meeting/registrations/{ids[i]}/approve",
        headers=bearer, timeout=120))


def test_200_approvals_at_once_confirm_exactly_100_in_approval_order(
        app, make_event, make_staff, tmp_path):
    eid = make_event(slug="meeting", capacity=PLACES, registration_mode="approval")
    ids = pending_registrations(app, eid, APPROVALS)
    bearer = token_of(app, make_staff)
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], log_dir=tmp_path, env=PATIENT) as urls:
        responses = approve_all(urls, ids, bearer)

    assert [getattr(r, "status_code", r) for r in responses] == [200] * APPROVALS
    bodies = {r.json()["id"]: r.json() for r in responses}
    with app.app_context():
        order = list(db.session.scalars(select(AuditEntry.object_id).where(
            AuditEntry.action == "approved").order_by(AuditEntry.id)))
        regs = {r.id: r for r in db.session.scalars(
            select(Registration).where(Registration.event_id == eid))}
        waiting = list(db.session.scalars(select(Registration.id).where(
            Registration.event_id == eid, Registration.status == "waitlisted")
            .order_by(*services.WAITLIST_ORDER)))
        ev = db.session.get(Event, eid)
        counters = (ev.confirmed_count, ev.waitlisted_count)
    # Exactly the capacity confirmed: the first hundred approved, whoever registered first.
    assert sorted(order) == sorted(ids)
    assert [regs[i].status for i in order] == ["confirmed"] * PLACES + ["waitlisted"] * PLACES
    # The waiting list keeps the order of approval, and each was told their number.
    assert waiting == order[PLACES:]
    assert [bodies[i]["waitlist_position"] for i in waiting] == list(range(1, PLACES + 1))
    assert counters == (PLACES, APPROVALS - PLACES)


@negative_control
def test_negative_control_approvals_without_the_lock_overbook_or_fail(
        app, make_event, make_staff, tmp_path):
    eid = make_event(slug="meeting", capacity=PLACES // 2, registration_mode="approval")
    ids = pending_registrations(app, eid, PLACES)
    bearer = token_of(app, make_staff)
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], log_dir=tmp_path, env=UNLOCKED) as urls:
        responses = approve_all(urls, ids, bearer)
    errors = sum(1 for r in responses if getattr(r, "status_code", 0) != 200)
    with app.app_context():
        confirmed = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.event_id == eid, Registration.status == "confirmed"))
    assert confirmed > PLACES // 2 or errors > 0, (confirmed, errors)


HEADS = 20


def name_heads_at_once(app, make_staff, tmp_path, env, eid):
    with app.app_context():
        ids = [services.register(event(eid), person(email=f"d{i}@example.org", economy="AUS"),
                                 notify=False).registration.id for i in range(HEADS)]
    focal = make_staff("focal_point", economy="AUS")
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], log_dir=tmp_path, env=env,
                  processes=2) as urls:
        sessions = [signed_in(urls[i % 2], focal) for i in range(2)]
        tokens = [csrf_token(s.get(f"{urls[i]}/admin/events/meeting/delegations/AUS",
                                   timeout=30).text) for i, s in enumerate(sessions)]
        responses = at_once(HEADS, lambda i: sessions[i % 2].post(
            f"{urls[i % 2]}/admin/events/meeting/delegations/AUS/{ids[i]}/head",
            data={"csrf_token": tokens[i % 2]}, allow_redirects=False, timeout=120))
    with app.app_context():
        heads = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.event_id == eid, Registration.category == "head_of_delegation"))
        named = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "head_named"))
    return [getattr(r, "status_code", r) for r in responses], heads, named


def test_20_focal_points_naming_a_head_at_once_make_exactly_one(
        app, make_event, make_staff, tmp_path):
    eid = make_event(slug="meeting", capacity=None)
    codes, heads, named = name_heads_at_once(app, make_staff, tmp_path, PATIENT, eid)
    assert codes == [303] * HEADS
    assert (heads, named) == (1, 1)


def test_without_the_lock_the_database_index_still_keeps_one_head(
        app, make_event, make_staff, tmp_path):
    """The second guard: the service's check races, the partial unique index refuses.

    (On SQLite, without the writer's turn, a transaction that read before another wrote
    cannot write: it answers 503 instead, as in the registration storm's control.)"""
    eid = make_event(slug="meeting", capacity=None)
    codes, heads, named = name_heads_at_once(app, make_staff, tmp_path, UNLOCKED, eid)
    assert set(codes) <= {303, 503}, codes  # refusals or "busy", never a 500
    assert (heads, named) == (1, 1)


@negative_control
def test_negative_control_without_lock_or_index_makes_several_heads(
        app, make_event, make_staff, tmp_path):
    eid = make_event(slug="meeting", capacity=None)
    with app.app_context():
        db.session.execute(text("DROP INDEX uq_registration_head"))
        db.session.commit()
    try:
        codes, heads, _named = name_heads_at_once(app, make_staff, tmp_path, UNLOCKED, eid)
    finally:
        # The PostgreSQL test database outlives this test (its tables are only emptied).
        with app.app_context():
            db.session.execute(text("DELETE FROM registration"))
            db.session.commit()
            index = next(i for i in Registration.__table__.indexes
                         if i.name == "uq_registration_head")
            index.create(db.engine)
    assert heads > 1 or 503 in codes, (heads, codes)


def register_at_once(urls, bodies):
    return at_once(len(bodies), lambda i: requests.post(
        f"{urls[i % len(urls)]}/api/v1/events/meeting/registrations", json=bodies[i],
        timeout=120))


def quota_bodies():
    # 50 observers of no economy (limit 10) and 50 delegates of Singapore (limit 4).
    return [{"given_name": f"O{i}", "family_name": "Bserver", "email": f"o{i}@example.org",
             "category": "observer"} for i in range(50)] + [
            {"given_name": f"D{i}", "family_name": "Elegate", "email": f"d{i}@example.org",
             "economy": "SGP"} for i in range(50)]


def held(app, eid):
    with app.app_context():
        return dict(db.session.execute(
            select(Registration.category, func.count()).where(
                Registration.event_id == eid, Registration.status.in_(("confirmed",
                                                                         "waitlisted")))
            .group_by(Registration.category)).all())


def test_quotas_hold_under_100_registrations_at_once(app, make_event, tmp_path):
    eid = make_event(slug="meeting", capacity=500, per_economy_limit=4,
                     category_limits={"observer": 10})
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], log_dir=tmp_path, env=PATIENT) as urls:
        responses = register_at_once(urls, quota_bodies())
    codes = [getattr(r, "status_code", r) for r in responses]
    assert sorted(codes) == [201] * 14 + [409] * 86
    assert held(app, eid) == {"observer": 10, "delegate": 4}


@negative_control
def test_negative_control_quotas_without_the_lock_are_passed(app, make_event, tmp_path):
    eid = make_event(slug="meeting", capacity=500, per_economy_limit=4,
                     category_limits={"observer": 10})
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], log_dir=tmp_path, env=UNLOCKED) as urls:
        responses = register_at_once(urls, quota_bodies())
    errors = sum(1 for r in responses if getattr(r, "status_code", 0) not in (201, 409))
    counts = held(app, eid)
    assert counts.get("observer", 0) > 10 or counts.get("delegate", 0) > 4 or errors, counts
