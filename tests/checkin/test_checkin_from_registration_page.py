"""Organisers check a person in (and undo it) from that person's registration page."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import CheckIn
from tests.checkin.factories import login, make_registration, make_user

TZ = "Asia/Kuala_Lumpur"


@pytest.fixture
def past_event(make_event):
    return make_event(slug="ctwg-x", title="Two-day meeting", timezone=TZ,
                      start_date=date(2020, 2, 10), end_date=date(2020, 2, 11))


@pytest.fixture
def organiser(app, client):
    login(app, client, make_user(app, "organiser"))
    return client


def checkins(app, reg_id: int) -> list[tuple[date, int]]:
    with app.app_context():
        return [tuple(r) for r in db.session.execute(
            select(CheckIn.day, CheckIn.id).where(CheckIn.registration_id == reg_id)
            .order_by(CheckIn.day))]


def section(page: str) -> str:
    match = re.search(r'<section aria-labelledby="checkin-h">(.*?)</section>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))) if match else ""


def words(text: str) -> str:
    return " ".join(text.split())


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash[^"]*">(.*?)</p>', page)]


def test_organiser_checks_a_confirmed_person_in_for_a_chosen_day_and_undoes_it(
        app, organiser, past_event):
    reg_id, _, _ = make_registration(app, past_event, given="Ana", family="Ruiz")
    url = f"/admin/events/ctwg-x/registrations/{reg_id}"
    before = organiser.get(url).text
    assert words(section(before)) == (
        "Check-in 10 February 2020: not checked in Check in Ana Ruiz for 10 February 2020 "
        "11 February 2020: not checked in Check in Ana Ruiz for 11 February 2020")

    done = organiser.post(url + "/checkin", data={"day": "2020-02-11"})
    assert done.status_code == 303
    assert done.headers["Location"] == url + "#checkin-h"
    [(day, checkin_id)] = checkins(app, reg_id)
    assert day == date(2020, 2, 11)
    page = organiser.get(url).text
    assert flashes(page) == ["Ana Ruiz is checked in for 11 February 2020."]
    assert "11 February 2020: checked in at" in words(section(page))

    again = organiser.post(url + "/checkin", data={"day": "2020-02-11"})
    assert again.status_code == 303
    assert flashes(organiser.get(url).text) == [
        "Ana Ruiz is already checked in for 11 February 2020."]
    assert len(checkins(app, reg_id)) == 1

    undone = organiser.post(url + "/checkin/undo", data={"checkin_id": str(checkin_id)})
    assert undone.status_code == 303
    assert checkins(app, reg_id) == []
    assert flashes(organiser.get(url).text) == [
        "Check-in undone: Ana Ruiz is not checked in for 11 February 2020."]


def test_registration_page_offers_no_check_in_to_waitlisted_or_online_people(
        app, organiser, past_event):
    waiting, _, _ = make_registration(app, past_event, given="Wai", family="Ting",
                                      status="waitlisted")
    online, _, _ = make_registration(app, past_event, given="On", family="Line",
                                     participation="online")
    assert section(organiser.get(f"/admin/events/ctwg-x/registrations/{waiting}").text) == ""
    assert section(organiser.get(f"/admin/events/ctwg-x/registrations/{online}").text) == ""
    refused = organiser.post(f"/admin/events/ctwg-x/registrations/{waiting}/checkin",
                             data={"day": "2020-02-10"})
    assert refused.status_code == 303
    # The organiser's words, not the door desk's ("Send them to the registration desk").
    assert flashes(organiser.get(f"/admin/events/ctwg-x/registrations/{waiting}").text) == [
        "Not checked in: Wai Ting is on the waiting list, not confirmed. "
        "Promote them from the waiting list to check them in."]
    assert checkins(app, waiting) == []


@pytest.mark.parametrize(("fields", "expected"), [
    ({"status": "cancelled"}, "Not checked in: the registration of Ana Ruiz was cancelled. "
                              "Only a confirmed registration can be checked in."),
    ({"participation": "online"}, "Not checked in: Ana Ruiz is registered to take part "
                                  "online, not in person. Check-in is for people taking part "
                                  "in person."),
])
def test_registration_page_refusals_are_worded_for_the_organiser(
        app, organiser, past_event, fields, expected):
    reg_id, _, _ = make_registration(app, past_event, given="Ana", family="Ruiz", **fields)
    url = f"/admin/events/ctwg-x/registrations/{reg_id}"
    assert organiser.post(url + "/checkin", data={"day": "2020-02-10"}).status_code == 303
    assert flashes(organiser.get(url).text) == [expected]
    assert checkins(app, reg_id) == []


def test_desk_keeps_its_own_wording_for_the_same_refusal(app, client, past_event):
    _, _, code = make_registration(app, past_event, given="Wai", family="Ting",
                                   status="waitlisted")
    login(app, client, make_user(app, "checkin"))
    page = client.post("/admin/events/ctwg-x/checkin", data={"code": code, "day": "2020-02-10"})
    assert page.status_code == 409
    assert ("Not admitted: Wai Ting is on the waiting list, not confirmed. "
            "Send them to the registration desk.") in html.unescape(page.text)


def test_check_in_for_a_day_outside_the_event_is_refused_with_400(app, organiser, past_event):
    reg_id, _, _ = make_registration(app, past_event)
    response = organiser.post(f"/admin/events/ctwg-x/registrations/{reg_id}/checkin",
                              data={"day": "2020-02-12"})
    assert response.status_code == 400
    assert "Choose one of the event&#39;s days." in response.text
    assert checkins(app, reg_id) == []


def test_undo_of_another_registrations_check_in_changes_nothing(app, organiser, past_event):
    mine, _, _ = make_registration(app, past_event, given="Ana", family="Ruiz")
    other, _, _ = make_registration(app, past_event, given="Bo", family="Lee")
    organiser.post(f"/admin/events/ctwg-x/registrations/{other}/checkin",
                   data={"day": "2020-02-10"})
    [(_, other_checkin)] = checkins(app, other)
    organiser.post(f"/admin/events/ctwg-x/registrations/{mine}/checkin/undo",
                   data={"checkin_id": str(other_checkin)})
    assert checkins(app, other) == [(date(2020, 2, 10), other_checkin)]


def test_during_the_event_days_begun_can_be_checked_in_and_a_named_day_is_kept(
        app, organiser, make_event):
    # Yesterday (a missed scan filled in) and today; tomorrow has not begun. The button
    # names its day: a stale page or a forged day is refused, never moved to today.
    today = datetime.now(ZoneInfo(TZ)).date()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    event_id = make_event(slug="today", title="Meeting today", timezone=TZ,
                          start_date=yesterday, end_date=tomorrow)
    reg_id, _, _ = make_registration(app, event_id, given="Ana", family="Ruiz")
    url = f"/admin/events/today/registrations/{reg_id}"
    page = organiser.get(url).text
    assert re.findall(r'name="day" value="([0-9-]+)"', page) == [
        yesterday.isoformat(), today.isoformat()]
    refused = organiser.post(f"{url}/checkin", data={"day": tomorrow.isoformat()},
                             follow_redirects=True)
    assert f"{tomorrow.day} " in flashes(refused.text)[0]
    assert flashes(refused.text)[0].endswith(
        "has not begun at the venue yet: nobody can be checked in for it.")
    assert checkins(app, reg_id) == []
    organiser.post(f"{url}/checkin", data={"day": yesterday.isoformat()})
    assert [day for day, _ in checkins(app, reg_id)] == [yesterday]


def test_check_in_staff_cannot_use_the_registration_page_routes(app, client, past_event):
    reg_id, _, _ = make_registration(app, past_event)
    login(app, client, make_user(app, "checkin"))
    response = client.post(f"/admin/events/ctwg-x/registrations/{reg_id}/checkin",
                           data={"day": "2020-02-10"})
    assert response.status_code == 403
    assert checkins(app, reg_id) == []
