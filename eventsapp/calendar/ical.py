"""iCalendar documents built from models: pure functions, models in, bytes out.

Same data, same bytes: nothing here reads the clock or makes a uuid. DTSTAMP
and LAST-MODIFIED come from `updated_at`, every UID and the calendar UID are
derived from database ids and a configured domain, and time zones are added in
sorted order. Text reaches the output only through icalendar properties, which
escape `,` `;` `\\` and newlines, so no title or room can start a new line.

UIDs never contain a token, an email address or a registration id, so a
personal feed, the public feeds and the confirmation email's attachment all
describe the same entries and clients merge them instead of duplicating.

Time zones (see `zone_rules`): a VTIMEZONE is written only as Outlook reads one,
with TZID, DTSTART, yearly RRULEs and the offsets (Microsoft's MS-STANOICAL and
MS-OXCICAL), derived from the zone's own transitions over the years the document
covers. A zone whose changes cannot be written that way (Chile's "Sunday after the
first Saturday", a one-off change of offset) gets no VTIMEZONE: its times are written
in UTC, which every client reads right.
"""

from __future__ import annotations

import calendar as gregorian
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from icalendar import (
    STATUS,
    Alarm,
    Calendar,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vText,
    vUri,
)
from icalendar import Event as VEvent

from ..labels import MONTHS, venue_label
from ..zones import Transition, transitions
from .services import in_feeds, month_span

# Calendar clients use PRODID to recognise a publisher: never change it.
PRODID = "-//eventsapp//Working group calendar feeds 1.0//EN"
REFRESH = timedelta(hours=1)
# X-PUBLISHED-TTL must be a DURATION string: icalendar writes a timedelta as "1:00:00".
PUBLISHED_TTL = "PT1H"
DEFAULT_UID_DOMAIN = "eventsapp"
# Controls other than tab and newline are not allowed in TEXT (RFC 5545 §3.3.11).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NOT_A_DOMAIN = re.compile(r"[^A-Za-z0-9.-]")


@dataclass(frozen=True)
class Site:
    """Where the feeds live: the UID domain and the public base URL ('' when unknown)."""

    uid_domain: str = DEFAULT_UID_DOMAIN
    base_url: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any], base_url: str | None = None) -> Site:
        server = (config.get("SERVER_NAME") or "").strip()
        domain = config.get("CALENDAR_UID_DOMAIN") or server.split(":")[0] or DEFAULT_UID_DOMAIN
        if base_url is None:
            scheme = config.get("PREFERRED_URL_SCHEME") or "http"
            base_url = f"{scheme}://{server}" if server else ""
        return cls(uid_domain=_NOT_A_DOMAIN.sub("", domain) or DEFAULT_UID_DOMAIN,
                   base_url=base_url.rstrip("/"))

    def event_url(self, event) -> str | None:
        return f"{self.base_url}/events/{quote(event.slug)}" if self.base_url else None


def clean_text(value: str) -> str:
    """Text as calendar clients can carry it: LF line breaks, no control characters."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", value)


def event_uid(event, site: Site) -> str:
    return f"event-{event.id}@{site.uid_domain}"


def item_uid(event, item, site: Site) -> str:
    return f"event-{event.id}-item-{item.id}@{site.uid_domain}"


# --- documents -------------------------------------------------------------------------------


def programme_calendar(work_plan, events: Iterable, site: Site, *, with_agenda: bool) -> bytes:
    """The year's events: one all-day entry each, or their agenda items with `with_agenda`."""
    name = f"{work_plan.group_abbr} {work_plan.year} events"
    cal = _calendar(name=clean_text(name), description=clean_text(work_plan.title),
                    url=f"{site.base_url}/" if site.base_url else None,
                    uid=f"work-plan-{work_plan.id}@{site.uid_domain}")
    events = list(events)
    # Without agendas every entry is all-day: no time zone range, so no items to load for one.
    zones = _Zones(events if with_agenda else [])
    components = [c for ev in events for c in _entries(ev, site, zones, with_agenda=with_agenda)]
    return _finish(cal, components, zones)


def event_calendar(event, site: Site) -> bytes:
    """One event's published agenda; the event as one all-day entry while it has none."""
    cal = _calendar(name=clean_text(event.title),
                    description=clean_text(f"Agenda of {event.title} ({venue_label(event)})"),
                    url=site.event_url(event), uid=f"event-{event.id}-calendar@{site.uid_domain}")
    zones = _Zones([event])
    return _finish(cal, _entries(event, site, zones, with_agenda=True), zones,
                   fallback_tz=event.timezone)


