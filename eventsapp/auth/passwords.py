"""Password hashing (argon2id) and the rules a new password must pass.

Rules (NIST SP 800-63B §3.1.1.2, OWASP ASVS 5.0 V6.2): at least MIN_PASSWORD_LENGTH
characters; not one of the common passwords (the 20,000 of Royce Williams's list that
Django ships, `common-passwords.txt.gz`, see COMMON-PASSWORDS-NOTICE.txt), nor one of
them with digits or punctuation around it; not a repetition ("passwordpassword") or a
run along the digits, the alphabet or a keyboard row ("123456789012"); not made of the
account's own address or its local part.
"""

from __future__ import annotations

import functools
import gzip
import secrets
from difflib import SequenceMatcher
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 accepts more; nobody needs it, and it bounds the work
# Cheap parameters for tests only: hashing with the real cost in every test is slow.
TESTING_HASH_PARAMS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")
# Sequences people walk along; a password that is one run (either way, wrapping round)
# is refused. The digits wrap so that "123456789012" is one run.
SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm",
             "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/")
# Django's UserAttributeSimilarityValidator uses the same ratio.
MAX_SIMILARITY = 0.7


class PasswordRuleError(ValueError):
    """The password breaks a rule; the message is for the user."""


# --- hashing ---------------------------------------------------------------------------------


def hash_params() -> dict:
    """The configured argon2 parameters (PASSWORD_HASH_PARAMS), cheap ones under TESTING."""
    params = current_app.config.get("PASSWORD_HASH_PARAMS")
    if params is None and current_app.config.get("TESTING"):
        params = TESTING_HASH_PARAMS
    # Empty: argon2-cffi's RFC 9106 low-memory profile (argon2id).
    return dict(params or {})


def hasher() -> PasswordHasher:
    return PasswordHasher(**hash_params())


def hash_password(password: str) -> str:
    return hasher().hash(password)


@functools.lru_cache(maxsize=4)
def _dummy_hash(params: tuple) -> str:
    # A hash of a random password nobody knows, made once per process and parameter set.
    return PasswordHasher(**dict(params)).hash(secrets.token_urlsafe(32))


def dummy_hash() -> str:
    """A hash with the configured parameters that no password matches.

    Verifying against it costs what verifying a real password costs, so a sign-in for an
    unknown address does the same work (one argon2 verify) as one for a known address.
    """
    return _dummy_hash(tuple(sorted(hash_params().items())))


def verify(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches `stored_hash`; exactly one argon2 verify either way.

    None (no such account) and overlong passwords are checked against the dummy hash.
    """
    ph = hasher()
    target = stored_hash if stored_hash and len(password) <= MAX_PASSWORD_LENGTH \
        else dummy_hash()
    try:
        ok = ph.verify(target, password[:MAX_PASSWORD_LENGTH])
    except (VerificationError, InvalidHashError):
        return False
    return bool(ok) and target is stored_hash


def needs_rehash(stored_hash: str) -> bool:
    return hasher().check_needs_rehash(stored_hash)


# --- rules -----------------------------------------------------------------------------------


@functools.cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def check_password(password: str, *, email: str | None = None) -> None:
    """Refuse a password that is short, common, a pattern, or made of the account's address.

    :param email: the account's address, when known.
    :raises PasswordRuleError: with the reason, for the user.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRuleError(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRuleError(
            f"The password must have at most {MAX_PASSWORD_LENGTH} characters.")
    lowered = password.lower()
    if _is_common(lowered):
        raise PasswordRuleError("This password is one of the most common passwords; "
                                "choose one that is harder to guess.")
    if _is_pattern(lowered):
        raise PasswordRuleError("This password is a repeated or sequential pattern "
                                "(like 123456789012 or passwordpassword); choose one that "
                                "is harder to guess.")
    if email and _too_close_to_address(lowered, email.strip().lower()):
        raise PasswordRuleError("The password must not be made of your email address.")


def _is_common(lowered: str) -> bool:
    common = common_passwords()
    if lowered in common:
        return True
    # "password2024!" is "password" with decoration: strip digits and punctuation at the ends.
    core = lowered.strip("0123456789!@#$%^&*()_-+=.,;:?'\"/\\|~`[]{}<> ")
    return len(core) >= 4 and core in common


def _is_pattern(text: str) -> bool:
    if len(set(text)) <= 2:
        return True
    # A repetition of a shorter unit: the text is found inside itself, shifted.
    if (text + text).find(text, 1) < len(text):
        return True
    return any(_runs_along(text, seq) or _runs_along(text, seq[::-1]) for seq in SEQUENCES)


def _runs_along(text: str, sequence: str) -> bool:
    if text[0] not in sequence:
        return False
    start = sequence.index(text[0])
    return all(ch == sequence[(start + i) % len(sequence)] for i, ch in enumerate(text))


def _too_close_to_address(lowered: str, address: str) -> bool:
    local = address.partition("@")[0]
    parts = {address, local, *(p for p in _split_words(local) if len(p) >= 4)}
    for part in parts:
        if len(part) >= 4 and part in lowered:
            return True
        if SequenceMatcher(a=lowered, b=part).quick_ratio() >= MAX_SIMILARITY and \
                SequenceMatcher(a=lowered, b=part).ratio() >= MAX_SIMILARITY:
            return True
    return False


def _split_words(text: str) -> list[str]:
    for sep in "._-+":
        text = text.replace(sep, " ")
    return text.split()
