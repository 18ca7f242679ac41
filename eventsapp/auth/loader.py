"""Flask-Login wiring: which user a session cookie belongs to."""

from __future__ import annotations

from ..extensions import db, login_manager
from ..models import User


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    # The session holds "<id>:<nonce>"; a changed nonce (logout everywhere,
    # password change) makes old cookies worthless.
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_nonce != nonce:
        return None
    return user
