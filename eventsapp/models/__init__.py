"""All models, importable from one place."""

from .agenda import AgendaChange, AgendaItem, PublishedAgendaItem
from .base import Base, UTCDateTime, utcnow
from .documents import (
    ACCESS_LEVELS,
    CHUNK_SIZE,
    DEFAULT_NUMBER_SCHEME,
    PARTICIPANTS,
    PUBLIC,
    STAFF,
    Document,
    DocumentChunk,
    DocumentRevision,
    DocumentSettings,
)
from .event import Event
from .ops import AuditEntry, OutboxMessage
from .outcomes import CLOSED as CLOSED_ACTION
from .outcomes import OPEN as OPEN_ACTION
from .outcomes import OWNER_KINDS, ActionItem, Decision
from .registration import CANCELLED, CONFIRMED, WAITLISTED, CheckIn, Registration
from .user import (
    ADMIN,
    CHECKIN,
    INVITE,
    ORGANISER,
    RESET,
    ROLES,
    ApiToken,
    PasswordLink,
    User,
    user_event,
)
from .workplan import Deliverable, FocusArea, WorkPlan

__all__ = [
    "ACCESS_LEVELS", "ADMIN", "CANCELLED", "CHECKIN", "CHUNK_SIZE", "CLOSED_ACTION", "CONFIRMED",
    "DEFAULT_NUMBER_SCHEME", "INVITE", "OPEN_ACTION", "ORGANISER", "OWNER_KINDS", "PARTICIPANTS",
    "PUBLIC", "RESET", "ROLES", "STAFF", "WAITLISTED",
    "ActionItem", "AgendaChange", "AgendaItem", "ApiToken", "AuditEntry", "Base", "CheckIn",
    "Decision", "Deliverable", "Document", "DocumentChunk", "DocumentRevision",
    "DocumentSettings", "Event", "FocusArea", "OutboxMessage", "PasswordLink",
    "PublishedAgendaItem", "Registration", "User", "UTCDateTime", "WorkPlan", "user_event",
    "utcnow",
]
