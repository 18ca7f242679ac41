"""Invitations: who is invited, the one-time links, reminders, declining, the list.

An invitation is bound to one address of one event: its link opens the registration
form for that address only (`registration.services.register(..., invitation_token=…)`
checks the address under the event's lock, so a forwarded link registers nobody else,
and a link used twice registers once). Only the SHA-256 of the link's secret is stored
(`tokens.hash_token`); a reminder therefore sends a new link, and the old one stops.

Uploads are checked whole before anything is sent: at most MAX_ROWS addresses and
MAX_BYTES, UTF-8 text (a spreadsheet's "CSV UTF-8"); the organiser sees a preview with
the count and every problem, then confirms.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask import render_template, url_for
from sqlalchemy import select

from .. import audit
from ..csvupload import CsvUploadError, read_rows
from ..database import lock_event, transactional
from ..extensions import db
from ..labels import day_label
from ..mail.outbox import queue_email, secret_placeholder
from ..models import (
    ACCEPTED,
    ACTIVE_STATUSES,
    INVITED,
    REFUSED,
    Event,
    Invitation,
    Registration,
    User,
    utcnow,
)
from ..reference import CATEGORIES, ECONOMIES
from ..registration.services import find_invitation
from ..tokens import hash_token, new_token

MAX_ROWS = 2_000
MAX_BYTES = 1_000_000
DEFAULT_DAYS = 30
MAX_DAYS = 365


class InvitationInputError(Exception):
    """Refused input; `errors` maps a field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


class InvitationRefused(Exception):
    """The link cannot be declined (used, declined already, unknown); str is the message."""


@dataclass(frozen=True)
class Invitee:
    email: str
    category: str | None = None
    economy: str | None = None


@dataclass(frozen=True)
class Preview:
    """An upload read and checked: who would be invited, and what is wrong with the rest."""

    invitees: list[Invitee]
    problems: list[str]  # "Row 7: …", in row order
    rows: int  # data rows read (header excluded)


# --- reading the input ------------------------------------------------------------------------


def _email(value: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"{value.strip() or '(empty)'} is not a valid email address ({exc}).") \
            from exc


