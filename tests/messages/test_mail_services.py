"""Two `send-mail --watch` processes (real processes, a real SMTP server) share one outbox:
an organiser's message and a due reminder each reach every person exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from eventsapp.auth.services import create_user
from eventsapp.extensions import db
from eventsapp.messages import reminders, services
from eventsapp.messages.recipients import Criteria
from eventsapp.models import Event, OutboxMessage, ReminderSent
from eventsapp.registration.services import register
from eventsapp.registration.validation import clean_registration

PEOPLE = 30


def test_two_watchers_send_each_message_and_each_reminder_once(app, make_event, smtp,
                                                               smtp_port):
    app.config["MAIL_SEND_AFTER_REQUEST"] = False
    today = datetime.now(UTC).date()
    event_id = make_event(slug="tomorrow", timezone="UTC", capacity=100,
                          start_date=today + timedelta(days=1),
                          end_date=today + timedelta(days=1))
    with app.app_context():
        event = db.session.get(Event, event_id)
        for i in range(PEOPLE):
            done = register(event, clean_registration({
                "given_name": f"P{i}", "family_name": "X", "email": f"p{i}@example.org"}),
                notify=False)
            assert done.registration.status == "confirmed"
        user = create_user("sec@example.org", "correct horse battery staple", "organiser")
        draft = services.save_draft(services.Scope(event=event), services.MessageInput(
            subject="Logistics", body="Dear {given_name}, logistics.",
            criteria=Criteria(status=("confirmed",))), by=user)
        assert services.send(draft, by=user, expected=PEOPLE).recipients == PEOPLE
        # The event starts tomorrow (UTC): "1 day before at <now>" falls due now, after
        # everyone registered (a later registration would not be reminded).
        moment = datetime.now(UTC)
        event.start_date = event.end_date = moment.date() + timedelta(days=1)
        db.session.commit()
        reminders.save_rule(event, reminders.RuleInput(
            days_before=1, local_time=moment.time(), criteria=Criteria(status=("confirmed",)),
            subject="Tomorrow", body="Dear {given_name}, tomorrow."), by=user,
            now=moment - timedelta(hours=1))
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "FLASK_MAIL_SERVER": "127.0.0.1", "FLASK_MAIL_PORT": str(smtp_port),
           "FLASK_REMINDER_LATE_HOURS": "0", "FLASK_REMINDER_CHECK_SECONDS": "0.05",
           "FLASK_SERVER_NAME": "events.test"}
    flask = str(Path(sys.executable).with_name("flask"))
    procs = [subprocess.Popen([flask, "--app", "eventsapp", "send-mail", "--watch", "--limit",
                               "4", "--interval", "0.05"], env=env, stdout=subprocess.PIPE,
                              text=True) for _ in range(2)]
    try:
        deadline = time.monotonic() + 90
        while len(smtp.to()) < 2 * PEOPLE and time.monotonic() < deadline:
            time.sleep(0.05)
        with app.app_context():
            def unsent() -> int:
                try:
                    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                             .where(OutboxMessage.sent_at.is_(None)))
                finally:
                    db.session.remove()

            # The server has the last message before its sender commits "sent": wait for that.
            while unsent() and time.monotonic() < deadline:
                time.sleep(0.05)
            # Then let both watchers make more passes over the due reminder: nothing new.
            settled = time.monotonic() + 1.0
            while time.monotonic() < settled:
                assert unsent() == 0
                time.sleep(0.1)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        outputs = [proc.communicate(timeout=30)[0] for proc in procs]
    expected = sorted(f"p{i}@example.org" for i in range(PEOPLE))
    assert smtp.to() == sorted(expected * 2), outputs
    with smtp.lock:
        subjects = sorted(m["Subject"] for _, m in smtp.messages)
    assert subjects == ["Logistics"] * PEOPLE + ["Tomorrow"] * PEOPLE
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == PEOPLE
    assert all(proc.returncode == 0 for proc in procs), outputs


def test_a_year_message_goes_once_to_a_person_registered_for_several_meetings(
        app, make_event):
    """Walk finding: "It goes to 71 people" listed Zoe twice (two meetings, her address in
    two letter cases); she would have had two copies."""
    from eventsapp.models import Event, WorkPlan

    with app.app_context():
        plan = WorkPlan(group_name="Test Working Group", group_abbr="TWG", year=2030,
                        title="Work plan 2030")
        db.session.add(plan)
        db.session.commit()
        plan_id = plan.id
    first = make_event(slug="first", work_plan_id=plan_id)
    second = make_event(slug="second", work_plan_id=plan_id)
    with app.app_context():
        regs = []
        for eid, address in ((first, "Zoe.Walker@example.org"), (second, "ZOE.WALKER@example.org"),
                             (second, "ana@example.org")):
            regs.append(register(db.session.get(Event, eid), clean_registration({
                "given_name": "Zoe" if "zoe" in address.lower() else "Ana", "family_name": "W",
                "email": address}), notify=False).registration.id)
        user = create_user("year@example.org", "correct horse battery staple", "organiser")
        scope = services.Scope(work_plan=db.session.get(WorkPlan, plan_id))
        draft = services.save_draft(scope, services.MessageInput(
            subject="The year", body="Dear {given_name},", criteria=Criteria()), by=user)
        assert sorted(draft.previewed_ids) == [regs[0], regs[2]]
        assert services.send(draft, by=user, expected=2).recipients == 2
