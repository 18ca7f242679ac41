"""Event forms: create, edit (capacity through the registration rules), clone, cancel, bad input."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import AgendaItem, AuditEntry, Event, Registration
from eventsapp.registration.services import register
from eventsapp.registration.validation import clean_registration

BASE = {"title": "17th CTWG meeting", "kind": "meeting", "status": "draft", "timezone": "UTC",
        "waitlist_enabled": "y", "lead_economy": "", "venue_economy": ""}


def form(**changes):
    return {**BASE, **changes}


def get_event(slug):
    return db.session.scalar(select(Event).where(Event.slug == slug))


def test_create_event_with_month_only_keeps_days_unknown(app, admin_client):
    response = admin_client.post("/admin/events/new", data=form(
        slug="ctwg-17", tentative_month="2031-08", timezone="Asia/Singapore", capacity="40"))
    assert response.status_code == 303
    with app.app_context():
        ev = get_event("ctwg-17")
        assert (ev.start_date, ev.end_date, ev.tentative_month, ev.capacity, ev.timezone) == (
            None, None, "2031-08", 40, "Asia/Singapore")
        assert db.session.scalar(select(AuditEntry.action).where(
            AuditEntry.event_id == ev.id)) == "event_created"


@pytest.mark.parametrize("changes,field,message", [
    ({"start_date": "2031-02-30"}, "start_date", "Not a valid date value."),
    ({"start_date": "2031-03-05", "end_date": "2031-03-04"}, "end_date",
     "The last day cannot be before the first day."),
    ({"timezone": "Mars/Olympus"}, "timezone", "Choose a time zone from the list"),
    ({"capacity": "-1"}, "capacity", "Number must be between 0 and 100000."),
    ({"capacity": "1e3"}, "capacity", "Not a valid integer value."),
    ({"capacity": str(2**31)}, "capacity", "Number must be between 0 and 100000."),
    ({"title": "x" * 10_000}, "title", "Field cannot be longer than 300 characters."),
    ({"slug": "Bad Slug!"}, "slug", "Use lower-case letters, digits and single hyphens"),
])
def test_bad_event_input_rerenders_with_message(app, admin_client, changes, field, message):
    response = admin_client.post("/admin/events/new", data=form(**{"slug": "ok-slug", **changes}))
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    with app.app_context():
        assert db.session.scalars(select(Event)).all() == []


def test_html_in_title_is_shown_as_text(app, admin_client):
    admin_client.post("/admin/events/new", data=form(slug="x", title="<script>alert(1)</script>"))
    page = admin_client.get("/admin/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_registration_window_in_dst_gap_is_refused(app, admin_client):
    response = admin_client.post("/admin/events/new", data=form(
        slug="x", timezone="Europe/London", registration_opens_at="2026-03-29T01:30"))
    assert response.status_code == 422
    assert "does not exist in Europe/London" in response.text


def test_ambiguous_registration_time_asks_then_uses_the_choice(app, admin_client):
    fields = form(slug="x", timezone="Europe/London", registration_opens_at="2026-10-25T01:30")
    first = admin_client.post("/admin/events/new", data=fields)
    assert first.status_code == 422
    assert "The second 01:30 (UTC+00:00)" in first.text
    assert admin_client.post("/admin/events/new", data={**fields, "fold": "1"}).status_code == 303
    with app.app_context():
        assert get_event("x").registration_opens_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def _register(app, event_id, n, start=0):
    with app.app_context():
        ev = db.session.get(Event, event_id)
        for i in range(start, start + n):
            register(ev, clean_registration({"given_name": f"P{i}", "family_name": "X",
                                             "email": f"p{i}@example.org"}), notify=False)


def _edit_form(app, slug, **changes):
    with app.app_context():
        ev = get_event(slug)
        values = {"title": ev.title, "kind": ev.kind, "status": ev.status,
                  "timezone": ev.timezone, "start_date": ev.start_date.isoformat(),
                  "end_date": ev.end_date.isoformat(), "capacity": str(ev.capacity),
                  "waitlist_enabled": "y", "lead_economy": "", "venue_economy": ""}
    return {**values, **changes}


def test_capacity_below_confirmed_is_refused_with_message(app, admin_client, make_event):
    event_id = make_event(slug="full", capacity=3)
    _register(app, event_id, 3)
    response = admin_client.post("/admin/events/full/edit",
                                 data=_edit_form(app, "full", capacity="2", title="Renamed"))
    assert response.status_code == 422
    assert "3 people are already confirmed, so the capacity cannot be lower than 3." in \
        response.text
    with app.app_context():
        ev = db.session.get(Event, event_id)
        assert (ev.capacity, ev.title) == (3, "Test event 1")


def test_raising_capacity_promotes_from_the_waiting_list(app, admin_client, make_event):
    event_id = make_event(slug="full", capacity=2)
    _register(app, event_id, 4)
    response = admin_client.post("/admin/events/full/edit",
                                 data=_edit_form(app, "full", capacity="3"))
    assert response.status_code == 303
    with app.app_context():
        statuses = db.session.scalars(select(Registration.status).order_by(Registration.id))
        assert list(statuses) == ["confirmed", "confirmed", "confirmed", "waitlisted"]


def test_edit_touches_the_event_version(app, admin_client, make_event):
    event_id = make_event(slug="e")
    with app.app_context():
        version = db.session.get(Event, event_id).version
    admin_client.post("/admin/events/e/edit", data=_edit_form(app, "e", venue_name="Hall"))
    with app.app_context():
        ev = db.session.get(Event, event_id)
        assert (ev.venue_name, ev.version) == ("Hall", version + 1)


def test_clone_moves_agenda_keeping_local_times_across_dst(app, admin_client, make_event):
    event_id = make_event(slug="ny", timezone="America/New_York", start_date=date(2030, 3, 4),
                          end_date=date(2030, 3, 5))
    from zoneinfo import ZoneInfo
    tz = ZoneInfo("America/New_York")
    with app.app_context():
        db.session.add(AgendaItem(event_id=event_id, title="Opening",
                                  starts_at=datetime(2030, 3, 4, 9, tzinfo=tz),
                                  ends_at=datetime(2030, 3, 4, 10, tzinfo=tz)))
        db.session.commit()
    _register(app, event_id, 2)
    response = admin_client.post("/admin/events/ny/clone", data={
        "slug": "ny-next", "title": "Next", "start_date": "2030-03-18"})
    assert response.status_code == 303
    with app.app_context():
        clone = get_event("ny-next")
        item = clone.agenda_items[0]
        assert (clone.status, clone.start_date, clone.end_date) == (
            "draft", date(2030, 3, 18), date(2030, 3, 19))
        # Settings come along; registrations (and so their counts) do not.
        assert (clone.capacity, clone.confirmed_count, clone.waitlisted_count) == (10, 0, 0)
        assert item.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %z") == \
            "2030-03-18 09:00 -0400"


def test_cancel_and_confirm_assumptions(app, admin_client, make_event):
    event_id = make_event(slug="c", assumptions=["Capacity assumed"])
    assert "Capacity assumed" in admin_client.get("/admin/").text
    admin_client.post("/admin/events/c/assumptions/confirm")
    admin_client.post("/admin/events/c/cancel")
    with app.app_context():
        ev = db.session.get(Event, event_id)
        assert (ev.assumptions, ev.status) == ([], "cancelled")
    assert "Capacity assumed" not in admin_client.get("/admin/").text


def test_dashboard_shows_fill_levels_and_dates_to_confirm(app, admin_client, make_event):
    event_id = make_event(slug="d", capacity=2, title="Filled meeting")
    make_event(slug="tbc", title="Later meeting", start_date=None, end_date=None,
               tentative_month="2030-08")
    _register(app, event_id, 3)
    page = admin_client.get("/admin/").text
    assert "2 / 2" in page
    assert "Later meeting</a>: August 2030, dates to be confirmed" in page
