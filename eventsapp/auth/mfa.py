"""Second factor for staff: TOTP (RFC 6238, with pyotp) and one-time recovery codes.

- The TOTP secret (160 bits) is kept sealed (sealing.py): a database dump without the
  server's SECRET_KEY cannot make codes.
- A code is accepted for the current 30-second step or one either side (clock drift), and
  never twice: the step accepted is stored, and a later code must be of a later step
  (one conditional UPDATE, so two requests racing with one code cannot both pass).
- Ten recovery codes of 80 bits each, shown once, stored as SHA-256 hashes; each works
  once (a conditional UPDATE again).
- Which roles must use a second factor: MFA_REQUIRED_ROLES (auth/gate.py).
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, select, update

from .. import audit
from ..database import unit_of_work
from ..extensions import db
from ..models import RecoveryCode, User, utcnow
from ..sealing import SealError, seal, unseal
from ..tokens import hash_token

SEAL_PURPOSE = "mfa-totp-secret"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 5 bits a character, no 0/O, 1/I
RECOVERY_LENGTH = 16  # 80 bits, shown as XXXX-XXXX-XXXX-XXXX
VALID_WINDOW = 1  # steps either side of now
TOTP_RE = re.compile(r"^\d{6}$")


class MfaError(ValueError):
    """A refused second-factor change; the message is for the user."""


def new_secret() -> str:
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def is_enabled(user: User) -> bool:
    return user.mfa_enabled_at is not None and bool(user.mfa_secret)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code is `code`, within VALID_WINDOW of `now`, or None."""
    code = code.strip().replace(" ", "")
    if not TOTP_RE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found = None
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        # Every candidate is compared, in constant time, whatever matched before.
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def code_matches(secret: str, code: str, now: datetime | None = None) -> bool:
    return _matching_step(secret, code, now or utcnow()) is not None


def _normalise_recovery(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes in the open unit of work; returns them, formatted."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_token(raw)))
        codes.append("-".join(raw[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
    return codes


def enable(user: User, secret: str, code: str, *, now: datetime | None = None) -> list[str]:
    """Turn the second factor on with `secret`, once `code` proves the app has it.

    :returns: the recovery codes, to show once.
    :raises MfaError: the code is not the app's current one.
    """
    now = now or utcnow()
    step = _matching_step(secret, code, now)
    if step is None:
        raise MfaError("That code is not right. Check that the app shows eventsapp with "
                       "your address, and type the 6 digits it shows now.")
    with unit_of_work():
        user.mfa_secret = seal(secret, SEAL_PURPOSE)
        user.mfa_enabled_at = now
        user.mfa_last_step = step
        codes = _new_recovery_codes(user)
        audit.record("mfa_enabled", user, user=user)
    return codes


def verify(user: User, code: str, *, now: datetime | None = None) -> str | None:
    """Check a second factor for `user`: "totp" or "recovery" when accepted, else None.

    A TOTP code is accepted once (its step must be later than the last one accepted); a
    recovery code is used up.
    """
    if not is_enabled(user):
        return None
    now = now or utcnow()
    try:
        secret = unseal(user.mfa_secret or "", SEAL_PURPOSE)
    except SealError:
        secret = None
    step = _matching_step(secret, code, now) if secret else None
    if step is not None:
        with unit_of_work(reload=False):
            taken = db.session.execute(
                update(User).where(User.id == user.id, User.mfa_last_step < step)
                .values(mfa_last_step=step).execution_options(synchronize_session=False))
        return "totp" if taken.rowcount == 1 else None
    normalised = _normalise_recovery(code)
    if len(normalised) != RECOVERY_LENGTH:
        return None
    with unit_of_work(reload=False):
        used = db.session.execute(
            update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                       RecoveryCode.code_hash == hash_token(normalised),
                                       RecoveryCode.used_at.is_(None))
            .values(used_at=now).execution_options(synchronize_session=False))
        if used.rowcount == 1:
            audit.record("mfa_recovery_code_used", user, user=user,
                         left=remaining_recovery_codes(user))
    return "recovery" if used.rowcount == 1 else None


def remaining_recovery_codes(user: User) -> int:
    return len(list(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))))


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), after a fresh second factor.

    :raises MfaError: `code` is not accepted.
    """
    if verify(user, code) is None:
        raise MfaError("That code is not right; type the 6 digits your app shows now.")
    with unit_of_work():
        codes = _new_recovery_codes(user)
        audit.record("mfa_recovery_codes_regenerated", user, user=user)
    return codes


def reset(user: User, *, by: User) -> None:
    """Another administrator turns `user`'s second factor off (a lost phone): the user
    sets it up again at their next sign-in, and every session and remembered browser of
    theirs ends.

    :raises MfaError: an administrator resetting their own second factor.
    """
    if user.id == by.id:
        raise MfaError("Another administrator must reset your second factor.")
    with unit_of_work():
        user.mfa_secret = None
        user.mfa_enabled_at = None
        user.mfa_last_step = 0
        user.session_nonce = secrets.token_hex(16)
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        audit.record("mfa_reset", user, user=by)
