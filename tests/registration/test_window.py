"""Registration closes when the event begins unless organisers say otherwise, and never
stays open after the event (issue 14, Time 5)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from eventsapp.events.services import event_starts_at, registration_state
from eventsapp.extensions import db
from eventsapp.models import Registration, utcnow
from eventsapp.registration import services

from .conftest import event, form_data, person, statuses

KL = ZoneInfo("Asia/Kuala_Lumpur")
PAST = "This event has already taken place; registration is closed."


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Registration))


def test_without_a_closing_time_registration_closes_when_the_first_day_begins_locally(
        ctx, make_event):
    eid = make_event(start_date=date(2030, 3, 4), end_date=date(2030, 3, 5))
    ev = event(eid)
    begins = datetime(2030, 3, 4, 0, 0, tzinfo=KL)

    assert event_starts_at(ev) == datetime(2030, 3, 3, 16, 0, tzinfo=UTC)
    assert registration_state(ev, begins - timedelta(seconds=1)) == (True, "")
    assert registration_state(ev, begins) == (False, "Registration closed when the event began.")
    # During the event and after it: closed, the second reason once it is over.
    assert registration_state(ev, datetime(2030, 3, 5, 12, tzinfo=KL))[0] is False
    assert registration_state(ev, datetime(2030, 3, 6, 0, tzinfo=KL)) == (False, PAST)


def test_a_closing_time_after_the_start_keeps_registration_open_during_the_event_only(
        ctx, make_event):
    eid = make_event(start_date=date(2030, 3, 4), end_date=date(2030, 3, 5),
                     registration_closes_at=datetime(2030, 3, 10, 0, 0, tzinfo=KL))
    ev = event(eid)

    assert registration_state(ev, datetime(2030, 3, 5, 12, tzinfo=KL)) == (True, "")
    # Over on 6 March however late the organisers set the closing time.
    assert registration_state(ev, datetime(2030, 3, 6, 0, tzinfo=KL)) == (False, PAST)


def test_a_month_without_days_closes_when_the_month_begins(ctx, make_event):
    eid = make_event(start_date=None, end_date=None, tentative_month="2030-08")
    ev = event(eid)

    assert event_starts_at(ev) == datetime(2030, 8, 1, 0, 0, tzinfo=KL)
    assert registration_state(ev, datetime(2030, 7, 31, 23, 59, tzinfo=KL)) == (True, "")
    assert registration_state(ev, datetime(2030, 8, 1, 0, 0, tzinfo=KL)) == (
        False, "Registration closed when the event began.")


def test_an_event_without_dates_stays_open(ctx, make_event):
    eid = make_event(start_date=None, end_date=None)

    assert registration_state(event(eid), datetime(2099, 1, 1, tzinfo=UTC)) == (True, "")


def test_past_event_refuses_the_service_form_and_api_with_a_clear_message(app, client,
                                                                          make_event):
    eid = make_event(slug="past", start_date=date(2020, 2, 10), end_date=date(2020, 2, 11),
                     capacity=60)
    with app.app_context():
        with pytest.raises(services.RegistrationClosed) as exc:
            services.register(event(eid), person())
        assert str(exc.value) == PAST

    form = client.post("/events/past/register", data=form_data())
    api = client.post("/api/v1/events/past/registrations",
                      json={"given_name": "Ana", "family_name": "Lee", "email": "a@example.org"})

    assert form.status_code == 409 and PAST in form.text
    assert (api.status_code, api.get_json()) == (409, {"error": "Conflict", "message": PAST})
    assert count(app) == 0


def test_past_event_never_says_places_left_or_registration_is_open(client, make_event):
    make_event(slug="past", start_date=date(2020, 2, 10), end_date=date(2020, 2, 11), capacity=60)

    page = client.get("/events/past").text
    home_card = client.get("/").text

    assert "places left" not in page and "Registration is open" not in page
    assert "0 of 60 places taken; the event has taken place" in page
    assert PAST in page
    assert 'href="/events/past/register"' not in page
    assert "places left" not in home_card


def test_demo_seed_registers_as_of_before_the_event_began(ctx, make_event):
    """`now=` judges only the window: what the demo seed uses for the 2020 events."""
    eid = make_event(start_date=date(2020, 2, 10), end_date=date(2020, 2, 11))
    ev = event(eid)

    done = services.register(ev, person(), notify=False,
                             now=event_starts_at(ev) - timedelta(days=30))

    assert done.registration.status == "confirmed"
    assert done.registration.created_at > utcnow() - timedelta(minutes=5)
    assert len(statuses(eid)) == 1