def agenda_item_file(event, item, site: Site) -> bytes:
    """A single agenda item to import ("add to calendar")."""
    cal = _calendar(name=clean_text(item.title), uid=item_uid(event, item, site), method="PUBLISH")
    zones = _Zones([event])
    return _finish(cal, [_session(event, item, site, zones.tz(event))], zones)


@dataclass(frozen=True)
class Online:
    """How to join an event online: the meeting link and its passcode or dial-in text."""

    url: str
    details: str = ""


def personal_calendar(title: str, events: Iterable, site: Site,
                      online: Mapping[int, Online] | None = None) -> bytes:
    """The events one registrant is confirmed for, with their agendas.

    No calendar UID: a per-person one would have to come from the person.

    :param online: event id → how to join it, for an online participant: each entry gets
        an RFC 7986 CONFERENCE property with the link, and the link (and details) in its
        DESCRIPTION. Only private documents pass it.
    """
    cal = _calendar(name=clean_text(title),
                    description="Meetings you are registered for, with their agendas.")
    events = list(events)
    zones = _Zones(events)
    online = online or {}
    components = [c for ev in events for c in _entries(ev, site, zones, with_agenda=True,
                                                       online=online.get(ev.id))]
    return _finish(cal, components, zones)


ALARM_BEFORE = timedelta(minutes=15)


def year_calendar(title: str, entries: Iterable[tuple[Any, str]], site: Site, *,
                  alarms: bool = False, online: Mapping[int, Online] | None = None) -> bytes:
    """One address's registrations across the year (My meetings), with their agendas.

    :param entries: (event, registration status) pairs; an event the person is not
        confirmed for (waiting list, pending approval) is TENTATIVE and says why in its title.
    :param alarms: a VALARM 15 minutes before each session (or all-day event) that is on.
    :param online: event id → how to join it, for the events the person takes part in online
        as a confirmed participant (as `personal_calendar`). Only private feeds pass it.
    Same UIDs as every other feed, so clients merge instead of duplicating.
    """
    cal = _calendar(name=clean_text(title),
                    description="Every meeting you are registered for, with its agenda.")
    entries = list(entries)
    zones = _Zones([event for event, _ in entries])
    components = []
    online = online or {}
    for event, status in entries:
        for component in _entries(event, site, zones, with_agenda=True,
                                  online=online.get(event.id) if status == "confirmed" else None):
            cancelled = component.get("STATUS") == STATUS.CANCELLED
            if status != "confirmed" and not cancelled:
                label = "Waiting list" if status == "waitlisted" else status.capitalize()
                component["SUMMARY"] = vText(f"{label}: {component['SUMMARY']}")
                component["STATUS"] = vText(STATUS.TENTATIVE)
            if alarms and not cancelled:
                component.add_component(_alarm(str(component["SUMMARY"])))
            components.append(component)
    return _finish(cal, components, zones)


def _alarm(summary: str) -> Alarm:
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", vText(summary))
    alarm.add("TRIGGER", -ALARM_BEFORE)
    return alarm


def build_event_attachment(event, site: Site | None = None,
                           online: Online | None = None) -> bytes:
    """The event's .ics for a confirmation email.

    METHOD:PUBLISH and no ORGANIZER, so clients import it and never send a
    reply; the only link inside is the public event page, because people
    forward these files. Without `site`, it comes from the current app's config.
    With `online` (the attachment of a confirmed online participant, never forwarded
    knowingly), entries carry the meeting link as for `personal_calendar`.
    """
    if site is None:
        from flask import current_app

        site = Site.from_config(current_app.config)
    cal = _calendar(name=clean_text(event.title), method="PUBLISH",
                    uid=f"event-{event.id}-calendar@{site.uid_domain}")
    zones = _Zones([event])
    return _finish(cal, _entries(event, site, zones, with_agenda=True, online=online), zones,
                   fallback_tz=event.timezone)


# --- components ------------------------------------------------------------------------------


def _calendar(*, name: str, description: str | None = None, url: str | None = None,
              uid: str | None = None, method: str | None = None) -> Calendar:
    # Without uid=, Calendar.new invents a uuid4: the bytes would change on every request.
    cal = Calendar.new(prodid=PRODID, url=url, uid=uid or "unset", refresh_interval=REFRESH,
                       method=method)
    if uid is None:
        del cal["UID"]
    # Calendar.new(name=, description=) writes X-WR-CALNAME/X-WR-CALDESC unescaped
    # (icalendar 7.3): a title with a newline would fail and one with ";" would be misread.
    cal.add("NAME", vText(name))
    cal.add("X-WR-CALNAME", vText(name))
    if description:
        cal.add("DESCRIPTION", vText(description))
        cal.add("X-WR-CALDESC", vText(description))
    cal.add("X-PUBLISHED-TTL", PUBLISHED_TTL)
    return cal


