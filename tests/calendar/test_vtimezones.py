"""VTIMEZONE blocks as Outlook reads them: yearly RRULEs, no RDATE lists, UTC where no rule fits.

Parsers resolve a known IANA TZID from their own database, which would hide a wrong
VTIMEZONE. So every check here also renames the TZID to one no database knows: the
times can then only come from the RRULEs we wrote.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

from eventsapp.calendar import ical
from tests.calendar.samples import SITE, add_item, c_fixture, local, make_event, parse_everywhere

ROOT = Path(__file__).resolve().parents[2]


def renamed(raw: bytes, zones: list[str]) -> bytes:
    """The document with each zone's TZID replaced by a name no time zone database has.

    Unique per call: icalendar and vobject keep zones by TZID for the whole process.
    """
    for tz in zones:
        raw = raw.replace(tz.encode(), f"X-Private-{uuid.uuid4().hex}".encode())
    return raw


def instants(raw: bytes) -> dict[str, dict[str, tuple[datetime, datetime]]]:
    """UID → (DTSTART, DTEND) in UTC, as each of icalendar, vobject and `ical` reads them."""
    text = raw.decode()
    by_parser = {
        "icalendar": {str(e["UID"]): (e.decoded("DTSTART"), e.decoded("DTEND"))
                      for e in icalendar.Calendar.from_ical(raw).walk("VEVENT")},
        "vobject": {e.uid.value: (e.dtstart.value, e.dtend.value)
                    for e in vobject.readOne(text).vevent_list},
        "ical": {e.uid: (e.dtstart, e.dtend)
                 for e in IcsCalendarStream.calendar_from_ics(text).events},
    }
    # All-day entries (dates) carry no zone.
    return {parser: {uid: (start.astimezone(UTC), end.astimezone(UTC))
                     for uid, (start, end) in found.items() if isinstance(start, datetime)}
            for parser, found in by_parser.items()}


def _text(prop) -> str:
    value = prop.to_ical()
    return value.decode() if isinstance(value, bytes) else value


def berlin_meeting():
    event = make_event(1, timezone="Europe/Berlin", start_date=date(2027, 3, 27),
                       end_date=date(2027, 3, 29))
    add_item(event, 11, local("Europe/Berlin", 2027, 3, 29, 9), local("Europe/Berlin", 2027, 3,
                                                                       29, 10))
    return event


def test_nine_am_on_29_march_2027_in_berlin_is_seven_utc_in_every_parser_from_our_rules():
    raw = ical.event_calendar(berlin_meeting(), SITE)
    parse_everywhere(raw)

    for tzid_known in (False, True):
        doc = raw if tzid_known else renamed(raw, ["Europe/Berlin"])
        for parser, found in instants(doc).items():
            assert found["event-1-item-11@events.test"] == (
                datetime(2027, 3, 29, 7, 0, tzinfo=UTC),
                datetime(2027, 3, 29, 8, 0, tzinfo=UTC)), (parser, tzid_known)


# (zone, its DAYLIGHT rule, its STANDARD rule), as tzurl.org's Outlook-compatible blocks
# write them: from the rule's onset in 1970.
DST_ZONES = [
    ("Europe/Berlin",
     ("19700329T020000", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "+0100", "+0200", "CEST"),
     ("19701025T030000", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "+0200", "+0100", "CET")),
    ("America/New_York",
     ("19700308T020000", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3", "-0500", "-0400", "EDT"),
     ("19701101T020000", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11", "-0400", "-0500", "EST")),
    ("Australia/Sydney",  # southern hemisphere: summer time across the new year
     ("19701004T020000", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=10", "+1000", "+1100", "AEDT"),
     ("19700405T030000", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=4", "+1100", "+1000", "AEST")),
]


def observances(raw: bytes, tzid: str) -> dict[str, list[tuple]]:
    (zone,) = [z for z in icalendar.Calendar.from_ical(raw).walk("VTIMEZONE")
               if str(z["TZID"]) == tzid]
    assert [k for k in zone if k != "TZID"] == []  # no COMMENT, no TZURL: only the rules
    found: dict[str, list[tuple]] = {}
    for part in zone.subcomponents:
        assert sorted(part) == ["DTSTART", "RRULE", "TZNAME", "TZOFFSETFROM", "TZOFFSETTO"]
        found.setdefault(part.name, []).append((
            _text(part["DTSTART"]), _text(part["RRULE"]), _text(part["TZOFFSETFROM"]),
            _text(part["TZOFFSETTO"]),
            str(part["TZNAME"])))
    return found


def year_of_sessions(tz: str) -> object:
    """A 2027 event with a 09:00 session on the 1st and 15th of every month, and sessions
    on either side of each of the zone's changes."""
    event = make_event(1, timezone=tz, start_date=date(2027, 1, 1), end_date=date(2027, 1, 31))
    n = 100
    for month in range(1, 13):
        for day in (1, 15):
            n += 1
            add_item(event, n, local(tz, 2027, month, day, 9), local(tz, 2027, month, day, 10))
    return event


@pytest.mark.parametrize(("tz", "daylight", "standard"), DST_ZONES,
                         ids=[z[0] for z in DST_ZONES])
