"""All models, importable from one place."""

from .agenda import AgendaChange, AgendaItem, PublishedAgendaItem
from .base import Base, UTCDateTime, utcnow
from .event import Event
from .ops import AuditEntry, OutboxMessage
from .privacy import ErasureRequest, PrivacyNotice
from .registration import CANCELLED, CONFIRMED, WAITLISTED, CheckIn, Registration
from .user import (
    ADMIN,
    CHECKIN,
    DEFAULT_TOKEN_SCOPES,
    ORGANISER,
    ROLES,
    TOKEN_SCOPES,
    ApiToken,
    RecoveryCode,
    User,
    user_event,
)
from .workplan import Deliverable, FocusArea, WorkPlan

__all__ = [
    "ADMIN", "CANCELLED", "CHECKIN", "CONFIRMED", "DEFAULT_TOKEN_SCOPES", "ORGANISER", "ROLES",
    "TOKEN_SCOPES", "WAITLISTED",
    "AgendaChange", "AgendaItem", "ApiToken", "AuditEntry", "Base", "CheckIn", "Deliverable",
    "ErasureRequest", "Event", "FocusArea", "OutboxMessage", "PrivacyNotice",
    "PublishedAgendaItem", "RecoveryCode", "Registration", "User", "UTCDateTime", "WorkPlan",
    "user_event", "utcnow",
]
