"""The pure builders (C1–C7, C10): models in, bytes out, checked by four parsers."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import vobject
from hypothesis import example, given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream

from eventsapp.calendar import ical
from tests.calendar.samples import (
    SITE,
    STAMP,
    add_item,
    c_fixture,
    events_by_uid,
    make_event,
    parse_everywhere,
    utc,
    work_plan,
)

ROOT = Path(__file__).resolve().parents[2]
ICS_CORPUS = [
    "Talk\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:pwned",
    "Room 1\nX-INJECT:1",
    "a;b,c\\d",
    "é" * 200,
    'Bob"\r\nX-EVIL:1',
    "Room A\r\nBEGIN:VEVENT",
    "Zoë Ñúñez-Łukasz",
    "李小龍 髙橋 \U00020BB7野",
    "สมชาย ใจดี ผู้ใหญ่",
    "👩🏽\u200d💻 Ada",
]


def personal_feed() -> bytes:
    return ical.personal_calendar("My registered meetings", c_fixture(), SITE)


def test_personal_feed_of_the_c_fixture_parses_everywhere_with_every_item():
    cal = parse_everywhere(personal_feed())

    uids = sorted(events_by_uid(cal))
    assert uids == sorted(
        [f"event-{e}-item-{i}@events.test" for e, i in (
            (1, 101), (1, 102), (1, 103), (1, 104), (2, 201), (2, 202), (3, 301), (4, 401),
            (5, 501), (6, 601), (7, 701), (7, 702), (7, 703))]
        + ["event-8@events.test", "event-9@events.test"])
    assert len(cal.walk("VEVENT")) == len(uids)  # UIDs are unique


def test_every_time_converts_back_to_the_stored_utc_instant():
    events = c_fixture()
    cal = parse_everywhere(ical.personal_calendar("Mine", events, SITE))
    parsed = events_by_uid(cal)
    for event in events:
        for item in event.published_items:
            entry = parsed[ical.item_uid(event, item, SITE)]
            assert entry.decoded("DTSTART").astimezone(UTC) == item.starts_at
            assert entry.decoded("DTEND").astimezone(UTC) == item.ends_at


def test_ical_package_reads_the_same_instants_from_the_vtimezones():
    events = c_fixture()
    parsed = IcsCalendarStream.calendar_from_ics(
        ical.personal_calendar("Mine", events, SITE).decode())
    by_uid = {e.uid: e for e in parsed.events}
    for event in events:
        for item in event.published_items:
            entry = by_uid[ical.item_uid(event, item, SITE)]
            assert entry.dtstart.astimezone(UTC) == item.starts_at


def test_nine_am_in_kuala_lumpur_is_one_am_utc_with_its_tzid():
    cal = parse_everywhere(personal_feed())

    opening = events_by_uid(cal)["event-7-item-701@events.test"]

    assert opening["DTSTART"].params["TZID"] == "Asia/Kuala_Lumpur"
    assert opening.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 3, 2, 9, 0)
    assert opening.decoded("DTSTART").astimezone(UTC) == utc(2026, 3, 2, 1, 0)


def test_both_of_two_repeated_wall_times_are_written_in_utc():
    raw = personal_feed()

    assert b"DTSTART:20261025T003000Z\r\n" in raw  # first 01:30 (BST)
    assert b"DTSTART:20261025T013000Z\r\n" in raw  # second 01:30 (GMT)
    assert b"TZID=Europe/London:20261025T0130" not in raw


def test_vtimezones_are_iana_and_cover_the_2039_item():
    cal = parse_everywhere(personal_feed())

    zones = {str(tz["TZID"]): tz for tz in cal.walk("VTIMEZONE")}
    assert sorted(zones) == ["America/New_York", "Asia/Kathmandu", "Asia/Kolkata",
                             "Asia/Kuala_Lumpur", "Australia/Lord_Howe", "Europe/London",
                             "Pacific/Chatham"]
    london = zones["Europe/London"].to_tz()
    summer_2039 = datetime(2039, 7, 1, 10, 0)
    assert london.utcoffset(summer_2039) == timedelta(hours=1)
    assert london.utcoffset(datetime(2039, 12, 1, 10, 0)) == timedelta(0)


def test_three_day_event_without_agenda_is_all_day_with_exclusive_end():
    raw = personal_feed()

    assert b"DTSTART;VALUE=DATE:20260610\r\nDTEND;VALUE=DATE:20260613\r\n" in raw


def test_event_with_only_a_month_is_a_tentative_all_day_entry_for_the_month():
    events = c_fixture()
    tbc = events[-1]

    cal = parse_everywhere(ical.programme_calendar(work_plan(), events, SITE, with_agenda=False))

    assert (tbc.start_date, tbc.tentative_month) == (None, "2026-08")
    entry = events_by_uid(cal)[f"event-{tbc.id}@events.test"]
    assert (entry.decoded("DTSTART"), entry.decoded("DTEND")) == (date(2026, 8, 1),
                                                                 date(2026, 9, 1))
    assert entry["STATUS"] == "TENTATIVE"
    assert str(entry["DESCRIPTION"]) == ("Dates to be confirmed: the event takes place in "
                                         "August 2026; the exact days follow.")
    assert len(cal.walk("VEVENT")) == 9


def test_cancelled_item_stays_with_status_cancelled_and_says_so():
    cal = parse_everywhere(personal_feed())

    dropped = events_by_uid(cal)["event-7-item-703@events.test"]

    assert dropped["STATUS"] == "CANCELLED"
    assert dropped["SUMMARY"] == "Cancelled: Dropped session"
    assert dropped["SEQUENCE"] == 2


def test_items_of_a_cancelled_event_are_cancelled_with_a_higher_sequence():
    event = make_event(1, status="cancelled", updated_at=STAMP + timedelta(days=1))
    add_item(event, 11, utc(2026, 3, 2, 1), utc(2026, 3, 2, 2), sequence=4)

    entry = parse_everywhere(ical.event_calendar(event, SITE)).walk("VEVENT")[0]

    assert (entry["STATUS"], entry["SEQUENCE"]) == ("CANCELLED", 5)
    assert entry.decoded("DTSTAMP") == STAMP + timedelta(days=1)


def test_provisional_agenda_items_are_tentative():
    event = make_event(1, agenda_provisional=True)
    add_item(event, 11, utc(2026, 3, 2, 1), utc(2026, 3, 2, 2))

    entry = parse_everywhere(ical.event_calendar(event, SITE)).walk("VEVENT")[0]

    assert entry["STATUS"] == "TENTATIVE"


def test_same_data_gives_the_same_bytes():
    assert personal_feed() == personal_feed()


def test_bytes_are_the_same_in_another_process_with_other_hash_seeds():
    code = ("import sys; from eventsapp.calendar.ical import personal_calendar; "
            "from tests.calendar.samples import SITE, c_fixture; "
            "sys.stdout.buffer.write(personal_calendar('My registered meetings', c_fixture(), "
            "SITE))")
    runs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                             env={**os.environ, "PYTHONHASHSEED": seed}) for seed in ("1", "2")]
    outputs = {run.communicate(timeout=60)[0] for run in runs}
    assert outputs == {personal_feed()}


def test_calendar_properties_follow_rfc_7986():
    cal = parse_everywhere(ical.event_calendar(c_fixture()[6], SITE))

    assert str(cal["PRODID"]) == ical.PRODID
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["NAME"]) == str(cal["X-WR-CALNAME"]) == "Meeting 7"
    assert str(cal["URL"]) == "https://events.test/events/event-7"
    assert str(cal["UID"]) == "event-7-calendar@events.test"
    assert cal.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert str(cal["X-PUBLISHED-TTL"]) == "PT1H"
    assert "METHOD" not in cal


def test_items_carry_location_description_url_sequence_and_last_modified():
    event = make_event(1, venue_name="KLCC", city="Kuala Lumpur", venue_economy="MAS")
    add_item(event, 11, utc(2026, 3, 2, 1), utc(2026, 3, 2, 2), room="Hall A",
             chairs=["Ms Tan"], speakers=["Dr Lee", "Mr Ali"], description="Opening remarks",
             sequence=3, updated_at=STAMP + timedelta(hours=5))

    entry = parse_everywhere(ical.event_calendar(event, SITE)).walk("VEVENT")[0]

    assert str(entry["LOCATION"]) == "Hall A, KLCC, Kuala Lumpur, Malaysia"
    assert str(entry["DESCRIPTION"]) == (
        "Opening remarks\n\nChair: Ms Tan\n\nSpeakers: Dr Lee, Mr Ali\n\nMeeting 1")
    assert str(entry["URL"]) == "https://events.test/events/event-1#item-11"
    assert entry["SEQUENCE"] == 3
    assert entry.decoded("LAST-MODIFIED") == entry.decoded("DTSTAMP") == STAMP + timedelta(hours=5)


def test_event_feed_without_agenda_is_one_all_day_entry():
    event = make_event(1, start_date=date(2026, 6, 10), end_date=date(2026, 6, 12))

    cal = parse_everywhere(ical.event_calendar(event, SITE))

    (entry,) = cal.walk("VEVENT")
    assert str(entry["UID"]) == "event-1@events.test"
    assert entry.decoded("DTSTART") == date(2026, 6, 10)
    assert entry.decoded("DTEND") == date(2026, 6, 13)


def test_feed_with_no_entries_is_still_a_valid_calendar():
    event = make_event(1, start_date=None, tentative_month=None, timezone="Asia/Bangkok")

    cal = parse_everywhere(ical.event_calendar(event, SITE))

    assert cal.walk("VEVENT") == []
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Bangkok"]


def test_single_item_file_is_one_published_event():
    events = c_fixture()
    kl = events[6]

    cal = parse_everywhere(ical.agenda_item_file(kl, kl.published_items[0], SITE))

    assert str(cal["METHOD"]) == "PUBLISH"
    assert [str(e["UID"]) for e in cal.walk("VEVENT")] == ["event-7-item-701@events.test"]


def test_confirmation_attachment_has_publish_and_no_organizer_or_private_link():
    event = c_fixture()[6]

    raw = ical.build_event_attachment(event, SITE)

    cal = parse_everywhere(raw)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert [e for e in cal.walk("VEVENT") if "ORGANIZER" in e or "ATTENDEE" in e] == []
    assert b"/registrations/" not in raw
    assert sorted(events_by_uid(cal)) == ["event-7-item-701@events.test",
                                          "event-7-item-702@events.test",
                                          "event-7-item-703@events.test"]


@pytest.mark.parametrize("text", ICS_CORPUS)
def test_injection_corpus_cannot_add_properties_or_components(text):
    event = make_event(1, title=text, venue_name=text)
    add_item(event, 11, utc(2026, 3, 2, 1), utc(2026, 3, 2, 2), title=text, room=text,
             speakers=[text], description=text)
    add_item(event, 12, utc(2026, 3, 2, 3), utc(2026, 3, 2, 4), title=text, status="cancelled")

    raw = ical.event_calendar(event, SITE)

    cal = parse_everywhere(raw)
    assert len(cal.walk("VEVENT")) == 2
    assert len(vobject.readOne(raw.decode()).vevent_list) == 2
    expected = ical.clean_text(text)
    first, second = cal.walk("VEVENT")
    assert str(first["SUMMARY"]) == expected
    assert str(second["SUMMARY"]) == f"Cancelled: {expected}"
    assert str(first["LOCATION"]) == f"{expected}, {expected}"
    assert str(first["DESCRIPTION"]) == f"{expected}\n\nSpeakers: {expected}\n\n{expected}"
    calendar = vobject.readOne(raw.decode())
    assert calendar.contents["name"][0].value == expected
    assert calendar.contents["x-wr-calname"][0].value == expected
    assert [k for k in cal if k.startswith("X-") and k not in (
        "X-WR-CALNAME", "X-WR-CALDESC", "X-PUBLISHED-TTL")] == []


def test_control_characters_are_removed_from_text():
    assert ical.clean_text("a\x00b\x1bc\x7fd\te\r\nf\rg") == "abcd\te\nf\ng"


def test_uids_hold_no_token_email_or_registration_data():
    raw = personal_feed()

    for uid in events_by_uid(parse_everywhere(raw)):
        assert uid.startswith("event-") and uid.endswith("@events.test")
        assert "@" not in uid.removesuffix("@events.test")


def test_site_uid_domain_comes_from_config_never_the_request():
    assert ical.Site.from_config({"SERVER_NAME": "events.example.org:8443"}).uid_domain == (
        "events.example.org")
    assert ical.Site.from_config({"CALENDAR_UID_DOMAIN": "cal.example.org",
                                  "SERVER_NAME": "x.example"}).uid_domain == "cal.example.org"
    assert ical.Site.from_config({}, base_url="https://evil.example/").uid_domain == "eventsapp"


@settings(max_examples=60, deadline=None)
@given(title=st.text(max_size=120), room=st.text(max_size=60), description=st.text(max_size=200))
@example(title="", room="", description="\x16")  # found by hypothesis: controls-only text
def test_any_text_round_trips_after_removing_controls(title, room, description):
    event = make_event(1)
    add_item(event, 11, utc(2026, 3, 2, 1), utc(2026, 3, 2, 2), title=title, room=room,
             description=description)

    raw = ical.event_calendar(event, SITE)

    cal = icalendar.Calendar.from_ical(raw)
    vobject.readOne(raw.decode(), validate=True)
    (entry,) = cal.walk("VEVENT")
    assert str(entry.get("SUMMARY", "")) == ical.clean_text(title)
    assert str(entry.get("LOCATION", "")) == ical.clean_text(room)
    expected = "\n\n".join(p for p in (ical.clean_text(description), "Meeting 1") if p)
    assert str(entry["DESCRIPTION"]) == expected


def test_builders_use_icalendar_objects_not_ics_strings():
    source = (ROOT / "eventsapp/calendar/ical.py").read_text()

    for marker in ("BEGIN:", "END:", "SUMMARY:", "DTSTART:", "DTSTART;", "LOCATION:", "TZID="):
        assert marker not in source


def test_inconsistent_rows_still_give_a_valid_feed():
    event = make_event(1, start_date=date(2026, 6, 10), end_date=date(2026, 6, 1))
    add_item(event, 11, utc(2026, 6, 10, 2), utc(2026, 6, 10, 1))
    backwards = make_event(2, start_date=date(2026, 6, 10), end_date=date(2026, 6, 1))

    item = parse_everywhere(ical.event_calendar(event, SITE)).walk("VEVENT")[0]
    all_day = parse_everywhere(ical.event_calendar(backwards, SITE)).walk("VEVENT")[0]

    assert "DTEND" not in item
    assert (all_day.decoded("DTSTART"), all_day.decoded("DTEND")) == (
        date(2026, 6, 10), date(2026, 6, 11))
