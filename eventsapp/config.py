"""Configuration defaults; instance/config.py and the environment override them."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class Defaults:
    # Relative SQLite paths are resolved against instance/ by Flask-SQLAlchemy.
    SQLALCHEMY_DATABASE_URI = "sqlite:///eventsapp.sqlite"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    WTF_CSRF_TIME_LIMIT = None  # a delegate may keep a form open for hours
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    # Flask-Limiter: memory:// suits one process; set a redis:// URI for several.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_REGISTRATION = "10 per minute"
    # New private links for one address at one event, whoever asks.
    RATELIMIT_NEW_LINK = "3 per hour"
    # Failed sign-ins per client address and account (Indico's FAILED_LOGIN_RATE_LIMIT).
    RATELIMIT_LOGIN = "5 per 15 minutes; 10 per day"
    # "Forgot your password?": per address asked about, and per client address.
    RATELIMIT_RESET_LINK = "3 per hour"
    RATELIMIT_RESET_LINK_CLIENT = "10 per hour"
    # My meetings sign-in links: per address asked for (any client), and per client.
    RATELIMIT_MY_ADDRESS = "3 per hour"
    RATELIMIT_MY_CLIENT = "10 per hour"
    # Failed sign-ins for one account from any number of clients (a distributed guess).
    RATELIMIT_LOGIN_ACCOUNT = "20 per hour; 50 per day"
    # Failed sign-ins from one client across every account (password spraying: one
    # password tried on many accounts).
    RATELIMIT_LOGIN_CLIENT = "20 per 15 minutes; 100 per day"
    # Failed sign-ins site-wide (spraying from many clients); past it nobody can sign in
    # until the window passes, so it is set far above a working group's own mistakes.
    RATELIMIT_LOGIN_GLOBAL = "500 per hour"
    # Wrong second-factor codes per account (a 6-digit code: 20 a day is 1 in 16,000).
    RATELIMIT_MFA = "5 per 15 minutes; 20 per day"

    # Second factor (TOTP or a recovery code) at sign-in: roles that must set one up (any
    # account that has one uses it); how long a browser may remember it (at most 12 h);
    # how long a password stays good for while the code is awaited.
    MFA_REQUIRED_ROLES: tuple[str, ...] = ("admin", "organiser", "focal_point")
    MFA_REMEMBER_SECONDS = 12 * 3600
    MFA_PENDING_SECONDS = 300
    MFA_ISSUER = "eventsapp"

    # Personal API tokens: days a new one lasts by default, and at most.
    API_TOKEN_DAYS = 90
    API_TOKEN_MAX_DAYS = 365

    # argon2id parameters (argon2.PasswordHasher keywords); None: argon2-cffi's RFC 9106
    # low-memory profile, or a cheap set when TESTING.
    PASSWORD_HASH_PARAMS: dict | None = None

    # Mail: no MAIL_SERVER means messages are written as .eml files in instance/mail/.
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "eventsapp <no-reply@localhost>"
    # On: a request sends what it queued right after its commit (one small server).
    # Off: requests only queue, and `send-mail --watch` sends in batches (several hosts,
    # registration storms; docs/DEPLOYMENT.md).
    MAIL_SEND_AFTER_REQUEST = True
    # Organisers' messages and reminders (messages/): at most this many messages leave per
    # minute, counted across every sending process (0: no limit); the relay's own limit.
    MAIL_MESSAGES_PER_MINUTE = 0
    # Where replies to organisers' messages go (the secretariat); "" for none. A message
    # or reminder rule may name its own.
    MAIL_REPLY_TO = ""
    # An organiser's message: subject and body limits, and the attachment's size cap (each
    # recipient's outbox row carries its own copy, so it stays small).
    MESSAGE_BODY_MAX_CHARS = 100_000
    MESSAGE_ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    # A reminder whose moment passed more than this many hours ago (scheduler down) is not
    # sent late; 0 keeps no limit.
    REMINDER_LATE_HOURS = 12
    # `send-mail --watch` looks for due reminders at most this often (seconds).
    REMINDER_CHECK_SECONDS = 60
    # Days within which organisers confirm a registrant's erasure request (GDPR: a month).
    ERASURE_DUE_DAYS = 30

    # Sent messages are deleted from the outbox after this many days (`purge-mail`).
    OUTBOX_KEEP_DAYS = 30
    # `send-mail --watch` also runs purge-mail and purge-personal-data at start and then
    # every this many hours (the deployment's scheduler); 0: only by the commands.
    HOUSEKEEPING_HOURS = 24

    # Seconds a PDF may take to make before the request answers 503 (RELIABILITY P4;
    # eventsapp/timelimit.py). None: no limit.
    PDF_TIME_LIMIT_SECONDS = 10

    # Meeting documents (eventsapp/documents/): bytes per file and per event, all revisions
    # counted. An upload request may be this much larger than the file (form fields).
    DOCUMENTS_MAX_FILE_BYTES = 50 * 1000 * 1000
    DOCUMENTS_MAX_EVENT_BYTES = 2 * 1000 * 1000 * 1000
    DOCUMENTS_FORM_OVERHEAD_BYTES = 64 * 1024

    # Seconds a writer waits for the event lock before answering 503 (R10).
    LOCK_TIMEOUT_SECONDS = 3

    # Test-only hooks for negative controls of the race tests; honoured only under TESTING.
    TESTING_SKIP_CAPACITY_LOCK = False
    TESTING_SLEEP_AFTER_CAPACITY_CHECK = 0.0


# The Host headers trusted when SERVER_NAME is unset: this machine only.
LOCAL_HOSTS = ["localhost", "127.0.0.1", "::1"]


def database_url_from_env() -> str | None:
    """Return DATABASE_URL normalised to an SQLAlchemy URL with the psycopg 3 driver."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(url: str) -> dict:
    """Pool settings per backend; sized so workers × pool fit max_connections (R12)."""
    if url.startswith("sqlite"):
        return {}  # busy_timeout is set per connection in db.configure_engine
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5, "pool_recycle": 1800}


def load_or_create_secret_key(instance_path: str) -> str:
    """Keep one generated secret in instance/ so sessions survive restarts and processes agree."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    # O_EXCL: when several workers start at once, the first one's key wins.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
