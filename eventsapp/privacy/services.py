"""Privacy rules: the notice (versions), what a registrant can download, erasure requests,
retention per event, and anonymising registrations.

Anonymising keeps the row, so every count and report stays as it was (status, economy,
organisation, sector, category, times, check-ins); it removes the person: names, address,
job title, dietary and accessibility needs, notes, and every secret (the private link, the
calendar link and the badge's check-in code are replaced by values nobody holds). Mail to
the address is deleted from the outbox. On the List of Participants of a held meeting a
name stays only with the person's consent (`consent_to_list`), and only after retention:
an erasure request removes it too.

Retention (per event, `Event.retention_days`, `Event.sensitive_retention_days`): counted
from the event's last day (the month's last day while only the month is known).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from .. import audit
from ..database import transactional, unit_of_work
from ..extensions import db
from ..models import (
    CANCELLED,
    AuditEntry,
    CheckIn,
    ErasureRequest,
    Event,
    OutboxMessage,
    PrivacyNotice,
    Registration,
    User,
    WorkPlan,
    utcnow,
)
from ..questions import services as questions
from ..registration import services as registrations
from ..tokens import derive_feed_token, hash_token, new_checkin_code, new_token
from .notices import current_notice, open_erasure_request

ANONYMISED_NAME = "Anonymised"
SENSITIVE_FIELDS = ("dietary", "accessibility")  # and passport answers, where kept
MAX_RETENTION_DAYS = 3650


class PrivacyError(ValueError):
    """A refused privacy action; the message is for the user."""


# --- the notice ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeText:
    controller: str
    contact: str
    purposes: str
    retention: str


def publish_notice(work_plan: WorkPlan, text: NoticeText, *, by: User | None) -> PrivacyNotice:
    """Publish a new version of the work plan's notice (versions are never changed).

    :raises PrivacyError: a part is empty.
    """
    for name, value in vars(text).items():
        if not value.strip():
            raise PrivacyError(f"The notice needs its {name}.")
    with unit_of_work():
        current = db.session.scalar(
            select(PrivacyNotice).where(PrivacyNotice.work_plan_id == work_plan.id)
            .order_by(PrivacyNotice.version.desc()).limit(1))
        wanted = tuple(getattr(text, f).replace("\r\n", "\n").strip()
                       for f in ("controller", "contact", "purposes", "retention"))
        if current is not None and wanted == tuple(
                (getattr(current, f) or "").replace("\r\n", "\n").strip()
                for f in ("controller", "contact", "purposes", "retention")):
            return current  # saved unchanged: no new version, nothing to accept again
        latest = current.version if current is not None else 0
        notice = PrivacyNotice(work_plan_id=work_plan.id, version=latest + 1,
                               controller=text.controller.strip(), contact=text.contact.strip(),
                               purposes=text.purposes.strip(), retention=text.retention.strip(),
                               published_by_user_id=by.id if by else None)
        db.session.add(notice)
        db.session.flush()
        audit.record("privacy_notice_published", notice, user=by, version=notice.version)
    return notice


def default_notice_text(work_plan: WorkPlan) -> NoticeText:
    """The text a new work plan starts from (the seed publishes it as version 1)."""
    group = f"{work_plan.group_name} ({work_plan.group_abbr})"
    return NoticeText(
        controller=f"The secretariat of the {group}, which organises these events. "
                   "(Administrators: name the controller and its address here.)",
        contact="Write to the secretariat; for a registration, use the link on your "
                "private page to download your data or ask for it to be erased.",
        purposes="To register you for a meeting and manage your place (confirmation, "
                 "waiting list, badges, check-in at the door), to tell you about changes, "
                 "to arrange dietary and accessibility needs you tell us about, to issue "
                 "letters you ask for, and to report attendance by economy and organisation "
                 "to the group. With your consent only, your name is printed on the List of "
                 "Participants.",
        retention="Registrations are anonymised 180 days after the event ends (organisers "
                  "may set another period per event); dietary, accessibility and passport "
                  "details 30 days after it. Counts and reports keep no personal data. Sent "
                  "email is deleted after 30 days. You can ask for erasure at any time; "
                  "organisers confirm it within 30 days.")


# --- what a registrant can see, download and ask ---------------------------------------------


def export_registration(reg: Registration) -> dict:
    """Everything kept about the person of `reg`, as JSON-ready data (GDPR art. 15 and 20)."""
    event = reg.event
    fields = ("given_name", "family_name", "badge_name", "native_name", "email", "economy",
              "organisation", "job_title", "sector", "category", "dietary", "accessibility",
              "consent_to_list", "status")
    data = {name: getattr(reg, name) for name in fields}
    checkins = db.session.scalars(select(CheckIn.day).where(
        CheckIn.registration_id == reg.id).order_by(CheckIn.day)).all()
    erasure = open_erasure_request(reg)
    return {
        "registration": {
            **data,
            "created_at": reg.created_at.isoformat(),
            "updated_at": reg.updated_at.isoformat(),
            "cancelled_at": reg.cancelled_at.isoformat() if reg.cancelled_at else None,
            "promoted_at": reg.promoted_at.isoformat() if reg.promoted_at else None,
            "badge_printed_at": reg.badge_printed_at.isoformat() if reg.badge_printed_at
            else None,
            "checked_in_on": [d.isoformat() for d in checkins],
            "privacy_notice_version_accepted": reg.privacy_version,
            "answers": {row.question.label: row.value for row in questions.answer_rows(reg)},
        },
        "event": {"slug": event.slug, "title": event.title,
                  "start_date": event.start_date.isoformat() if event.start_date else None,
                  "end_date": event.end_date.isoformat() if event.end_date else None},
        "erasure_requested_at": erasure.requested_at.isoformat() if erasure else None,
        "retention": {"personal_data_until": _date_or_none(purge_date(event)),
                      "sensitive_data_until": _date_or_none(purge_date(event, sensitive=True))},
    }


def _date_or_none(day: date | None) -> str | None:
    return day.isoformat() if day else None


@transactional
def request_erasure(reg: Registration) -> ErasureRequest:
    """The registrant asks for their data to be erased; organisers confirm it by the due
    date (ERASURE_DUE_DAYS, 30: GDPR art. 12(3), one month). Asking again changes nothing.

    :raises PrivacyError: the registration is anonymised already.
    """
    if reg.anonymised_at is not None:
        raise PrivacyError("This registration holds no personal data any more.")
    existing = open_erasure_request(reg)
    if existing is not None:
        return existing
    now = utcnow()
    request = ErasureRequest(event_id=reg.event_id, registration_id=reg.id, requested_at=now,
                             due_at=now + timedelta(days=current_app.config["ERASURE_DUE_DAYS"]))
    db.session.add(request)
    db.session.flush()
    audit.record("erasure_requested", request, event_id=reg.event_id, actor="registrant",
                 registration_id=reg.id)
    return request


def erasure_requests(event: Event) -> list[tuple[ErasureRequest, Registration]]:
    """The event's erasure requests, open ones first (oldest due first)."""
    return list(db.session.execute(
        select(ErasureRequest, Registration)
        .join(Registration, Registration.id == ErasureRequest.registration_id)
        .where(ErasureRequest.event_id == event.id)
        .order_by(ErasureRequest.confirmed_at.is_not(None), ErasureRequest.due_at)).all())


