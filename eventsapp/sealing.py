"""Secrets the server must read back later, kept sealed (encrypted and authenticated).

A value sealed here is Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under a key
derived from SECRET_KEY and a purpose, so a database dump without the server's secret key
opens nothing: second-factor secrets (auth/mfa.py) and the private links in mail waiting
in the outbox (mail/outbox.py). Changing SECRET_KEY makes every sealed value unreadable:
staff then need their second factor reset, and unsent mail is sent without its link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


class SealError(ValueError):
    """The value was sealed under another key or purpose, or was altered."""


def _fernet(purpose: str) -> Fernet:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    key = hmac.new(secret, f"eventsapp-seal:{purpose}".encode(), hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str, purpose: str) -> str:
    """`value` encrypted and authenticated for `purpose`; ASCII text."""
    return _fernet(purpose).encrypt(value.encode()).decode()


def unseal(sealed: str, purpose: str) -> str:
    """:raises SealError: the value cannot be opened with this server's key and `purpose`."""
    try:
        return _fernet(purpose).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise SealError("This value was sealed with another secret key.") from exc
