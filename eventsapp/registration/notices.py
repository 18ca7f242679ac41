"""The emails a registrant receives, written to the outbox inside the service's transaction."""

from __future__ import annotations

from collections import OrderedDict

from flask import current_app, render_template, url_for

from ..calendar.ical import Online, build_event_attachment
from ..calendar.services import in_feeds
from ..mail.outbox import queue_email, secret_placeholder
from ..models import CONFIRMED, HYBRID, ONLINE, PENDING, Event, Registration


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


def _send(reg: Registration, subject: str, template: str,
          attachments: list[tuple[str, str, bytes]] | None = None, *,
          manage_token: str | None = None, **context) -> None:
    """Queue one message; a private link (`manage_token`) goes into the outbox sealed: the
    body keeps a placeholder, so a database dump opens nothing (mail/outbox.py)."""
    event = reg.event
    sealed = {}
    if manage_token is not None:
        placeholder = secret_placeholder("manage_url")
        sealed[placeholder] = url_for("registration.manage", token=manage_token,
                                      _external=True)
        context["manage_url"] = placeholder
    text = render_template(template, reg=reg, event=event,
                           event_url=url_for("events.event", slug=event.slug, _external=True),
                           privacy_url=url_for("privacy.notice", _external=True)
                           if "privacy.notice" in current_app.view_functions else None,
                           **context)
    queue_email(reg.email, f"{subject}: {_one_line(event.title)}", text, attachments or [],
                to_name=reg.full_name, sealed=sealed)


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
        _send(reg, "Registration confirmed", "mail/confirmation.txt", attachments,
              manage_token=token)
    elif reg.status == PENDING:
        _send(reg, "Registration received, awaiting approval", "mail/pending.txt",
              manage_token=token)
    else:
        _send(reg, "You are on the waiting list", "mail/waitlisted.txt",
              manage_token=token, position=position)


def approved(reg: Registration, position: int | None) -> None:
    """A pending registration was approved: confirmed, or waiting for a place."""
    new_link_url = url_for("registration.new_link", slug=reg.event.slug, _external=True)
    if reg.status == CONFIRMED:
        _send(reg, "Registration approved and confirmed", "mail/approved.txt",
              event_attachments(reg.event, online=_takes_part_online(reg)),
              new_link_url=new_link_url, position=None)
    else:
        _send(reg, "Registration approved: on the waiting list", "mail/approved.txt",
              new_link_url=new_link_url, position=position)


def declined(reg: Registration, reason: str) -> None:
    _send(reg, "Registration declined", "mail/declined.txt", reason=reason)


def replaced(old: Registration, new: Registration) -> None:
    """The person whose place went to a substitute."""
    _send(old, "Your place has gone to a substitute", "mail/replaced.txt", substitute=new)


def already_registered(event: Event, person) -> None:
    """Someone put a registered address in a delegation: told to that address, not to them."""
    text = render_template(
        "mail/already_registered.txt", person=person, event=event,
        event_url=url_for("events.event", slug=event.slug, _external=True),
        new_link_url=url_for("registration.new_link", slug=event.slug, _external=True))
    queue_email(person.email, f"You are registered already: {_one_line(event.title)}", text,
                to_name=f"{person.given_name} {person.family_name}")


def new_link(reg: Registration, token: str) -> None:
    _send(reg, "Your new private link", "mail/new_link.txt", manage_token=token)


def promoted(reg: Registration, *, by_organiser: bool = False) -> None:
    """:param by_organiser: confirmed by hand (over capacity), not because a place was freed."""
    _send(reg, "A place is yours", "mail/promoted.txt",
          event_attachments(reg.event, online=_takes_part_online(reg)),
          by_organiser=by_organiser,
          new_link_url=url_for("registration.new_link", slug=reg.event.slug, _external=True))


def cancelled(reg: Registration, *, by_organiser: bool, reason: str,
              withdrawn_by: str = "") -> None:
    _send(reg, "Registration cancelled", "mail/cancelled.txt", by_organiser=by_organiser,
          reason=reason, withdrawn_by=withdrawn_by)
