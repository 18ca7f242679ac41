"""Who may open and who may submit an event's documents.

Access levels (models/documents.py): `public` — anyone, once the event is public;
`participants` — confirmed registrants of the event, through their private link, and
staff; `staff` — staff only. "Staff" of an event are those who manage it: admins, and
organisers not limited to other events. Check-in staff guard the door and see what the
public sees; a waitlisted or cancelled registration is not a participant.

Visitors are never told that a document they may not open exists: it is not listed,
and its address answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import (
    ADMIN,
    CONFIRMED,
    ORGANISER,
    PARTICIPANTS,
    PUBLIC,
    STAFF,
    Document,
    Event,
    Registration,
    User,
)

PUBLIC_STATUSES = ("published", "cancelled")


@dataclass(frozen=True)
class Viewer:
    """What a visitor is to one event."""

    staff: bool = False
    participant: bool = False

    @property
    def levels(self) -> tuple[str, ...]:
        if self.staff:
            return (PUBLIC, PARTICIPANTS, STAFF)
        if self.participant:
            return (PUBLIC, PARTICIPANTS)
        return (PUBLIC,)

    @property
    def kind(self) -> str:
        return "staff" if self.staff else "participant" if self.participant else "public"


ANONYMOUS = Viewer()


def is_staff(user: User | None, event: Event) -> bool:
    """Admins, and organisers unlimited or limited to this event (auth/permissions.py's
    `can_manage_event`, restated here because services do not import views)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role == ADMIN:
        return True
    if user.role != ORGANISER:
        return False
    return not user.events or any(e.id == event.id for e in user.events)


def can_submit(user: User | None, event: Event, economy: str | None = None) -> bool:
    """Whether `user` may upload a paper to `event` on behalf of `economy` (None: any).

    The hook for focal points: once the accreditation work adds the `focal_point` role,
    a focal point may submit their own economy's papers here (and only those): add
    `or (user.role == FOCAL_POINT and economy is not None and economy == user.economy)`.
    Organisers of the event submit for anyone.
    """
    return is_staff(user, event)


def viewer_for(event: Event, *, user: User | None = None,
               registration: Registration | None = None) -> Viewer:
    """The visitor's standing at `event`: staff from the signed-in user or API token, a
    participant from a registration of this event that is confirmed."""
    participant = (registration is not None and registration.event_id == event.id
                   and registration.status == CONFIRMED)
    return Viewer(staff=is_staff(user, event), participant=participant)


def may_open(viewer: Viewer, document: Document, event: Event) -> bool:
    if not viewer.staff and event.status not in PUBLIC_STATUSES:
        return False
    return document.access in viewer.levels