def test_zones_with_daylight_saving_get_one_yearly_rule_each_way(tz, daylight, standard):
    raw = ical.event_calendar(year_of_sessions(tz), SITE)

    assert observances(raw, tz) == {"DAYLIGHT": [daylight], "STANDARD": [standard]}
    assert b"RDATE" not in raw and b"COMMENT" not in raw


@pytest.mark.parametrize("tz", ["Europe/Berlin", "America/New_York", "Australia/Sydney",
                                "America/Santiago", "Asia/Singapore"])
def test_every_session_of_a_year_reads_back_at_its_instant_from_our_blocks_alone(tz):
    event = year_of_sessions(tz)
    raw = ical.event_calendar(event, SITE)
    parse_everywhere(raw)

    expected = {ical.item_uid(event, i, SITE): (i.starts_at, i.ends_at)
                for i in event.published_items}
    for parser, found in instants(renamed(raw, [tz])).items():
        assert found == expected, parser


def test_santiago_cannot_be_a_yearly_nth_weekday_rule_so_its_times_are_utc():
    """Chile changes on the Sunday after the first Saturday (8 September 2024 is the second
    Sunday): a "first Sunday" rule would put some years an hour off."""
    event = make_event(1, timezone="America/Santiago", start_date=date(2027, 3, 29))
    add_item(event, 11, local("America/Santiago", 2027, 3, 29, 9),
             local("America/Santiago", 2027, 3, 29, 10))

    raw = ical.event_calendar(event, SITE)

    cal = parse_everywhere(raw)
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == []
    assert b"DTSTART:20270329T120000Z\r\nDTEND:20270329T130000Z\r\n" in raw  # 09:00 at -03
    assert ical.zone_rules("America/Santiago", date(2023, 1, 1), date(2026, 1, 1)) is None


def test_zone_without_daylight_saving_is_one_standard_with_a_rule_that_changes_nothing():
    event = make_event(1, timezone="Asia/Singapore", start_date=date(2027, 6, 15))
    add_item(event, 11, local("Asia/Singapore", 2027, 6, 15, 19),
             local("Asia/Singapore", 2027, 6, 16, 0))

    raw = ical.event_calendar(event, SITE)

    assert observances(raw, "Asia/Singapore") == {"STANDARD": [
        ("19700104T000000", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=1", "+0800", "+0800", "+08")]}
    assert b"DTSTART;TZID=Asia/Singapore:20270615T190000\r\n" in raw
    assert b"DTEND;TZID=Asia/Singapore:20270616T000000\r\n" in raw


def test_a_rule_that_changed_inside_the_covered_years_is_written_in_utc():
    """New York moved its dates in 2007: one rule cannot say both, and Outlook reads one."""
    event = make_event(1, timezone="America/New_York", start_date=date(2006, 4, 3),
                       end_date=date(2008, 4, 3))
    add_item(event, 11, local("America/New_York", 2006, 4, 3, 9),
             local("America/New_York", 2006, 4, 3, 10))
    add_item(event, 12, local("America/New_York", 2008, 3, 10, 9),
             local("America/New_York", 2008, 3, 10, 10))

    raw = ical.event_calendar(event, SITE)

    assert parse_everywhere(raw).walk("VTIMEZONE") == []
    assert b"DTSTART:20060403T130000Z\r\n" in raw and b"DTSTART:20080310T130000Z\r\n" in raw


def test_the_c_fixture_reads_back_from_our_blocks_alone_in_every_parser():
    """Lord Howe's half hour, Chatham's 45 minutes, the repeated and skipped hours."""
    events = c_fixture()
    raw = ical.personal_calendar("Mine", events, SITE)
    zones = sorted({e.timezone for e in events})

    expected = {ical.item_uid(e, i, SITE): (i.starts_at, i.ends_at)
                for e in events for i in e.published_items}
    for parser, found in instants(renamed(raw, zones)).items():
        assert found == expected, parser
    assert b"RDATE" not in raw and b"COMMENT" not in raw


def test_blocks_are_the_same_bytes_in_another_process():
    code = ("import sys; from eventsapp.calendar.ical import personal_calendar; "
            "from tests.calendar.test_vtimezones import year_of_sessions; "
            "from tests.calendar.samples import SITE; "
            "sys.stdout.buffer.write(b''.join(personal_calendar('Mine', [year_of_sessions(tz)], "
            "SITE) for tz in ('Europe/Berlin', 'Australia/Sydney', 'Asia/Singapore')))")
    here = b"".join(ical.personal_calendar("Mine", [year_of_sessions(tz)], SITE)
                    for tz in ("Europe/Berlin", "Australia/Sydney", "Asia/Singapore"))
    runs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                             env={**os.environ, "PYTHONHASHSEED": seed}) for seed in ("3", "4")]
    assert {run.communicate(timeout=60)[0] for run in runs} == {here}


def test_rules_cover_the_years_after_the_document_as_the_zone_will_keep_them():
    rules = ical.zone_rules("Europe/Berlin", date(2026, 1, 1), date(2029, 1, 1))
    zone = ical.vtimezone("Europe/Berlin", date(2026, 1, 1), date(2029, 1, 1)).to_tz()

    assert len(rules) == 2
    for year in range(2026, 2040):
        assert zone.utcoffset(datetime(year, 7, 1, 12)) == timedelta(hours=2), year
        assert zone.utcoffset(datetime(year, 12, 1, 12)) == timedelta(hours=1), year
