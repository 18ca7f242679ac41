"""Organisers' reads: the registrations list with its filters and waiting-list positions."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import WAITLISTED, Event, Registration
from ..registration.services import WAITLIST_ORDER

MAX_ROWS = 5_000


def search_registrations(event: Event, *, q: str = "", status: str = "", economy: str = "",
                         category: str = "") -> list[Registration]:
    """Registrations of `event` matching every filter given, oldest first."""
    stmt = select(Registration).where(Registration.event_id == event.id)
    if status:
        stmt = stmt.where(Registration.status == status)
    if economy:
        stmt = stmt.where(Registration.economy == economy)
    if category:
        stmt = stmt.where(Registration.category == category)
    for word in q.split()[:5]:
        # LIKE wildcards typed by the organiser are matched literally.
        pattern = "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        stmt = stmt.where(or_(*(func.lower(col).like(pattern, escape="\\") for col in (
            Registration.given_name, Registration.family_name, Registration.email_normalized,
            Registration.organisation, Registration.badge_name, Registration.native_name))))
    return list(db.session.scalars(stmt.order_by(Registration.id).limit(MAX_ROWS)))


def waitlist_positions(event: Event) -> dict[int, int]:
    """Registration id → place in the waiting list (1 is next), in one query."""
    ids = db.session.scalars(
        select(Registration.id).where(Registration.event_id == event.id,
                                      Registration.status == WAITLISTED)
        .order_by(*WAITLIST_ORDER))
    return {reg_id: n for n, reg_id in enumerate(ids, start=1)}
