"""Registration rules: capacity, the waiting list, delegations, modes and limits.

Every function that counts and then writes starts with `lock_event`, and reads
the rows it decides on only after that (a registration read before the lock can
be stale on PostgreSQL and cause a double promotion). Each one is a unit of work
(database.unit_of_work), so a refusal or a crash leaves nothing half-written, and
the emails it queues in the outbox leave only if the commit did.

The waiting list is served in the order people joined it: each newcomer to it takes
the event's next number (`Event.waitlist_seq`, moved under the lock), so someone
approved later joins behind those already waiting, and a substitute keeps the number
of the person they replace. Whenever a place is free and someone waits, the head of
the list is promoted in the same transaction ("no free place while someone waits");
newcomers are therefore never confirmed ahead of the list.

Who registers decides what is checked (DESIGN.md, "Registration modes and accreditation"):
- the public (no user, not trusted): only the event's public categories; in `approval`
  mode the registration is `pending` and holds no place; in `invitation` mode only with
  an invitation (`invitation_token`), which places at once with what it pre-assigns;
- staff and the seed (`trusted`, or a user): any category, placed at once.
Quotas (`limits.py`) are checked whenever a place is taken; one head of delegation per
economy whenever a head is made.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime
from functools import wraps

from flask import current_app
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit
from ..database import lock_event, unit_of_work
from ..events.services import registration_state
from ..extensions import db
from ..i18n import ngettext
from ..models import (
    ACCEPTED,
    ACTIVE_STATUSES,
    APPROVAL,
    CANCELLED,
    CONFIRMED,
    DECLINED,
    HYBRID,
    IN_PERSON,
    INVITATION,
    INVITED,
    ONLINE,
    OPEN,
    PARTICIPATIONS,
    PENDING,
    REFUSED,
    WAITLISTED,
    Event,
    Invitation,
    Registration,
    User,
    utcnow,
)
from ..privacy.notices import current_notice_version
from ..reference import CATEGORIES
from ..textnorm import email_key
from ..tokens import derive_feed_token, hash_token, new_checkin_code, new_token
from . import notices
from .errors import (
    AlreadyCancelled,
    AlreadyRegistered,
    CapacityError,
    EconomyLimitReached,
    EventFull,
    HeadOfDelegationTaken,
    InvalidDelegation,
    InvitationError,
    NotAllowed,
    NotPending,
    ParticipationFull,
    QuotaReached,
    RegistrationClosed,
    RegistrationError,
)
from .limits import Seat, check_head_free, check_places, head_taken_message
from .validation import RegistrationInput, ValidationFailed

__all__ = [
    "AlreadyCancelled", "AlreadyRegistered", "CapacityError", "EconomyLimitReached",
    "EventFull", "HeadOfDelegationTaken", "InvalidDelegation", "InvitationError",
    "NotAllowed", "NotPending", "ParticipationFull", "QuotaReached", "RegistrationClosed",
    "RegistrationError",
]

ACTIVE = ACTIVE_STATUSES  # the address is taken: pending, confirmed or waitlisted


@dataclass(frozen=True)
class Registered:
    registration: Registration
    token: str  # the raw management token: shown and mailed once, stored only as a hash
    position: int | None  # on the waiting list: 1 for its head; None when confirmed


def writer(function=None, *, expire_on_commit: bool = True):
    """A registration use case: one unit of work (database.unit_of_work).

    These functions read what they decide on after `lock_event` (the event with
    populate_existing, registrations again under the lock), so the unit of work need not
    expire what the view loaded: one query less per registration.

    A unique index broken at commit means a twin request won the race: (event, email)
    tells the person they are registered already; (event, economy) of heads, that the
    economy has its head of delegation.
    """

    def decorate(function):
        @wraps(function)
        def wrapped(*args, **kwargs):
            try:
                with unit_of_work(expire_on_commit=expire_on_commit, reload=False):
                    return function(*args, **kwargs)
            except IntegrityError as exc:
                raise integrity_refusal(exc) from exc

        return wrapped

    return decorate(function) if function is not None else decorate


def integrity_refusal(exc: IntegrityError) -> RegistrationError:
    """The refusal a unique index stands for (PostgreSQL names it; SQLite its columns)."""
    text = str(exc.orig)
    if "uq_registration_head" in text or "registration.economy" in text:
        return HeadOfDelegationTaken(head_taken_message(None))
    return AlreadyRegistered(_already_message())


# --- registering ----------------------------------------------------------------------------


def register(event: Event, data: RegistrationInput, *, user: User | None = None,
             notify: bool = True, trusted: bool = False,
             invitation_token: str | None = None,
             now: datetime | None = None) -> Registered:
    """Register one person: pending (approval mode), else confirmed while places are free,
    else waitlisted, else refused.

    :param trusted: staff or the seed: any category, no mode gate (a `user` is trusted).
    :param invitation_token: the secret of the person's invitation link; required in
        `invitation` mode, and it pre-assigns category and economy.
    :param now: the moment the registration window is judged at (default: the clock). Only
        the demo seed passes one, to fill its 2020 events as they were before they began;
        no view or API route does.
    :raises ValidationFailed: the public chose a category the event does not offer
        (`{"category": [...]}`).
    :raises RegistrationClosed, EventFull, AlreadyRegistered, EconomyLimitReached,
        QuotaReached, HeadOfDelegationTaken, InvitationError:
    :raises LockTimeout: another writer held the event for too long (answer 503).
    """
    return _register_group(event, [data], _How(
        user=user, trusted=trusted or user is not None, leader=False,
        attachments=_attachments(event, notify), invitation_token=invitation_token, now=now))[0]


def add_delegate(event: Event, data: RegistrationInput, *, head: Registration,
                 notify: bool = True) -> Registered | None:
    """The head of delegation adds someone to their delegation, by the public's rules
    (the event's mode and public categories; the head's economy).

    An address registered already is not named (see `register_delegation`): that
    address is emailed, and None is returned.

    :raises NotAllowed: `head` is not an active head of delegation of this event.
    :raises AlreadyRegistered: the address is a member of the head's own delegation already.
    :raises ValidationFailed, RegistrationClosed, EventFull, EconomyLimitReached, QuotaReached:
    """
    data = replace(data, economy=head.economy)
    # Someone the head already sees in their delegation is named (nothing is revealed).
    member = db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.economy == head.economy,
        Registration.status.in_(ACTIVE), Registration.email_normalized == data.email_normalized))
    if member is not None:
        raise AlreadyRegistered(f"{member.full_name} is in your delegation already, with this "
                                "email address.")
    done = _register_group(event, [data], _How(
        user=None, trusted=False, leader=False, attachments=_attachments(event, notify),
        invitation_token=None, quiet=True, head=head))
    return done[0] if done else None


def register_delegation(event: Event, head: RegistrationInput,
                        members: list[RegistrationInput], *, user: User | None = None,
                        notify: bool = True, trusted: bool = False,
                        now: datetime | None = None) -> list[Registered]:
    """Register the person who leads a delegation and their delegates together.

    Everyone takes the leader's economy. Places go in order (leader first): when the
    event fills up part-way, the rest join the waiting list; without a waiting list, a
    delegation that does not fit entirely is refused; any other refusal registers nobody.

    Submitted by the public, an address already registered for the event is not named
    (the form would tell anyone who is registered where): it is left out, and that
    address is emailed that it is registered already. Returns those registered.

    :param now: as for `register`.
    """
    if not head.economy:
        raise InvalidDelegation("A delegation represents an economy: choose the head's economy.")
    wrong = [m for m in members if m.economy not in (None, head.economy)]
    if wrong:
        raise InvalidDelegation("Every delegate of a delegation belongs to the head's economy.")
    trusted = trusted or user is not None
    return _register_group(event, [head, *members], _How(
        user=user, trusted=trusted, leader=True, attachments=_attachments(event, notify),
        invitation_token=None, quiet=not trusted, now=now))


@dataclass(frozen=True)
class _How:
    user: User | None
    trusted: bool
    leader: bool  # the first person leads a delegation: the others are linked to them
    attachments: list[tuple[str, str, bytes]] | None  # None: send no email
    invitation_token: str | None
    # Addresses registered already are left out and told by email, not named (public forms).
    quiet: bool = False
    head: Registration | None = None  # newcomers join this head's delegation
    now: datetime | None = None  # the moment the registration window is judged at


def _attachments(event: Event, notify: bool) -> list[tuple[str, str, bytes]] | None:
    """None: send no email. The calendar file is the costliest part of the email; built
    before the lock, it does not hold up other registrants."""
    return notices.event_attachments(event) if notify else None


# The new rows hold exactly the values just written, so reloading them for the response
# would only cost two queries per registration, under a storm: they stay loaded.
@writer(expire_on_commit=False)
def _register_group(event: Event, people: list[RegistrationInput],
                    how: _How) -> list[Registered]:
    notify = how.attachments is not None
    user = how.user
    now = how.now
    ev = lock_event(event.id)
    is_open, reason = registration_state(ev, now)
    if not is_open:
        raise RegistrationClosed(reason)
    invitation = None
    if how.invitation_token is not None:
        invitation = _invitation_for(ev, how.invitation_token, people[0])
        people = [_as_invited(people[0], invitation)]
    elif not how.trusted:
        if ev.registration_mode == INVITATION:
            raise RegistrationClosed(
                "Registration for this event is by invitation only: use the link in the "
                "invitation email you received.")
        check_public_categories(ev, people)
    pending = not how.trusted and invitation is None and ev.registration_mode == APPROVAL
    if how.leader:
        economy = people[0].economy
        people = [p if p.economy else replace(p, economy=economy) for p in people]
    people = with_participation(ev, people, chosen_by_public=not how.trusted)
    if how.head is not None:
        _check_head(ev, how.head)
    leader_kept = True
    if len(people) > 1 or how.quiet:
        emails = [p.email_normalized for p in people]
        if len(set(emails)) != len(emails):
            raise AlreadyRegistered("Each delegate needs their own email address.")
        taken = set(_taken(ev, emails))
        if taken and not how.quiet:
            raise AlreadyRegistered(
                "Already registered for this event: " + ", ".join(sorted(taken))
                + ". Nobody in the delegation was registered.")
        if taken:
            # Not named: each of them is told by email instead, after the commit.
            for p in people:
                if p.email_normalized in taken and notify:
                    notices.already_registered(ev, p)
            leader_kept = people[0].email_normalized not in taken
            people = [p for p in people if p.email_normalized not in taken]
            if not people:
                return []
    # One person: the unique index answers "registered already", without a query on the
    # way of every registration.
    seats = [Seat(p.category, p.economy) for p in people]
    check_head_free(ev, seats)
    if pending:
        places: list[tuple[str, int | None, int | None]] = [(PENDING, None, None)] * len(people)
    else:
        check_places(ev, seats)
        if ev.participation_mode == HYBRID:
            fill_free_places(ev, user=user, notify=notify)
            pools = pool_counts(ev)
        else:
            confirmed, waitlisted = ev.confirmed_count, ev.waitlisted_count  # under the lock
            promoted = fill_free_places(ev, (confirmed, waitlisted), user=user, notify=notify)
            pools = {ev.participation_mode: (confirmed + len(promoted),
                                             waitlisted - len(promoted))}
        test_only_widen_race_window()
        places = take_places(ev, [p.participation for p in people], pools)
    results: list[Registered] = []
    head_id = how.head.id if how.head is not None else None
    privacy_version = current_notice_version(ev.work_plan_id)  # what they accept
    for person, (status, position, seq) in zip(people, places, strict=True):
        done = insert_registration(ev, person, status, position, head_id, waitlist_seq=seq,
                                   approved=user is not None and status != PENDING,
                                   privacy_version=privacy_version)
        if how.leader and leader_kept and head_id is None:
            head_id = done.registration.id
        results.append(done)
    if invitation is not None:
        invitation.status = ACCEPTED
        invitation.responded_at = utcnow()
        invitation.registration_id = results[0].registration.id
    for done in results:
        audit.record("registered", done.registration, event_id=ev.id, user=user,
                     actor="" if user else "registrant", status=done.registration.status,
                     delegation_head_id=done.registration.delegation_head_id,
                     invitation_id=invitation.id if invitation is not None else None)
        if notify:
            notices.registered(done.registration, done.token, done.position, how.attachments)
    # The counters moved in the database (triggers): they alone are reloaded if read.
    db.session.expire(ev, ["confirmed_count", "waitlisted_count"])
    return results


def _check_head(ev: Event, head: Registration) -> None:
    """:raises NotAllowed: `head` no longer leads an active delegation of `ev` (lock held)."""
    fresh = db.session.get(Registration, head.id, populate_existing=True)
    if (fresh is None or fresh.event_id != ev.id or not fresh.is_head
            or fresh.status not in ACTIVE or not fresh.economy):
        raise NotAllowed("Only the economy's head of delegation can add to its delegation.")


def check_public_categories(ev: Event, people: list[RegistrationInput]) -> None:
    """:raises ValidationFailed: someone chose a category the public may not choose here."""
    offered = public_categories(ev)
    if all(p.category in offered for p in people):
        return
    names = " or ".join(CATEGORIES.get(c, c) for c in offered)
    raise ValidationFailed({"category": [
        f"Choose a category this event offers: {names}. Heads of delegation, speakers, "
        "media and the secretariat are named by the organisers or the economy's focal "
        "point."]})


def public_categories(ev: Event) -> list[str]:
    """The categories the public form offers, in the reference order."""
    chosen = set(ev.public_categories or ())
    return [c for c in CATEGORIES if c in chosen]


def take_places(ev: Event, modes: list[str],
                pools: dict[str, tuple[int, int]]) -> list[tuple[str, int | None, int | None]]:
    """(status, waiting-list position, waiting-list number) for newcomers (lock held), one
    per entry of `modes` (each one's participation, `with_participation`).

    Each mode is a pool with its own capacity (`pool_capacity`) and waiting list
    (`pools`: mode → (confirmed, waitlisted) counted under the lock). Confirmed while the
    pool has a free place and nobody waits in it; else at the end of that pool's waiting
    list, each with the event's next number (one numbering for the event; positions count
    within the pool).

    :raises EventFull: no place and no waiting list (nothing is taken).
    """
    pools = dict(pools)
    places: list[tuple[str, int | None, int | None]] = []
    for mode in modes:
        capacity = pool_capacity(ev, mode)
        confirmed, waitlisted = pools.get(mode, (0, 0))
        if capacity is None or (confirmed < capacity and waitlisted == 0):
            confirmed += 1
            places.append((CONFIRMED, None, None))
        elif ev.waitlist_enabled:
            waitlisted += 1
            places.append((WAITLISTED, waitlisted, None))
        else:
            raise EventFull(_full_message(ev, len(modes), mode))
        pools[mode] = (confirmed, waitlisted)
    # Numbers are handed out only once everyone fits: a refusal moves no counter.
    for i, (status, position, _) in enumerate(places):
        if status == WAITLISTED:
            ev.waitlist_seq = (ev.waitlist_seq or 0) + 1
            places[i] = (status, position, ev.waitlist_seq)
    return places


def pool_capacity(ev: Event, mode: str) -> int | None:
    """The capacity `mode`'s participants share: a hybrid event's per-mode capacity, else
    the event's one capacity (None: no limit)."""
    if ev.participation_mode != HYBRID:
        return ev.capacity
    return ev.capacity_in_person if mode == IN_PERSON else ev.capacity_online