def confirm_erasure(request: ErasureRequest, *, by: User) -> None:
    """Erase: cancel the registration if it holds a place (the waiting list moves on, as for
    any cancellation) and anonymise it, its listed name included.

    :raises PrivacyError: the request was confirmed already.
    """
    if request.confirmed_at is not None:
        raise PrivacyError("This request has been confirmed already.")
    reg = db.session.get(Registration, request.registration_id)
    with unit_of_work():
        if reg.status != CANCELLED:
            # Whoever is promoted is told; the cancellation notice to the erased person is
            # deleted with the rest of their mail below, before it is sent.
            registrations.cancel_registration(reg, user=by, reason="Erasure requested")
        _anonymise(reg, keep_listed_name=False)
        request.confirmed_at = utcnow()
        request.confirmed_by_user_id = by.id
        audit.record("erasure_confirmed", request, event_id=request.event_id, user=by,
                     registration_id=reg.id)
    checkpoint_sqlite()


# --- anonymising -----------------------------------------------------------------------------


def _anonymise(reg: Registration, *, keep_listed_name: bool) -> None:
    """Remove the person from `reg` in the open unit of work (see the module's docstring)."""
    address = reg.email_normalized
    keep_name = keep_listed_name and reg.consent_to_list
    if not keep_name:
        reg.given_name, reg.family_name = ANONYMISED_NAME, ""
        reg.badge_name = reg.native_name = reg.job_title = ""
        reg.consent_to_list = False
    reg.email = reg.email_normalized = f"anonymised-{reg.id}@invalid"
    reg.dietary = reg.accessibility = reg.note = ""
    # New secrets nobody holds: the old private link, calendar link and badge code die.
    token = new_token()
    reg.token_hash = hash_token(token)
    reg.feed_token_version += 1
    reg.feed_token_hash = hash_token(derive_feed_token(token, reg.feed_token_version))
    reg.checkin_code = new_checkin_code()
    reg.anonymised_at = reg.updated_at = utcnow()
    db.session.flush()
    questions.erase_answers([reg.id])  # every answer is the person's (passport data too)
    # Mail to the address (sent or waiting) goes too; audit entries keep no personal data
    # beyond an organiser's cancellation reason, which is cleared.
    db.session.execute(delete(OutboxMessage).where(
        func.lower(OutboxMessage.to_addr) == address).execution_options(
        synchronize_session=False))
    db.session.execute(update(AuditEntry).where(
        AuditEntry.object_type == "Registration", AuditEntry.object_id == reg.id,
        AuditEntry.action == "cancelled").values(details={"reason": ""}).execution_options(
        synchronize_session=False))


@dataclass(frozen=True)
class PurgeReport:
    anonymised: int
    sensitive_cleared: int
    events: tuple[str, ...]


