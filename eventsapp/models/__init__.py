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
from .messages import (
    BEFORE_START,
    EACH_MORNING,
    REMINDER_KINDS,
    Message,
    MessageRecipient,
    ReminderRule,
    ReminderSent,
)
from .ops import AuditEntry, OutboxMessage
from .outcomes import CLOSED as CLOSED_ACTION
from .outcomes import OPEN as OPEN_ACTION
from .outcomes import OWNER_KINDS, ActionItem, Decision
from .privacy import ErasureRequest, PrivacyNotice
from .registration import CANCELLED, CONFIRMED, WAITLISTED, CheckIn, Registration
from .user import (
    ADMIN,
    CHECKIN,
    DEFAULT_TOKEN_SCOPES,
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
    "ACCESS_LEVELS", "ADMIN", "BEFORE_START", "CANCELLED", "CHECKIN", "CHUNK_SIZE",
    "CLOSED_ACTION", "CONFIRMED", "EACH_MORNING", "REMINDER_KINDS",
    "DEFAULT_NUMBER_SCHEME", "DEFAULT_TOKEN_SCOPES", "INVITE", "OPEN_ACTION", "ORGANISER",
    "OWNER_KINDS", "PARTICIPANTS", "PUBLIC", "RESET", "ROLES", "STAFF", "TOKEN_SCOPES",
    "WAITLISTED",
    "ActionItem", "AgendaChange", "AgendaItem", "ApiToken", "AuditEntry", "Base", "CheckIn",
    "Decision", "Deliverable", "Message", "MessageRecipient", "ReminderRule",
    "ReminderSent", "Document", "DocumentChunk", "DocumentRevision",
    "DocumentSettings", "ErasureRequest", "Event", "FocusArea", "OutboxMessage", "PasswordLink",
    "PrivacyNotice", "PublishedAgendaItem", "RecoveryCode", "Registration", "User",
    "UTCDateTime", "WorkPlan", "user_event", "utcnow",
]
