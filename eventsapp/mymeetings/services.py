"""My meetings: a delegate proves an address by a one-time link, then sees every registration
of that address across the year and keeps one personal feed of all of them.

Sign-in (`request_sign_in`): every valid address gets the same email with a link, whether
or not anybody registered with it, so neither the answer, its timing nor the number of
mails written tells who is registered (an address with no registration simply sees an
empty list). The link's secret is 256 bits from `secrets`, kept only as its SHA-256 hash,
sealed in the outbox, valid for SIGN_IN_LIFETIME and used once: one conditional UPDATE
claims it, so two tabs cannot both use it. Using it opens a session of SESSION_LIFETIME
(its own secret, also kept hashed) that the person can end.

Addresses are compared in one form, `textnorm.email_key` (the form
`Registration.email_normalized` holds), after NFKC: "ANA@Example.org" and a full-width
"ａｎａ@ｅｘａｍｐｌｅ.ｏｒｇ" are the same person.

The year feed is one secret URL per address (`YearFeed`): its hash for lookup, the secret
sealed so that the verified person can see the URL again; reset writes a new secret (the
old URL answers 404), delete ends it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import render_template, url_for
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from .. import audit
from ..calendar.services import EPOCH, PUBLIC_STATUSES, FeedState, feed_order, in_feeds
from ..database import unit_of_work
from ..extensions import db
from ..mail.outbox import queue_email, secret_placeholder
from ..models import (
    CANCELLED,
    AddressSignIn,
    Event,
    Registration,
    YearFeed,
    utcnow,
)
from ..participation.services import OnlineLink, online_link_for
from ..sealing import SealError, seal, unseal
from ..textnorm import canonical_email
from ..tokens import hash_token, looks_like_token, new_token

SIGN_IN_LIFETIME = timedelta(minutes=30)
SESSION_LIFETIME = timedelta(hours=1)
FEED_SEAL_PURPOSE = "year-feed"
# Statuses a feed leaves out: the person is not coming ("declined" arrives with
# accreditation, issue 16).
NOT_COMING = (CANCELLED, "declined")

INVALID_MESSAGE = ("This sign-in link has expired or has been used already. Each link works "
                   "once, for 30 minutes: ask for a new one below.")


class SignInInvalid(Exception):
    """The link is unknown, used or expired; the message is for the person."""


def address_key(address: str) -> str:
    """The comparison form of a typed address: NFKC, then `textnorm.canonical_email`."""
    return canonical_email(unicodedata.normalize("NFKC", address))


# --- signing in ----------------------------------------------------------------------------


def request_sign_in(address: str, *, now: datetime | None = None) -> None:
    """Mail `address` a one-time sign-in link. Same work for every address (no oracle).

    :param address: a valid address (registration/validation.py: clean_email).
    """
    now = now or utcnow()
    token = new_token()
    placeholder = secret_placeholder("sign_in_url")
    body = render_template("mail/my_sign_in.txt", url=placeholder,
                           lifetime="30 minutes", my_url=url_for("my.start", _external=True))
    with unit_of_work(reload=False):
        db.session.add(AddressSignIn(email_key=address_key(address),
                                     token_hash=hash_token(token), created_at=now,
                                     expires_at=now + SIGN_IN_LIFETIME))
        queue_email(address, "Your sign-in link to My meetings", body, sealed={
            placeholder: url_for("my.sign_in", token=token, _external=True)})


def valid_sign_in(token: str, now: datetime | None = None) -> AddressSignIn | None:
    """The unused, unexpired sign-in link `token` opens, or None."""
    if not isinstance(token, str) or not looks_like_token(token):
        return None
    link = db.session.scalar(select(AddressSignIn).where(
        AddressSignIn.token_hash == hash_token(token)))
    now = now or utcnow()
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return link


def use_sign_in(token: str, now: datetime | None = None) -> str:
    """Use the link up and open a session; returns the session's secret (for the cookie).

    :raises SignInInvalid: the link is unknown, used (also by a twin request) or expired.
    """
    now = now or utcnow()
    if valid_sign_in(token, now) is None:
        raise SignInInvalid(INVALID_MESSAGE)
    session_secret = new_token()
    with unit_of_work(reload=False):
        # One statement claims the link: of two requests with it, one wins.
        claimed = db.session.execute(
            update(AddressSignIn).where(AddressSignIn.token_hash == hash_token(token),
                                        AddressSignIn.used_at.is_(None),
                                        AddressSignIn.expires_at > now)
            .values(used_at=now, session_hash=hash_token(session_secret),
                    session_expires_at=now + SESSION_LIFETIME)
            .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            raise SignInInvalid(INVALID_MESSAGE)
    return session_secret


@dataclass(frozen=True)
class Verified:
    """A live session: the address key it proved and when it ends."""

    address_key: str
    expires_at: datetime


def verified(session_secret: str | None, now: datetime | None = None) -> Verified | None:
    """The session `session_secret` opens, if it has neither expired nor been ended."""
    if not isinstance(session_secret, str) or not looks_like_token(session_secret):
        return None
    row = db.session.execute(
        select(AddressSignIn.email_key, AddressSignIn.session_expires_at,
               AddressSignIn.ended_at)
        .where(AddressSignIn.session_hash == hash_token(session_secret))).first()
    now = now or utcnow()
    if row is None or row.ended_at is not None or row.session_expires_at <= now:
        return None
    return Verified(row.email_key, row.session_expires_at)


def end_session(session_secret: str | None) -> None:
    """End the session (any copy of the cookie stops working)."""
    if not isinstance(session_secret, str) or not looks_like_token(session_secret):
        return
    with unit_of_work(reload=False):
        db.session.execute(
            update(AddressSignIn).where(AddressSignIn.session_hash == hash_token(session_secret),
                                        AddressSignIn.ended_at.is_(None))
            .values(ended_at=utcnow()).execution_options(synchronize_session=False))


# --- what the address holds ----------------------------------------------------------------


def registrations_of(key: str) -> list[Registration]:
    """Every registration of the address, with its event, by the event's dates."""
    regs = db.session.scalars(
        select(Registration).join(Event)
        .where(Registration.email_normalized == key, Event.status != "draft")
        .options(selectinload(Registration.event))).all()
    return sorted(regs, key=lambda r: (_starts(r.event), r.event.id, r.id))