def pool_modes(ev: Event) -> tuple[str, ...]:
    """The pools places are counted in: both modes of a hybrid event, else the event's one."""
    return PARTICIPATIONS if ev.participation_mode == HYBRID else (ev.participation_mode,)


def pool_counts(ev: Event) -> dict[str, tuple[int, int]]:
    """Mode → (confirmed, waitlisted) as the rows stand in this transaction (lock held).

    A single-mode event reads the trigger-kept counters (one row); a hybrid event counts
    its holding rows by participation with one grouped query over
    `ix_registration_event_status` (bench/participation.py, 5,000 registrations: 1.5 ms on
    SQLite, 2.8 ms on PostgreSQL, against 0.02/0.09 ms for the counters).
    """
    if ev.participation_mode != HYBRID:
        return {ev.participation_mode: counts(ev)}
    found = {m: [0, 0] for m in PARTICIPATIONS}
    rows = db.session.execute(
        select(Registration.participation, Registration.status, func.count())
        .where(Registration.event_id == ev.id,
               Registration.status.in_((CONFIRMED, WAITLISTED)))
        .group_by(Registration.participation, Registration.status))
    for mode, status, n in rows:
        pair = found.setdefault(mode, [0, 0])
        pair[0 if status == CONFIRMED else 1] += n
    return {m: (c, w) for m, (c, w) in found.items()}


