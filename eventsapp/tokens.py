"""Secrets for private links: generated with `secrets`, stored only as hashes.

Looking a token up by its SHA-256 hash means no comparison ever depends on
the secret itself, so there is no timing oracle; where a secret must be
compared directly, use `hmac.compare_digest`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

TOKEN_BYTES = 32  # 256 bits
# token_urlsafe(32) gives 43 characters of [A-Za-z0-9_-]
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
CHECKIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I for people typing


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(value: str) -> bool:
    """Cheap shape check; malformed and unknown tokens must still get the same answer."""
    return bool(TOKEN_RE.match(value))


def derive_feed_token(management_token: str, version: int) -> str:
    """The personal calendar token, derived from the management token.

    The registrant's page (which has the management token) can show the feed
    URL without our storing it; bumping `version` resets the feed URL; the feed
    token reveals nothing about the management token.
    """
    mac = hmac.new(management_token.encode(), f"calendar-feed:{version}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def new_checkin_code() -> str:
    """Printed on the badge and typed by a scanner; grants nothing but check-in."""
    bits = secrets.randbits(60)  # 12 characters of 5 bits: the alphabet has 32
    return "".join(CHECKIN_ALPHABET[bits >> shift & 31] for shift in range(0, 60, 5))