def _starts(event: Event):
    if in_feeds(event):
        return feed_order(event)[0]
    return datetime.max.date()


def feed_of(key: str) -> YearFeed | None:
    return db.session.scalar(select(YearFeed).where(YearFeed.email_key == key))


def feed_secret(feed: YearFeed) -> str | None:
    """The feed's secret for its URL, or None when SECRET_KEY changed (reset it then)."""
    try:
        return unseal(feed.token_sealed, FEED_SEAL_PURPOSE)
    except SealError:
        return None


def start_or_reset_feed(key: str, *, alarms: bool) -> str:
    """Give the address a year feed, or a new URL for it (the old URL stops at once);
    returns the secret."""
    token = new_token()
    now = utcnow()
    with unit_of_work():
        feed = feed_of(key)
        if feed is None:
            feed = YearFeed(email_key=key, created_at=now)
            db.session.add(feed)
            action = "year_feed_started"
        else:
            action = "year_feed_reset"
        feed.token_hash = hash_token(token)
        feed.token_sealed = seal(token, FEED_SEAL_PURPOSE)
        feed.alarms = alarms
        feed.updated_at = now
        db.session.flush()
        audit.record(action, feed, actor="registrant", alarms=alarms)
    return token


def set_feed_alarms(key: str, alarms: bool) -> bool:
    """Turn the feed's alarms on or off (same URL); returns whether anything changed."""
    with unit_of_work():
        feed = feed_of(key)
        if feed is None or feed.alarms == alarms:
            return False
        feed.alarms = alarms
        feed.updated_at = utcnow()
        audit.record("year_feed_alarms", feed, actor="registrant", alarms=alarms)
    return True


def stop_feed(key: str) -> bool:
    """Delete the address's feed: its URL answers 404 from now on."""
    with unit_of_work():
        feed = feed_of(key)
        if feed is None:
            return False
        audit.record("year_feed_stopped", feed, actor="registrant")
        db.session.delete(feed)
    return True


# --- the feed ------------------------------------------------------------------------------


def find_feed(token: str) -> YearFeed | None:
    if not isinstance(token, str) or not looks_like_token(token):
        return None
    return db.session.scalar(select(YearFeed).where(YearFeed.token_hash == hash_token(token)))


def _feed_rows_stmt(key: str):
    return (select(Registration.id, Registration.status, Registration.participation,
                   Registration.updated_at, Event.id.label("event_id"), Event.version,
                   Event.start_date, Event.tentative_month,
                   Event.updated_at.label("event_updated_at"))
            .join(Event, Registration.event_id == Event.id)
            .where(Registration.email_normalized == key,
                   Registration.status.not_in(NOT_COMING),
                   Event.status.in_(PUBLIC_STATUSES)))


def feed_state(feed: YearFeed) -> FeedState:
    """What the feed's bytes depend on: its registrations' statuses, their events' versions,
    the alarms; read from columns, so a 304 loads no agenda."""
    rows = db.session.execute(
        _feed_rows_stmt(feed.email_key).order_by(Registration.id)).all()
    # The participation too: a confirmed online participant's entry carries the meeting link.
    shown = tuple((r.id, r.status, r.participation, r.event_id, r.version)
                  for r in rows if in_feeds(r))
    # A registration leaving the feed (cancelled) moves only its own updated_at.
    left = db.session.scalar(
        select(Registration.updated_at).where(Registration.email_normalized == feed.email_key)
        .order_by(Registration.updated_at.desc()).limit(1))
    last = max([r.event_updated_at for r in rows] + [left or EPOCH, feed.updated_at])
    return FeedState(key=("year", feed.id, feed.alarms, shown), last_modified=last)


def feed_online_links(feed: YearFeed) -> dict[int, OnlineLink]:
    """Event id → the meeting link, for each event the feed shows where the address is a
    confirmed online participant (`online_link_for`); nobody else's entry carries one."""
    regs = db.session.scalars(
        select(Registration).join(Event, Registration.event_id == Event.id)
        .where(Registration.email_normalized == feed.email_key,
               Registration.status.not_in(NOT_COMING), Event.status.in_(PUBLIC_STATUSES))
        .options(selectinload(Registration.event))).all()
    return {r.event_id: link for r in regs if (link := online_link_for(r)) is not None}


def feed_entries(feed: YearFeed) -> list[tuple[Event, str]]:
    """(event with its published agenda, registration status) for each registration the
    feed shows, by date."""
    ids = dict(db.session.execute(
        _feed_rows_stmt(feed.email_key).with_only_columns(Event.id, Registration.status)).all())
    events = db.session.scalars(select(Event).where(Event.id.in_(ids))
                                .options(selectinload(Event.published_items))).all()
    return [(ev, ids[ev.id]) for ev in sorted((e for e in events if in_feeds(e)),
                                                key=feed_order)]
