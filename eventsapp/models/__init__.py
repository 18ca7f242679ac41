"""All models, importable from one place."""

from .agenda import AgendaChange, AgendaItem, PublishedAgendaItem
from .base import Base, UTCDateTime, utcnow
from .event import (
    APPROVAL,
    DEFAULT_PUBLIC_CATEGORIES,
    INVITATION,
    OPEN,
    REGISTRATION_MODES,
    Event,
)
from .invitation import ACCEPTED, INVITATION_STATUSES, INVITED, REFUSED, Invitation
from .ops import AuditEntry, OutboxMessage
from .registration import (
    ACTIVE_STATUSES,
    CANCELLED,
    CONFIRMED,
    DECLINED,
    HEAD_OF_DELEGATION,
    PENDING,
    STATUSES,
    WAITLISTED,
    CheckIn,
    Registration,
)
from .user import ADMIN, CHECKIN, FOCAL_POINT, ORGANISER, ROLES, ApiToken, User, user_event
from .workplan import Deliverable, FocusArea, WorkPlan

__all__ = [
    "ACCEPTED", "ACTIVE_STATUSES", "ADMIN", "APPROVAL", "CANCELLED", "CHECKIN", "CONFIRMED",
    "DECLINED", "DEFAULT_PUBLIC_CATEGORIES", "FOCAL_POINT", "HEAD_OF_DELEGATION", "INVITATION",
    "INVITATION_STATUSES", "INVITED", "Invitation", "OPEN", "ORGANISER", "PENDING", "REFUSED",
    "REGISTRATION_MODES", "ROLES", "STATUSES", "WAITLISTED",
    "AgendaChange", "AgendaItem", "ApiToken", "AuditEntry", "Base", "CheckIn", "Deliverable",
    "Event", "FocusArea", "OutboxMessage", "PublishedAgendaItem", "Registration", "User",
    "UTCDateTime", "WorkPlan", "user_event", "utcnow",
]
