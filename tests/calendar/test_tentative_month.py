"""An event with only a month is in feeds and the confirmation's attachment as a tentative
all-day entry for the month; organisers' times say their zone (issue 14, Time 6)."""

import base64
import re
from datetime import UTC, date, datetime

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import OutboxMessage
from eventsapp.registration import services
from tests.calendar.samples import parse_everywhere
from tests.registration.conftest import event, person


def month_entry_everywhere(raw: bytes) -> list[tuple]:
    """(start, end, status) of the one entry, as icalendar, vobject and `ical` read it."""
    parse_everywhere(raw)
    (ic,) = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    vo = vobject.readOne(raw.decode()).vevent
    (ia,) = IcsCalendarStream.calendar_from_ics(raw.decode()).events
    return [(ic.decoded("DTSTART"), ic.decoded("DTEND"), str(ic["STATUS"])),
            (vo.dtstart.value, vo.dtend.value, vo.status.value),
            (ia.dtstart, ia.dtend, str(ia.status.value))]


AUGUST = (date(2030, 8, 1), date(2030, 9, 1), "TENTATIVE")


def test_event_feed_of_a_month_is_one_tentative_all_day_entry_for_the_month(client,
                                                                            make_event):
    make_event(slug="tbc", start_date=None, end_date=None, tentative_month="2030-08")

    response = client.get("/events/tbc/calendar.ics")

    assert response.status_code == 200
    assert month_entry_everywhere(response.data) == [AUGUST] * 3


def test_confirmation_attaches_the_tentative_month_and_says_so(app, make_event):
    eid = make_event(slug="tbc", start_date=None, end_date=None, tentative_month="2030-08")
    with app.app_context():
        services.register(event(eid), person(email="ana@example.org"))
        msg = db.session.scalar(select(OutboxMessage))

        (attachment,) = msg.attachments
        assert (attachment["filename"], attachment["type"]) == ("tbc.ics", "text/calendar")
        assert month_entry_everywhere(base64.b64decode(attachment["content"])) == [AUGUST] * 3
        assert ("The attached calendar entry covers the whole month, marked tentative:\n"
                "the exact days are still to be confirmed") in msg.body


def test_confirmation_without_days_or_month_has_no_file_and_says_why(app, make_event):
    eid = make_event(slug="tbc", start_date=None, end_date=None, tentative_month=None)
    with app.app_context():
        services.register(event(eid), person(email="ana@example.org"))
        msg = db.session.scalar(select(OutboxMessage))

        assert msg.attachments == []
        assert ("No calendar file is attached: the dates of this event are still to\n"
                "be confirmed.") in msg.body


@pytest.fixture
def kl_event(make_event):
    return make_event(slug="kl", start_date=date(2030, 3, 4), end_date=date(2030, 3, 5),
                      registration_opens_at=datetime(2025, 1, 1, 1, 0, tzinfo=UTC))


def test_event_form_names_the_zone_of_the_registration_window(admin_client, kl_event):
    html = admin_client.get("/admin/events/kl/edit").text

    assert 'value="2025-01-01T09:00"' in html  # 01:00Z shown at the venue
    assert html.count("Local time in the event&#39;s time zone, Asia/Kuala_Lumpur.") == 2
    assert ("Registration closes when the event begins: 2030-03-04 00:00 Asia/Kuala_Lumpur."
            in html)


def test_registrations_and_audit_log_say_their_zone(app, admin_client, kl_event):
    with app.app_context():
        services.register(event(kl_event), person(), notify=False)

    registrations = admin_client.get("/admin/events/kl/registrations").text
    audit = admin_client.get("/admin/audit").text
    csv_head = admin_client.get("/admin/events/kl/registrations.csv").data.decode(
        "utf-8-sig").splitlines()[0]

    # The list shows the day; its tooltip gives the time with the zone.
    assert re.search(r'class="col-registered" title="\d{4}-\d\d-\d\d \d\d:\d\d '
                     r'Asia/Kuala_Lumpur"', registrations)
    assert '<th scope="col">When (UTC)</th>' in audit
    assert csv_head.endswith(",Registered at (Asia/Kuala_Lumpur time),"
                             "Cancelled at (Asia/Kuala_Lumpur time)")
