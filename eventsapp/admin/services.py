"""Organisers' reads: the registrations list with its filters and waiting-list positions."""

from __future__ import annotations

import unicodedata

from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import WAITLISTED, Event, Registration
from ..textnorm import escape_like, search_fold

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
    # Names by their folded key (case and accents ignored in any script, textnorm), the
    # address and organisation by lower case; LIKE wildcards typed are matched literally.
    # Control characters match nothing (and PostgreSQL refuses NUL outright).
    q = "".join(ch for ch in q if unicodedata.category(ch) != "Cc")
    for word in q.split()[:5]:
        folded = escape_like(search_fold(word).strip())
        lowered = escape_like(word.lower())
        matches = [Registration.email_normalized.like(f"%{lowered}%", escape="\\"),
                   func.lower(Registration.organisation).like(f"%{lowered}%", escape="\\")]
        if folded:
            matches.append(Registration.search_key.like(f"%{folded}%", escape="\\"))
        stmt = stmt.where(or_(*matches))
    return list(db.session.scalars(stmt.order_by(Registration.id).limit(MAX_ROWS)))


def waitlist_positions(event: Event) -> dict[int, int]:
    """Registration id → place in the waiting list (1 is next), in one query."""
    ids = db.session.scalars(
        select(Registration.id).where(Registration.event_id == event.id,
                                      Registration.status == WAITLISTED)
        .order_by(Registration.id))
    return {reg_id: n for n, reg_id in enumerate(ids, start=1)}
