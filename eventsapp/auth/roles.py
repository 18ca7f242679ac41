"""Who may decide what, as plain predicates for rules and views alike (no request here).

`permissions.py` turns them into the views' decorators and 403s.
"""

from __future__ import annotations

from ..models import ADMIN, DEFAULT_TOKEN_SCOPES, FOCAL_POINT, ORGANISER, TOKEN_SCOPES, Event, User

MANAGERS = (ADMIN, ORGANISER)
# Who may open the accreditation pages: the secretariat (organisers) and focal points.
ACCREDITORS = (ADMIN, ORGANISER, FOCAL_POINT)

# Who may hold personal API tokens (check-in staff use the desk page, never a script).
TOKEN_HOLDERS = ACCREDITORS
# What a focal point's token can use: its economy's registrations (the accreditation API);
# never the agenda, the check-in desk or messages, which are the secretariat's.
FOCAL_POINT_SCOPES = ("read", "registrations")


def token_scopes_allowed(role: str) -> tuple[str, ...]:
    """The API token scopes an account of `role` may be given (TOKEN_SCOPES order); () none."""
    if role == FOCAL_POINT:
        return FOCAL_POINT_SCOPES
    if role in TOKEN_HOLDERS:
        return TOKEN_SCOPES
    return ()


def default_token_scopes(role: str) -> tuple[str, ...]:
    """The scopes a new token of `role` gets when none are chosen."""
    allowed = token_scopes_allowed(role)
    return tuple(s for s in DEFAULT_TOKEN_SCOPES if s in allowed)


def can_manage_event(user: User, event: Event) -> bool:
    """Admins manage every event; organisers all events, or only those they are limited to."""
    if not user.is_authenticated or not user.active:
        return False
    if user.role == ADMIN:
        return True
    if user.role != ORGANISER:
        return False
    return not user.events or any(e.id == event.id for e in user.events)


def _signed_in(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.active


def manages_every_event(user: User) -> bool:
    """Admins, and organisers not limited to some events.

    They alone create (and clone) events, write to the whole year's participants, and edit
    what belongs to no event (a deliverable no event delivers).
    """
    return _signed_in(user) and (user.role == ADMIN or (user.role == ORGANISER
                                                         and not user.events))


def covers_every_event(user: User) -> bool:
    """The account is not limited to some events (an administrator never is)."""
    return user.role == ADMIN or not user.events


def event_scope(user: User) -> frozenset[int] | None:
    """The ids of the events the account is limited to; None when it covers every event
    (what a report for this reader may count: `reports.yearly.year_report(only_events=…)`)."""
    return None if covers_every_event(user) else frozenset(e.id for e in user.events)


def can_read_audit_log(user: User) -> bool:
    """The audit log (every change, of every event and account) is the administrators'."""
    return _signed_in(user) and user.role == ADMIN


def economy_scope(user: User) -> str | None:
    """The one economy a focal point acts for; None for the secretariat (every economy)."""
    return user.economy if user.role == FOCAL_POINT else None


def nominates(user: User, event: Event) -> bool:
    """In a two-step event a focal point's approval is a nomination the secretariat accredits."""
    return event.approval_steps == 2 and user.role == FOCAL_POINT


def is_focal_point_of(user: User, event: Event) -> bool:
    """A focal point whose account covers `event` (all events, or those it is limited to)."""
    if not user.is_authenticated or not user.active or user.role != FOCAL_POINT:
        return False
    return bool(user.economy) and (not user.events or any(e.id == event.id for e in user.events))


def can_accredit(user: User, event: Event, economy: str | None) -> bool:
    """May `user` decide on registrations of `economy` at `event`?

    The secretariat (those who manage the event) for every economy and for people of no
    economy; a focal point for their own economy only (DESIGN.md, accreditation).
    """
    if can_manage_event(user, event):
        return True
    return is_focal_point_of(user, event) and economy is not None and economy == user.economy


def accreditation_economy(user: User, event: Event) -> str | None:
    """The one economy a focal point sees at `event`; None for the secretariat (all).

    :raises PermissionError: `user` may not see the event's accreditation at all.
    """
    if can_manage_event(user, event):
        return None
    if is_focal_point_of(user, event):
        return user.economy
    raise PermissionError("Your account does not have access to this event.")
