"""Accounts: password hashing (argon2id), sign-in, sessions and personal API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select, update

from .. import audit
from ..database import unit_of_work
from ..extensions import db
from ..models import (
    ADMIN,
    DEFAULT_TOKEN_SCOPES,
    FOCAL_POINT,
    ROLES,
    TOKEN_SCOPES,
    ApiToken,
    Event,
    User,
    utcnow,
)
from ..reference import ECONOMIES
from ..textnorm import canonical_email
from ..tokens import hash_token, looks_like_token, new_token
from . import passwords, roles
from .passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hash_password

__all__ = ["MAX_PASSWORD_LENGTH", "MIN_PASSWORD_LENGTH", "hash_password"]

LAST_USED_RESOLUTION = timedelta(minutes=1)


class AccountError(ValueError):
    """A refused account change; the message is for the user."""


class WrongPasswordError(AccountError):
    """The password given to confirm a change is not the account's."""


class WeakPasswordError(AccountError):
    """The new password breaks a password rule."""


class TokenNotAllowedError(AccountError):
    """The account's role may not hold an API token, or not one of the scopes asked for."""


def normalize_email(email: str) -> str:
    """The form accounts are stored and looked up in (`textnorm.canonical_email`)."""
    return canonical_email(email)


def check_password_rules(password: str, *, email: str | None = None) -> None:
    """:raises WeakPasswordError: the password breaks a rule of `passwords.check_password`
    (length, common, pattern, the account's own address)."""
    try:
        passwords.check_password(password, email=email)
    except passwords.PasswordRuleError as exc:
        raise WeakPasswordError(str(exc)) from exc


def create_user(email: str, password: str, role: str, *, events: Iterable[Event] = (),
                economy: str | None = None, by: User | None = None, actor: str = "",
                temporary: bool | None = None) -> User:
    """Create an account; `events` limits an organiser, check-in or focal point account.

    :param economy: the APEC code a focal point acts for; required for that role, refused
        for every other.
    :param temporary: the password must be changed at the first sign-in; by default when an
        administrator (`by`) chose it for someone else.
    :raises AccountError: bad address, unknown role, economy missing or misplaced, weak
        password or address taken.
    """
    try:
        address = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise AccountError(f"That email address is not valid: {exc}") from exc
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    economy = check_economy(role, economy)
    address = normalize_email(address)
    check_password_rules(password, email=address)
    event_ids = [e.id for e in events]
    password_hash = hash_password(password)  # before the writer's turn: it takes a while
    with unit_of_work():
        if get_user_by_email(address) is not None:
            raise AccountError("An account with this email address already exists.")
        user = User(email=address, password_hash=password_hash, role=role, economy=economy,
                    session_nonce=secrets.token_hex(16),
                    must_change_password=by is not None if temporary is None else temporary,
                    events=list(db.session.scalars(select(Event).where(Event.id.in_(event_ids)))))
        db.session.add(user)
        db.session.flush()
        audit.record("user_created", user, user=by, actor=actor, email=address, role=role,
                     economy=economy, events=[e.slug for e in user.events])
    return user


