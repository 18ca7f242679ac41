"""One set of input rules for the form, the API and the seed: raw values in, clean values out.

Every text field is NFC-normalised and stripped of blanks and invisible characters at
its ends (`textnorm.normalize_text`), refused when it holds control characters (CR/LF,
ESC, NUL, …) or bidirectional overrides that can disguise a name, and refused when it
holds only invisible characters (U+200B, U+2060, U+FEFF, U+3164 HANGUL FILLER, …). Any
script is welcome; length is counted in characters, not bytes.

Email addresses: the domain may be in any script (it travels in IDNA form,
`xn--mller-kva.example`); the part before the @ must be ASCII, because a message to an
address that needs SMTPUTF8 is refused by every server along the way that lacks it, after
the person was told it was sent. `email_key` is the one form addresses are compared in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from email_validator import EmailNotValidError, validate_email

from ..inputs import check_text
from ..reference import CATEGORIES, ECONOMIES, SECTORS
from ..textnorm import email_key, is_invisible_only, normalize_text, search_key

NAME_MAX = 200
LONG_TEXT_MAX = 500


@dataclass(frozen=True)
class RegistrationInput:
    """A registrant's details, already validated by `clean_registration`."""

    given_name: str
    family_name: str
    email: str
    economy: str | None = None
    organisation: str = ""
    sector: str = "government"
    category: str = "delegate"
    badge_name: str = ""
    native_name: str = ""
    job_title: str = ""
    dietary: str = ""
    accessibility: str = ""
    consent_to_list: bool = False
    honorific: str = ""  # "Mr", "Ms", "Dr", "H.E. Ms", ...: as protocol addresses the person
    # "in_person" or "online" in a hybrid event; None: not chosen (the event's mode, or in
    # person for staff). Changed afterwards only by `participation.services.switch`.
    participation: str | None = None

    @property
    def email_normalized(self) -> str:
        return email_key(self.email)

    @property
    def search_key(self) -> str:
        return search_key(self.given_name, self.family_name, self.badge_name, self.native_name)


FIELD_NAMES = tuple(f.name for f in fields(RegistrationInput))
# Field → (required, maximum length)
HONORIFIC_MAX = 40
TEXT_FIELDS = {
    "honorific": (False, HONORIFIC_MAX),
    "given_name": (True, NAME_MAX),
    "family_name": (True, NAME_MAX),
    "badge_name": (False, NAME_MAX),
    "native_name": (False, NAME_MAX),
    "organisation": (False, NAME_MAX),
    "job_title": (False, NAME_MAX),
    "dietary": (False, LONG_TEXT_MAX),
    "accessibility": (False, LONG_TEXT_MAX),
}
CHOICE_FIELDS = {"economy": ECONOMIES, "sector": SECTORS, "category": CATEGORIES}
LABELS = {
    "honorific": "Title", "given_name": "Given name", "family_name": "Family name",
    "email": "Email address",
    "economy": "Economy", "organisation": "Organisation", "sector": "Sector",
    "category": "Category", "badge_name": "Name on the badge",
    "native_name": "Name in native script", "job_title": "Job title",
    "dietary": "Dietary needs", "accessibility": "Accessibility needs",
    "consent_to_list": "Participant list",
    "participation": "Taking part",
}
PARTICIPATION_LABELS = {"in_person": "In person", "online": "Online"}


class ValidationFailed(Exception):
    """Input was refused; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def clean_text(value: Any, label: str, *, required: bool, max_length: int) -> str:
    """Return the stripped, NFC-normalised text or raise ValueError with the user's message."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(f"{label} must be text.")
    check_text(value, label)  # the same rule as organisers' text
    if is_invisible_only(value):
        raise ValueError(f"{label} has only invisible characters (such as a zero-width "
                         "space); type it as it should be printed.")
    text = normalize_text(value)
    if required and not text:
        raise ValueError(f"Enter your {label.lower()}.")
    if len(text) > max_length:
        raise ValueError(f"{label} must be at most {max_length} characters long.")
    return text


def clean_email(value: Any) -> str:
    """The address as email-validator normalises it (NFC; domain lower-case, NFKC, in Unicode).

    :raises ValueError: with the user's message: not an address, or one whose part before
        the @ is not ASCII (mail to it needs SMTPUTF8, which we do not rely on).
    """
    if not isinstance(value, str):
        raise ValueError("Email address must be text.")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("Email address must not contain line breaks or control characters.")
    if not value.strip():
        raise ValueError("Enter your email address.")
    try:
        valid = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"Enter a valid email address ({exc}).") from exc
    if valid.smtputf8:
        raise ValueError(
            "Enter an address whose part before the @ uses only Latin letters, digits and "
            "punctuation (a–z, 0–9, . _ - +): mail to other letters there is refused by many "
            "mail servers. The part after the @ may be in any script.")
    return valid.normalized


def clean_choice(name: str, value: Any) -> str | None:
    choices = CHOICE_FIELDS[name]
    if value is None or value == "":
        if name == "economy":
            return None  # not every participant represents an economy
        raise ValueError(f"Choose {_article(name)} {LABELS[name].lower()}.")
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"Choose {_article(name)} {LABELS[name].lower()} from the list.")
    return value


def _article(name: str) -> str:
    return "an" if LABELS[name][0].lower() in "aeiou" else "a"


def clean_registration(raw: Mapping[str, Any], *, defaults: bool = True) -> RegistrationInput:
    """Validate raw form or JSON values.

    Unknown keys are ignored. With `defaults`, absent sector and category take
    the usual values (government delegate), as the API allows.

    :raises ValidationFailed: with every field's messages at once.
    """
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, (required, max_length) in TEXT_FIELDS.items():
        try:
            values[name] = clean_text(raw.get(name), LABELS[name], required=required,
                                      max_length=max_length)
        except ValueError as exc:
            errors[name] = [str(exc)]
    try:
        values["email"] = clean_email(raw.get("email"))
    except ValueError as exc:
        errors["email"] = [str(exc)]
    for name in CHOICE_FIELDS:
        value = raw.get(name)
        if defaults and value is None and name != "economy":
            value = RegistrationInput.__dataclass_fields__[name].default
        try:
            values[name] = clean_choice(name, value)
        except ValueError as exc:
            errors[name] = [str(exc)]
    consent = raw.get("consent_to_list", False)
    if consent is None:
        consent = False
    if not isinstance(consent, bool):
        errors["consent_to_list"] = ["Participant list consent must be true or false."]
    values["consent_to_list"] = consent
    participation = raw.get("participation")
    if participation in (None, ""):
        values["participation"] = None
    elif not isinstance(participation, str) or participation not in PARTICIPATION_LABELS:
        errors["participation"] = ["Choose how you take part: in_person or online."]
    else:
        values["participation"] = participation
    if errors:
        raise ValidationFailed(errors)
    return RegistrationInput(**values)