def with_participation(ev: Event, people: list[RegistrationInput], *,
                       chosen_by_public: bool) -> list[RegistrationInput]:
    """Each person with the participation they take (lock held).

    A single-mode event fixes it (asking for the other mode is refused). In a hybrid event
    the public must choose; staff and the seed default to in person; a delegate who chose
    nothing takes the leader's choice.

    :raises ValidationFailed: `{"participation": [...]}`.
    """
    mode = ev.participation_mode
    if mode != HYBRID:
        if any(p.participation not in (None, mode) for p in people):
            where = "online only" if mode == ONLINE else "in person only"
            raise ValidationFailed({"participation": [
                f"This event takes place {where}: leave the choice out or choose {mode}."]})
        return [p if p.participation == mode else replace(p, participation=mode)
                for p in people]
    first = people[0].participation if people else None
    if first is None and chosen_by_public:
        raise ValidationFailed({"participation": [
            "This event is hybrid: choose whether you take part in person or online."]})
    fallback = first or IN_PERSON
    return [p if p.participation else replace(p, participation=fallback) for p in people]


def test_only_widen_race_window() -> None:
    """The negative control of the race tests sleeps between counting and inserting."""
    config = current_app.config
    if config.get("TESTING") and config.get("TESTING_SKIP_CAPACITY_LOCK"):
        time.sleep(float(config.get("TESTING_SLEEP_AFTER_CAPACITY_CHECK") or 0))