def _entries(event, site: Site, zones: _Zones, *, with_agenda: bool,
             online: Online | None = None) -> list[VEvent]:
    if not in_feeds(event):
        return []
    # An event with only a month has no agenda to show: its items have no agreed days.
    if with_agenda and event.published_items and event.start_date is not None:
        tz = zones.tz(event)
        location = _venue(event)
        entries = [_session(event, item, site, tz, location) for item in event.published_items]
    else:
        entries = [_all_day(event, site)]
    if online is not None:
        for entry in entries:
            _add_online(entry, online)
    return entries


def _add_online(entry: VEvent, online: Online) -> None:
    """RFC 7986 §5.11 CONFERENCE (VALUE=URI), and the link as the LOCATION and in the
    description for clients that show no CONFERENCE: an online participant is not in the
    room, so the room and venue would send them to the wrong place."""
    if "LOCATION" in entry:
        del entry["LOCATION"]
    entry.add("LOCATION", vText(online.url))
    entry.add("CONFERENCE", vUri(online.url),
              parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": "Join online"})
    text = _join([f"Join online: {online.url}", online.details])
    before = str(entry.get("DESCRIPTION", "") or "")
    if "DESCRIPTION" in entry:
        del entry["DESCRIPTION"]
    entry.add("DESCRIPTION", vText("\n\n".join(p for p in (text, before) if p)))


def _all_day(event, site: Site) -> VEvent:
    cancelled = event.status == "cancelled"
    summary = clean_text(event.title)
    description = [event.description, f"Theme: {event.theme}" if event.theme else ""]
    if event.start_date is not None:
        # All-day DTEND is exclusive (RFC 5545 §3.6.1).
        start = event.start_date
        end = max(event.end_date or event.start_date, event.start_date) + timedelta(days=1)
        status = STATUS.CONFIRMED
    else:
        # Only the month is known: the whole month, tentative, and the text says why.
        start, end = month_span(event.tentative_month)
        status = STATUS.TENTATIVE
        description.insert(0, f"Dates to be confirmed: the event takes place in "
                              f"{MONTHS[start.month - 1]} {start.year}; the exact days follow.")
    return VEvent.new(
        uid=event_uid(event, site), stamp=event.updated_at, last_modified=event.updated_at,
        # Event.version only grows and moves on every public change.
        sequence=event.version,
        summary=f"Cancelled: {summary}" if cancelled else summary,
        start=start, end=end,
        location=_venue(event), description=_join(description), url=site.event_url(event),
        status=STATUS.CANCELLED if cancelled else status,
    )


def _session(event, item, site: Site, tz: tzinfo, location: str | None = None) -> VEvent:
    location = _venue(event) if location is None else location
    event_cancelled = event.status == "cancelled"
    cancelled = item.status == "cancelled" or event_cancelled
    stamp, sequence = item.updated_at, item.sequence
    if event_cancelled and item.status != "cancelled":
        # The item itself did not change, but it is off now: clients need a newer revision.
        stamp, sequence = max(stamp, event.updated_at), sequence + 1
    summary = clean_text(item.title)
    if cancelled:
        status = STATUS.CANCELLED
        # Google Calendar hides cancelled entries of subscribed feeds: say it in the title too.
        summary = f"Cancelled: {summary}"
    elif event.agenda_provisional:
        status = STATUS.TENTATIVE
    else:
        status = STATUS.CONFIRMED
    description = [
        item.description,
        f"{'Chair' if len(item.chairs) == 1 else 'Chairs'}: {', '.join(item.chairs)}"
        if item.chairs else "",
        f"Speakers: {', '.join(item.speakers)}" if item.speakers else "",
        "Provisional agenda: times are still to be confirmed." if event.agenda_provisional else "",
        event.title,
    ]
    url = site.event_url(event)
    return VEvent.new(
        uid=item_uid(event, item, site), stamp=stamp, last_modified=stamp, sequence=sequence,
        summary=summary, start=_wall_time(item.starts_at, tz),
        # A row whose end is not after its start becomes a point in time instead of an error.
        end=_wall_time(item.ends_at, tz) if item.ends_at > item.starts_at else None,
        location=clean_text(", ".join(p for p in (item.room, location) if p)),
        description=_join(description), url=f"{url}#item-{item.id}" if url else None,
        status=status,
    )


def _wall_time(moment: datetime, tz: tzinfo) -> datetime:
    """Local time for a TZID, or UTC where the local time happens twice (or the zone
    cannot be written as a VTIMEZONE: then `tz` is UTC).

    RFC 5545 §3.3.5 reads a repeated wall time as its first occurrence, so the
    second 01:30 of a DST fall-back night can only be written in UTC; and parsers that
    read our VTIMEZONE rules through dateutil (vobject) take the second one for the first,
    so both are written in UTC.
    """
    local = moment.astimezone(tz)
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return moment.astimezone(UTC)
    return local


def _venue(event) -> str:
    return "" if not (event.venue_name or event.city or event.venue_economy) else venue_label(event)


def _join(parts: list[str]) -> str | None:
    # Clean first: a part of control characters only is empty, not a blank paragraph.
    text = "\n\n".join(c for c in (clean_text(p) for p in parts if p) if c)
    return text or None


def _finish(cal: Calendar, components: list[VEvent], zones: _Zones,
            fallback_tz: str = "UTC") -> bytes:
    for component in components:
        cal.add_component(component)
    # Sorted: the bytes must not depend on a set's order, which differs between processes.
    tzids = sorted(cal.get_missing_tzids())
    if not components:
        # RFC 5545 wants at least one component; a VTIMEZONE keeps an empty feed valid.
        tzids = [fallback_tz if zones.writable(fallback_tz) else "UTC"]
    cal.subcomponents[0:0] = [vtimezone(t, zones.first, zones.last) for t in tzids]
    return cal.to_ical()


class _Zones:
    """The time zones of one document: the years it covers, and whether each zone's
    changes in those years can be written as an Outlook-readable VTIMEZONE."""

    def __init__(self, events: list) -> None:
        self.first, self.last = _date_range(events)

    def writable(self, tzid: str) -> bool:
        return zone_rules(tzid, self.first, self.last) is not None

    def tz(self, event) -> tzinfo:
        """The event's zone for DTSTART/DTEND, or UTC when it cannot be written or is UTC
        all along (vobject reads a TZID whose zone equals UTC as no zone at all)."""
        rules = zone_rules(event.timezone, self.first, self.last)
        if rules is None or (len(rules) == 1 and not rules[0].offset_to):
            return UTC
        return ZoneInfo(event.timezone)


def _date_range(events: list) -> tuple[date, date]:
    """Whole years around everything the events span, padded by a year on each side."""
    years = []
    for event in events:
        if event.start_date is not None:
            years += [event.start_date.year, (event.end_date or event.start_date).year]
            years += [t.year for item in event.published_items
                      for t in (item.starts_at, item.ends_at)]
        elif event.tentative_month:
            years.append(int(event.tentative_month[:4]))
    if not years:
        return date(2000, 1, 1), date(2001, 1, 1)
    return date(min(years) - 1, 1, 1), date(max(years) + 2, 1, 1)


# --- VTIMEZONE --------------------------------------------------------------------------------

# Outlook builds a zone from one STANDARD and one DAYLIGHT rule, each "the n-th (1-4) or
# last weekday of a month at a wall-clock time"; anything else (RDATE lists, BYMONTHDAY,
# rules that end) can leave it on one offset, an hour off for half the year.
_NTHS = (1, 2, 3, 4, -1)
# The yearly rule must hold this many years past the document, so that it is the zone's
# current rule and not a coincidence of a few years (Chile's "Sunday after the first
# Saturday" is the first Sunday in most years).
RULE_CHECK_YEARS = 10
# Rules are written from their onset in 1970, as tzurl.org, Apple and Mozilla write them:
# a rule's DTSTART inside the document's years makes vobject (which compares a zone with
# UTC over 2000-2020) take London's or Lisbon's rules for UTC and drop their TZID.
RULE_EPOCH = 1970


@dataclass(frozen=True)
class Observance:
    """One STANDARD or DAYLIGHT sub-component: a fixed offset, or a yearly rule."""

    daylight: bool
    start: datetime  # naive, wall-clock time before the change (TZOFFSETFROM)
    offset_from: timedelta
    offset_to: timedelta
    name: str
    byday: tuple[int, int] | None = None  # (n-th or -1 for last, weekday 0=Monday)


def _shape(onset: datetime) -> tuple[tuple[int, int, time], frozenset[int]]:
    """(month, weekday, time) of an onset and the n-th/last readings that fit its day."""
    length = gregorian.monthrange(onset.year, onset.month)[1]
    nths = {(onset.day - 1) // 7 + 1} & set(_NTHS)
    if onset.day + 7 > length:
        nths.add(-1)
    return (onset.month, onset.weekday(), onset.time()), frozenset(nths)


@lru_cache(maxsize=512)
def zone_rules(tzid: str, first: date, last: date) -> tuple[Observance, ...] | None:
    """The zone over [first, last) as Outlook-readable observances, or None.

    From the zone's own transitions (zoneinfo, the data every local time here was
    computed with). A zone that keeps one offset over the range is one STANDARD. A zone
    with daylight saving is one STANDARD and one DAYLIGHT rule: each change must happen
    once a year, every year from the range's first year to RULE_CHECK_YEARS past its
    end, in the same month, on the same n-th or last weekday, at the same wall-clock
    time. None otherwise (a rule that changed or ended inside the range, a one-off change
    of offset, a rule no n-th weekday describes): the caller writes UTC times instead.
    """
    start, end = datetime.combine(first, time(0), UTC), datetime.combine(last, time(0), UTC)
    if not transitions(tzid, start, end):
        # One offset: a STANDARD whose yearly rule changes nothing. Outlook reads it, and
        # so does the `ical` library, which takes a STANDARD without a rule to hold only at
        # its onset (and then reads every time as UTC).
        local = start.astimezone(ZoneInfo(tzid))
        offset = local.utcoffset()
        return (Observance(False, _nth_weekday(RULE_EPOCH, 1, 1, 6, time(0)), offset, offset,
                           local.tzname() or "", byday=(1, 6)),)
    checked_to = date(last.year + RULE_CHECK_YEARS, 1, 1)
    changes = transitions(tzid, start, datetime.combine(checked_to, time(0), UTC))
    kinds: dict[tuple, list[Transition]] = {}
    for change in changes:
        kinds.setdefault((change.before, change.after, change.dst, change.name), []).append(
            change)
    if len(kinds) != 2:
        return None
    observances = []
    for (before, after, _dst, name), onsets in kinds.items():
        years = [c.local_onset.year for c in onsets]
        if years != list(range(first.year, checked_to.year)):
            return None
        shapes = {_shape(c.local_onset)[0] for c in onsets}
        nths = frozenset(_NTHS).intersection(*(_shape(c.local_onset)[1] for c in onsets))
        if len(shapes) != 1 or not nths:
            return None
        # "Last" reads every month alike; otherwise the one n-th that fits every year.
        nth = -1 if -1 in nths else min(nths)
        month, weekday, at = shapes.pop()
        # DAYLIGHT is the change to the larger offset, whatever zoneinfo's DST flag says
        # (Europe/Dublin's winter time is "negative daylight saving"): Windows zones have
        # a standard bias and a daylight bias on top of it.
        observances.append(Observance(
            daylight=after > before, start=_nth_weekday(RULE_EPOCH, month, nth, weekday, at),
            offset_from=before, offset_to=after, name=name, byday=(nth, weekday)))
    if {o.daylight for o in observances} != {False, True}:
        return None
    return tuple(sorted(observances, key=lambda o: (o.start, o.daylight)))


def _nth_weekday(year: int, month: int, nth: int, weekday: int, at: time) -> datetime:
    """The n-th (or, for -1, the last) `weekday` (0=Monday) of a month, at `at`."""
    if nth == -1:
        last = date(year, month, gregorian.monthrange(year, month)[1])
        day = last - timedelta(days=(last.weekday() - weekday) % 7)
    else:
        first = date(year, month, 1)
        day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    return datetime.combine(day, at)


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def vtimezone(tzid: str, first: date, last: date) -> Timezone:
    """The VTIMEZONE of `tzid` for a document covering [first, last).

    :raises ValueError: the zone cannot be written (`zone_rules` is None); callers write
        its times in UTC instead.
    """
    rules = zone_rules(tzid, first, last)
    if rules is None:
        raise ValueError(f"{tzid} has changes no yearly rule describes in {first}–{last}")
    tz = Timezone()
    tz.add("TZID", tzid)
    for rule in rules:
        part = TimezoneDaylight() if rule.daylight else TimezoneStandard()
        part.add("DTSTART", rule.start)
        part.add("TZOFFSETFROM", rule.offset_from)
        part.add("TZOFFSETTO", rule.offset_to)
        if rule.name:
            part.add("TZNAME", rule.name)
        if rule.byday is not None:
            nth, weekday = rule.byday
            part.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": rule.start.month,
                               "BYDAY": f"{nth}{_WEEKDAYS[weekday]}"})
        tz.add_component(part)
    return tz
