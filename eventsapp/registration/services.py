"""Registration rules: capacity, the waiting list, delegations and per-economy limits.

Every function that counts and then writes starts with `lock_event`, and reads
the rows it decides on only after that (a registration read before the lock can
be stale on PostgreSQL and cause a double promotion). Each one is a unit of work
(database.unit_of_work), so a refusal or a crash leaves nothing half-written, and
the emails it queues in the outbox leave only if the commit did.

The waiting list is served in arrival order, which is the order of ids: every
insert happens under the event's lock, so ids grow with arrival per event.
Whenever a place is free and someone waits, the head of the list is promoted
in the same transaction ("no free place while someone waits"); newcomers are
therefore never confirmed ahead of the list.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime
from functools import wraps

from flask import current_app
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit
from ..database import lock_event, unit_of_work
from ..events.services import registration_state
from ..extensions import db
from ..i18n import ngettext
from ..models import CANCELLED, CONFIRMED, WAITLISTED, Event, Registration, User, utcnow
from ..privacy.notices import current_notice_version
from ..textnorm import email_key
from ..tokens import derive_feed_token, hash_token, new_checkin_code, new_token
from . import notices
from .validation import RegistrationInput

ACTIVE = (CONFIRMED, WAITLISTED)


class RegistrationError(Exception):
    """A rule refused the change; str(exc) is the message for the person."""


class RegistrationClosed(RegistrationError):
    pass


class EventFull(RegistrationError):
    pass


class AlreadyRegistered(RegistrationError):
    pass


class EconomyLimitReached(RegistrationError):
    pass


class AlreadyCancelled(RegistrationError):
    pass


class CapacityError(RegistrationError):
    pass


class InvalidDelegation(RegistrationError):
    pass


@dataclass(frozen=True)
class Registered:
    registration: Registration
    token: str  # the raw management token: shown and mailed once, stored only as a hash
    position: int | None  # on the waiting list: 1 for its head; None when confirmed


def _writer(function=None, *, expire_on_commit: bool = True):
    """A registration use case: one unit of work (database.unit_of_work).

    These functions read what they decide on after `lock_event` (the event with
    populate_existing, registrations again under the lock), so the unit of work need not
    expire what the view loaded: one query less per registration.

    The only unique index a registration can break is (event, email): a twin request
    won the race, and the person is told they are registered already.
    """

    def decorate(function):
        @wraps(function)
        def wrapped(*args, **kwargs):
            try:
                with unit_of_work(expire_on_commit=expire_on_commit, reload=False):
                    return function(*args, **kwargs)
            except IntegrityError as exc:
                raise AlreadyRegistered(_already_message()) from exc

        return wrapped

    return decorate(function) if function is not None else decorate


# --- registering ----------------------------------------------------------------------------


def register(event: Event, data: RegistrationInput, *, user: User | None = None,
             notify: bool = True, now: datetime | None = None) -> Registered:
    """Register one person: confirmed while places are free, else waitlisted, else refused.

    :param now: the moment the registration window is judged at (default: the clock). Only
        the demo seed passes one, to fill its 2020 events as they were before they began;
        no view or API route does.
    :raises RegistrationClosed, EventFull, AlreadyRegistered, EconomyLimitReached:
    :raises LockTimeout: another writer held the event for too long (answer 503).
    """
    return _register_group(event, [data], head_of_delegation=False, user=user,
                           attachments=_attachments(event, notify), now=now)[0]


def register_delegation(event: Event, head: RegistrationInput,
                        members: list[RegistrationInput], *, user: User | None = None,
                        notify: bool = True, now: datetime | None = None) -> list[Registered]:
    """Register a head of delegation and their delegates, all or nothing.

    Everyone takes the head's economy. Places go in order (head first): when
    the event fills up part-way, the rest join the waiting list; without a
    waiting list, a delegation that does not fit entirely is refused.

    :param now: as for `register`.
    """
    if not head.economy:
        raise InvalidDelegation("A delegation represents an economy: choose the head's economy.")
    wrong = [m for m in members if m.economy not in (None, head.economy)]
    if wrong:
        raise InvalidDelegation("Every delegate of a delegation belongs to the head's economy.")
    return _register_group(event, [head, *members], head_of_delegation=True, user=user,
                           attachments=_attachments(event, notify), now=now)


def _attachments(event: Event, notify: bool) -> list[tuple[str, str, bytes]] | None:
    """None: send no email. The calendar file is the costliest part of the email; built
    before the lock, it does not hold up other registrants."""
    return notices.event_attachments(event) if notify else None


# The new rows hold exactly the values just written, so reloading them for the response
# would only cost two queries per registration, under a storm: they stay loaded.
@_writer(expire_on_commit=False)
def _register_group(event: Event, people: list[RegistrationInput], *, head_of_delegation: bool,
                    user: User | None, attachments: list[tuple[str, str, bytes]] | None,
                    now: datetime | None = None) -> list[Registered]:
    notify = attachments is not None
    ev = lock_event(event.id)
    is_open, reason = registration_state(ev, now)
    if not is_open:
        raise RegistrationClosed(reason)
    if len(people) > 1:
        # A delegation names who is registered already; for one person the unique index
        # answers the same, without a query on the way of every registration.
        _check_duplicates(ev, people)
    if head_of_delegation:
        economy = people[0].economy
        people = [p if p.economy else replace(p, economy=economy) for p in people]
    _check_economy_limits(ev, people)
    confirmed, waitlisted = ev.confirmed_count, ev.waitlisted_count  # loaded under the lock
    promoted = _fill_free_places(ev, (confirmed, waitlisted), user=user, notify=notify)
    confirmed, waitlisted = confirmed + len(promoted), waitlisted - len(promoted)
    _test_only_widen_race_window()
    places: list[tuple[str, int | None]] = []  # (status, waiting-list position)
    for _ in people:
        if ev.capacity is None or (confirmed < ev.capacity and waitlisted == 0):
            confirmed += 1
            places.append((CONFIRMED, None))
        elif ev.waitlist_enabled:
            # Last in arrival order, which is the list's order (see the module's docstring).
            waitlisted += 1
            places.append((WAITLISTED, waitlisted))
        else:
            raise EventFull(_full_message(ev, len(people)))
    results: list[Registered] = []
    head_id = None
    privacy_version = current_notice_version(ev.work_plan_id)  # what they accept
    for person, (status, position) in zip(people, places, strict=True):
        done = _insert(ev, person, status, position, head_id, privacy_version)
        if head_of_delegation and head_id is None:
            head_id = done.registration.id
        results.append(done)
    for done in results:
        audit.record("registered", done.registration, event_id=ev.id, user=user,
                     actor="" if user else "registrant", status=done.registration.status,
                     delegation_head_id=done.registration.delegation_head_id)
        if notify:
            notices.registered(done.registration, done.token, done.position, attachments)
    # The counters moved in the database (triggers): they alone are reloaded if read.
    db.session.expire(ev, ["confirmed_count", "waitlisted_count"])
    return results


def _test_only_widen_race_window() -> None:
    """The negative control of the race tests sleeps between counting and inserting."""
    config = current_app.config
    if config.get("TESTING") and config.get("TESTING_SKIP_CAPACITY_LOCK"):
        time.sleep(float(config.get("TESTING_SLEEP_AFTER_CAPACITY_CHECK") or 0))


def _full_message(ev: Event, n: int) -> str:
    if n == 1:
        return "This event is full and does not keep a waiting list."
    return (f"This event does not have {n} places left and does not keep a waiting list; "
            "the delegation was not registered.")


def _already_message() -> str:
    return ("This email address is already registered for this event. "
            "Use the private link in your confirmation email to see or change your registration.")


def _check_duplicates(ev: Event, people: list[RegistrationInput]) -> None:
    emails = [p.email_normalized for p in people]
    if len(set(emails)) != len(emails):
        raise AlreadyRegistered("Each delegate needs their own email address.")
    taken = db.session.scalars(
        select(Registration.email_normalized).where(
            Registration.event_id == ev.id, Registration.status.in_(ACTIVE),
            Registration.email_normalized.in_(emails))
    ).all()
    if taken:
        if len(people) == 1:
            raise AlreadyRegistered(_already_message())
        raise AlreadyRegistered(
            "Already registered for this event: " + ", ".join(sorted(taken))
            + ". Nobody in the delegation was registered.")


def _check_economy_limits(ev: Event, people: list[RegistrationInput]) -> None:
    if ev.per_economy_limit is None:
        return
    wanted: dict[str, int] = {}
    for p in people:
        if p.economy:
            wanted[p.economy] = wanted.get(p.economy, 0) + 1
    for economy, n in wanted.items():
        have = db.session.scalar(
            select(func.count()).select_from(Registration).where(
                Registration.event_id == ev.id, Registration.status.in_(ACTIVE),
                Registration.economy == economy)
        )
        if have + n > ev.per_economy_limit:
            left = max(ev.per_economy_limit - have, 0)
            raise EconomyLimitReached(
                ngettext("This event takes at most %(num)d participant per economy; ",
                         "This event takes at most %(num)d participants per economy; ",
                         ev.per_economy_limit)
                + ngettext("%(num)d place left for this economy.",
                           "%(num)d places left for this economy.", left))


# Core, built once. The counters are kept by triggers (models/counters.py), so after this
# transaction changed a registration the loaded event's copy is behind: read them again.
_events = Event.__table__.c
_COUNTS = select(_events.confirmed_count, _events.waitlisted_count).where(
    _events.id == bindparam("event_id"))


def _counts(ev: Event) -> tuple[int, int]:
    """(confirmed, waitlisted) as the rows stand now in this transaction (lock held)."""
    confirmed, waitlisted = db.session.execute(_COUNTS, {"event_id": ev.id}).one()
    return confirmed, waitlisted


# Core, on the table: one INSERT under the event's lock instead of a unit-of-work flush.
_REGISTRATION_INSERT = Registration.__table__.insert().returning(Registration.__table__.c.id)


def _insert(ev: Event, person: RegistrationInput, status: str, position: int | None,
            head_id: int | None, privacy_version: int | None) -> Registered:
    token = new_token()
    now = utcnow()
    row = {
        "event_id": ev.id, "given_name": person.given_name, "family_name": person.family_name,
        "badge_name": person.badge_name, "native_name": person.native_name,
        "email": person.email, "email_normalized": person.email_normalized,
        "search_key": person.search_key,
        "economy": person.economy, "organisation": person.organisation,
        "job_title": person.job_title, "sector": person.sector, "category": person.category,
        "dietary": person.dietary, "accessibility": person.accessibility,
        "consent_to_list": person.consent_to_list, "status": status,
        "delegation_head_id": head_id, "token_hash": hash_token(token),
        "feed_token_version": 1, "feed_token_hash": hash_token(derive_feed_token(token, 1)),
        "checkin_code": new_checkin_code(), "created_at": now, "updated_at": now,
        "promoted_at": None, "cancelled_at": None, "badge_printed_at": None, "note": "",
        "privacy_version": privacy_version, "anonymised_at": None,
    }
    reg_id = db.session.scalar(_REGISTRATION_INSERT, row)
    # The row holds exactly these values: the session takes the object as loaded, with no
    # second statement (every column is set above; a test fails if one is missing).
    reg = Registration(id=reg_id, **row)
    make_transient_to_detached(reg)
    db.session.add(reg)
    return Registered(reg, token, position)


def _fill_free_places(ev: Event, counts: tuple[int, int] | None = None, *, user: User | None,
                      notify: bool) -> list[Registration]:
    """Promote from the head of the waiting list while places are free (lock held).

    :param counts: (confirmed, waitlisted) as the caller just counted them under the lock.
    """
    confirmed, waitlisted = counts or _counts(ev)
    free = waitlisted if ev.capacity is None else min(ev.capacity - confirmed, waitlisted)
    if free <= 0:
        return []
    stmt = (select(Registration)
            .where(Registration.event_id == ev.id, Registration.status == WAITLISTED)
            .order_by(Registration.id).limit(free)
            .execution_options(populate_existing=True))
    promoted = list(db.session.scalars(stmt))
    now = utcnow()
    for reg in promoted:
        reg.status = CONFIRMED
        reg.promoted_at = now
        reg.updated_at = now
        audit.record("promoted", reg, event_id=ev.id, user=user,
                     actor="" if user else "system", reason="place freed")
        if notify:
            notices.promoted(reg)
    db.session.flush()
    return promoted


# --- changing -------------------------------------------------------------------------------


def _locked(registration: Registration) -> tuple[Event, Registration]:
    """Take the event lock, then re-read the registration as it is now."""
    ev = lock_event(registration.event_id)
    reg = db.session.execute(
        select(Registration).where(Registration.id == registration.id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    return ev, reg


@_writer
def cancel_registration(registration: Registration, *, user: User | None = None,
                        reason: str = "", notify: bool = True) -> list[Registration]:
    """Cancel and promote from the waiting list in the same transaction.

    Returns those promoted. A second cancel raises AlreadyCancelled (and so can
    never promote anyone twice).
    """
    ev, reg = _locked(registration)
    if reg.status == CANCELLED:
        raise AlreadyCancelled("This registration has already been cancelled.")
    was = reg.status
    now = utcnow()
    reg.status = CANCELLED
    reg.cancelled_at = now
    reg.updated_at = now
    db.session.flush()
    audit.record("cancelled", reg, event_id=ev.id, user=user,
                 actor="" if user else "registrant", previous_status=was, reason=reason)
    if notify:
        notices.cancelled(reg, by_organiser=user is not None, reason=reason)
    promoted = _fill_free_places(ev, user=user, notify=notify)
    return promoted


@_writer
def change_capacity(event: Event, capacity: int | None, *, user: User | None) -> list[Registration]:
    """Set the capacity (None: no limit) and promote into the new places.

    :raises CapacityError: below the number already confirmed (nobody is demoted
        silently; cancel registrations first) or not a whole number ≥ 0.
    """
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)
                                 or capacity < 0):
        raise CapacityError("The capacity must be a whole number of 0 or more, or no limit.")
    ev = lock_event(event.id)
    confirmed = ev.confirmed_count
    if capacity is not None and capacity < confirmed:
        raise CapacityError(
            ngettext("%(num)d person is already confirmed, so the capacity cannot be lower "
                     "than %(num)d.", "%(num)d people are already confirmed, so the capacity "
                     "cannot be lower than %(num)d.", confirmed)
            + " Cancel registrations first if places must go.")
    previous = ev.capacity
    ev.capacity = capacity
    ev.touch()
    audit.record("capacity_changed", ev, event_id=ev.id, user=user,
                 previous=previous, capacity=capacity)
    promoted = _fill_free_places(ev, user=user, notify=True)
    return promoted


@_writer
def set_waitlist(event: Event, enabled: bool, *, user: User | None) -> None:
    """Turn the waiting list on or off. Those already waiting keep their place in it."""
    ev = lock_event(event.id)
    ev.waitlist_enabled = bool(enabled)
    ev.touch()
    audit.record("waitlist_changed", ev, event_id=ev.id, user=user, enabled=bool(enabled))


@_writer
def promote_registration(registration: Registration, *, user: User | None, reason: str,
                         over_capacity: bool = False) -> Registration:
    """An organiser confirms someone from the waiting list by hand.

    Since a free place always goes to the head of the list at once, picking
    someone else means going over capacity: that needs `over_capacity=True`
    (and the reason is kept in the audit log).

    :raises RegistrationError: the registration is not on the waiting list.
    :raises CapacityError: no place is free and `over_capacity` is False.
    """
    ev, reg = _locked(registration)
    if reg.status != WAITLISTED:
        raise RegistrationError("Only someone on the waiting list can be promoted.")
    _fill_free_places(ev, user=user, notify=True)
    if reg.status != CONFIRMED:
        if not over_capacity:
            raise CapacityError(
                "The event is full. Raise the capacity, or confirm this person over "
                "capacity.")
        now = utcnow()
        reg.status = CONFIRMED
        reg.promoted_at = now
        reg.updated_at = now
        audit.record("promoted", reg, event_id=ev.id, user=user, reason=reason,
                     over_capacity=True)
        notices.promoted(reg, by_organiser=True)
    return reg


# --- bulk actions (the organiser's registrations list) ----------------------------------------


@dataclass(frozen=True)
class BulkResult:
    changed: list[Registration]  # the selected registrations this action changed, by id
    skipped: list[Registration]  # selected, but in no state the action applies to: untouched
    promoted: list[Registration]  # others confirmed from the head of the list as places freed


def _selected_locked(ev: Event, ids: list[int]) -> list[Registration]:
    """The registrations of `ev` among `ids`, re-read under the event's lock, by id."""
    wanted = sorted(set(ids))
    found: list[Registration] = []
    for i in range(0, len(wanted), 900):  # well under SQLite's bound-parameter limit
        found.extend(db.session.scalars(
            select(Registration).where(Registration.event_id == ev.id,
                                       Registration.id.in_(wanted[i:i + 900]))
            .execution_options(populate_existing=True)))
    return sorted(found, key=lambda r: r.id)


