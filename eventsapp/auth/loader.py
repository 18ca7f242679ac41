"""Flask-Login wiring: which user a session cookie belongs to, and for how long."""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import Response, current_app, request, session
from flask_login import login_user
from itsdangerous import BadData, URLSafeTimedSerializer

from ..extensions import db, login_manager
from ..models import User

SIGNED_IN_AT = "signed_in_at"


def start_session(user: User) -> None:
    """Sign `user` in with a new session, which ends PERMANENT_SESSION_LIFETIME (12 h) after
    the password was given, however busy it stays.

    A new session: an id planted before sign-in (fixation) is worth nothing after it.
    """
    session.clear()
    login_user(user)
    session[SIGNED_IN_AT] = time.time()


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    # The session holds "<id>:<nonce>"; a changed nonce (logout everywhere,
    # password change) makes old cookies worthless.
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit():
        return None
    # Flask refuses only a cookie last written more than the lifetime ago, and any response
    # that changes the session (a flash message) writes it again: the sign-in time bounds it.
    signed_in_at = session.get(SIGNED_IN_AT)
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if not isinstance(signed_in_at, int | float) or time.time() - signed_in_at > lifetime:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_nonce != nonce:
        return None
    return user


# --- the second factor: a sign-in waiting for it, and browsers that remember it ------------

MFA_PENDING = "mfa_pending"
REMEMBER_COOKIE = "mfa_device"
REMEMBER_SALT = "eventsapp-mfa-remember"
MAX_REMEMBER_SECONDS = 12 * 3600  # the ceiling, whatever MFA_REMEMBER_SECONDS says


def begin_second_factor(user: User, next_url: str | None) -> None:
    """The password was right; the session holds only "user X owes a second factor", for
    MFA_PENDING_SECONDS, bound to the user's nonce (a sign-out everywhere voids it)."""
    session.clear()
    session[MFA_PENDING] = {"uid": user.id, "nonce": user.session_nonce, "at": time.time(),
                            "next": next_url}


def pending_second_factor() -> tuple[User | None, str | None]:
    """The user who gave their password and owes a second factor (or None), and where to
    go next."""
    pending = session.get(MFA_PENDING)
    if not isinstance(pending, dict):
        return None, None
    if time.time() - float(pending.get("at", 0)) > current_app.config["MFA_PENDING_SECONDS"]:
        session.pop(MFA_PENDING, None)
        return None, None
    user = db.session.get(User, int(pending.get("uid", 0)))
    if user is None or not user.active or user.session_nonce != pending.get("nonce"):
        return None, None
    return user, pending.get("next")


def _remember_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=REMEMBER_SALT)


def _remember_seconds() -> int:
    return min(int(current_app.config["MFA_REMEMBER_SECONDS"]), MAX_REMEMBER_SECONDS)


def _nonce_tag(user: User) -> str:
    # The cookie carries a hash of the nonce, not the nonce: it is signed, not encrypted.
    return hashlib.sha256(f"mfa-device:{user.session_nonce}".encode()).hexdigest()[:32]


def remember_device(response: Response, user: User) -> None:
    """Let this browser skip the second factor for MFA_REMEMBER_SECONDS (at most 12 h), as
    long as the user's nonce stays: signing out, a password change or a reset forgets it."""
    seconds = _remember_seconds()
    if seconds <= 0:
        return
    value = _remember_serializer().dumps({"u": user.id, "n": _nonce_tag(user)})
    response.set_cookie(REMEMBER_COOKIE, value, max_age=seconds, path="/login",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
                        httponly=True, samesite="Lax")


def device_remembered(user: User) -> bool:
    value = request.cookies.get(REMEMBER_COOKIE)
    if not value or _remember_seconds() <= 0:
        return False
    try:
        data = _remember_serializer().loads(value, max_age=_remember_seconds())
    except BadData:
        return False
    return (isinstance(data, dict) and data.get("u") == user.id
            and hmac.compare_digest(str(data.get("n", "")), _nonce_tag(user)))
