"""Accreditation rules: approve, nominate, decline, name the head, substitute, withdraw.

Each use case is one unit of work that takes the event's lock first and reads the
registration again under it (`registration.services.locked`), so two focal points
approving the last place at once, or a registration cancelled while someone approves
it, are decided on the rows as they are: the first approval takes the place, the
second waits its turn and joins the waiting list behind it; approving a cancelled
registration is refused. Places are taken by the same rule as registering
(`take_places`, quotas in `registration/limits.py`); a pending registration holds none.

Who acts: staff (a `User`: the secretariat for every economy, a focal point for their
own, `auth.permissions.can_accredit`) or, for a delegation's own changes, its head of
delegation through their private link (`head`: the head's registration).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import func, or_, select

from .. import audit
from ..auth.roles import can_accredit, nominates
from ..database import lock_event, transactional
from ..events.editing import UNSET, EditResult, EventData, EventError, edit_event
from ..extensions import db
from ..models import (
    ACTIVE_STATUSES,
    APPROVAL,
    CANCELLED,
    CONFIRMED,
    DECLINED,
    DEFAULT_PUBLIC_CATEGORIES,
    FOCAL_POINT,
    HEAD_OF_DELEGATION,
    HYBRID,
    OPEN,
    PENDING,
    REGISTRATION_MODES,
    WAITLISTED,
    Event,
    Registration,
    User,
    utcnow,
)
from ..privacy.notices import current_notice_version
from ..reference import CATEGORIES, ECONOMIES
from ..registration import notices
from ..registration.errors import (
    AlreadyRegistered,
    HeadOfDelegationTaken,
    NotAllowed,
    NotPending,
    RegistrationError,
)
from ..registration.limits import Seat, check_places, current_head, head_taken_message
from ..registration.services import (
    Registered,
    cancel_registration,
    check_address_free,
    fill_free_places,
    insert_registration,
    locked,
    pool_counts,
    take_places,
    test_only_widen_race_window,
    with_participation,
    writer,
)
from ..registration.validation import RegistrationInput

MAX_REASON = 1_000


@dataclass(frozen=True)
class Decision:
    registration: Registration
    position: int | None  # on the waiting list after approval; None otherwise


def _authorise(ev: Event, economy: str | None, *, user: User | None,
               head: Registration | None) -> None:
    """:raises NotAllowed: neither staff for this economy nor its head of delegation."""
    if user is not None:
        if can_accredit(user, ev, economy):
            return
        raise NotAllowed("Your account acts for another economy: this registration is not "
                         "yours to decide on.")
    if head is not None and _is_head_of(head, ev, economy):
        return
    raise NotAllowed("Only the economy's head of delegation, its focal point or the "
                     "secretariat can change this delegation.")


def _is_head_of(head: Registration, ev: Event, economy: str | None) -> bool:
    fresh = db.session.get(Registration, head.id, populate_existing=True)
    return (fresh is not None and fresh.event_id == ev.id and fresh.category == HEAD_OF_DELEGATION
            and fresh.status in ACTIVE_STATUSES and economy is not None
            and fresh.economy == economy)


def _actor(user: User | None, head: Registration | None) -> str:
    if user is not None:
        return ""
    return f"head of delegation #{head.id}" if head is not None else "system"


def _pending(reg: Registration, verb: str) -> None:
    if reg.status == PENDING:
        return
    name = reg.full_name
    if reg.status in (CONFIRMED, WAITLISTED):
        where = "confirmed" if reg.status == CONFIRMED else "on the waiting list"
        raise NotPending(f"{name} was approved already and is {where}; nothing changed.")
    raise NotPending(f"{name}'s registration was {reg.status} meanwhile, so it cannot be "
                     f"{verb}; nothing changed.")


# --- deciding ---------------------------------------------------------------------------------


@writer
def approve(registration: Registration, *, user: User, notify: bool = True) -> Decision:
    """Approve a pending registration: confirmed while places are free, else waitlisted at
    the end of the list (in the order approvals are made), else refused.

    For a focal point in a two-step event (`Event.approval_steps == 2`) approving is
    nominating: the registration stays pending, marked, until the secretariat accredits.

    :raises NotPending: approved, declined or cancelled already (a second click).
    :raises NotAllowed: the user acts for another economy.
    :raises QuotaReached, EconomyLimitReached, EventFull: no place may be taken; it stays
        pending.
    """
    ev, reg = locked(registration)
    _authorise(ev, reg.economy, user=user, head=None)
    _pending(reg, "approved")
    now = utcnow()
    if nominates(user, ev):
        if reg.nominated_at is not None:
            raise NotPending(f"{reg.full_name} was nominated already; the secretariat "
                             "accredits next.")
        reg.nominated_at, reg.nominated_by_id, reg.updated_at = now, user.id, now
        audit.record("nominated", reg, event_id=ev.id, user=user)
        return Decision(reg, None)
    check_places(ev, [Seat(reg.category, reg.economy)])
    [(status, position, seq)] = _one_place(ev, user, reg.participation, notify)
    reg.status, reg.waitlist_seq = status, seq
    reg.approved_at = reg.updated_at = now
    db.session.flush()
    audit.record("approved", reg, event_id=ev.id, user=user, status=status,
                 nominated=reg.nominated_at is not None)
    if notify:
        notices.approved(reg, position)
    return Decision(reg, position)


@writer
def decline(registration: Registration, *, user: User, reason: str,
            notify: bool = True) -> Registration:
    """Decline a pending registration; the reason is emailed to the person.

    :raises RegistrationError: no reason, or one longer than MAX_REASON characters.
    :raises NotPending, NotAllowed:
    """
    reason = (reason or "").replace("\r\n", "\n").strip()
    if not reason:
        raise RegistrationError("Give the reason for declining: it is emailed to the person.")
    if len(reason) > MAX_REASON:
        raise RegistrationError(f"Keep the reason under {MAX_REASON} characters.")
    ev, reg = locked(registration)
    _authorise(ev, reg.economy, user=user, head=None)
    _pending(reg, "declined")
    now = utcnow()
    reg.status, reg.declined_at, reg.decline_reason, reg.updated_at = DECLINED, now, reason, now
    db.session.flush()
    audit.record("declined", reg, event_id=ev.id, user=user, reason=reason)
    if notify:
        notices.declined(reg, reason)
    return reg


# --- registering for an economy -------------------------------------------------------------


@writer(expire_on_commit=False)
def register_for_economy(event: Event, data: RegistrationInput, *, user: User,
                         notify: bool = True) -> Registered:
    """Staff register someone: a focal point for their own economy (always that economy),
    the secretariat for any. Any category may be assigned; the place is taken at once,
    except that a focal point in a two-step event nominates (pending, marked).

    :raises NotAllowed, AlreadyRegistered, HeadOfDelegationTaken, QuotaReached,
        EconomyLimitReached, EventFull:
    """
    ev = lock_event(event.id)
    if user.role == FOCAL_POINT:
        data = replace(data, economy=user.economy)
    _authorise(ev, data.economy, user=user, head=None)
    check_address_free(ev, data.email_normalized)
    [data] = with_participation(ev, [data], chosen_by_public=False)
    seat = Seat(data.category, data.economy)
    if data.category == HEAD_OF_DELEGATION:
        _check_no_head(ev, data.economy)
    now = utcnow()
    if nominates(user, ev):
        done = insert_registration(ev, data, PENDING, None, None,
                                   privacy_version=current_notice_version(ev.work_plan_id))
        reg = done.registration
        db.session.flush()
        reg.nominated_at, reg.nominated_by_id = now, user.id
    else:
        check_places(ev, [seat])
        [(status, position, seq)] = _one_place(ev, user, data.participation, notify)
        done = insert_registration(ev, data, status, position, None, waitlist_seq=seq,
                                   approved=True,
                                   privacy_version=current_notice_version(ev.work_plan_id))
    audit.record("registered", done.registration, event_id=ev.id, user=user,
                 status=done.registration.status, category=data.category)
    if notify:
        notices.registered(done.registration, done.token, done.position,
                           notices.event_attachments(ev))
    db.session.expire(ev, ["confirmed_count", "waitlisted_count"])
    return done


def _one_place(ev: Event, user: User, participation: str,
               notify: bool = True) -> list[tuple[str, int | None, int | None]]:
    """Serve the waiting lists first ("no free place while someone waits"), then place one
    in the pool of `participation` (its mode, in a hybrid event)."""
    fill_free_places(ev, user=user, notify=notify)
    pools = pool_counts(ev)
    test_only_widen_race_window()
    return take_places(ev, [participation], pools)


def _check_no_head(ev: Event, economy: str | None) -> None:
    if not economy:
        raise HeadOfDelegationTaken("A head of delegation represents an economy: choose it.")
    if current_head(ev, economy) is not None:
        raise HeadOfDelegationTaken(head_taken_message(economy))


# --- heads of delegation --------------------------------------------------------------------


@writer
def name_head(registration: Registration, *, user: User, replace_current: bool = False,
              replacing: int | None = None) -> Registration | None:
    """Make `registration` its economy's head of delegation; returns the head it replaced.

    One action: with `replace_current`, the current head (if any) becomes a delegate in
    the same transaction. Without it, an economy that has a head keeps it and the
    request is refused (two focal points naming a head at once: the first wins).

    :param replacing: the id of the head the person replacing saw; another head named
        since then is not replaced (a page left open must not demote someone it never showed).
    :raises HeadOfDelegationTaken: the economy has a head and `replace_current` is False,
        or a head other than `replacing`.
    :raises RegistrationError: the registration is not confirmed or waitlisted (a pending
        one is approved first), or represents no economy.
    :raises NotAllowed:
    """
    ev, reg = locked(registration)
    _authorise(ev, reg.economy, user=user, head=None)
    if reg.status not in (CONFIRMED, WAITLISTED):
        raise RegistrationError(
            f"{reg.full_name}'s registration is {reg.status}: only an approved registration "
            "(confirmed or on the waiting list) can lead a delegation. Approve it first.")
    if not reg.economy:
        raise RegistrationError(f"{reg.full_name} represents no economy, so cannot be its "
                                "head of delegation.")
    old = current_head(ev, reg.economy)
    test_only_widen_race_window()
    if old is not None and old.id == reg.id:
        raise NotPending(f"{reg.full_name} is the head of delegation already.")
    if old is not None and not replace_current:
        raise HeadOfDelegationTaken(head_taken_message(reg.economy))
    if old is not None and replacing is not None and old.id != replacing:
        raise HeadOfDelegationTaken(
            f"{old.full_name} was named head of delegation meanwhile, so nobody was "
            "replaced. Look at the delegation again and choose.")
    now = utcnow()
    if old is not None:
        old.category, old.updated_at = "delegate", now
        # The old head must be gone before the new one exists: the unique index is
        # checked row by row.
        db.session.flush()
    previous = reg.category
    reg.category, reg.updated_at = HEAD_OF_DELEGATION, now
    db.session.flush()
    audit.record("head_named", reg, event_id=ev.id, user=user, economy=reg.economy,
                 previous_category=previous, replaced=old.id if old is not None else None)
    return old


# --- the delegation after registering -------------------------------------------------------


@writer(expire_on_commit=False)
def substitute(registration: Registration, data: RegistrationInput, *,
               user: User | None = None, head: Registration | None = None) -> Registered:
    """Put another person in `registration`'s place.

    The substitute takes its status, place or waiting-list number, category and economy
    (and its approval); the old registration is cancelled, so its private link, badge
    and check-in code stop working. Both are told by email. No place is freed, so
    nobody is promoted.

    :raises RegistrationError: the registration is not active (cancelled or declined).
    :raises AlreadyRegistered: the substitute's address is registered for the event.
    :raises NotAllowed: neither staff for this economy nor its head of delegation.
    """
    ev, reg = locked(registration)
    _authorise(ev, reg.economy, user=user, head=head)
    if reg.status not in ACTIVE_STATUSES:
        raise RegistrationError(f"{reg.full_name}'s registration is {reg.status}: there is no "
                                "place to pass on.")
    if head is not None and reg.id == head.id:
        raise NotAllowed("The head of delegation is replaced by the economy's focal point "
                         "or the secretariat.")
    data = replace(data, economy=reg.economy, category=reg.category,
                   participation=reg.participation)  # the place is in person or online
    if data.email_normalized == reg.email_normalized:
        raise AlreadyRegistered("The substitute needs an email address of their own.")
    check_address_free(ev, data.email_normalized)
    now = utcnow()
    was = reg.status
    # Cancelled first: a head's place is unique per economy, and counters then move
    # -1 and +1 with no promotion in between (fill_free_places is not called).
    reg.status, reg.cancelled_at, reg.updated_at = CANCELLED, now, now
    reg.note = (reg.note + "\n" if reg.note else "") + "Replaced by a substitute."
    db.session.flush()
    position = (waitlist_position_of(ev, reg.waitlist_seq, reg.participation)
                if was == WAITLISTED else None)
    done = insert_registration(ev, data, was, position, reg.delegation_head_id,
                               waitlist_seq=reg.waitlist_seq, replaces=reg,
                               privacy_version=current_notice_version(ev.work_plan_id))
    new = done.registration
    audit.record("substituted", reg, event_id=ev.id, user=user, actor=_actor(user, head),
                 substitute_id=new.id, status=was)
    audit.record("registered", new, event_id=ev.id, user=user, actor=_actor(user, head),
                 status=was, replaces_id=reg.id)
    notices.replaced(reg, new)
    notices.registered(new, done.token, position, notices.event_attachments(ev))
    db.session.expire(ev, ["confirmed_count", "waitlisted_count"])
    return done


def waitlist_position_of(ev: Event, seq: int | None,
                         participation: str | None = None) -> int | None:
    """The position a waiting-list number has in `ev`'s list now (lock held); in a hybrid
    event, in the list of `participation`."""
    if seq is None:
        return None
    stmt = select(func.count()).select_from(Registration).where(
        Registration.event_id == ev.id, Registration.status == WAITLISTED,
        or_(Registration.waitlist_seq.is_(None), Registration.waitlist_seq < seq))
    if ev.participation_mode == HYBRID and participation is not None:
        stmt = stmt.where(Registration.participation == participation)
    return 1 + (db.session.scalar(stmt) or 0)


@writer
def withdraw(registration: Registration, *, reason: str = "", user: User | None = None,
             head: Registration | None = None) -> list[Registration]:
    """Withdraw someone from the delegation: cancelled, and the place goes to the head of
    the waiting list in the same transaction. Returns those promoted.

    :raises NotAllowed: neither staff for this economy nor its head (a head withdraws
        others; their own registration they cancel on their own page).
    :raises AlreadyCancelled:
    """
    ev, reg = locked(registration)
    _authorise(ev, reg.economy, user=user, head=head)
    if head is not None and user is None and reg.id == head.id:
        raise NotAllowed("Cancel your own registration on your registration page.")
    by = ("your head of delegation" if user is None else
          "your economy's focal point" if user.role == FOCAL_POINT else "the secretariat")
    return cancel_registration(reg, user=user, reason=reason.strip() or "withdrawn",
                               withdrawn_by=by)


# --- reading --------------------------------------------------------------------------------


def delegation(event: Event, economy: str) -> list[Registration]:
    """The economy's registrations at `event`, head first, then by status and family name."""
    regs = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.economy == economy))
    order = {PENDING: 1, CONFIRMED: 0, WAITLISTED: 2, DECLINED: 3, CANCELLED: 4}
    return sorted(regs, key=lambda r: (r.category != HEAD_OF_DELEGATION, order[r.status],
                                       r.family_name.casefold(), r.id))