@_writer
def cancel_registrations(event: Event, ids: list[int], *, user: User, reason: str,
                         notify: bool = True) -> BulkResult:
    """Cancel the selected registrations of `event` at once, then promote into the places
    they freed; one audit entry and one email per person.

    One unit of work for the whole batch, under one hold of the event's lock: it happens
    all or not at all, and the waiting list is served once, after every selected person
    is out, so nobody selected is first promoted and then cancelled (two contradicting
    emails). Ids of other events are ignored; those already cancelled are skipped.

    :raises LockTimeout: another writer held the event for too long (answer 503).
    """
    ev = lock_event(event.id)
    selected = _selected_locked(ev, ids)
    now = utcnow()
    changed = [r for r in selected if r.status != CANCELLED]
    skipped = [r for r in selected if r.status == CANCELLED]
    was = {r.id: r.status for r in changed}
    # One UPDATE per chunk and one INSERT for the audit entries, not a flush per person:
    # the event stays locked while this runs (1,000 people: about a second, not three).
    changed_ids = [r.id for r in changed]
    for i in range(0, len(changed_ids), 900):
        db.session.execute(
            update(Registration).where(Registration.id.in_(changed_ids[i:i + 900]))
            .values(status=CANCELLED, cancelled_at=now, updated_at=now)
            .execution_options(synchronize_session=False))
    for reg in changed:  # the loaded objects as the rows now are, nothing left to flush
        for name, value in (("status", CANCELLED), ("cancelled_at", now), ("updated_at", now)):
            set_committed_value(reg, name, value)
    audit.record_each("cancelled", changed, event_id=ev.id, user=user, details=lambda r: {
        "previous_status": was[r.id], "reason": reason, "bulk": len(selected)})
    if notify:
        for reg in changed:
            notices.cancelled(reg, by_organiser=True, reason=reason)
    promoted = _fill_free_places(ev, user=user, notify=notify) if changed else []
    return BulkResult(changed, skipped, promoted)