def check_economy(role: str, economy: str | None) -> str | None:
    """The economy a `role` account acts for: a focal point's APEC code, else None.

    :raises AccountError: a focal point without a known economy, or another role with one.
    """
    economy = economy or None
    if role == FOCAL_POINT and economy not in ECONOMIES:
        raise AccountError("A focal point acts for one economy: choose it.")
    if role != FOCAL_POINT and economy is not None:
        raise AccountError("Only a focal point's account has an economy.")
    return economy


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None; records the sign-in time.

    Known and unknown addresses, active or not, cost the same: exactly one argon2 verify
    (an unknown address is checked against a dummy hash made once per process), so the
    answer's timing does not tell which addresses have accounts. The password is checked
    before the write begins: argon2 takes a while, and nobody else's write waits for it.
    """
    user = get_user_by_email(email)
    matches = passwords.verify(user.password_hash if user is not None else None, password)
    if user is None or not matches or not user.active:
        return None
    rehashed = hash_password(password) if passwords.needs_rehash(user.password_hash) else None
    with unit_of_work():
        if rehashed:
            user.password_hash = rehashed
        if not user.session_nonce:
            user.session_nonce = secrets.token_hex(16)
        user.last_login_at = utcnow()
    return user


def password_matches(user: User, password: str) -> bool:
    return passwords.verify(user.password_hash, password)


def _new_nonce(user: User) -> None:
    user.session_nonce = secrets.token_hex(16)


def end_all_sessions(user: User) -> None:
    """Sign the user out everywhere: every cookie carrying the old nonce stops working
    (and so does a remembered second factor, which is bound to the nonce)."""
    with unit_of_work():
        _new_nonce(user)


def sign_out_everywhere(user: User, *, by: User | None = None) -> int:
    """End every session of `user` and revoke every API token; returns the tokens revoked."""
    with unit_of_work():
        _new_nonce(user)
        revoked = _revoke_all_tokens(user, reason="signed_out_everywhere", by=by)
        audit.record("signed_out_everywhere", user, user=by or user, tokens_revoked=revoked)
    return revoked


def set_password(user: User, password: str, *, by: User | None = None) -> None:
    """Replace the password; every session and API token of the user ends.

    When an administrator sets someone else's password, it must be changed at the next
    sign-in.

    :raises AccountError: the password breaks the rules.
    """
    check_password_rules(password, email=user.email)
    password_hash = hash_password(password)  # before the writer's turn: it takes a while
    with unit_of_work():
        user.password_hash = password_hash
        _new_nonce(user)
        user.must_change_password = by is not None and by.id != user.id
        revoked = _revoke_all_tokens(user, reason="password_changed", by=by)
        audit.record("password_changed", user, user=by, tokens_revoked=revoked)


def change_own_password(user: User, current: str, new: str) -> None:
    """The user replaces their own password, proving they know the current one.

    Every session of the user ends, this one included (the nonce changes), and so does
    every API token: the caller signs the current browser in again.

    :raises WrongPasswordError: `current` is not the user's password; nothing changes.
    :raises AccountError: `new` breaks the password rules, or is the current one.
    """
    if not password_matches(user, current):
        raise WrongPasswordError("Your current password is not right.")
    if new == current:
        raise AccountError("Choose a password different from your current one.")
    set_password(user, new, by=user)


def update_user(user: User, role: str, events: Iterable[Event], *, by: User,
                economy: str | None = None) -> bool:
    """Change an account's role, economy and the events it is limited to; True if anything
    changed.

    An administrator's account is never limited (the list is emptied). Nobody changes
    their own role: the last administrator could lock everybody out.

    :param economy: a focal point's APEC code (required for that role, refused otherwise).
    :raises AccountError: unknown role, economy missing or misplaced, or `by` changing their
        own role.
    """
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    economy = check_economy(role, economy)
    if user.id == by.id and role != user.role:
        raise AccountError("You cannot change your own role; ask another administrator.")
    event_ids = sorted({e.id for e in events}) if role != ADMIN else []
    with unit_of_work():
        before_role = user.role
        before = sorted(e.slug for e in user.events)
        chosen = list(db.session.scalars(select(Event).where(Event.id.in_(event_ids))))
        after = sorted(e.slug for e in chosen)
        before_economy = user.economy
        if (before_role, before, before_economy) == (role, after, economy):
            return False
        user.role = role
        user.economy = economy
        user.events = chosen
        changes: dict = {}
        if before_role != role:
            changes["role"] = [before_role, role]
        if before_economy != economy:
            changes["economy"] = [before_economy, economy]
        if before != after:
            changes["events"] = [before, after]
        audit.record("user_changed", user, user=by, email=user.email, **changes)
    return True


def set_active(user: User, active: bool, *, by: User) -> None:
    """Activate or deactivate an account; deactivation ends its sessions and API tokens.

    :raises AccountError: an administrator deactivating their own account.
    """
    if user.id == by.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    with unit_of_work():
        user.active = active
        _new_nonce(user)
        revoked = 0 if active else _revoke_all_tokens(user, reason="deactivated", by=by)
        audit.record("user_activated" if active else "user_deactivated", user, user=by,
                     tokens_revoked=revoked)


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))


# --- personal API tokens -------------------------------------------------------------------


@dataclass(frozen=True)
class TokenCheck:
    """What a bearer token is worth: the user, or why not (for the 401/403 and the log)."""

    user: User | None
    token: ApiToken | None
    problem: str = ""  # "", "unknown", "revoked", "expired", "inactive", "scope"


def token_lifetime_days() -> tuple[int, int]:
    """(default, maximum) days a new token lasts: API_TOKEN_DAYS, API_TOKEN_MAX_DAYS."""
    return (int(current_app.config["API_TOKEN_DAYS"]),
            int(current_app.config["API_TOKEN_MAX_DAYS"]))


def clean_scopes(scopes: Iterable[str] | None) -> tuple[str, ...]:
    """Scopes in TOKEN_SCOPES order; none given: DEFAULT_TOKEN_SCOPES.

    :raises AccountError: an unknown scope.
    """
    if scopes is None:
        return DEFAULT_TOKEN_SCOPES
    chosen = {s.strip().lower() for s in scopes if s.strip()}
    unknown = chosen - set(TOKEN_SCOPES)
    if unknown:
        raise AccountError(f"Unknown scope {', '.join(sorted(unknown))}; the scopes are: "
                           f"{', '.join(TOKEN_SCOPES)}.")
    if not chosen:
        raise AccountError("Choose at least one scope.")
    return tuple(s for s in TOKEN_SCOPES if s in chosen)


def create_api_token(user: User, name: str = "", *, scopes: Iterable[str] | None = None,
                     days: int | None = None, actor: str = "") -> str:
    """Create a token for `user` and return it; only its hash is kept, so show it once.

    :param scopes: from those `user`'s role may have (roles.token_scopes_allowed); None: the
        role's default (roles.default_token_scopes).
    :param days: lifetime, 1 to API_TOKEN_MAX_DAYS; None: API_TOKEN_DAYS.
    :raises TokenNotAllowedError: the role may have no token (check-in staff) or not one of
        these scopes (a focal point: read and registrations only).
    :raises AccountError: unknown scope or a lifetime out of range.
    """
    allowed = roles.token_scopes_allowed(user.role)
    if not allowed:
        raise TokenNotAllowedError("Only administrators, organisers and focal points can have "
                                   "API tokens.")
    name = name.strip()[:100]
    chosen = clean_scopes(roles.default_token_scopes(user.role) if scopes is None else scopes)
    refused = [s for s in chosen if s not in allowed]
    if refused:
        raise TokenNotAllowedError(
            f"A {user.role.replace('_', ' ')}'s token may only have the scopes "
            f"{', '.join(allowed)}; not {', '.join(refused)}.")
    default_days, max_days = token_lifetime_days()
    days = default_days if days is None else days
    if not 1 <= days <= max_days:
        raise AccountError(f"A token lasts from 1 to {max_days} days.")
    token = new_token()
    now = utcnow()
    with unit_of_work():
        row = ApiToken(user=user, name=name, token_hash=hash_token(token), created_at=now,
                       scopes=" ".join(chosen), expires_at=now + timedelta(days=days))
        db.session.add(row)
        db.session.flush()
        audit.record("api_token_created", row, user=user, actor=actor, name=name,
                     scopes=list(chosen), days=days)
    return token


def revoke_api_token(token: ApiToken, *, by: User) -> None:
    with unit_of_work():
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            audit.record("api_token_revoked", token, user=by, name=token.name)


def _revoke_all_tokens(user: User, *, reason: str, by: User | None) -> int:
    """Revoke every live token of `user` in the open unit of work; returns how many."""
    result = db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session="fetch"))
    return result.rowcount or 0


def user_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    ))


def check_api_token(token: str, scope: str, *, now: datetime | None = None) -> TokenCheck:
    """What the bearer token `token` is worth for a route of `scope`.

    Usable: not revoked, not expired, its user active, `scope` among its scopes. Records
    when it was last used, to the minute (LAST_USED_RESOLUTION): a script's burst of calls
    is one write, not one write per call queueing behind the others.
    """
    if not looks_like_token(token):
        return TokenCheck(None, None, "unknown")
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    now = now or utcnow()
    if row is None:
        return TokenCheck(None, None, "unknown")
    if row.revoked_at is not None:
        return TokenCheck(None, row, "revoked")
    if not row.usable_at(now):
        return TokenCheck(None, row, "expired")
    if not row.user.active:
        return TokenCheck(None, row, "inactive")
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        with unit_of_work():
            row.last_used_at = now
    # A token made before its account's role changed is worth only what the role may have.
    if scope not in row.scope_set or scope not in roles.token_scopes_allowed(row.user.role):
        return TokenCheck(row.user, row, "scope")
    return TokenCheck(row.user, row)


def user_for_api_token(token: str, scope: str = "read") -> User | None:
    """The active user a usable bearer token of `scope` belongs to, or None."""
    check = check_api_token(token, scope)
    return check.user if not check.problem else None
