"""Flask-Login wiring: which user a session cookie belongs to, and for how long."""

from __future__ import annotations

import time

from flask import current_app, session
from flask_login import login_user

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
