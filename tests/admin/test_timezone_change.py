"""Changing an event's time zone keeps every local wall-clock time (issue 14, Time 1).

"Opening" 09:00–10:00 on 10 May 2027 in UTC stays 09:00–10:00 once the event is in
Asia/Kuala_Lumpur (01:00Z–02:00Z): the draft and the public agenda move, the change is
published with a higher SEQUENCE, and the organiser is told what moved.
"""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from eventsapp.agenda import services as agenda
from eventsapp.events import editing
from eventsapp.extensions import db
from eventsapp.models import AgendaChange, AuditEntry, Event, PublishedAgendaItem
from tests.calendar.test_vtimezones import instants

KL = "Asia/Kuala_Lumpur"
OPENING = {"title": "Opening", "kind": "plenary", "day": "2027-05-10", "start": "09:00",
           "end": "10:00", "room": "", "chairs": "", "speakers": "", "description": ""}
EVENT_FORM = {"title": "CTWG 18", "kind": "meeting", "status": "published", "timezone": "UTC",
              "start_date": "2027-05-10", "end_date": "2027-05-11", "capacity": "40",
              "waitlist_enabled": "y", "lead_economy": "", "venue_economy": "",
              "registration_opens_at": "2027-04-01T08:00",
              "registration_closes_at": "2027-05-01T17:00"}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def published_utc_event(app, admin_client, make_event):
    make_event(slug="ctwg-18", title="CTWG 18", timezone="UTC", start_date=date(2027, 5, 10),
               end_date=date(2027, 5, 11), capacity=40,
               registration_opens_at=utc(2027, 4, 1, 8), registration_closes_at=utc(2027, 5, 1, 17))
    assert admin_client.post("/admin/events/ctwg-18/agenda/new", data=OPENING).status_code == 303
    assert admin_client.post("/admin/events/ctwg-18/agenda/publish").status_code == 303
    return "ctwg-18"


def event_row() -> Event:
    return db.session.scalar(select(Event).where(Event.slug == "ctwg-18"))


def test_new_time_zone_keeps_opening_at_nine_local_and_publishes_it(app, admin_client, client,
                                                                    published_utc_event):
    with app.app_context():
        before = db.session.scalar(select(PublishedAgendaItem))
        assert (before.starts_at, before.sequence) == (utc(2027, 5, 10, 9), 0)

    response = admin_client.post("/admin/events/ctwg-18/edit",
                                 data={**EVENT_FORM, "timezone": KL}, follow_redirects=True)

    assert ("The time zone is now Asia/Kuala_Lumpur (it was UTC). 1 agenda item and 2 "
            "registration times keep their local times; the public agenda and calendar feeds "
            "show the new times, and subscribed calendars update.") in response.text
    with app.app_context():
        ev = event_row()
        (item,), (pub,) = ev.agenda_items, ev.published_items
        assert (item.starts_at, item.ends_at) == (utc(2027, 5, 10, 1), utc(2027, 5, 10, 2))
        assert (pub.starts_at, pub.ends_at) == (utc(2027, 5, 10, 1), utc(2027, 5, 10, 2))
        assert (item.sequence, pub.sequence) == (1, 1)
        # The deadlines kept their wall-clock times too: 08:00 and 17:00, now at +08:00.
        assert (ev.registration_opens_at, ev.registration_closes_at) == (
            utc(2027, 4, 1, 0), utc(2027, 5, 1, 9))
        assert (ev.agenda_release, agenda.unpublished_changes(ev)) == (2, 0)
        assert db.session.scalars(select(AgendaChange.summary).where(
            AgendaChange.release == 2)).all() == [
            "Time zone changed from UTC to Asia/Kuala_Lumpur: every item keeps its local time"]
        audit = db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "local_times_kept"))
        assert audit.details == {"timezone": ["UTC", KL], "agenda_items": 1, "deadlines": 2,
                                 "published": True, "adjusted": []}

    page = client.get("/events/ctwg-18").text
    assert 'datetime="2027-05-10T01:00:00+00:00">09:00</time>' in page
    assert "Time zone changed from UTC to Asia/Kuala_Lumpur" in page

    feed = client.get("/events/ctwg-18/calendar.ics").data
    assert b"DTSTART;TZID=Asia/Kuala_Lumpur:20270510T090000\r\n" in feed
    assert b"SEQUENCE:1\r\n" in feed
    for parser, found in instants(feed).items():
        assert found == {"event-1-item-1@events.test": (utc(2027, 5, 10, 1),
                                                       utc(2027, 5, 10, 2))}, parser


