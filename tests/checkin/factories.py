"""Users, sessions and registrations made directly with the models (check-in and badge tests)."""

from __future__ import annotations

import secrets
import time

from eventsapp.extensions import db
from eventsapp.models import CONFIRMED, Event, Registration, User
from eventsapp.tokens import derive_feed_token, hash_token, new_checkin_code, new_token


def make_user(app, role: str, events: tuple[int, ...] = ()) -> int:
    with app.app_context():
        user = User(email=f"{role}-{secrets.token_hex(4)}@example.org",
                    password_hash="not-a-real-hash", role=role,
                    session_nonce=secrets.token_hex(16),
                    events=[db.session.get(Event, e) for e in events])
        db.session.add(user)
        db.session.commit()
        return user.id


def login(app, client, user_id: int) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        session_id = f"{user.id}:{user.session_nonce}"
    with client.session_transaction() as s:
        s["_user_id"] = session_id
        s["_fresh"] = True
        s["signed_in_at"] = int(time.time())


def make_registration(app, event_id: int, given: str = "Alice", family: str = "Smith",
                      status: str = CONFIRMED, **fields) -> tuple[int, str, str]:
    """Returns (id, management token, check-in code)."""
    token = new_token()
    email = fields.pop("email", f"{secrets.token_hex(6)}@example.org")
    with app.app_context():
        reg = Registration(
            event_id=event_id, given_name=given, family_name=family, email=email,
            email_normalized=email.lower(), status=status, token_hash=hash_token(token),
            feed_token_hash=hash_token(derive_feed_token(token, 1)),
            checkin_code=new_checkin_code(), **fields,
        )
        db.session.add(reg)
        db.session.commit()
        return reg.id, token, reg.checkin_code