@_writer
def promote_registrations(event: Event, ids: list[int], *, user: User, reason: str,
                          over_capacity: bool = False) -> BulkResult:
    """Confirm the selected people from the waiting list; one audit entry and one email each.

    A free place always goes to the head of the list first (as for one person,
    `promote_registration`); a selected person still waiting after that can only be
    confirmed over capacity, which needs `over_capacity=True`. One unit of work: all of
    them or none. Ids of other events are ignored; those not on the waiting list are
    skipped.

    :raises CapacityError: someone selected needs a place beyond the capacity and
        `over_capacity` is False; nothing changes.
    :raises LockTimeout: another writer held the event for too long (answer 503).
    """
    ev = lock_event(event.id)
    selected = _selected_locked(ev, ids)
    waiting_before = {r.id for r in selected if r.status == WAITLISTED}
    freed = _fill_free_places(ev, user=user, notify=True)
    still_waiting = [r for r in selected if r.status == WAITLISTED]
    if still_waiting and not over_capacity:
        n = len(still_waiting)
        raise CapacityError(
            f"The event is full: confirming {'this person' if n == 1 else f'these {n} people'}"
            f" goes over the capacity of {ev.capacity} by {n}. Raise the capacity, or "
            "confirm over capacity.")
    now = utcnow()
    for reg in still_waiting:
        reg.status = CONFIRMED
        reg.promoted_at = now
        reg.updated_at = now
        audit.record("promoted", reg, event_id=ev.id, user=user, reason=reason,
                     over_capacity=True, bulk=len(selected))
        notices.promoted(reg, by_organiser=True)
    changed = [r for r in selected if r.id in waiting_before]
    skipped = [r for r in selected if r.id not in waiting_before]
    chosen = {r.id for r in selected}
    return BulkResult(changed, skipped, [r for r in freed if r.id not in chosen])


