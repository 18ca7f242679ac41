"""Who may do what. Views use the decorators; services may call the predicates."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db, login_manager
from ..models import CHECKIN, FOCAL_POINT, ORGANISER, Event, User
from .roles import (  # noqa: F401  (the predicates, re-exported for the views)
    ACCREDITORS,
    MANAGERS,
    accreditation_economy,
    can_accredit,
    can_manage_event,
    can_read_audit_log,
    covers_every_event,
    economy_scope,
    is_focal_point_of,
    manages_every_event,
    nominates,
)


def can_check_in(user: User, event: Event) -> bool:
    if not user.is_authenticated or not user.active:
        return False
    if user.role == CHECKIN:
        return not user.events or any(e.id == event.id for e in user.events)
    return can_manage_event(user, event)


def can_edit_unattached(user: User) -> bool:
    """What belongs to no event (a deliverable no event delivers) is every organiser's
    business only if they are not limited to some events: administrators and organisers of
    all events edit it; an organiser limited to some events does not."""
    return manages_every_event(user)


def roles_required(*roles: str) -> Callable:
    """No session: the sign-in page. Wrong role: 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403, "Your account does not have access to this page.")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_event_access(event: Event, check: Callable[[User, Event], bool] = can_manage_event):
    if not check(current_user, event):
        abort(403, "Your account does not have access to this event.")


def managed_event_or_404(slug: str) -> Event:
    """The event at `slug` if the signed-in user may manage it: 404 if none, 403 if not theirs."""
    event = db.one_or_404(select(Event).where(Event.slug == slug),
                          description="There is no event at this address.")
    require_event_access(event)
    return event


def accreditable_events(user: User) -> list[Event]:
    """Events whose accreditation `user` may see: managed ones, or a focal point's."""
    if user.role == FOCAL_POINT:
        return list(user.events) if user.events else list(db.session.scalars(select(Event)))
    return manageable_events(user)


def manageable_events(user: User) -> list[Event]:
    """Every event `user` may manage (organisers limited to some events see only those)."""
    if user.role not in MANAGERS:
        return []
    if user.role == ORGANISER and user.events:
        return list(user.events)
    return list(db.session.scalars(select(Event)))
