"""Nobody is checked in, nor certified as attending, for a day that has not begun at the venue.

A tester checked someone in on 1 December 2026 for a meeting on 22-23 December 2026 from
the organiser's registration page; the page then offered a certificate of attendance.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from eventsapp.checkin import services
from eventsapp.extensions import db
from eventsapp.labels import day_label
from eventsapp.letters import services as letters
from eventsapp.models import CheckIn, Event, Registration, User
from tests.checkin.factories import login, make_registration, make_user

TZ = "Asia/Kuala_Lumpur"  # UTC+8
DEC_1 = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
EVE = datetime(2026, 12, 21, 15, 59, tzinfo=UTC)  # 21 Dec 23:59 at the venue
FIRST_DAY = datetime(2026, 12, 21, 16, 1, tzinfo=UTC)  # 22 Dec 00:01 at the venue
AFTER = datetime(2026, 12, 24, 2, 0, tzinfo=UTC)


@pytest.fixture
def december(make_event):
    return make_event(slug="dec", title="December meeting", timezone=TZ,
                      start_date=date(2026, 12, 22), end_date=date(2026, 12, 23))


def checkins(app, reg_id: int) -> list[date]:
    with app.app_context():
        return list(db.session.scalars(
            select(CheckIn.day).where(CheckIn.registration_id == reg_id).order_by(CheckIn.day)))


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash[^"]*">(.*?)</p>', page)]


@pytest.mark.parametrize(("now", "expected"), [
    (DEC_1, []),
    (EVE, []),
    (FIRST_DAY, [date(2026, 12, 22)]),
    (AFTER, [date(2026, 12, 22), date(2026, 12, 23)]),
])
def test_days_open_for_check_in_are_only_days_that_have_begun_at_the_venue(
        app, december, now, expected):
    with app.app_context():
        assert services.check_in_days(db.session.get(Event, december), now) == expected


def test_before_the_event_the_desk_rule_refuses_every_day(app, december):
    with app.app_context():
        event = db.session.get(Event, december)
        for requested in (None, "2026-12-22", "2026-12-23"):
            with pytest.raises(services.CheckInError) as exc:
                services.resolve_day(event, requested, DEC_1)
            assert (exc.value.status, exc.value.message) == (
                409, "The event begins on 22 December 2026: nobody can be checked in before "
                     "a day of it has begun at the venue.")
        assert services.resolve_day(event, "2026-12-23", AFTER) == date(2026, 12, 23)


def test_check_in_service_refuses_a_day_to_come_and_records_nothing(app, december):
    reg_id, _, _ = make_registration(app, december, given="Ana", family="Ruiz")
    with app.app_context():
        reg = db.session.get(Registration, reg_id)
        with pytest.raises(services.CheckInError) as exc:
            services.check_in(reg, date(2026, 12, 22), user=None, now=DEC_1)
        assert (exc.value.status, exc.value.message) == (
            409, "22 December 2026 has not begun at the venue yet: nobody can be checked in "
                 "for it.")
    assert checkins(app, reg_id) == []
    with app.app_context():
        result = services.check_in(db.session.get(Registration, reg_id), date(2026, 12, 22),
                                   user=None, now=FIRST_DAY)
        assert (result.already, result.message) == (False, "Ana Ruiz is checked in today.")
    assert checkins(app, reg_id) == [date(2026, 12, 22)]


def test_registration_page_offers_no_check_in_before_the_event_and_refuses_a_post(
        app, client, make_event):
    start = datetime.now(ZoneInfo(TZ)).date() + timedelta(days=21)
    event_id = make_event(slug="soon", title="Meeting to come", timezone=TZ,
                          start_date=start, end_date=start + timedelta(days=1))
    reg_id, _, _ = make_registration(app, event_id, given="Ana", family="Ruiz")
    login(app, client, make_user(app, "organiser"))
    url = f"/admin/events/soon/registrations/{reg_id}"
    page = client.get(url).text
    assert 'name="day"' not in page
    days = re.search(r'<ul class="checkin-days">(.*?)</ul>', page, re.S).group(1)
    assert " ".join(re.sub(r"<[^>]+>", " ", days).split()) == (
        f"{day_label(start)}: not begun yet: check-in opens on the day "
        f"{day_label(start + timedelta(days=1))}: not begun yet: check-in opens on the day")

    response = client.post(url + "/checkin", data={"day": start.isoformat()})
    assert response.status_code == 303
    assert checkins(app, reg_id) == []
    page = client.get(url).text
    assert flashes(page) == [
        f"The event begins on {day_label(start)}: nobody can be checked in "
        "before a day of it has begun at the venue."]


def test_desk_refuses_a_scan_before_the_event(app, client, make_event):
    start = datetime.now(ZoneInfo(TZ)).date() + timedelta(days=21)
    event_id = make_event(slug="soon", title="Meeting to come", timezone=TZ,
                          start_date=start, end_date=start + timedelta(days=1))
    reg_id, _, code = make_registration(app, event_id)
    login(app, client, make_user(app, "checkin"))
    response = client.post("/admin/events/soon/checkin",
                           data={"code": code, "day": start.isoformat()})
    assert response.status_code == 409
    assert "nobody can be checked in before a day of it has begun at the venue." in (
        html.unescape(response.text))
    assert 'name="day"' not in response.text
    assert checkins(app, reg_id) == []


def test_desk_finds_a_name_before_the_event_but_offers_no_check_in(app, client, make_event):
    start = datetime.now(ZoneInfo(TZ)).date() + timedelta(days=21)
    event_id = make_event(slug="soon", title="Meeting to come", timezone=TZ,
                          start_date=start, end_date=start + timedelta(days=1))
    make_registration(app, event_id, given="Ana", family="Ruiz")
    login(app, client, make_user(app, "checkin"))
    response = client.post("/admin/events/soon/checkin", data={"code": "ruiz"})
    assert response.status_code == 200
    assert re.findall(r"<strong>(.*?)</strong>", response.text) == ["Ana Ruiz"]
    assert "No check-in before the event begins" in response.text
    assert ">Check in<span" not in response.text


def test_certificate_counts_only_attendance_on_days_that_have_come(app, december):
    reg_id, _, _ = make_registration(app, december, given="Ana", family="Ruiz")
    with app.app_context():
        # A check-in for a day to come, as recorded before it was refused.
        db.session.add(CheckIn(registration_id=reg_id, day=date(2026, 12, 22), at=DEC_1))
        db.session.commit()
        reg, event = db.session.get(Registration, reg_id), db.session.get(Event, december)
        assert letters.refusal(reg, "certificate", DEC_1) == (
            "Ana Ruiz: a certificate of attendance is issued only to participants checked in "
            "at the meeting or recorded as attending online.")
        assert letters.eligible(event, "certificate", DEC_1) == []
        refused = letters.issue(event, "certificate", [reg_id], user=None, now=DEC_1)
        assert (refused.issued, len(refused.refused)) == ([], 1)

        assert letters.refusal(reg, "certificate", FIRST_DAY) is None
        assert [r.id for r in letters.eligible(event, "certificate", FIRST_DAY)] == [reg_id]


def test_the_check_in_a_certificate_rests_on_cannot_be_undone(app, december):
    reg_id, _, _ = make_registration(app, december, given="Ana", family="Ruiz")
    organiser_id = make_user(app, "organiser")
    with app.app_context():
        organiser = db.session.get(User, organiser_id)
        event = db.session.get(Event, december)
        first = services.check_in(db.session.get(Registration, reg_id), date(2026, 12, 22),
                                  user=None, now=AFTER)
        second = services.check_in(db.session.get(Registration, reg_id), date(2026, 12, 23),
                                   user=None, now=AFTER)
        [number] = [letter.number for letter in letters.issue(
            event, "certificate", [reg_id], user=None, now=AFTER).issued]
        ids = dict(db.session.execute(select(CheckIn.day, CheckIn.id).where(
            CheckIn.registration_id == reg_id)).all())
        # One of two days may go; the last one is what the certificate says.
        services.undo_check_in(event, ids[second.day], user=organiser, now=AFTER)
        with pytest.raises(services.CheckInError) as exc:
            services.undo_check_in(event, ids[first.day], user=organiser, now=AFTER)
        assert exc.value.message == (
            f"A certificate of attendance ({number}) was issued on this check-in, so it "
            "stays: the certificate says Ana Ruiz attended.")
    assert checkins(app, reg_id) == [date(2026, 12, 22)]