def awaiting_decision(event: Event, economy: str | None) -> list[Registration]:
    """Pending registrations, oldest first; only `economy`'s when given (a focal point)."""
    stmt = select(Registration).where(Registration.event_id == event.id,
                                      Registration.status == PENDING)
    if economy is not None:
        stmt = stmt.where(Registration.economy == economy)
    return list(db.session.scalars(stmt.order_by(Registration.id)))


def economies_registered(event: Event) -> list[str]:
    """Codes of the economies with a registration at `event`, in APEC's order."""
    present = set(db.session.scalars(select(Registration.economy).where(
        Registration.event_id == event.id, Registration.economy.is_not(None)).distinct()))
    return [code for code in ECONOMIES if code in present]


def economy_label(code: str | None) -> str:
    return ECONOMIES.get(code or "", "No economy")


def uses_approval(event: Event) -> bool:
    return event.registration_mode == APPROVAL


# --- the event's accreditation settings -----------------------------------------------------


@dataclass
class Settings:
    """How an event accredits (organisers set it; `PATCH /api/v1/events/<slug>` too)."""

    registration_mode: str = OPEN
    approval_steps: int = 1
    public_categories: list[str] = field(default_factory=lambda: list(DEFAULT_PUBLIC_CATEGORIES))
    category_limits: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, event: Event) -> Settings:
        return cls(event.registration_mode, event.approval_steps,
                   list(event.public_categories or ()), dict(event.category_limits or {}))