@_writer
def update_registration(registration: Registration, data: RegistrationInput, *,
                        user: User | None = None) -> Registration:
    """Change a registrant's details; the status and place in the list are kept.

    :raises AlreadyCancelled: the registration was cancelled.
    :raises AlreadyRegistered: the new email address is registered already.
    :raises EconomyLimitReached: the new economy has no place left.
    """
    ev, reg = _locked(registration)
    if reg.status == CANCELLED:
        raise AlreadyCancelled("A cancelled registration cannot be changed.")
    if data.email_normalized != reg.email_normalized:
        _check_duplicates(ev, [data])
    if data.economy and data.economy != reg.economy:
        _check_economy_limits(ev, [data])
    changed = []
    for name in RegistrationInput.__dataclass_fields__:
        if getattr(reg, name) != getattr(data, name):
            setattr(reg, name, getattr(data, name))
            changed.append(name)
    reg.email_normalized = data.email_normalized
    if changed:
        reg.updated_at = utcnow()
        audit.record("updated", reg, event_id=ev.id, user=user,
                     actor="" if user else "registrant", fields=changed)
    return reg


@_writer
def send_new_link(event: Event, email: str) -> bool:
    """Email a new private link to the active registration of `email` at `event`, if any.

    Only hashes of links are kept, so a lost link cannot be sent again: a new one replaces
    it, and the personal calendar link derived from it changes too. The email goes to the
    registered address, so asking for it gives nobody else the link. Returns whether one
    was sent; a page must not tell, or it would say who is registered.
    """
    ev = lock_event(event.id)
    reg = db.session.scalar(select(Registration).where(
        Registration.event_id == ev.id, Registration.status.in_(ACTIVE),
        Registration.email_normalized == email_key(email)))
    if reg is None:
        return False
    _renew_link(reg, ev)
    return True