def purge_date(event: Event, *, sensitive: bool = False) -> date | None:
    """The local day from which `event`'s registrations are purged, or None (no dates)."""
    last = event.end_date or event.start_date
    if last is None and event.tentative_month:
        year, month = (int(p) for p in event.tentative_month.split("-"))
        last = date(year, month, calendar.monthrange(year, month)[1])
    if last is None:
        return None
    days = event.sensitive_retention_days if sensitive else event.retention_days
    return last + timedelta(days=days + 1)


def _local_today(event: Event, now: datetime) -> date:
    return now.astimezone(ZoneInfo(event.timezone or "UTC")).date()


def purge_expired(*, now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Anonymise the registrations of every event past its retention period, and clear
    sensitive answers past the shorter one. Idempotent; one unit of work per event.

    Names of people who consented to the List of Participants stay on it.
    """
    now = now or utcnow()
    anonymised = cleared = 0
    touched = []
    for event in db.session.scalars(select(Event).order_by(Event.id)).all():
        today = _local_today(event, now)
        full, sensitive = purge_date(event), purge_date(event, sensitive=True)
        due_full = full is not None and today >= full
        due_sensitive = sensitive is not None and today >= sensitive
        if not (due_full or due_sensitive):
            continue
        with unit_of_work():
            n_full = n_sensitive = 0
            if due_sensitive:
                rows = select(Registration.id).where(
                    Registration.event_id == event.id,
                    or_(*(getattr(Registration, f) != "" for f in SENSITIVE_FIELDS)))
                n_sensitive = len(db.session.scalars(rows).all())
                # Answers to sensitive questions (dietary, passport details, ...) go too.
                n_answers = questions.count_sensitive_answers(event.id)
                if not dry_run and n_answers:
                    questions.erase_answers(event_id=event.id, sensitive_only=True)
                n_sensitive += n_answers
                if not dry_run and n_sensitive:
                    db.session.execute(update(Registration).where(
                        Registration.id.in_(rows.scalar_subquery()))
                        .values({f: "" for f in SENSITIVE_FIELDS})
                        .execution_options(synchronize_session="fetch"))
            if due_full:
                for reg in db.session.scalars(select(Registration).where(
                        Registration.event_id == event.id,
                        Registration.anonymised_at.is_(None))).all():
                    n_full += 1
                    if not dry_run:
                        _anonymise(reg, keep_listed_name=True)
            if n_full or n_sensitive:
                touched.append(event.slug)
                if not dry_run:
                    audit.record("personal_data_purged", event, event_id=event.id,
                                 actor="system", anonymised=n_full, sensitive_cleared=n_sensitive)
            anonymised += n_full
            cleared += n_sensitive
    if touched and not dry_run:
        checkpoint_sqlite()
    return PurgeReport(anonymised, cleared, tuple(touched))


def checkpoint_sqlite() -> None:
    """On SQLite, copy the WAL into the database and empty it: the WAL still holds the pages
    as they were before the purge until a checkpoint overwrites them."""
    if db.engine.dialect.name != "sqlite":
        return
    # A read transaction of this session would keep the WAL in use: end it (nothing is
    # pending, the unit of work committed).
    session = db.session()
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.rollback()
    # Outside any transaction (the raw connection is in autocommit mode): best effort, as a
    # reader in another process may hold old pages a moment longer.
    raw = db.engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def can_anonymise_event(event: Event, *, now: datetime | None = None) -> bool:
    """Only an event that is over (its last day has passed) or cancelled."""
    if event.status == "cancelled":
        return True
    last = event.end_date or event.start_date
    return last is not None and _local_today(event, now or utcnow()) > last


def anonymise_event(event: Event, *, by: User, keep_listed_names: bool = False) -> int:
    """Anonymise every registration of `event` at once; returns how many.

    :raises PrivacyError: the event is not over yet (nor cancelled).
    """
    if not can_anonymise_event(event):
        raise PrivacyError("An event's registrations can be anonymised once it is over or "
                           "cancelled.")
    with unit_of_work():
        regs = db.session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.anonymised_at.is_(None))).all()
        for reg in regs:
            _anonymise(reg, keep_listed_name=keep_listed_names)
        audit.record("registrations_anonymised", event, event_id=event.id, user=by,
                     count=len(regs))
    checkpoint_sqlite()
    return len(regs)


def set_retention(event: Event, retention_days: int, sensitive_days: int, *, by: User) -> None:
    """:raises PrivacyError: out of range, or sensitive data kept longer than the rest."""
    if not (0 <= sensitive_days <= retention_days <= MAX_RETENTION_DAYS):
        raise PrivacyError("Days from 0 to 3650, with sensitive data kept no longer than the "
                           "rest.")
    with unit_of_work():
        event.retention_days, event.sensitive_retention_days = retention_days, sensitive_days
        audit.record("retention_changed", event, event_id=event.id, user=by,
                     retention_days=retention_days, sensitive_retention_days=sensitive_days)


def notice_for(event: Event) -> PrivacyNotice | None:
    return current_notice(event.work_plan_id)
