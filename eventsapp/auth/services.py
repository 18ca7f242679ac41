"""Accounts: password hashing (argon2id), sign-in, sessions and personal API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select

from .. import audit
from ..database import unit_of_work
from ..extensions import db
from ..models import FOCAL_POINT, ROLES, ApiToken, Event, User, utcnow
from ..reference import ECONOMIES
from ..tokens import hash_token, looks_like_token, new_token

LAST_USED_RESOLUTION = timedelta(minutes=1)
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 accepts more; nobody needs it, and it bounds the work
# Cheap parameters for tests only: hashing with the real cost in every test is slow.
TESTING_HASH_PARAMS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


class AccountError(ValueError):
    """A refused account change; the message is for the user."""


class WrongPasswordError(AccountError):
    """The password given to confirm a change is not the account's."""


def _hasher() -> PasswordHasher:
    params = current_app.config.get("PASSWORD_HASH_PARAMS")
    if params is None and current_app.config.get("TESTING"):
        params = TESTING_HASH_PARAMS
    # No parameters: argon2-cffi's RFC 9106 low-memory profile (argon2id).
    return PasswordHasher(**(params or {}))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str) -> None:
    """:raises AccountError: the password is too short or absurdly long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at most {MAX_PASSWORD_LENGTH} characters.")


def create_user(email: str, password: str, role: str, *, events: Iterable[Event] = (),
                economy: str | None = None, by: User | None = None, actor: str = "") -> User:
    """Create an account; `events` limits an organiser, check-in or focal point account.

    :param economy: the APEC code a focal point acts for; required for that role, refused
        for every other.
    :raises AccountError: bad address, unknown role, economy missing or misplaced, weak
        password or address taken.
    """
    try:
        address = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise AccountError(f"That email address is not valid: {exc}") from exc
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    economy = economy or None
    if role == FOCAL_POINT and economy not in ECONOMIES:
        raise AccountError("A focal point acts for one economy: choose it.")
    if role != FOCAL_POINT and economy is not None:
        raise AccountError("Only a focal point's account has an economy.")
    check_password_rules(password)
    address = normalize_email(address)
    event_ids = [e.id for e in events]
    password_hash = hash_password(password)  # before the writer's turn: it takes a while
    with unit_of_work():
        if get_user_by_email(address) is not None:
            raise AccountError("An account with this email address already exists.")
        user = User(email=address, password_hash=password_hash, role=role, economy=economy,
                    session_nonce=secrets.token_hex(16),
                    events=list(db.session.scalars(select(Event).where(Event.id.in_(event_ids)))))
        db.session.add(user)
        db.session.flush()
        audit.record("user_created", user, user=by, actor=actor, email=address, role=role,
                     economy=economy, events=[e.slug for e in user.events])
    return user


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None; records the sign-in time.

    The password is checked before the write begins: argon2 takes a while, and nobody
    else's write waits for it.
    """
    user = get_user_by_email(email)
    hasher = _hasher()
    if user is None:
        # Spend the same time as a real check, so timing does not reveal which addresses exist.
        _dummy_verify(hasher)
        return None
    if not _password_matches(hasher, user, password):
        return None
    if not user.active:
        return None
    rehashed = hasher.hash(password) if hasher.check_needs_rehash(user.password_hash) else None
    with unit_of_work():
        if rehashed:
            user.password_hash = rehashed
        if not user.session_nonce:
            user.session_nonce = secrets.token_hex(16)
        user.last_login_at = utcnow()
    return user


def _password_matches(hasher: PasswordHasher, user: User, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        _dummy_verify(hasher)
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return True


def _dummy_verify(hasher: PasswordHasher) -> None:
    try:
        hasher.verify(hasher.hash("not-a-real-password"), "wrong password")
    except VerificationError:
        pass


def end_all_sessions(user: User) -> None:
    """Sign the user out everywhere: every cookie carrying the old nonce stops working."""
    with unit_of_work():
        user.session_nonce = secrets.token_hex(16)


def set_password(user: User, password: str, *, by: User | None = None) -> None:
    """:raises AccountError: the password breaks the rules."""
    check_password_rules(password)
    password_hash = hash_password(password)  # before the writer's turn: it takes a while
    with unit_of_work():
        user.password_hash = password_hash
        user.session_nonce = secrets.token_hex(16)
        audit.record("password_changed", user, user=by)


def change_own_password(user: User, current: str, new: str) -> None:
    """The user replaces their own password, proving they know the current one.

    Every session of the user ends, this one included (the nonce changes): the caller
    signs the current browser in again.

    :raises WrongPasswordError: `current` is not the user's password; nothing changes.
    :raises AccountError: `new` breaks the password rules; nothing changes.
    """
    if not _password_matches(_hasher(), user, current):
        raise WrongPasswordError("Your current password is not right.")
    set_password(user, new, by=user)


def set_active(user: User, active: bool, *, by: User) -> None:
    if user.id == by.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    with unit_of_work():
        user.active = active
        user.session_nonce = secrets.token_hex(16)
        audit.record("user_activated" if active else "user_deactivated", user, user=by)


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))


# --- personal API tokens -------------------------------------------------------------------


def create_api_token(user: User, name: str = "", *, actor: str = "") -> str:
    """Create a token for `user` and return it; only its hash is kept, so show it once."""
    name = name.strip()[:100]
    token = new_token()
    with unit_of_work():
        row = ApiToken(user=user, name=name, token_hash=hash_token(token))
        db.session.add(row)
        db.session.flush()
        audit.record("api_token_created", row, user=user, actor=actor, name=name)
    return token


def revoke_api_token(token: ApiToken, *, by: User) -> None:
    with unit_of_work():
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            audit.record("api_token_revoked", token, user=by, name=token.name)


def user_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    ))


def user_for_api_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None; records when it was last used,
    to the minute (LAST_USED_RESOLUTION): a script's burst of calls is one write, not one
    write per call queueing behind the others."""
    if not looks_like_token(token):
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        with unit_of_work():
            row.last_used_at = now
    return row.user