def _renew_link(reg: Registration, ev: Event, **details) -> str:
    """A new private link for `reg` (the old one and its calendar link stop working), mailed
    to the registered address; returns the new token. Under the event's lock."""
    token = new_token()
    reg.token_hash = hash_token(token)
    reg.feed_token_version += 1
    reg.feed_token_hash = hash_token(derive_feed_token(token, reg.feed_token_version))
    reg.updated_at = utcnow()
    audit.record("link_renewed", reg, event_id=ev.id, actor="registrant", **details)
    notices.new_link(reg, token)
    return token


@_writer
def renew_link_for_verified_address(registration_id: int, address_key: str) -> str | None:
    """A new private link for a registration of a verified address (My meetings), mailed to
    it as well; returns the token, or None when the registration is not that address's.

    Only the links' hashes are kept, so the page can be opened only with a new link; the
    earlier one (and its calendar link) stops working, as with "Lost your link?".
    """
    event_id = db.session.scalar(select(Registration.event_id).where(
        Registration.id == registration_id, Registration.email_normalized == address_key))
    if event_id is None:
        return None
    ev = lock_event(event_id)
    reg = db.session.scalar(select(Registration).where(
        Registration.id == registration_id, Registration.email_normalized == address_key)
        .execution_options(populate_existing=True))
    if reg is None:
        return None
    return _renew_link(reg, ev, via="my meetings")


# --- reading --------------------------------------------------------------------------------


def find_by_token(token: str) -> Registration | None:
    """The registration a management token opens, or None.

    Every string is hashed and looked up the same way, so malformed and
    unknown tokens are indistinguishable (and no comparison touches the secret).
    """
    if not isinstance(token, str):
        return None
    return db.session.scalar(
        select(Registration).where(Registration.token_hash == hash_token(token)))


def find_by_feed_token(feed_token: str) -> Registration | None:
    if not isinstance(feed_token, str):
        return None
    return db.session.scalar(
        select(Registration).where(Registration.feed_token_hash == hash_token(feed_token)))


def waitlist_position(registration: Registration) -> int | None:
    """1 for the head of the waiting list; None unless waitlisted."""
    if registration.status != WAITLISTED:
        return None
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.event_id == registration.event_id, Registration.status == WAITLISTED,
            Registration.id <= registration.id)
    )


def feed_token_for(registration: Registration, token: str) -> str:
    """The personal calendar token, from the management token the registrant holds."""
    return derive_feed_token(token, registration.feed_token_version)
