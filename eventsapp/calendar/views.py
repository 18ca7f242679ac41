"""Calendar routes: public feeds, single-item downloads, personal feeds and their reset."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for

from ..events.services import current_work_plan, get_public_event
from ..extensions import limiter
from ..participation.services import online_link_for
from ..registration.services import find_by_feed_token, find_by_token
from . import ical, services
from .http import calendar_response

bp = Blueprint("calendar", __name__)

NOT_FOUND = "There is no calendar at this address."
PERSONAL_TITLE = "My registered meetings"


def _site() -> ical.Site:
    # Link targets follow the address the app is configured with (or was asked for);
    # UIDs never follow the Host header (Site.from_config).
    return ical.Site.from_config(current_app.config,
                                 base_url=url_for("events.index", _external=True))


@bp.get("/calendar.ics")
def programme_feed():
    work_plan = current_work_plan()
    if work_plan is None:
        abort(404, NOT_FOUND)
    with_agenda = request.args.get("agenda") == "1"
    state = services.programme_state(work_plan)
    site = _site()

    def build() -> bytes:
        events = services.programme_events(work_plan, with_agenda=with_agenda)
        return ical.programme_calendar(work_plan, events, site, with_agenda=with_agenda)

    return calendar_response((state.key, with_agenda, site), state.last_modified, build,
                             filename=f"{work_plan.group_abbr}-{work_plan.year}.ics")


@bp.get("/events/<slug>/calendar.ics")
def event_feed(slug: str):
    found = services.public_event_state(slug)
    if found is None:
        abort(404, NOT_FOUND)
    event_id, state = found
    site = _site()
    return calendar_response(
        (state.key, site), state.last_modified,
        lambda: ical.event_calendar(services.event_with_agenda(event_id), site),
        filename=f"{slug}.ics")


@bp.get("/events/<slug>/agenda/<int:item_id>.ics")
def agenda_item(slug: str, item_id: int):
    event = get_public_event(slug)
    item = services.published_item(event, item_id) if event and event.dates_confirmed else None
    if item is None:
        abort(404, NOT_FOUND)
    state = services.event_state(event)
    site = _site()
    return calendar_response((state.key, item_id, site), state.last_modified,
                             lambda: ical.agenda_item_file(event, item, site),
                             filename=f"{slug}-{item_id}.ics", download=True)


@bp.get("/registrations/<feed_token>/calendar.ics")
def personal_feed(feed_token: str):
    registration = find_by_feed_token(feed_token)
    if registration is None:
        abort(404, NOT_FOUND)
    state = services.personal_state(registration)
    site = _site()
    # A confirmed online participant's feed carries the meeting link: the cache keeps it
    # apart from everyone else's body (the link's changes move the event's version).
    link = online_link_for(registration)
    online = {registration.event_id: ical.Online(link.url, link.details)} if link else None

    def build() -> bytes:
        events = services.personal_events(registration)
        return ical.personal_calendar(PERSONAL_TITLE, events, site, online)

    return calendar_response((state.key, site, online is not None), state.last_modified, build,
                             filename="my-meetings.ics", private=True)


def _management_limit() -> str:
    # The same budget as the registrant's page (S4); the feeds themselves have no limit (C9).
    return current_app.config.get("RATELIMIT_MANAGE", "30 per minute")


@bp.post("/registrations/<token>/calendar/reset")
@limiter.limit(_management_limit)
def reset_feed(token: str):
    registration = find_by_token(token)
    if registration is None:
        abort(404, "There is no registration at this address.")
    services.reset_feed_token(registration, token)
    flash("Your calendar link has been reset. The old link has stopped working: subscribe "
          "again with the new link below, and remove the old calendar from your apps.", "success")
    return redirect(url_for("registration.manage", token=token), code=303)


@bp.app_template_global()
def subscribe_links(feed_url: str, name: str) -> dict[str, str]:
    """Subscribe links for a feed's https URL: webcal://, Google Calendar, Outlook."""
    webcal = "webcal://" + feed_url.split("://", 1)[-1]
    return {
        "https": feed_url,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?url="
                   + quote(feed_url, safe="") + "&name=" + quote(name, safe=""),
        "outlook_work": "https://outlook.office.com/calendar/0/addfromweb?url="
                        + quote(feed_url, safe="") + "&name=" + quote(name, safe=""),
    }
