"""A meeting given new dates takes its agenda with it (walk finding: STAR XI moved to
December 2026 kept its sessions on 4 August 2020, in its page, its feed and My meetings)."""

from datetime import UTC, datetime

from sqlalchemy import select

from eventsapp.models import AgendaChange, AuditEntry
from tests.admin.test_timezone_change import EVENT_FORM, KL, event_row, published_utc_event  # noqa: F401
from tests.calendar.test_vtimezones import instants


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_new_first_day_moves_the_agenda_by_as_many_days_and_publishes_it(
        app, admin_client, client, published_utc_event):  # noqa: F811
    response = admin_client.post("/admin/events/ctwg-18/edit", data={
        **EVENT_FORM, "start_date": "2027-06-14", "end_date": "2027-06-15",
        "registration_closes_at": "2027-06-01T17:00"}, follow_redirects=True)
    assert ("1 agenda item moved with the dates, 35 days later, at the same local times; "
            "the public agenda and calendar feeds show the new days, and subscribed "
            "calendars update.") in response.text
    with app.app_context():
        ev = event_row()
        (item,), (pub,) = ev.agenda_items, ev.published_items
        assert (item.starts_at, item.ends_at) == (utc(2027, 6, 14, 9), utc(2027, 6, 14, 10))
        assert (pub.starts_at, pub.sequence, ev.agenda_release) == (utc(2027, 6, 14, 9), 1, 2)
        assert ev.agenda_items[0].sequence == 1
        from eventsapp.extensions import db
        assert db.session.scalars(select(AgendaChange.summary).where(
            AgendaChange.release == 2)).all() == [
            "The meeting moved from 10 May 2027 to 14 June 2027: every item moved with it, "
            "at the same local time"]
        audit = db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "agenda_moved_with_dates"))
        assert audit.details == {"days": 35, "agenda_items": 1, "published": True}
    feed = client.get("/events/ctwg-18/calendar.ics").data
    for parser, found in instants(feed).items():
        assert found == {"event-1-item-1@events.test": (utc(2027, 6, 14, 9),
                                                       utc(2027, 6, 14, 10))}, parser


def test_a_new_time_zone_and_new_days_together_keep_the_local_time_on_the_new_day(
        app, admin_client, published_utc_event):  # noqa: F811
    admin_client.post("/admin/events/ctwg-18/edit", data={
        **EVENT_FORM, "timezone": KL, "start_date": "2027-05-12", "end_date": "2027-05-13"})
    with app.app_context():
        (item,) = event_row().agenda_items
        # 09:00 in Kuala Lumpur (+08:00) on the 12th.
        assert (item.starts_at, item.ends_at) == (utc(2027, 5, 12, 1), utc(2027, 5, 12, 2))


def test_a_longer_meeting_with_the_same_first_day_moves_nothing(
        app, admin_client, published_utc_event):  # noqa: F811
    admin_client.post("/admin/events/ctwg-18/edit", data={
        **EVENT_FORM, "end_date": "2027-05-12"})
    with app.app_context():
        ev = event_row()
        assert ev.agenda_items[0].starts_at == utc(2027, 5, 10, 9)
        assert ev.agenda_release == 1