def _full_message(ev: Event, n: int, mode: str = IN_PERSON) -> str:
    if ev.participation_mode == HYBRID:
        where = "in person" if mode == IN_PERSON else "online"
        return (f"The places to take part {where} are all taken and this event does not keep "
                "a waiting list" + ("." if n == 1 else "; the delegation was not registered."))
    if n == 1:
        return "This event is full and does not keep a waiting list."
    return (f"This event does not have {n} places left and does not keep a waiting list; "
            "the delegation was not registered.")


def _already_message() -> str:
    return ("This email address is already registered for this event. "
            "Use the private link in your confirmation email to see or change your registration.")


def _taken(ev: Event, emails: list[str]) -> list[str]:
    return list(db.session.scalars(
        select(Registration.email_normalized).where(
            Registration.event_id == ev.id, Registration.status.in_(ACTIVE),
            Registration.email_normalized.in_(emails))))


def check_address_free(ev: Event, email_normalized: str) -> None:
    """:raises AlreadyRegistered: the address holds an active registration of `ev`."""
    if _taken(ev, [email_normalized]):
        raise AlreadyRegistered(_already_message())


# --- invitations (the link's checks; sending them is invitations/services.py) --------------


def _invitation_for(ev: Event, token: str, person: RegistrationInput) -> Invitation:
    """The open invitation of `ev` that `token` opens, for `person`'s address (lock held).

    :raises InvitationError: unknown, used, declined, expired, or for another address.
    """
    invitation = find_invitation(token)
    if invitation is None or invitation.event_id != ev.id:
        raise InvitationError(
            "This invitation link is not valid. Use the most recent invitation email: a "
            "reminder replaces the earlier link.")
    if invitation.status == ACCEPTED:
        raise InvitationError(
            "This invitation has been used to register already. The registration's private "
            "link was emailed to the invited address.")
    if invitation.status == REFUSED:
        raise InvitationError("This invitation was declined. Ask the organisers to invite "
                              "you again if you wish to come.")
    if invitation.is_expired():
        raise InvitationError("This invitation has expired. Ask the organisers for a new one.")
    if person.email_normalized != invitation.email_normalized:
        raise InvitationError(
            "This invitation is for another email address. Invitations cannot be passed "
            "on: ask the organisers to invite the person who will come.")
    return invitation


