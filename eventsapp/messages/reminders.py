"""Reminder rules: when they fire, and sending each person's reminder once.

A rule's moments are wall-clock times at the venue: "N days before the first day at 08:00"
(one moment) or "each day of the event at 07:30" (one per day), turned into instants with
the event's IANA zone when evaluated, so a change of zone or dates moves them.

`send_due(now)` is called by every pass of `send-mail --watch` (at most every
REMINDER_CHECK_SECONDS) and may run on several hosts at once. A moment fires when
    rule.created_at <= moment <= now  and  now - moment <= REMINDER_LATE_HOURS
so a rule made (or re-timed) after its moment never sends for that moment (pretix #3757's
trap), and a scheduler that was down for days does not send yesterday's "tomorrow".
Recipients are the rule's criteria among registrations made at or before the moment. Each
(rule, registration, day) is written to `reminder_sent` in the unit of work that queues the
mail, under the event's lock, and a unique constraint backs it: two schedulers cannot both
queue it (the second finds it written, or its commit fails and queues nothing).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..database import lock_event, unit_of_work
from ..extensions import db
from ..mail.outbox import queue_email
from ..models import (
    BEFORE_START,
    EACH_MORNING,
    REMINDER_KINDS,
    Event,
    Registration,
    ReminderRule,
    ReminderSent,
    User,
    utcnow,
)
from .placeholders import one_line
from .recipients import Criteria, recipients_query
from .services import MessageProblem, _Attachments, check_template_pair, render, url_context

log = logging.getLogger(__name__)
REMINDER_SENT_INSERT = ReminderSent.__table__.insert()
MAX_DAYS_BEFORE = 90


@dataclass
class RuleInput:
    kind: str = BEFORE_START
    days_before: int = 1
    local_time: time = time(8, 0)
    criteria: Criteria = Criteria()
    subject: str = ""
    body: str = ""
    attach_calendar: bool = False
    reply_to: str = ""


def moments(rule: ReminderRule, event: Event) -> list[tuple[date, datetime]]:
    """(local day, UTC instant) of each moment of `rule` for `event`; none without days."""
    if event.start_date is None:
        return []
    zone = ZoneInfo(event.timezone)
    if rule.kind == BEFORE_START:
        days = [event.start_date - timedelta(days=rule.days_before)]
    else:
        last = event.end_date or event.start_date
        days = [event.start_date + timedelta(days=n)
                for n in range((last - event.start_date).days + 1)]
    # fold=0: in a clock change's repeated hour, the first; in its gap, the time after.
    return [(d, datetime.combine(d, rule.local_time, tzinfo=zone).astimezone(UTC))
            for d in days]


def describe(rule: ReminderRule) -> str:
    at = rule.local_time.strftime("%H:%M")
    if rule.kind == EACH_MORNING:
        return f"Each day of the event at {at}"
    if rule.days_before == 0:
        return f"On the first day at {at}"
    return f"{rule.days_before} day{'s' if rule.days_before != 1 else ''} before the " \
           f"first day at {at}"


def check_rule(data: RuleInput) -> None:
    """:raises MessageProblem: by field."""
    errors: dict[str, list[str]] = {}
    if data.kind not in REMINDER_KINDS:
        errors["kind"] = ["Choose when the reminder goes out."]
    if data.kind == BEFORE_START and not (0 <= (data.days_before or 0) <= MAX_DAYS_BEFORE):
        errors["days_before"] = [f"Give 0 to {MAX_DAYS_BEFORE} days."]
    if data.local_time is None:
        errors["local_time"] = ["Give a time, e.g. 08:00."]
    check_template_pair(data.subject, data.body, errors)
    if data.reply_to:
        from email_validator import EmailNotValidError, validate_email
        try:
            data.reply_to = validate_email(data.reply_to, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            errors["reply_to"] = [f"The Reply-To address: {exc}"]
    if errors:
        raise MessageProblem(errors)


def rules_of(event: Event) -> list[ReminderRule]:
    return list(db.session.scalars(select(ReminderRule).where(ReminderRule.event_id == event.id)
                                   .order_by(ReminderRule.id)))


def save_rule(event: Event, data: RuleInput, *, by: User, rule: ReminderRule | None = None,
              now: datetime | None = None) -> ReminderRule:
    """Create or change a rule. A new rule, or a change of its timing, counts from `now`:
    moments already past do not fire.

    :raises MessageProblem: nothing written.
    """
    check_rule(data)
    now = now or utcnow()
    with unit_of_work():
        if rule is None:
            rule = ReminderRule(event_id=event.id, created_by_id=by.id, created_at=now)
            db.session.add(rule)
        else:
            rule = db.session.get(ReminderRule, rule.id)
        wanted = {"kind": data.kind, "days_before": data.days_before or 0,
                  "local_time": data.local_time, "criteria": data.criteria.as_dict(),
                  "subject": data.subject, "body": data.body,
                  "attach_calendar": data.attach_calendar, "reply_to": data.reply_to,
                  "active": True}
        changed = {n for n, v in wanted.items() if getattr(rule, n) != v}
        if rule.id is not None and not changed:
            return rule  # saved unchanged: nothing written, nothing audited
        if rule.id is not None and changed & {"kind", "days_before", "local_time"}:
            rule.created_at = now  # new timing: counts from now
        for name, value in wanted.items():
            setattr(rule, name, value)
        db.session.flush()
        audit.record("reminder_saved", rule, event_id=event.id, user=by, when=describe(rule),
                     subject=rule.subject)
    return rule


def delete_rule(rule: ReminderRule, *, by: User) -> None:
    with unit_of_work():
        rule = db.session.get(ReminderRule, rule.id)
        audit.record("reminder_deleted", rule, event_id=rule.event_id, user=by,
                     when=describe(rule), subject=rule.subject)
        db.session.delete(rule)


def sent_counts(event: Event) -> dict[int, int]:
    """Reminders queued so far, by rule id."""
    from sqlalchemy import func
    return dict(db.session.execute(
        select(ReminderSent.rule_id, func.count()).join(ReminderRule)
        .where(ReminderRule.event_id == event.id).group_by(ReminderSent.rule_id)).all())


def due_moments(now: datetime) -> list[tuple[int, int, date, datetime]]:
    """(rule id, event id, day, instant) of every moment due at `now`."""
    late = float(current_app.config.get("REMINDER_LATE_HOURS") or 0)
    out = []
    rows = db.session.execute(select(ReminderRule, Event).join(Event).where(
        ReminderRule.active.is_(True), Event.status == "published",
        Event.start_date.is_not(None)))
    for rule, event in rows:
        for day, instant in moments(rule, event):
            if rule.created_at <= instant <= now and \
                    (not late or now - instant <= timedelta(hours=late)):
                out.append((rule.id, event.id, day, instant))
    return out


def send_due(now: datetime | None = None) -> int:
    """Queue every reminder due at `now` that was not queued before; returns how many.

    Safe to run on several hosts at once (module docstring).
    """
    now = now or utcnow()
    queued = 0
    for rule_id, event_id, day, instant in due_moments(now):
        try:
            queued += _send_moment(rule_id, event_id, day, instant)
        except IntegrityError:
            # Another scheduler queued these between our read and our commit: its rows
            # stand, ours were rolled back with every message they queued.
            log.info("Reminders of rule %s for %s were queued by another process",
                     rule_id, day)
    db.session.remove()
    return queued


def _send_moment(rule_id: int, event_id: int, day: date, instant: datetime) -> int:
    with unit_of_work():
        event = lock_event(event_id)
        rule = db.session.get(ReminderRule, rule_id)
        if rule is None or not rule.active:
            return 0
        done = select(ReminderSent.registration_id).where(ReminderSent.rule_id == rule.id,
                                                          ReminderSent.day == day)
        regs = list(db.session.scalars(
            recipients_query(Criteria.from_dict(rule.criteria), event_id=event.id,
                             registered_by=instant)
            .where(Registration.id.not_in(done))))
        if not regs:
            return 0
        files = _Attachments(rule)
        attachments = files.for_event(event)
        rows = []
        with url_context():
            for reg in regs:
                rendered = render(rule.subject, rule.body, reg, event, attachments)
                outbox_id = queue_email(reg.email, rendered.subject, rendered.body,
                                        rendered.attachments, to_name=one_line(reg.full_name),
                                        reply_to=rule.reply_to, paced=True)
                rows.append({"rule_id": rule.id, "registration_id": reg.id, "day": day,
                             "outbox_id": outbox_id, "queued_at": utcnow()})
        db.session.execute(REMINDER_SENT_INSERT, rows)
        audit.record("reminder_sent", rule, event_id=event.id, actor="scheduler",
                     day=day.isoformat(), recipients=len(rows), subject=rule.subject)
    return len(rows)