def _category(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    key = value.lower().replace(" ", "_")
    if key in CATEGORIES:
        return key
    by_label = {label.lower(): code for code, label in CATEGORIES.items()}
    if value.lower() in by_label:
        return by_label[value.lower()]
    raise ValueError(f"unknown category {value!r} (use one of: {', '.join(CATEGORIES)}).")


def _economy(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if value.upper() in ECONOMIES:
        return value.upper()
    by_name = {name.lower(): code for code, name in ECONOMIES.items()}
    if value.lower() in by_name:
        return by_name[value.lower()]
    raise ValueError(f"unknown economy {value!r} (use an APEC code such as SGP).")


def parse_addresses(emails: list[str], *, category: str | None = None,
                    economy: str | None = None) -> list[Invitee]:
    """Addresses given one by one (the form, the API), all with the same pre-assignment.

    :raises InvitationInputError: any address, the category or the economy is invalid, or
        more than MAX_ROWS addresses (nothing is sent).
    """
    errors: dict[str, list[str]] = {}
    if len(emails) > MAX_ROWS:
        raise InvitationInputError({"emails": [
            f"At most {MAX_ROWS} addresses at a time; {len(emails)} were given."]})
    if not emails:
        errors["emails"] = ["Give at least one address."]
    for name, check, value in (("category", _category, category),
                               ("economy", _economy, economy)):
        if value is not None and not isinstance(value, str):
            errors[name] = ["Text, or leave it out."]
            continue
        try:
            check(value)
        except ValueError as exc:
            errors[name] = [str(exc)[0].upper() + str(exc)[1:]]
    invitees, seen = [], set()
    for i, raw in enumerate(emails, start=1):
        try:
            email = _email(raw)
        except ValueError as exc:
            errors.setdefault("emails", []).append(f"Address {i}: {exc}")
            continue
        if email.lower() in seen:
            errors.setdefault("emails", []).append(f"Address {i}: {email} is given twice.")
            continue
        seen.add(email.lower())
        invitees.append(Invitee(email, _safe(_category, category), _safe(_economy, economy)))
    if errors:
        raise InvitationInputError(errors)
    return invitees


def leave_out_registered(event: Event, preview: Preview) -> Preview:
    """The preview without the addresses registered for `event` already, each named among
    the problems (staff may know who is registered), so that the count shown is the count
    sent (`invite` leaves them out too)."""
    keys = [i.email.lower() for i in preview.invitees]
    registered = set(db.session.scalars(select(Registration.email_normalized).where(
        Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES),
        Registration.email_normalized.in_(keys)))) if keys else set()
    if not registered:
        return preview
    kept = [i for i in preview.invitees if i.email.lower() not in registered]
    named = [f"{i.email}: registered for this event already, so not invited."
             for i in preview.invitees if i.email.lower() in registered]
    return Preview(kept, [*preview.problems, *named], preview.rows)


def _safe(check, value):
    try:
        return check(value)
    except ValueError:
        return None


def parse_csv(data: bytes) -> Preview:
    """Read an uploaded CSV: one address per row, optionally with category and economy.

    The first row is a header if it names an "email" column (then "category" and
    "economy" columns are found by name); otherwise the columns are email, category,
    economy in that order. Empty rows are skipped.

    :raises InvitationInputError: the file is too big, not UTF-8 text, not a CSV, or has
        more than MAX_ROWS rows (`{"file": [message]}`).
    """
    try:
        rows = [row for _n, row in read_rows(data, max_bytes=MAX_BYTES,
                                             size_hint=f" ({MAX_ROWS:,} addresses) at a time")]
    except CsvUploadError as exc:
        raise InvitationInputError({"file": [str(exc)]}) from exc
    if not rows:
        raise InvitationInputError({"file": ["The file has no addresses."]})
    columns = {"email": 0, "category": 1, "economy": 2}
    header = [c.strip().lower() for c in rows[0]]
    start = 1
    if any("email" in c for c in header):
        columns = {name: next((i for i, c in enumerate(header) if name in c), None)
                   for name in ("email", "category", "economy")}
    else:
        start = 0
    data_rows = rows[start:]
    if len(data_rows) > MAX_ROWS:
        raise InvitationInputError({"file": [
            f"The file has {len(data_rows):,} rows; upload at most {MAX_ROWS:,} addresses at "
            "a time (split the file)."]})
    invitees, problems, seen = [], [], set()
    for n, row in enumerate(data_rows, start=start + 1):
        def cell(name: str, row=row) -> str:
            i = columns.get(name)
            return row[i] if i is not None and i < len(row) else ""
        try:
            email = _email(cell("email"))
            invitee = Invitee(email, _category(cell("category")), _economy(cell("economy")))
        except ValueError as exc:
            problems.append(f"Row {n}: {exc}")
            continue
        if email.lower() in seen:
            problems.append(f"Row {n}: {email} appears twice; invited once.")
            continue
        seen.add(email.lower())
        invitees.append(invitee)
    return Preview(invitees, problems, len(data_rows))


def invitees_csv(invitees: list[Invitee]) -> str:
    """The checked list as CSV text: what the preview page carries to the confirmation."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for i in invitees:
        writer.writerow([i.email, i.category or "", i.economy or ""])
    return out.getvalue()


# --- sending --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    invitations: list[Invitation]
    registered_already: int  # addresses left out: they hold a registration of the event


def _expiry(event: Event, days: int | None) -> datetime:
    """`days` from now; by default DEFAULT_DAYS, but never after registration closes."""
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                             or not 1 <= days <= MAX_DAYS):
        raise InvitationInputError({"expires_in_days": [
            f"A whole number of days from 1 to {MAX_DAYS}."]})
    expires = utcnow() + timedelta(days=days or DEFAULT_DAYS)
    if days is None and event.registration_closes_at:
        expires = min(expires, event.registration_closes_at)
    return expires


def invite(event: Event, invitees: list[Invitee], *, user: User | None,
           days: int | None = None) -> list[Invitation]:
    """Invite each address: a new invitation, or a renewed one (new link and expiry) for
    an address invited before who has not registered. Each is emailed its link after
    the commit. Addresses already registered for the event are left out.

    :raises InvitationInputError: bad `days`.
    """
    return [i for i, _ in issue(event, invitees, user=user, days=days, notify=True)]


@transactional
def issue(event: Event, invitees: list[Invitee], *, user: User | None, days: int | None = None,
          notify: bool = True) -> list[tuple[Invitation, str]]:
    """`invite`, returning each invitation with its link's secret; `notify=False` sends no
    email (the demo seed prints the links instead)."""
    expires = _expiry(event, days)
    ev = lock_event(event.id)  # one writer of this event's invitations and registrations
    emails = [i.email.lower() for i in invitees]
    registered = set(db.session.scalars(select(Registration.email_normalized).where(
        Registration.event_id == ev.id, Registration.status.in_(ACTIVE_STATUSES),
        Registration.email_normalized.in_(emails))))
    existing = {i.email_normalized: i for i in db.session.scalars(select(Invitation).where(
        Invitation.event_id == ev.id, Invitation.email_normalized.in_(emails)))}
    now = utcnow()
    sent = []
    for invitee in invitees:
        key = invitee.email.lower()
        if key in registered:
            continue
        token = new_token()
        invitation = existing.get(key)
        if invitation is None:
            invitation = Invitation(event_id=ev.id, email=invitee.email, email_normalized=key,
                                    invited_by_id=user.id if user else None, created_at=now)
            db.session.add(invitation)
        invitation.category, invitation.economy = invitee.category, invitee.economy
        invitation.token_hash, invitation.status = hash_token(token), INVITED
        invitation.sent_at, invitation.expires_at = now, expires
        invitation.reminders, invitation.reminded_at, invitation.responded_at = 0, None, None
        invitation.registration_id = None
        sent.append((invitation, token))
    db.session.flush()
    if notify:
        for invitation, token in sent:
            _email_invitation(ev, invitation, token, reminder=False)
    audit.record("invited", ev, event_id=ev.id, user=user, count=len(sent),
                 left_out_registered=len(invitees) - len(sent),
                 expires_at=expires.isoformat())
    return sent


@transactional
def remind(event: Event, *, user: User | None) -> int:
    """Email every silent invitation (no answer, not expired) again, with a new link (the
    old one stops working: only its hash was kept). Returns how many were reminded."""
    ev = lock_event(event.id)
    now = utcnow()
    silent = [i for i in db.session.scalars(select(Invitation).where(
        Invitation.event_id == ev.id, Invitation.status == INVITED,
        Invitation.expires_at > now).order_by(Invitation.id))]
    for invitation in silent:
        token = new_token()
        invitation.token_hash = hash_token(token)
        invitation.reminders += 1
        invitation.reminded_at = now
        _email_invitation(ev, invitation, token, reminder=True)
    audit.record("invitations_reminded", ev, event_id=ev.id, user=user, count=len(silent))
    return len(silent)


def _email_invitation(ev: Event, invitation: Invitation, token: str, *, reminder: bool) -> None:
    # The link goes into the outbox sealed: a database dump opens no invitation (issue 20).
    placeholder = secret_placeholder("register_url")
    text = render_template(
        "mail/event_invitation.txt", event=ev, invitation=invitation, reminder=reminder,
        register_url=placeholder,
        expires=day_label(invitation.expires_at.astimezone(ZoneInfo(ev.timezone)).date()),
        category=CATEGORIES.get(invitation.category or "", ""),
        economy=ECONOMIES.get(invitation.economy or "", ""),
        event_url=url_for("events.event", slug=ev.slug, _external=True))
    subject = "Reminder: you are invited" if reminder else "You are invited"
    queue_email(invitation.email, f"{subject}: {' '.join(ev.title.split())}", text,
                sealed={placeholder: url_for("invitations.respond", token=token,
                                             _external=True)})


@transactional
def decline(token: str) -> Invitation:
    """The invited person says they will not come; the link then registers nobody.

    :raises InvitationRefused: unknown link, used to register, or declined already.
    """
    invitation = find_invitation(token)
    if invitation is None:
        raise InvitationRefused("This invitation link is not valid.")
    lock_event(invitation.event_id)
    db.session.refresh(invitation)
    if invitation.status == ACCEPTED:
        raise InvitationRefused("This invitation was used to register. To cancel, use the "
                                "private link in your registration email.")
    if invitation.status == REFUSED:
        raise InvitationRefused("You have declined this invitation already.")
    invitation.status, invitation.responded_at = REFUSED, utcnow()
    audit.record("invitation_declined", invitation, event_id=invitation.event_id,
                 actor="invitee")
    return invitation


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    invitations: list[Invitation]
    invited: int
    registered: int
    declined: int
    silent: int  # no answer yet, still valid
    expired: int  # no answer, and the link has expired


def overview(event: Event, now: datetime | None = None) -> Overview:
    """Everyone invited to `event`, newest first, with the counts by answer."""
    now = now or utcnow()
    rows = list(db.session.scalars(select(Invitation).where(Invitation.event_id == event.id)
                                   .order_by(Invitation.id.desc())))
    waiting = [i for i in rows if i.status == INVITED]
    return Overview(rows, len(rows), sum(i.status == ACCEPTED for i in rows),
                    sum(i.status == REFUSED for i in rows),
                    sum(not i.is_expired(now) for i in waiting),
                    sum(i.is_expired(now) for i in waiting))