def _as_invited(person: RegistrationInput, invitation: Invitation) -> RegistrationInput:
    """What the organisers pre-assigned wins over what was sent."""
    changes = {}
    if invitation.category:
        changes["category"] = invitation.category
    if invitation.economy:
        changes["economy"] = invitation.economy
    return replace(person, **changes) if changes else person


def find_invitation(token: str) -> Invitation | None:
    """The invitation a link's secret opens, looked up by hash (no timing oracle)."""
    if not isinstance(token, str):
        return None
    return db.session.scalar(select(Invitation).where(
        Invitation.token_hash == hash_token(token)).execution_options(populate_existing=True))


def invitation_is_open(invitation: Invitation) -> bool:
    return invitation.status == INVITED and not invitation.is_expired()


# Core, built once. The counters are kept by triggers (models/counters.py), so after this
# transaction changed a registration the loaded event's copy is behind: read them again.
_events = Event.__table__.c
_COUNTS = select(_events.confirmed_count, _events.waitlisted_count).where(
    _events.id == bindparam("event_id"))


def counts(ev: Event) -> tuple[int, int]:
    """(confirmed, waitlisted) as the rows stand now in this transaction (lock held)."""
    confirmed, waitlisted = db.session.execute(_COUNTS, {"event_id": ev.id}).one()
    return confirmed, waitlisted

