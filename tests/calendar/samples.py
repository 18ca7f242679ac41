"""Unsaved model objects for the pure builders, and a feed checker that runs every parser.

The fixture follows RELIABILITY §3.2: DST gaps and repeats in London, New York
and Lord Howe, half- and quarter-hour offsets, a session across New Year, a
3-day all-day event, an item in 2039 and a cancelled item.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

import icalendar
import recurring_ical_events
import vobject
from ical.calendar_stream import IcsCalendarStream

from eventsapp.calendar.ical import Site
from eventsapp.models import Event, PublishedAgendaItem, WorkPlan

SITE = Site(uid_domain="events.test", base_url="https://events.test")
STAMP = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(tz: str, *args, fold: int = 0) -> datetime:
    return datetime(*args, fold=fold, tzinfo=zoneinfo.ZoneInfo(tz)).astimezone(UTC)


def make_event(id: int, **fields) -> Event:
    values = dict(
        id=id, slug=f"event-{id}", title=f"Meeting {id}", kind="meeting", status="published",
        description="", theme="", venue_name="", city="", venue_economy=None,
        timezone="Asia/Kuala_Lumpur", start_date=date(2026, 3, 2), end_date=None,
        tentative_month=None, agenda_provisional=False, version=3, updated_at=STAMP,
    )
    values.update(fields)
    return Event(**values)


def add_item(event: Event, id: int, starts_at: datetime, ends_at: datetime, **fields):
    values = dict(
        id=id, event_id=event.id, title=f"Session {id}", kind="session", starts_at=starts_at,
        ends_at=ends_at, room="", chairs=[], speakers=[], description="", status="confirmed",
        sequence=0, updated_at=STAMP,
    )
    values.update(fields)
    item = PublishedAgendaItem(**values)
    event.published_items.append(item)
    return item


def work_plan() -> WorkPlan:
    return WorkPlan(id=7, group_abbr="CTWG", year=2026, title="Work Plan for 2026",
                    group_name="Counter-Terrorism Working Group")


def c_fixture() -> list[Event]:
    """Twelve entries across time zones (RELIABILITY §3.2)."""
    london = make_event(1, timezone="Europe/London", start_date=date(2026, 3, 29),
                        end_date=date(2039, 7, 1), venue_name="QEII Centre", city="London")
    # 01:30 does not exist on 29 March: the form normalises it to 02:30 BST.
    add_item(london, 101, local("Europe/London", 2026, 3, 29, 2, 30),
             local("Europe/London", 2026, 3, 29, 3, 30))
    add_item(london, 102, local("Europe/London", 2026, 10, 25, 1, 30),
             local("Europe/London", 2026, 10, 25, 1, 50), title="First 01:30")
    add_item(london, 103, local("Europe/London", 2026, 10, 25, 1, 30, fold=1),
             local("Europe/London", 2026, 10, 25, 2, 30), title="Second 01:30")
    add_item(london, 104, local("Europe/London", 2039, 7, 1, 10, 0),
             local("Europe/London", 2039, 7, 1, 11, 0), title="Far future")
    new_york = make_event(2, timezone="America/New_York", start_date=date(2026, 3, 8),
                          end_date=date(2026, 11, 1))
    add_item(new_york, 201, local("America/New_York", 2026, 3, 8, 3, 30),
             local("America/New_York", 2026, 3, 8, 4, 30))
    add_item(new_york, 202, local("America/New_York", 2026, 11, 1, 1, 30, fold=1),
             local("America/New_York", 2026, 11, 1, 2, 30))
    lord_howe = make_event(3, timezone="Australia/Lord_Howe", start_date=date(2026, 4, 5))
    # Lord Howe moves its clocks by 30 minutes: 01:45 happens twice on 5 April.
    add_item(lord_howe, 301, local("Australia/Lord_Howe", 2026, 4, 5, 1, 45, fold=1),
             local("Australia/Lord_Howe", 2026, 4, 5, 3, 0))
    kolkata = make_event(4, timezone="Asia/Kolkata", start_date=date(2026, 5, 1))
    add_item(kolkata, 401, local("Asia/Kolkata", 2026, 5, 1, 9),
             local("Asia/Kolkata", 2026, 5, 1, 10))
    kathmandu = make_event(5, timezone="Asia/Kathmandu", start_date=date(2026, 5, 2))
    add_item(kathmandu, 501, local("Asia/Kathmandu", 2026, 5, 2, 9),
             local("Asia/Kathmandu", 2026, 5, 2, 10))
    chatham = make_event(6, timezone="Pacific/Chatham", start_date=date(2026, 5, 3))
    add_item(chatham, 601, local("Pacific/Chatham", 2026, 5, 3, 9),
             local("Pacific/Chatham", 2026, 5, 3, 10))
    kl = make_event(7, timezone="Asia/Kuala_Lumpur", start_date=date(2026, 3, 2),
                    end_date=date(2027, 1, 1), venue_name="KLCC", city="Kuala Lumpur",
                    venue_economy="MAS")
    add_item(kl, 701, utc(2026, 3, 2, 1, 0), utc(2026, 3, 2, 2, 30), title="Opening plenary",
             room="Hall A", kind="plenary")
    add_item(kl, 702, local("Asia/Kuala_Lumpur", 2026, 12, 31, 23),
             local("Asia/Kuala_Lumpur", 2027, 1, 1, 1), title="New Year session")
    add_item(kl, 703, utc(2026, 3, 2, 3, 0), utc(2026, 3, 2, 4, 0), title="Dropped session",
             status="cancelled", sequence=2)
    all_day = make_event(8, timezone="Asia/Singapore", start_date=date(2026, 6, 10),
                         end_date=date(2026, 6, 12), title="Three-day workshop")
    tbc = make_event(9, start_date=None, tentative_month="2026-08", title="Dates to be confirmed")
    return [london, new_york, lord_howe, kolkata, kathmandu, chatham, kl, all_day, tbc]


def parse_everywhere(raw: bytes) -> icalendar.Calendar:
    """Parse with icalendar, vobject (validate=True), ical, recurring-ical-events; check C1/C2."""
    cal = icalendar.Calendar.from_ical(raw)
    cal.validate()
    vobject.readOne(raw.decode("utf-8"), validate=True)
    IcsCalendarStream.calendar_from_ics(raw.decode("utf-8"))
    recurring_ical_events.of(cal).between(date(1990, 1, 1), date(2100, 1, 1))
    assert cal.get_missing_tzids() == set()
    assert raw.endswith(b"\r\n")
    for line in raw.split(b"\r\n")[:-1]:
        assert b"\n" not in line and b"\r" not in line
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never splits a UTF-8 sequence
    tzids = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    for ev in cal.walk("VEVENT"):
        assert {"UID", "DTSTAMP", "DTSTART"} <= set(ev.keys())
        assert [k for k in ev if k.startswith("X-")] == []
        for prop in ("DTSTART", "DTEND"):
            if prop not in ev:
                continue
            value = ev.decoded(prop)
            if isinstance(value, datetime):
                assert value.tzinfo is not None  # never floating
                tzid = ev[prop].params.get("TZID")
                assert tzid is None or (tzid in tzids and tzid in zoneinfo.available_timezones())
    return cal


def events_by_uid(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(ev["UID"]): ev for ev in cal.walk("VEVENT")}
