"""One-time links to set a password: an administrator's invitation, or "Forgot password?".

A link's secret comes from `secrets` (256 bits) and only its SHA-256 hash is stored, so a
database dump opens no account and a lookup by hash leaves no timing oracle. A link works
once (its use is claimed by one conditional UPDATE, so two tabs cannot both use it), and
not after it expires: an invitation after INVITE_LIFETIME, a reset after RESET_LIFETIME.
Setting a password through any link ends the user's other links and every session.

Asking for a reset answers the same whether or not the address has an account; only an
active account is sent a link.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import render_template, url_for
from sqlalchemy import select, update

from .. import audit
from ..database import unit_of_work
from ..extensions import db
from ..mail.outbox import queue_email, secret_placeholder
from ..models import INVITE, RESET, ROLES, Event, PasswordLink, User, utcnow
from ..tokens import hash_token, looks_like_token, new_token
from .services import (
    AccountError,
    check_economy,
    check_password_rules,
    get_user_by_email,
    hash_password,
)

INVITE_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=1)
LIFETIMES = {INVITE: INVITE_LIFETIME, RESET: RESET_LIFETIME}


class LinkInvalid(AccountError):
    """The link is unknown, used or expired; the message is for the person."""


INVALID_MESSAGE = ("This link has expired or has been used already. Ask for a new one with "
                   "“Forgot your password?” on the sign-in page.")


def _lifetime_label(purpose: str) -> str:
    return "7 days" if purpose == INVITE else "1 hour"


def _new_link(user: User, purpose: str, now: datetime) -> str:
    """Add a link for `user` (ending their earlier unused links of this purpose); returns
    the secret, which goes into the email only. Inside a unit of work."""
    db.session.execute(
        update(PasswordLink).where(PasswordLink.user_id == user.id,
                                   PasswordLink.purpose == purpose,
                                   PasswordLink.used_at.is_(None))
        .values(expires_at=now).execution_options(synchronize_session=False))
    token = new_token()
    db.session.add(PasswordLink(user_id=user.id, purpose=purpose, token_hash=hash_token(token),
                                created_at=now, expires_at=now + LIFETIMES[purpose]))
    return token


def _mail(user: User, purpose: str, token: str, *, by: User | None = None) -> None:
    # The link goes into the outbox sealed, never readable in the database (SECURITY.md).
    url = url_for("auth.set_password", token=token, _external=True)
    placeholder = secret_placeholder("link")
    template = "mail/invitation.txt" if purpose == INVITE else "mail/password_reset.txt"
    subject = "You are invited to eventsapp" if purpose == INVITE else "Set a new password"
    queue_email(user.email, subject, render_template(
        template, user=user, url=placeholder, by=by, lifetime=_lifetime_label(purpose)),
        sealed={placeholder: url})


def invite_user(email: str, role: str, *, events: Iterable[Event] = (), by: User,
                economy: str | None = None) -> User:
    """Create an account without a password and email it a link to set one.

    :param economy: a focal point's APEC code (required for that role, refused otherwise).
    :raises AccountError: bad address, unknown role, economy missing or misplaced, or the
        address has an account.
    """
    try:
        address = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(f"That email address is not valid: {exc}") from exc
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    economy = check_economy(role, economy)
    event_ids = [e.id for e in events]
    with unit_of_work():
        if get_user_by_email(address) is not None:
            raise AccountError("An account with this email address already exists.")
        # No password: nothing signs in until the invitation's link sets one.
        user = User(email=address, password_hash="", role=role, economy=economy,
                    session_nonce=secrets.token_hex(16),
                    events=list(db.session.scalars(select(Event).where(Event.id.in_(event_ids)))))
        db.session.add(user)
        db.session.flush()
        token = _new_link(user, INVITE, utcnow())
        audit.record("user_invited", user, user=by, email=address, role=role, economy=economy,
                     events=[e.slug for e in user.events])
        _mail(user, INVITE, token, by=by)
    return user


def resend_invitation(user: User, *, by: User) -> None:
    """A new invitation link for a user who has not set a password (the old one ends).

    :raises AccountError: the user has a password already (they can reset it themselves).
    """
    if user.has_password:
        raise AccountError(f"{user.email} has set a password already; they can use "
                           "“Forgot your password?” on the sign-in page.")
    with unit_of_work():
        token = _new_link(user, INVITE, utcnow())
        audit.record("invitation_resent", user, user=by, email=user.email)
        _mail(user, INVITE, token, by=by)


def request_password_reset(email: str) -> bool:
    """Email a reset link if `email` is an active account's; return whether one was sent.

    The caller must answer the same either way (no oracle of who has an account).
    """
    user = get_user_by_email(email)
    if user is None or not user.active:
        return False
    with unit_of_work():
        token = _new_link(user, RESET, utcnow())
        audit.record("password_reset_requested", user, actor="anonymous")
        _mail(user, RESET, token)
    return True


def valid_link(token: str, now: datetime | None = None) -> PasswordLink | None:
    """The unused, unexpired link of an active user that `token` opens, or None."""
    if not isinstance(token, str) or not looks_like_token(token):
        return None
    link = db.session.scalar(select(PasswordLink).where(
        PasswordLink.token_hash == hash_token(token)))
    now = now or utcnow()
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    if not link.user.active:
        return None
    return link


def set_password_with_link(token: str, password: str, now: datetime | None = None) -> User:
    """Set the password of the link's user and use the link up; returns the user.

    Every other link of the user ends, and every session (the nonce changes).

    :raises AccountError: the password breaks the rules; the link stays usable.
    :raises LinkInvalid: the link is unknown, used (also by a twin request) or expired.
    """
    check_password_rules(password)
    link = valid_link(token, now)
    if link is None:
        raise LinkInvalid(INVALID_MESSAGE)
    link_id, user_id, purpose = link.id, link.user_id, link.purpose
    password_hash = hash_password(password)  # before the writer's turn: it takes a while
    now = now or utcnow()
    with unit_of_work():
        # One statement claims the link: of two requests with the same link, one wins.
        claimed = db.session.execute(
            update(PasswordLink).where(PasswordLink.id == link_id,
                                       PasswordLink.used_at.is_(None),
                                       PasswordLink.expires_at > now)
            .values(used_at=now).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            raise LinkInvalid(INVALID_MESSAGE)
        db.session.execute(
            update(PasswordLink).where(PasswordLink.user_id == user_id,
                                       PasswordLink.id != link_id,
                                       PasswordLink.used_at.is_(None))
            .values(expires_at=now).execution_options(synchronize_session=False))
        user = db.session.get(User, user_id)
        user.password_hash = password_hash
        user.session_nonce = secrets.token_hex(16)
        audit.record("password_set", user, user=user,
                     via="invitation" if purpose == INVITE else "reset link")
    return user
