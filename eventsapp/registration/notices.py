"""The emails a registrant receives, written to the outbox inside the service's transaction."""

from __future__ import annotations

from collections import OrderedDict

from flask import current_app, render_template, url_for

from ..calendar.ical import Online, build_event_attachment
from ..calendar.services import in_feeds
from ..labels import date_label, venue_label
from ..mail import services as mail_services
from ..mail.outbox import queue_email, secret_placeholder
from ..mail.templates import render
from ..models import CONFIRMED, HYBRID, ONLINE, PENDING, Event, Registration
from ..reference import CATEGORIES, ECONOMIES
from ..tokens import derive_feed_token


def _one_line(text: str) -> str:
    return " ".join(text.split())


# Built files by event version: the version moves on every public change, so
# an entry is never stale and every process may keep its own copy.
_attachment_cache: OrderedDict[tuple, bytes] = OrderedDict()
ATTACHMENT_CACHE_SIZE = 32


def event_attachments(event: Event, *, online: bool = False) -> list[tuple[str, str, bytes]]:
    """The event's calendar file, so a confirmed delegate can add it in one click.

    An event with only a month gets a tentative entry for the month; one with neither
    days nor month gets no file (an empty calendar), and the email says why. With
    `online` (a confirmed online participant's email) the entries carry the meeting link
    (`Event.online_url`, RFC 7986 CONFERENCE).
    """
    if not in_feeds(event):
        return []
    link = Online(event.online_url, event.online_details or "") \
        if online and event.online_url else None
    # The database and updated_at keep apart events of different databases (tests, copies).
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], event.id, event.version,
           event.updated_at, link is not None)
    body = _attachment_cache.get(key)
    if body is None:
        body = build_event_attachment(event, online=link)
        _attachment_cache[key] = body
        while len(_attachment_cache) > ATTACHMENT_CACHE_SIZE:
            _attachment_cache.popitem(last=False)
    return [(f"{event.slug}.ics", "text/calendar", body)]


def placeholder_values(reg: Registration, **extra: str) -> dict[str, str]:
    """The registration's values for the system emails' placeholders (mail/templates.py):
    the data as registered, so the person can catch a typo before the door."""
    event = reg.event
    values = {
        "given_name": reg.given_name, "family_name": reg.family_name,
        "full_name": reg.full_name, "badge_name": reg.display_name,
        "economy": ECONOMIES.get(reg.economy or "", "None"),
        "category": CATEGORIES.get(reg.category, reg.category),
        "organisation": reg.organisation or "",
        "event": _one_line(event.title), "starts": date_label(event),
        "venue": venue_label(event),
        "event_url": url_for("events.event", slug=event.slug, _external=True),
        "new_link_url": url_for("registration.new_link", slug=event.slug, _external=True),
        "calendar_note": _calendar_note(event), "reason": "", "position": "",
    }
    values.update(extra)
    return values


def _calendar_note(event: Event) -> str:
    if event.start_date:
        return ""
    if event.tentative_month:
        return ("\nThe attached calendar entry covers the whole month, marked tentative:\n"
                "the exact days are still to be confirmed, and your calendar link will\n"
                "show them once they are set.\n")
    return ("\nNo calendar file is attached: the dates of this event are still to\n"
            "be confirmed. Your calendar link will show them once they are set.\n")


def _send(reg: Registration, key: str,
          attachments: list[tuple[str, str, bytes]] | None = None, *,
          manage_token: str | None = None, **extra: str) -> None:
    """Queue system email `key` in the event's wording (its override, or the default).

    A private link (`manage_token`) goes into the outbox sealed: the body keeps a
    placeholder, so a database dump opens nothing (mail/outbox.py).
    """
    event = reg.event
    wording = mail_services.wording(event.id, key)
    values = placeholder_values(reg, **extra)
    sealed = {}
    if manage_token is not None:
        links = {"manage_url": url_for("registration.manage", token=manage_token,
                                       _external=True)}
        if "calendar.personal_feed" in current_app.view_functions:
            links["calendar_url"] = url_for(
                "calendar.personal_feed", _external=True,
                feed_token=derive_feed_token(manage_token, reg.feed_token_version))
        for name, url in links.items():
            placeholder = secret_placeholder(name)
            sealed[placeholder] = url
            values[name] = placeholder
    text = render(wording.body, values).rstrip("\n") + "\n" + render_template(
        "mail/_footer.txt", event=event, event_url=values["event_url"],
        privacy_url=url_for("privacy.notice", _external=True)
        if "privacy.notice" in current_app.view_functions else None)
    # Only the placeholders the body really holds are sealed beside it.
    sealed = {p: url for p, url in sealed.items() if p in text}
    queue_email(reg.email, _one_line(render(wording.subject, values)), text,
                attachments or [], to_name=reg.full_name, sealed=sealed)


