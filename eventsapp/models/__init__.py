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
from .event import (
    APPROVAL,
    DEFAULT_PUBLIC_CATEGORIES,
    HYBRID,
    IN_PERSON,
    INVITATION,
    ONLINE,
    OPEN,
    PARTICIPATION_MODES,
    PARTICIPATIONS,
    REGISTRATION_MODES,
    Event,
)
from .invitation import ACCEPTED, INVITATION_STATUSES, INVITED, REFUSED, Invitation
from .ops import AuditEntry, OutboxMessage
from .outcomes import CLOSED as CLOSED_ACTION
from .outcomes import OPEN as OPEN_ACTION
from .outcomes import OWNER_KINDS, ActionItem, Decision
from .privacy import ErasureRequest, PrivacyNotice
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
    OnlineAttendance,
    Registration,
)
from .user import (
    ADMIN,
    CHECKIN,
    DEFAULT_TOKEN_SCOPES,
    FOCAL_POINT,
    INVITE,
    ORGANISER,
    RESET,
    ROLES,
    TOKEN_SCOPES,
    ApiToken,
    PasswordLink,
    RecoveryCode,
    User,
    user_event,
)
from .workplan import Deliverable, FocusArea, WorkPlan

__all__ = [
    "ACCEPTED", "ACCESS_LEVELS", "ACTIVE_STATUSES", "ADMIN", "APPROVAL", "CANCELLED", "CHECKIN",
    "CHUNK_SIZE", "CLOSED_ACTION", "CONFIRMED", "DECLINED", "DEFAULT_NUMBER_SCHEME",
    "DEFAULT_PUBLIC_CATEGORIES", "DEFAULT_TOKEN_SCOPES", "FOCAL_POINT", "HEAD_OF_DELEGATION",
    "HYBRID", "IN_PERSON", "ONLINE", "PARTICIPATIONS", "PARTICIPATION_MODES",
    "INVITATION", "INVITATION_STATUSES", "INVITE", "INVITED", "OPEN", "OPEN_ACTION", "ORGANISER",
    "OWNER_KINDS", "PARTICIPANTS", "PENDING", "PUBLIC", "REFUSED", "REGISTRATION_MODES", "RESET",
    "ROLES", "STAFF", "STATUSES", "TOKEN_SCOPES", "WAITLISTED",
    "ActionItem", "AgendaChange", "AgendaItem", "ApiToken", "AuditEntry", "Base", "CheckIn",
    "Decision", "Deliverable", "Document", "DocumentChunk", "DocumentRevision",
    "DocumentSettings", "ErasureRequest", "Event", "FocusArea", "Invitation", "OnlineAttendance",
    "OutboxMessage",
    "PasswordLink", "PrivacyNotice", "PublishedAgendaItem", "RecoveryCode", "Registration", "User",
    "UTCDateTime", "WorkPlan", "user_event", "utcnow",
]
