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
from .messages import (
    BEFORE_START,
    EACH_MORNING,
    REMINDER_KINDS,
    Message,
    MessageRecipient,
    ReminderRule,
    ReminderSent,
)
from .mymeetings import AddressSignIn, MailTemplateOverride, YearFeed
from .ops import AuditEntry, OutboxMessage
from .outcomes import CLOSED as CLOSED_ACTION
from .outcomes import OPEN as OPEN_ACTION
from .outcomes import OWNER_KINDS, ActionItem, Decision
from .privacy import ErasureRequest, PrivacyNotice
from .questions import (
    CERTIFICATE,
    LETTER_KINDS,
    QUESTION_KINDS,
    VISA_LETTER,
    Answer,
    IssuedLetter,
    LetterTemplate,
    Question,
    QuestionSettings,
)
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
    "ACCEPTED", "ACCESS_LEVELS", "ACTIVE_STATUSES", "ADMIN", "APPROVAL", "BEFORE_START",
    "CANCELLED", "CERTIFICATE", "CHECKIN", "CHUNK_SIZE", "CLOSED_ACTION", "CONFIRMED", "DECLINED",
    "DEFAULT_NUMBER_SCHEME", "DEFAULT_PUBLIC_CATEGORIES", "DEFAULT_TOKEN_SCOPES", "EACH_MORNING",
    "FOCAL_POINT", "HEAD_OF_DELEGATION", "HYBRID", "IN_PERSON", "INVITATION",
    "INVITATION_STATUSES", "INVITE", "INVITED", "LETTER_KINDS", "ONLINE", "OPEN", "OPEN_ACTION",
    "ORGANISER", "OWNER_KINDS", "PARTICIPANTS", "PARTICIPATIONS", "PARTICIPATION_MODES",
    "PENDING", "PUBLIC", "QUESTION_KINDS", "REFUSED", "REGISTRATION_MODES", "REMINDER_KINDS",
    "RESET", "ROLES", "STAFF", "STATUSES", "TOKEN_SCOPES", "VISA_LETTER", "WAITLISTED",
    "ActionItem", "AddressSignIn", "AgendaChange", "AgendaItem", "Answer", "ApiToken",
    "AuditEntry", "Base", "CheckIn", "Decision", "Deliverable", "Document", "DocumentChunk",
    "DocumentRevision", "DocumentSettings", "ErasureRequest", "Event", "FocusArea", "Invitation",
    "IssuedLetter", "LetterTemplate", "MailTemplateOverride", "Message", "MessageRecipient",
    "OnlineAttendance", "OutboxMessage", "PasswordLink", "PrivacyNotice", "PublishedAgendaItem",
    "Question", "QuestionSettings", "RecoveryCode", "Registration", "ReminderRule",
    "ReminderSent", "User", "UTCDateTime", "WorkPlan", "YearFeed", "user_event", "utcnow",
]
