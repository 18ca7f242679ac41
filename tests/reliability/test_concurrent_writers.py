"""Every writer waits its turn: concurrent check-ins, agenda additions and event edits
all succeed through real gunicorn workers; a 503 comes only after real waiting.

On SQLite a deferred transaction that reads and then writes cannot wait for the write
lock once another connection committed in between: it fails at once, whatever the busy
timeout. Every unit of work therefore takes the host's writer turn and BEGIN IMMEDIATE
(database.unit_of_work). Run on both databases.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
import requests
from sqlalchemy import func, select

from eventsapp.auth.services import create_api_token, get_user_by_email
from eventsapp.extensions import db
from eventsapp.models import AgendaItem, CheckIn, Event
from eventsapp.registration.services import register
from eventsapp.registration.validation import clean_registration
from tests.auth.fixtures import PASSWORD, make_user  # noqa: F401  (a fixture)
from tests.registration.gunicorn_helpers import gunicorn

pytestmark = pytest.mark.slow
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                  r'name="csrf_token" value="([^"]+)"')


def at_once(n: int, call: Callable[[int], requests.Response]) -> list[requests.Response]:
    """Run call(0..n-1) in n threads released together by a barrier."""
    barrier = threading.Barrier(n)
    results: list[requests.Response | None] = [None] * n

    def one(i: int) -> None:
        barrier.wait()
        results[i] = call(i)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results  # type: ignore[return-value]


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def signed_in(url: str, email: str) -> requests.Session:
    session = requests.Session()
    token = csrf_token(session.get(f"{url}/login", timeout=30).text)
    response = session.post(f"{url}/login", data={"email": email, "password": PASSWORD,
                                                  "csrf_token": token},
                            allow_redirects=False, timeout=30)
    assert response.status_code == 303, response.text
    return session


@pytest.fixture
def meeting(app, make_event, make_user):  # noqa: F811  (the fixture imported above)
    """An event with 8 confirmed registrations, a check-in account and an organiser token."""
    eid = make_event(slug="desk", start_date=date(2030, 3, 4), end_date=date(2030, 3, 5),
                     capacity=100)
    with app.app_context():
        ev = db.session.get(Event, eid)
        codes = [register(ev, clean_registration({
            "given_name": f"P{i}", "family_name": "X", "email": f"p{i}@example.org"}),
            notify=False).registration.checkin_code for i in range(8)]
    door = make_user("checkin", events=("desk",))
    organiser = make_user("organiser", events=("desk",))
    with app.app_context():
        token = create_api_token(get_user_by_email(organiser), "import script")
    return {"id": eid, "codes": codes, "door": door, "token": token}


def test_concurrent_check_ins_agenda_additions_and_edits_all_succeed(app, meeting, tmp_path):
    bearer = {"Authorization": f"Bearer {meeting['token']}"}
    # The desk checks people in only on a day that has begun: the meeting runs from today
    # (its registrations were taken before).
    with app.app_context():
        ev = db.session.get(Event, meeting["id"])
        today = datetime.now(ZoneInfo(ev.timezone)).date()
        ev.start_date, ev.end_date = today, today + timedelta(days=1)
        db.session.commit()
    day = today.isoformat()
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], log_dir=tmp_path, processes=1,
                  workers=4, threads=2) as (url,):
        desk = signed_in(url, meeting["door"])
        token = csrf_token(desk.get(f"{url}/admin/events/desk/checkin", timeout=30).text)

        # Eight desks scan eight different badges at the same moment.
        check_ins = at_once(8, lambda i: desk.post(
            f"{url}/admin/events/desk/checkin",
            data={"code": meeting["codes"][i], "day": day, "csrf_token": token},
            timeout=60))
        # A script imports an agenda with 20 parallel requests.
        additions = at_once(20, lambda i: requests.post(
            f"{url}/api/v1/events/desk/agenda", headers=bearer, timeout=60, json={
                "title": f"Session {i}", "kind": "plenary",
                "starts_at": f"{day}T{8 + i // 2:02d}:{30 * (i % 2):02d}:00+00:00",
                "ends_at": f"{day}T{8 + i // 2:02d}:{30 * (i % 2) + 29:02d}:00+00:00"}))
        # Eight organisers save the event at once.
        edits = at_once(8, lambda i: requests.patch(
            f"{url}/api/v1/events/desk", headers=bearer, timeout=60,
            json={"per_economy_limit": 10 + i}))

    assert [r.status_code for r in check_ins] == [200] * 8
    assert [r.status_code for r in additions] == [201] * 20, \
        [r.text for r in additions if r.status_code != 201][:3]
    assert [r.status_code for r in edits] == [200] * 8
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 8
        titles = db.session.scalars(select(AgendaItem.title).where(
            AgendaItem.event_id == meeting["id"]))
        assert sorted(titles) == sorted(f"Session {i}" for i in range(20))
        assert db.session.get(Event, meeting["id"]).per_economy_limit in range(10, 18)


def _hold_write_lock(database_url: str, event_id: int, seconds: float,
                     held: threading.Event) -> None:
    """Another program holds the database's write lock (SQLite) or the event's row lock."""
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        conn.execute("ROLLBACK")
        conn.close()
        return
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("SELECT id FROM event WHERE id = %s FOR UPDATE", (event_id,))
        held.set()
        time.sleep(seconds)
        conn.rollback()


def test_a_writer_held_past_the_lock_timeout_gives_503_with_retry_after(
        app, meeting, tmp_path):
    bearer = {"Authorization": f"Bearer {meeting['token']}"}
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], log_dir=tmp_path, processes=1,
                  workers=4, threads=1, env={"FLASK_LOCK_TIMEOUT_SECONDS": "1"}) as (url,):
        held = threading.Event()
        holder = threading.Thread(target=_hold_write_lock, args=(
            app.config["SQLALCHEMY_DATABASE_URI"], meeting["id"], 8, held))
        holder.start()
        try:
            assert held.wait(30)
            started = time.monotonic()
            response = requests.patch(f"{url}/api/v1/events/desk", headers=bearer,
                                      json={"capacity": 120}, timeout=60)
            waited = time.monotonic() - started
        finally:
            holder.join()
        after = requests.patch(f"{url}/api/v1/events/desk", headers=bearer,
                               json={"capacity": 120}, timeout=60)
    assert (response.status_code, response.headers.get("Retry-After")) == (503, "2")
    assert waited >= 1.0  # real waiting, not an immediate "busy"
    assert after.status_code == 200
    with app.app_context():
        assert db.session.get(Event, meeting["id"]).capacity == 120
