"""Reminders fire once at their moment (a test clock, never sleeping), never for moments
that passed before the rule was made, never to someone who registered after the moment."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from eventsapp.extensions import db
from eventsapp.mail.outbox import deliver_pending
from eventsapp.messages import reminders
from eventsapp.messages.recipients import Criteria
from eventsapp.models import (
    BEFORE_START,
    EACH_MORNING,
    Event,
    Registration,
    ReminderRule,
    ReminderSent,
    User,
)
from eventsapp.registration.services import register
from eventsapp.registration.validation import clean_registration

CONFIRMED = ["ana@example.org", "budi@example.org", "chen@example.org", "dara@example.org"]
# STAR test: 4–6 March 2030 in Kuala Lumpur (UTC+8); 08:00 there is 00:00 UTC.
DAY_BEFORE_8AM = datetime(2030, 3, 3, 0, 0, tzinfo=UTC)
LONG_BEFORE = datetime(2030, 1, 1, tzinfo=UTC)


def make_rule(app, event_id, *, now, kind=BEFORE_START, days_before=1, at=time(8, 0),
              criteria=None, subject="Tomorrow: {event}", body="Dear {given_name}, see you "
              "tomorrow at {venue}.") -> int:
    with app.app_context():
        user = db.session.scalar(select(User)) or _user()
        rule = reminders.save_rule(
            db.session.get(Event, event_id),
            reminders.RuleInput(kind=kind, days_before=days_before, local_time=at,
                                criteria=criteria or Criteria(status=("confirmed",)),
                                subject=subject, body=body), by=user, now=now)
        return rule.id


def _user() -> User:
    from eventsapp.auth.services import create_user
    return create_user("organiser@example.org", "correct horse battery staple", "organiser")


def send_due(app, now) -> int:
    with app.app_context():
        return reminders.send_due(now)


def test_day_before_reminder_fires_once_at_its_moment(app, star, smtp):
    make_rule(app, star["id"], now=LONG_BEFORE)
    assert send_due(app, DAY_BEFORE_8AM - timedelta(minutes=1)) == 0
    assert send_due(app, DAY_BEFORE_8AM) == 4
    assert send_due(app, DAY_BEFORE_8AM + timedelta(minutes=1)) == 0
    assert send_due(app, DAY_BEFORE_8AM + timedelta(hours=3)) == 0
    with app.app_context():
        assert deliver_pending() == (4, 0)
    assert smtp.to() == CONFIRMED
    assert smtp.body_for("ana@example.org") == \
        "Dear Ana, see you tomorrow at KLCC, Kuala Lumpur.\n"
    assert smtp.message_for("ana@example.org")["Subject"] == "Tomorrow: STAR XI test"


def test_a_rule_made_after_its_moment_never_fires_for_it(app, star, smtp):
    make_rule(app, star["id"], now=DAY_BEFORE_8AM + timedelta(hours=1))
    for hours in (1, 2, 24, 24 * 30):
        assert send_due(app, DAY_BEFORE_8AM + timedelta(hours=hours)) == 0


def test_each_morning_made_mid_event_fires_only_for_the_days_to_come(app, star, smtp):
    # Made on the second day (5 March) at 09:00 local: the mornings of 4 and 5 March passed.
    made = datetime(2030, 3, 5, 1, 0, tzinfo=UTC)
    make_rule(app, star["id"], now=made, kind=EACH_MORNING, at=time(7, 30))
    assert send_due(app, made + timedelta(minutes=5)) == 0
    third_morning = datetime(2030, 3, 5, 23, 30, tzinfo=UTC)  # 6 March 07:30 local
    assert send_due(app, third_morning - timedelta(seconds=1)) == 0
    assert send_due(app, third_morning) == 4
    assert send_due(app, third_morning + timedelta(hours=1)) == 0
    with app.app_context():
        days = sorted(set(db.session.scalars(select(ReminderSent.day))))
    assert [d.isoformat() for d in days] == ["2030-03-06"]


def test_each_morning_fires_once_a_day(app, star, smtp):
    make_rule(app, star["id"], now=LONG_BEFORE, kind=EACH_MORNING, at=time(8, 0))
    firsts = [datetime(2030, 3, d, 0, 0, tzinfo=UTC) for d in (4, 5, 6)]
    assert [send_due(app, t + timedelta(minutes=2)) for t in firsts] == [4, 4, 4]
    assert [send_due(app, t + timedelta(minutes=3)) for t in firsts] == [0, 0, 0]


def test_someone_registered_after_the_moment_is_not_reminded(app, star, smtp):
    make_rule(app, star["id"], now=LONG_BEFORE, criteria=Criteria())
    with app.app_context():
        late = register(db.session.get(Event, star["id"]), clean_registration({
            "given_name": "Late", "family_name": "Comer", "email": "late@example.org"}),
            notify=False).registration.id
        db.session.execute(update(Registration).where(Registration.id == late)
                           .values(created_at=DAY_BEFORE_8AM + timedelta(minutes=1)))
        db.session.commit()
    assert send_due(app, DAY_BEFORE_8AM + timedelta(minutes=2)) == 5  # not the late one
    with app.app_context():
        reminded = set(db.session.scalars(select(ReminderSent.registration_id)))
    assert late not in reminded
    assert len(reminded) == 5


def test_a_scheduler_down_past_the_late_limit_sends_nothing_late(app, star, smtp):
    make_rule(app, star["id"], now=LONG_BEFORE)
    assert send_due(app, DAY_BEFORE_8AM + timedelta(hours=13)) == 0  # REMINDER_LATE_HOURS 12
    assert send_due(app, DAY_BEFORE_8AM + timedelta(hours=11)) == 4


def test_the_database_refuses_a_second_reminder_of_one_moment(app, star):
    rule_id = make_rule(app, star["id"], now=LONG_BEFORE)
    assert send_due(app, DAY_BEFORE_8AM) == 4
    with app.app_context():
        row = db.session.scalar(select(ReminderSent).limit(1))
        db.session.add(ReminderSent(rule_id=rule_id, registration_id=row.registration_id,
                                    day=row.day))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 4


def test_reminders_are_set_by_clicking_and_listed(app, admin_client, star):
    page = admin_client.get(f"/admin/events/{star['slug']}/messages")
    assert page.status_code == 200
    assert f'href="/admin/events/{star["slug"]}/reminders/new"' in page.get_data(as_text=True)
    response = admin_client.post(f"/admin/events/{star['slug']}/reminders/new", data={
        "kind": "before_start", "days_before": "1", "local_time": "08:00",
        "status": ["confirmed"], "subject": "Tomorrow: {event}",
        "body": "Dear {given_name}, see you tomorrow."})
    assert response.status_code == 303
    listing = admin_client.get(f"/admin/events/{star['slug']}/messages").get_data(as_text=True)
    assert "1 day before the first day at 08:00" in listing
    with app.app_context():
        rule = db.session.scalar(select(ReminderRule))
        assert (rule.kind, rule.days_before, rule.local_time, rule.criteria) == (
            "before_start", 1, time(8, 0), {"status": ["confirmed"]})
    bad = admin_client.post(f"/admin/events/{star['slug']}/reminders/new", data={
        "kind": "before_start", "days_before": "1", "local_time": "08:00",
        "subject": "Hi {given_name.__class__}", "body": "x"})
    assert bad.status_code == 422
    assert "{given_name.__class__} is not allowed" in bad.get_data(as_text=True)