# Core, on the table: one INSERT under the event's lock instead of a unit-of-work flush.
_REGISTRATION_INSERT = Registration.__table__.insert().returning(Registration.__table__.c.id)


def insert_registration(ev: Event, person: RegistrationInput, status: str, position: int | None,
                        head_id: int | None, *, waitlist_seq: int | None = None,
                        approved: bool = False, replaces: Registration | None = None,
                        privacy_version: int | None = None) -> Registered:
    token = new_token()
    now = utcnow()
    row = {
        "event_id": ev.id, "honorific": person.honorific, "given_name": person.given_name,
        "family_name": person.family_name,
        "badge_name": person.badge_name, "native_name": person.native_name,
        "email": person.email, "email_normalized": person.email_normalized,
        "search_key": person.search_key,
        "economy": person.economy, "organisation": person.organisation,
        "job_title": person.job_title, "sector": person.sector, "category": person.category,
        "dietary": person.dietary, "accessibility": person.accessibility,
        "consent_to_list": person.consent_to_list, "status": status,
        "participation": person.participation or (
            IN_PERSON if ev.participation_mode == HYBRID else ev.participation_mode),
        "delegation_head_id": head_id, "waitlist_seq": waitlist_seq,
        "nominated_at": replaces.nominated_at if replaces else None,
        "nominated_by_id": replaces.nominated_by_id if replaces else None,
        "approved_at": (replaces.approved_at if replaces else now if approved else None),
        "declined_at": None, "decline_reason": "",
        "replaces_id": replaces.id if replaces else None,
        "token_hash": hash_token(token),
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

# Waiting-list order: the number taken on joining it; rows from before the numbers
# (NULL) came first, in id order.
WAITLIST_ORDER = (Registration.waitlist_seq.asc().nulls_first(), Registration.id)


def fill_free_places(ev: Event, counts_now: tuple[int, int] | None = None, *,
                     user: User | None, notify: bool) -> list[Registration]:
    """Promote from the head of each waiting list while its pool has free places (lock
    held): a hybrid event serves its in-person and online lists separately, so a freed
    online place goes to the first person waiting online.

    :param counts_now: (confirmed, waitlisted) as the caller just counted them under the
        lock (single-mode events only; a hybrid event counts its pools itself).
    """
    if ev.participation_mode == HYBRID:
        pools = pool_counts(ev)
    else:
        pools = {ev.participation_mode: counts_now or counts(ev)}
    promoted: list[Registration] = []
    for mode, (confirmed, waitlisted) in pools.items():
        capacity = pool_capacity(ev, mode)
        free = waitlisted if capacity is None else min(capacity - confirmed, waitlisted)
        if free <= 0:
            continue
        stmt = (select(Registration)
                .where(Registration.event_id == ev.id, Registration.status == WAITLISTED)
                .order_by(*WAITLIST_ORDER).limit(free)
                .execution_options(populate_existing=True))
        if ev.participation_mode == HYBRID:
            stmt = stmt.where(Registration.participation == mode)
        promoted.extend(db.session.scalars(stmt))
    if not promoted:
        return []
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


def locked(registration: Registration) -> tuple[Event, Registration]:
    """Take the event lock, then re-read the registration as it is now."""
    ev = lock_event(registration.event_id)
    reg = db.session.execute(
        select(Registration).where(Registration.id == registration.id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    return ev, reg


@writer
def cancel_registration(registration: Registration, *, user: User | None = None,
                        reason: str = "", notify: bool = True,
                        withdrawn_by: str = "") -> list[Registration]:
    """Cancel and promote from the waiting list in the same transaction.

    Returns those promoted. A second cancel raises AlreadyCancelled (and so can
    never promote anyone twice).

    :param withdrawn_by: who withdrew the person from their delegation, for the email
        ("your head of delegation"); empty when they cancelled or the organisers did.
    """
    ev, reg = locked(registration)
    if reg.status == CANCELLED:
        raise AlreadyCancelled("This registration has already been cancelled.")
    if reg.status == DECLINED:
        raise AlreadyCancelled("This registration was declined; there is nothing to cancel.")
    was = reg.status
    now = utcnow()
    reg.status = CANCELLED
    reg.cancelled_at = now
    reg.updated_at = now
    db.session.flush()
    audit.record("cancelled", reg, event_id=ev.id, user=user,
                 actor="" if user else "head of delegation" if withdrawn_by else "registrant",
                 previous_status=was, reason=reason)
    if notify:
        notices.cancelled(reg, by_organiser=user is not None, reason=reason,
                          withdrawn_by=withdrawn_by)
    promoted = fill_free_places(ev, user=user, notify=notify)
    return promoted


@writer
def change_capacity(event: Event, capacity: int | None, *, user: User | None) -> list[Registration]:
    """Set the capacity (None: no limit) and promote into the new places.

    :raises CapacityError: below the number already confirmed (nobody is demoted
        silently; cancel registrations first) or not a whole number ≥ 0.
    """
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)
                                 or capacity < 0):
        raise CapacityError("The capacity must be a whole number of 0 or more, or no limit.")
    ev = lock_event(event.id)
    if ev.participation_mode == HYBRID:
        raise CapacityError(
            "This event is hybrid: its places are set per mode (in person, online) on its "
            "Participation page, and its capacity is their sum.")
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
    promoted = fill_free_places(ev, user=user, notify=True)
    return promoted


@writer
def set_waitlist(event: Event, enabled: bool, *, user: User | None) -> None:
    """Turn the waiting list on or off. Those already waiting keep their place in it."""
    ev = lock_event(event.id)
    ev.waitlist_enabled = bool(enabled)
    ev.touch()
    audit.record("waitlist_changed", ev, event_id=ev.id, user=user, enabled=bool(enabled))


@writer
def promote_registration(registration: Registration, *, user: User | None, reason: str,
                         over_capacity: bool = False) -> Registration:
    """An organiser confirms someone from the waiting list by hand.

    Since a free place always goes to the head of the list at once, picking
    someone else means going over capacity: that needs `over_capacity=True`
    (and the reason is kept in the audit log).

    :raises RegistrationError: the registration is not on the waiting list.
    :raises CapacityError: no place is free and `over_capacity` is False.
    """
    ev, reg = locked(registration)
    if reg.status != WAITLISTED:
        raise RegistrationError("Only someone on the waiting list can be promoted.")
    fill_free_places(ev, user=user, notify=True)
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


@writer
def cancel_registrations(event: Event, ids: list[int], *, user: User, reason: str,
                         notify: bool = True) -> BulkResult:
    """Cancel the selected registrations of `event` at once, then promote into the places
    they freed; one audit entry and one email per person.

    One unit of work for the whole batch, under one hold of the event's lock: it happens
    all or not at all, and the waiting list is served once, after every selected person
    is out, so nobody selected is first promoted and then cancelled (two contradicting
    emails). Ids of other events are ignored; those already cancelled or declined are
    skipped.

    :raises LockTimeout: another writer held the event for too long (answer 503).
    """
    ev = lock_event(event.id)
    selected = _selected_locked(ev, ids)
    now = utcnow()
    changed = [r for r in selected if r.status not in (CANCELLED, DECLINED)]
    skipped = [r for r in selected if r.status in (CANCELLED, DECLINED)]
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
    promoted = fill_free_places(ev, user=user, notify=notify) if changed else []
    return BulkResult(changed, skipped, promoted)


@writer
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
    freed = fill_free_places(ev, user=user, notify=True)
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


@writer
def update_registration(registration: Registration, data: RegistrationInput, *,
                        user: User | None = None) -> Registration:
    """Change a registrant's details; the status and place in the list are kept.

    Without `user` the registrant changes their own: a category only to one the public
    may choose, and a head of delegation keeps the role and the economy (staff change
    those). With a held place, a new category or economy must fit its limits.

    :raises AlreadyCancelled: the registration was cancelled or declined.
    :raises AlreadyRegistered: the new email address is registered already.
    :raises ValidationFailed: the registrant chose a category the event does not offer.
    :raises EconomyLimitReached, QuotaReached: the new economy or category has no place.
    :raises HeadOfDelegationTaken: made head of an economy that has one.
    :raises NotAllowed: a head of delegation changing their own role or economy, or anyone
        changing their economy at a meeting that is not open (approval, invitation).
    """
    ev, reg = locked(registration)
    if reg.status in (CANCELLED, DECLINED):
        raise AlreadyCancelled(f"A {reg.status} registration cannot be changed.")
    moved = data.category != reg.category or data.economy != reg.economy
    if user is None and moved:
        if reg.is_head:
            raise NotAllowed("A head of delegation's role and economy are changed by the "
                             "economy's focal point or the secretariat.")
        if data.economy != reg.economy and ev.registration_mode != OPEN:
            # Otherwise a delegate approved by one economy would join another's delegation
            # without its focal point's approval.
            raise NotAllowed("At this meeting your economy's focal point approves your "
                             "registration, so your economy cannot be changed here: ask the "
                             "secretariat or register again for the other economy.")
        if data.category != reg.category:
            check_public_categories(ev, [data])
    if data.email_normalized != reg.email_normalized:
        check_address_free(ev, data.email_normalized)
    if moved:
        check_head_free(ev, [Seat(data.category, data.economy)], except_id=reg.id)
        if reg.status in (CONFIRMED, WAITLISTED):
            check_places(ev, [Seat(data.category, data.economy)],
                         leaving=[Seat(reg.category, reg.economy)])
    changed = []
    for name in RegistrationInput.__dataclass_fields__:
        if name == "participation":
            continue  # a change of mode takes a place: participation.services.switch
        if getattr(reg, name) != getattr(data, name):
            setattr(reg, name, getattr(data, name))
            changed.append(name)
    reg.email_normalized = data.email_normalized
    if changed:
        reg.updated_at = utcnow()
        audit.record("updated", reg, event_id=ev.id, user=user,
                     actor="" if user else "registrant", fields=changed)
    return reg


@writer
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


@writer
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
    """1 for the head of the waiting list; None unless waitlisted (see WAITLIST_ORDER)."""
    if registration.status != WAITLISTED:
        return None
    seq, rid = registration.waitlist_seq, registration.id
    ahead = (Registration.waitlist_seq.is_(None) & (Registration.id <= rid)) if seq is None \
        else or_(Registration.waitlist_seq.is_(None), Registration.waitlist_seq < seq,
                 (Registration.waitlist_seq == seq) & (Registration.id <= rid))
    stmt = select(func.count()).select_from(Registration).where(
        Registration.event_id == registration.event_id, Registration.status == WAITLISTED,
        ahead)
    if registration.event.participation_mode == HYBRID:  # each mode has its own list
        stmt = stmt.where(Registration.participation == registration.participation)
    return db.session.scalar(stmt)


def waitlist_positions(event: Event) -> dict[int, int]:
    """Registration id → place in its waiting list (1 is next), in one query; a hybrid
    event's in-person and online lists are numbered apart."""
    rows = db.session.execute(
        select(Registration.id, Registration.participation)
        .where(Registration.event_id == event.id, Registration.status == WAITLISTED)
        .order_by(*WAITLIST_ORDER))
    hybrid = event.participation_mode == HYBRID
    seen: dict[str, int] = {}
    positions = {}
    for reg_id, mode in rows:
        key = mode if hybrid else ""
        seen[key] = seen.get(key, 0) + 1
        positions[reg_id] = seen[key]
    return positions


def feed_token_for(registration: Registration, token: str) -> str:
    """The personal calendar token, from the management token the registrant holds."""
    return derive_feed_token(token, registration.feed_token_version)
