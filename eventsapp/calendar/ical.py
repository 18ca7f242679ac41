"""iCalendar documents built from models: pure functions, models in, bytes out.

Same data, same bytes: nothing here reads the clock or makes a uuid. DTSTAMP
and LAST-MODIFIED come from `updated_at`, every UID and the calendar UID are
derived from database ids and a configured domain, and time zones are added in
sorted order. Text reaches the output only through icalendar properties, which
escape `,` `;` `\\` and newlines, so no title or room can start a new line.

UIDs never contain a token, an email address or a registration id, so a
personal feed, the public feeds and the confirmation email's attachment all
describe the same entries and clients merge them instead of duplicating.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from icalendar import STATUS, Calendar, Timezone, vText
from icalendar import Event as VEvent

from ..labels import venue_label
from .services import in_feeds

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
    components = [c for ev in events for c in _entries(ev, site, with_agenda=with_agenda)]
    # Without agendas every entry is all-day: no time zone range, so no items to load for one.
    return _finish(cal, components, events if with_agenda else [])


def event_calendar(event, site: Site) -> bytes:
    """One event's published agenda; the event as one all-day entry while it has none."""
    cal = _calendar(name=clean_text(event.title),
                    description=clean_text(f"Agenda of {event.title} ({venue_label(event)})"),
                    url=site.event_url(event), uid=f"event-{event.id}-calendar@{site.uid_domain}")
    return _finish(cal, _entries(event, site, with_agenda=True), [event],
                   fallback_tz=event.timezone)


def agenda_item_file(event, item, site: Site) -> bytes:
    """A single agenda item to import ("add to calendar")."""
    cal = _calendar(name=clean_text(item.title), uid=item_uid(event, item, site), method="PUBLISH")
    return _finish(cal, [_session(event, item, site)], [event])


def personal_calendar(title: str, events: Iterable, site: Site) -> bytes:
    """The events one registrant is confirmed for, with their agendas.

    No calendar UID: a per-person one would have to come from the person.
    """
    cal = _calendar(name=clean_text(title),
                    description="Meetings you are registered for, with their agendas.")
    events = list(events)
    components = [c for ev in events for c in _entries(ev, site, with_agenda=True)]
    return _finish(cal, components, events)


def build_event_attachment(event, site: Site | None = None) -> bytes:
    """The event's .ics for a confirmation email.

    METHOD:PUBLISH and no ORGANIZER, so clients import it and never send a
    reply; the only link inside is the public event page, because people
    forward these files. Without `site`, it comes from the current app's config.
    """
    if site is None:
        from flask import current_app

        site = Site.from_config(current_app.config)
    cal = _calendar(name=clean_text(event.title), method="PUBLISH",
                    uid=f"event-{event.id}-calendar@{site.uid_domain}")
    return _finish(cal, _entries(event, site, with_agenda=True), [event],
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


def _entries(event, site: Site, *, with_agenda: bool) -> list[VEvent]:
    if not in_feeds(event):
        return []
    if with_agenda and event.published_items:
        tz = ZoneInfo(event.timezone)
        location = _venue(event)
        return [_session(event, item, site, tz, location) for item in event.published_items]
    return [_all_day(event, site)]


def _all_day(event, site: Site) -> VEvent:
    cancelled = event.status == "cancelled"
    summary = clean_text(event.title)
    description = [event.description, f"Theme: {event.theme}" if event.theme else ""]
    return VEvent.new(
        uid=event_uid(event, site), stamp=event.updated_at, last_modified=event.updated_at,
        # Event.version only grows and moves on every public change.
        sequence=event.version,
        summary=f"Cancelled: {summary}" if cancelled else summary,
        start=event.start_date,
        # All-day DTEND is exclusive (RFC 5545 §3.6.1).
        end=max(event.end_date or event.start_date, event.start_date) + timedelta(days=1),
        location=_venue(event), description=_join(description), url=site.event_url(event),
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
    )


def _session(event, item, site: Site, tz: ZoneInfo | None = None,
             location: str | None = None) -> VEvent:
    tz = tz or ZoneInfo(event.timezone)
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
        f"Chair: {', '.join(item.chairs)}" if item.chairs else "",
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


def _wall_time(moment: datetime, tz: ZoneInfo) -> datetime:
    """Local time for a TZID, or UTC where the local time happens twice.

    RFC 5545 §3.3.5 reads a repeated wall time as its first occurrence, so the
    second 01:30 of a DST fall-back night can only be written in UTC.
    """
    local = moment.astimezone(tz)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local


def _venue(event) -> str:
    return "" if not (event.venue_name or event.city or event.venue_economy) else venue_label(event)


def _join(parts: list[str]) -> str | None:
    # Clean first: a part of control characters only is empty, not a blank paragraph.
    text = "\n\n".join(c for c in (clean_text(p) for p in parts if p) if c)
    return text or None


def _finish(cal: Calendar, components: list[VEvent], events: list,
            fallback_tz: str = "UTC") -> bytes:
    for component in components:
        cal.add_component(component)
    tzids = sorted(cal.get_missing_tzids())
    if not components:
        # RFC 5545 wants at least one component; a VTIMEZONE keeps an empty feed valid.
        tzids = [fallback_tz]
    first, last = _date_range(events)
    # Sorted, not add_missing_timezones(): it walks a set, whose order differs between
    # processes, and the bytes must not. The range covers every item (2039 included).
    cal.subcomponents[0:0] = [Timezone.from_tzid(t, first_date=first, last_date=last)
                              for t in tzids]
    return cal.to_ical()


def _date_range(events: list) -> tuple[date, date]:
    """Whole years around everything the events span, padded by a year on each side."""
    years = []
    for event in events:
        if not in_feeds(event):
            continue
        years += [event.start_date.year, (event.end_date or event.start_date).year]
        years += [t.year for item in event.published_items for t in (item.starts_at, item.ends_at)]
    if not years:
        return date(2000, 1, 1), date(2001, 1, 1)
    return date(min(years) - 1, 1, 1), date(max(years) + 2, 1, 1)