def _takes_part_online(reg: Registration) -> bool:
    """Confirmed and online (the rule of participation.services.online_link_for)."""
    return (reg.status == CONFIRMED and reg.participation == ONLINE
            and bool(reg.event.online_url)
            and reg.event.participation_mode in (ONLINE, HYBRID))


def registered(reg: Registration, token: str, position: int | None,
               attachments: list[tuple[str, str, bytes]]) -> None:
    if reg.status == CONFIRMED and _takes_part_online(reg):
        # The public file was built before the lock; the online one is cached per version.
        attachments = event_attachments(reg.event, online=True)
    if reg.status == CONFIRMED:
        _send(reg, "confirmation", attachments, manage_token=token)
    elif reg.status == PENDING:
        _send(reg, "pending", manage_token=token, decider=_decider(reg))
    else:
        _send(reg, "waitlisted", manage_token=token, position=str(position))


def approved(reg: Registration, position: int | None) -> None:
    """A pending registration was approved: confirmed, or waiting for a place."""
    if reg.status == CONFIRMED:
        _send(reg, "approved", event_attachments(reg.event, online=_takes_part_online(reg)))
    else:
        _send(reg, "approved_waitlisted", position=str(position))


def declined(reg: Registration, reason: str) -> None:
    _send(reg, "declined", reason=f"\nReason: {_one_line(reason)}" if reason else "",
          contact=_contact(reg))


def replaced(old: Registration, new: Registration) -> None:
    """The person whose place went to a substitute."""
    _send(old, "replaced", substitute_name=new.full_name, contact=_contact(old, head=True))


def _decider(reg: Registration) -> str:
    """Who decides on a pending registration, as the emails say it."""
    if reg.economy:
        return f"the focal point of {ECONOMIES.get(reg.economy, reg.economy)} or the secretariat"
    return "the secretariat"


def _contact(reg: Registration, *, head: bool = False) -> str:
    """Whom a person of `reg`'s economy asks about a decision."""
    if not reg.economy:
        return "the secretariat"
    focal = f"the focal point of {ECONOMIES.get(reg.economy, reg.economy)}"
    return f"your head of delegation or {focal}" if head else focal


def already_registered(event: Event, person) -> None:
    """Someone put a registered address in a delegation: told to that address, not to them."""
    text = render_template(
        "mail/already_registered.txt", person=person, event=event,
        event_url=url_for("events.event", slug=event.slug, _external=True),
        new_link_url=url_for("registration.new_link", slug=event.slug, _external=True))
    queue_email(person.email, f"You are registered already: {_one_line(event.title)}", text,
                to_name=f"{person.given_name} {person.family_name}")


def new_link(reg: Registration, token: str) -> None:
    _send(reg, "new_link", manage_token=token)


def promoted(reg: Registration, *, by_organiser: bool = False) -> None:
    """:param by_organiser: confirmed by hand (over capacity), not because a place was freed."""
    _send(reg, "promoted_by_organiser" if by_organiser else "promoted",
          event_attachments(reg.event, online=_takes_part_online(reg)))


def cancelled(reg: Registration, *, by_organiser: bool, reason: str,
              withdrawn_by: str = "") -> None:
    """:param withdrawn_by: who withdrew the person from their delegation ("your head of
        delegation"); empty when they cancelled or the organisers did."""
    reason_line = f"\nReason: {_one_line(reason)}" if reason else ""
    if withdrawn_by:
        _send(reg, "withdrawn", withdrawn_by=withdrawn_by, reason=reason_line)
    elif by_organiser:
        _send(reg, "cancelled_by_organiser", reason=reason_line)
    else:
        _send(reg, "cancelled")