MAX_LIMIT = 10_000


def check_settings(settings: Settings) -> None:
    """:raises EventError: a field breaks a rule (messages per field)."""
    errors: dict[str, list[str]] = {}
    if settings.registration_mode not in REGISTRATION_MODES:
        errors["registration_mode"] = ["Choose open, approval or invitation."]
    if settings.approval_steps not in (1, 2):
        errors["approval_steps"] = ["Choose one step or two."]
    unknown = [c for c in settings.public_categories if c not in CATEGORIES]
    if unknown or not isinstance(settings.public_categories, list):
        errors["public_categories"] = ["Choose categories from: " + ", ".join(CATEGORIES) + "."]
    elif not settings.public_categories:
        errors["public_categories"] = ["Offer the public at least one category."]
    limits = settings.category_limits
    if not isinstance(limits, dict) or any(
            c not in CATEGORIES or isinstance(n, bool) or not isinstance(n, int)
            or not 0 <= n <= MAX_LIMIT for c, n in limits.items()):
        errors["category_limits"] = [
            f"Give each category's limit as a whole number from 0 to {MAX_LIMIT} "
            "(categories: " + ", ".join(CATEGORIES) + ")."]
    if errors:
        raise EventError(errors)


@transactional
def update_settings(event: Event, settings: Settings, *, user: User | None) -> list[str]:
    """Save how the event accredits; returns the names of the changed settings.

    Under the event's lock, so a registration counting under the old limits finishes
    first. Lowering a limit below what is taken demotes nobody: it only stops newcomers.
    Pending registrations stay pending when the mode changes (they are decided as before).

    :raises EventError:
    """
    check_settings(settings)
    settings.public_categories = [c for c in CATEGORIES if c in settings.public_categories]
    ev = lock_event(event.id)
    old = Settings.of(ev)
    changed = {name: [getattr(old, name), getattr(settings, name)]
               for name in ("registration_mode", "approval_steps", "public_categories",
                            "category_limits") if getattr(old, name) != getattr(settings, name)}
    for name, (_old, new) in changed.items():
        setattr(ev, name, new)
    if changed:
        ev.touch()
        audit.record("accreditation_changed", ev, event_id=ev.id, user=user, **changed)
    return list(changed)


@transactional
def edit_event_and_settings(event: Event, data: EventData, settings: Settings, *,
                            user: User | None, capacity: int | None | object = UNSET
                            ) -> EditResult:
    """The API's one PATCH: event fields and accreditation settings, all or nothing."""
    result = edit_event(event, data, user=user, capacity=capacity)
    changed = update_settings(event, settings, user=user)
    return EditResult(result.changed + changed, result.promoted)


@dataclass(frozen=True)
class QuotaUse:
    category: str
    limit: int
    taken: int  # confirmed or waitlisted


def quota_use(event: Event) -> list[QuotaUse]:
    """Each category limit of `event` with the places taken in it, in the reference order."""
    limits = event.category_limits or {}
    if not limits:
        return []
    taken = dict(db.session.execute(
        select(Registration.category, func.count()).where(
            Registration.event_id == event.id,
            Registration.status.in_((CONFIRMED, WAITLISTED)))
        .group_by(Registration.category)).all())
    return [QuotaUse(c, limits[c], taken.get(c, 0)) for c in CATEGORIES if c in limits]