def test_service_keeps_deadlines_the_caller_left_unchanged_at_their_local_time(
        app, published_utc_event):
    with app.app_context():
        ev = event_row()
        data = editing.EventData.of(ev)
        data.timezone = KL

        result = editing.edit_event(ev, data, user=None)

        ev = event_row()
        assert result.timezone == editing.TimeZoneChange("UTC", KL, 1, 2, True, [])
        assert result.changed == ["timezone", "registration_opens_at", "registration_closes_at"]
        assert (ev.registration_opens_at, ev.registration_closes_at) == (
            utc(2027, 4, 1, 0), utc(2027, 5, 1, 9))
        assert ev.published_items[0].starts_at == utc(2027, 5, 10, 1)


def test_a_draft_change_not_yet_published_stays_pending_and_publishes_with_a_higher_sequence(
        app, published_utc_event):
    with app.app_context():
        ev = event_row()
        item = ev.agenda_items[0]
        data = agenda.ItemData.of(item)
        data.room = "Hall B"
        agenda.update_item(item, data, user=None)  # sequence 1 in the draft, 0 in public
        ev = event_row()
        data = editing.EventData.of(ev)
        data.timezone = KL

        editing.edit_event(ev, data, user=None)

        ev = event_row()
        item, pub = ev.agenda_items[0], ev.published_items[0]
        assert (pub.room, pub.sequence, item.room, item.sequence) == ("", 1, "Hall B", 2)
        assert agenda.unpublished_changes(ev) == 1
        agenda.publish(ev, user=None)
        pub = event_row().published_items[0]
        assert (pub.room, pub.sequence, pub.starts_at) == ("Hall B", 2, utc(2027, 5, 10, 1))


def test_a_time_the_new_zone_skips_moves_forward_keeps_the_length_and_is_reported(
        app, admin_client, make_event):
    make_event(slug="ctwg-18", title="CTWG 18", timezone="UTC", start_date=date(2027, 3, 27),
               end_date=date(2027, 3, 28))
    night = {**OPENING, "title": "Night session", "day": "2027-03-28", "start": "02:30",
             "end": "03:30"}
    assert admin_client.post("/admin/events/ctwg-18/agenda/new", data=night).status_code == 303
    form = {**EVENT_FORM, "timezone": "Europe/Berlin", "start_date": "2027-03-27",
            "end_date": "2027-03-28", "registration_opens_at": "", "registration_closes_at": ""}

    response = admin_client.post("/admin/events/ctwg-18/edit", data=form, follow_redirects=True)

    assert ("Warning: “Night session” start: 02:30 on 28 March 2027 does not exist in "
            "Europe/Berlin (the clocks go forward); it is now 03:30.") in response.text
    assert ("1 agenda item and 0 registration times keep their local times.") in response.text
    with app.app_context():
        item = event_row().agenda_items[0]
        # 03:30 CEST is 01:30Z; the hour it lasted is kept.
        assert (item.starts_at, item.ends_at, item.sequence) == (
            utc(2027, 3, 28, 1, 30), utc(2027, 3, 28, 2, 30), 1)


def test_same_offsets_move_nothing_and_publish_nothing(app, published_utc_event):
    with app.app_context():
        ev = event_row()
        data = editing.EventData.of(ev)
        data.timezone = "Etc/UTC"

        result = editing.edit_event(ev, data, user=None)

        ev = event_row()
        assert result.timezone == editing.TimeZoneChange("UTC", "Etc/UTC", 0, 0, False, [])
        assert (ev.agenda_release, ev.published_items[0].sequence) == (1, 0)
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "local_times_kept")) == 0
