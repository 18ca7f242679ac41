"""The system emails as a registry: each one's key, default subject and body, the
placeholders it may use, and sample values for a preview.

Organisers may override the subject and body of any of them per event
(`MailTemplateOverride`, mail/services.py). Templates use `str.format` placeholders
(`{given_name}`); only plain names from the email's list are accepted: no attribute or
index (`{given_name.__class__}`, `{x[0]}`), no positional field (`{}`, `{0}`), no
conversion (`{x!r}`) and no format spec (`{x:>99999}`). `check_template` refuses anything
else when the organiser saves, naming the bad placeholder, so sending never fails on a
template: `render` fills only what was checked.

Adding a system email (approval and decline, issue 16) is one `register(SystemEmail(...))`
call and its default body file in `templates/mail/system/`.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

BODY_DIR = Path(__file__).resolve().parents[2] / "templates" / "mail" / "system"
SUBJECT_MAX = 200
BODY_MAX = 20_000
# Filled by the sender from sealed secrets: never in a subject, which is not sealed.
SECRET_PLACEHOLDERS = frozenset({"manage_url", "calendar_url"})

# What each placeholder stands for, shown beside the editor.
PLACEHOLDERS: dict[str, str] = {
    "given_name": "given name",
    "family_name": "family name",
    "full_name": "given and family name",
    "badge_name": "name as printed on the badge",
    "economy": "economy (or “None”)",
    "category": "category, e.g. Delegate",
    "organisation": "organisation",
    "event": "the event's title",
    "starts": "the event's dates",
    "venue": "venue and city",
    "event_url": "the event's public page",
    "manage_url": "the registrant's private link (sealed until sent)",
    "calendar_url": "the registrant's own calendar feed (sealed until sent)",
    "position": "place on the waiting list",
    "new_link_url": "page to ask for a new private link",
    "calendar_note": "what the attached calendar file covers, when the days are not set",
    "reason": "the reason given, on a line of its own (empty if none)",
    "decider": "who approves or declines, e.g. “the focal point of Chile or the secretariat”",
    "contact": "whom to ask about the decision, e.g. “the focal point of Chile”",
    "substitute_name": "the substitute's name",
    "withdrawn_by": "who withdrew the person, e.g. “your head of delegation”",
}

SAMPLE: dict[str, str] = {
    "given_name": "Ana", "family_name": "Lima", "full_name": "Ana Lima",
    "badge_name": "Ana Lima", "economy": "Chile", "category": "Delegate",
    "organisation": "Ministry of Foreign Affairs", "event": "Sample meeting",
    "starts": "4–5 August 2030", "venue": "Convention Centre, Kuala Lumpur, Malaysia",
    "event_url": "https://events.example/events/sample",
    "manage_url": "https://events.example/registrations/(private link)",
    "calendar_url": "https://events.example/registrations/(private feed)/calendar.ics",
    "position": "3", "new_link_url": "https://events.example/events/sample/new-link",
    "calendar_note": "", "reason": "",
    "decider": "the focal point of Chile or the secretariat",
    "contact": "the focal point of Chile", "substitute_name": "Pedro Soto",
    "withdrawn_by": "your head of delegation",
}

_PERSON = ("given_name", "family_name", "full_name", "badge_name", "economy", "category",
           "organisation", "event", "starts", "venue", "event_url")


@dataclass(frozen=True)
class SystemEmail:
    key: str
    title: str  # for organisers: "Confirmation"
    sent_when: str  # "when a registration is confirmed"
    subject: str  # the default subject template
    placeholders: tuple[str, ...]

    @property
    def body(self) -> str:
        """The default body template (templates/mail/system/<key>.txt)."""
        return _default_body(self.key)


def _default_body(key: str) -> str:
    return (BODY_DIR / f"{key}.txt").read_text(encoding="utf-8")


SYSTEM_EMAILS: dict[str, SystemEmail] = {}


def register(email: SystemEmail) -> SystemEmail:
    """Add a system email to the registry; its defaults must pass `check_template`."""
    problems = check_template(email.subject, email.placeholders, subject=True) + \
        check_template(email.body, email.placeholders)
    if problems:
        raise ValueError(f"default template of {email.key}: {problems}")
    SYSTEM_EMAILS[email.key] = email
    return email


class TemplateError(ValueError):
    """A template that cannot be saved; the message names the problem for the organiser."""


def check_template(text: str, allowed: Iterable[str], *, subject: bool = False) -> list[str]:
    """The problems of a template (empty when it can be saved), each naming its placeholder.

    :param subject: a subject: one line, no secret placeholders.
    """
    what = "The subject" if subject else "The body"
    allowed = set(allowed) - (SECRET_PLACEHOLDERS if subject else set())
    problems: list[str] = []
    if subject:
        if any(ch in text for ch in "\r\n\x00\u2028\u2029\x85\x0b\x0c"):
            problems.append("The subject must be one line: no line breaks.")
        if len(text) > SUBJECT_MAX:
            problems.append(f"The subject is {len(text)} characters long; at most "
                            f"{SUBJECT_MAX}.")
        if not text.strip():
            problems.append("The subject must not be empty.")
    elif len(text) > BODY_MAX:
        problems.append(f"The body is {len(text):,} characters long; at most {BODY_MAX:,}.")
    elif not text.strip():
        problems.append("The body must not be empty.")
    if any(ch == "\x00" or (ord(ch) < 32 and ch not in "\n\t\r") for ch in text):
        problems.append(f"{what} contains control characters.")
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return problems + [f"{what} has a “{{” or “}}” without its pair: write “{{{{” or "
                           f"“}}}}” for a brace that is not a placeholder."]
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        shown = "{" + field + (f"!{conversion}" if conversion else "") + \
            (f":{spec}" if spec else "") + "}"
        if field == "" or field.isdigit():
            problems.append(f"{shown} is not allowed: placeholders have names, e.g. "
                            "{given_name}.")
        elif conversion or spec:
            problems.append(f"{shown} is not allowed: write the placeholder alone, as "
                            f"{{{field}}}, without “!” or “:”.")
        elif field not in allowed:
            hint = (" (private links cannot go in a subject)" if subject
                    and field in SECRET_PLACEHOLDERS else "")
            problems.append(f"{shown} is not a placeholder of this email{hint}. Use one of: "
                            + ", ".join(f"{{{p}}}" for p in sorted(allowed)) + ".")
    return problems


def render(text: str, values: Mapping[str, str]) -> str:
    """`text` with its placeholders filled; only for templates `check_template` passed."""
    return string.Formatter().vformat(text, (), {k: str(v) for k, v in values.items()})


# --- the registry ---------------------------------------------------------------------

register(SystemEmail("confirmation", "Confirmation", "when a registration is confirmed",
                     "Registration confirmed: {event}",
                     (*_PERSON, "manage_url", "calendar_url", "calendar_note")))
register(SystemEmail("waitlisted", "Waiting list", "when a registration joins the waiting list",
                     "You are on the waiting list: {event}",
                     (*_PERSON, "manage_url", "calendar_url", "position")))
register(SystemEmail("promoted", "A place is yours",
                     "when someone on the waiting list gets a place",
                     "A place is yours: {event}", (*_PERSON, "new_link_url")))
register(SystemEmail("promoted_by_organiser", "A place is yours (given by organisers)",
                     "when organisers confirm someone from the waiting list by hand",
                     "A place is yours: {event}", (*_PERSON, "new_link_url")))
register(SystemEmail("cancelled", "Cancellation", "when the registrant cancels",
                     "Registration cancelled: {event}", _PERSON))
register(SystemEmail("cancelled_by_organiser", "Cancellation by organisers",
                     "when organisers cancel a registration",
                     "Registration cancelled: {event}", (*_PERSON, "reason")))
register(SystemEmail("new_link", "New private link", "when a registrant asks for a new link",
                     "Your new private link: {event}",
                     (*_PERSON, "manage_url", "calendar_url")))
# Accreditation (issue 16): approval mode, decisions, substitutes, withdrawal.
register(SystemEmail("pending", "Awaiting approval",
                     "when a registration needs approval (approval mode)",
                     "Registration received, awaiting approval: {event}",
                     (*_PERSON, "manage_url", "calendar_url", "decider")))
register(SystemEmail("approved", "Approved and confirmed",
                     "when a pending registration is approved and a place is free",
                     "Registration approved and confirmed: {event}", (*_PERSON, "new_link_url")))
register(SystemEmail("approved_waitlisted", "Approved, on the waiting list",
                     "when a pending registration is approved but the meeting is full",
                     "Registration approved: on the waiting list: {event}",
                     (*_PERSON, "new_link_url", "position")))
register(SystemEmail("declined", "Declined", "when a pending registration is declined",
                     "Registration declined: {event}", (*_PERSON, "reason", "contact")))
register(SystemEmail("replaced", "Replaced by a substitute",
                     "when someone's place goes to a substitute",
                     "Your place has gone to a substitute: {event}",
                     (*_PERSON, "substitute_name", "contact")))
register(SystemEmail("withdrawn", "Withdrawn from the delegation",
                     "when a head of delegation withdraws someone",
                     "Registration cancelled: {event}", (*_PERSON, "withdrawn_by", "reason")))
