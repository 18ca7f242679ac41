"""Issue 20, privacy: a notice per work plan linked from every form and email (the version
each registrant accepted recorded), data download and erasure from the private page,
organisers confirming erasure, retention per event run by `purge-personal-data`, and
anonymising an event in one action; counts and reports stay equal, personal data goes."""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from eventsapp.extensions import db
from eventsapp.models import (
    AuditEntry,
    ErasureRequest,
    Event,
    OutboxMessage,
    Registration,
    WorkPlan,
)
from eventsapp.privacy import services as privacy
from eventsapp.registration.services import register
from eventsapp.registration.validation import clean_registration
from eventsapp.reports.queries import event_summary

PEOPLE = [("Aroha", "Ngata", "NZ", "aroha.ngata@example.org", "halal", "wheelchair", True),
          ("Budi", "Santoso", "INA", "budi.santoso@example.org", "", "", False),
          ("Chen", "Wei-Ling", "CT", "chen.weiling@example.org", "vegan", "", True),
          ("Dara", "Sok", None, "dara.sok@example.org", "", "sign language", False)]


def private_token(response) -> str:
    return re.search(r"/registrations/([A-Za-z0-9_-]{43})", response.headers["Location"]) \
        .group(1)


def register_people(app, slug: str = "ctwg-15", people=PEOPLE) -> list[str]:
    """Register `people` at the seeded event through the service; returns their tokens."""
    tokens = []
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        event.registration_opens_at = event.registration_closes_at = None
        event.start_date, event.end_date = date(2031, 5, 5), date(2031, 5, 6)
        event.capacity = 3
        db.session.commit()
        for given, family, economy, address, dietary, access, consent in people:
            tokens.append(register(event, clean_registration({
                "given_name": given, "family_name": family, "email": address,
                "economy": economy, "organisation": "" if economy else "UNODC",
                "dietary": dietary, "accessibility": access,
                "consent_to_list": consent}), notify=False).token)
    return tokens


def move_event_to(app, slug: str, start: date, end: date) -> None:
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        event.start_date, event.end_date = start, end
        db.session.commit()


# --- the notice ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/events/ctwg-15/register",
                                  "/events/ctwg-15/register/delegation",
                                  "/events/ctwg-15/new-link", "/login", "/", "/privacy"])
def test_every_form_links_the_privacy_notice(seeded, path):
    assert 'href="/privacy"' in seeded.test_client().get(path).text


def test_the_seed_publishes_version_one_with_controller_purposes_and_retention(seeded):
    page = seeded.test_client().get("/privacy").text
    for heading in ("Who is responsible for your data", "What your data is used for",
                    "How long it is kept", "Your rights"):
        assert heading in page
    assert "version 1" in page and "180 days after the event ends" in page


def test_emails_link_the_notice_and_registrations_keep_the_version_they_accepted(
        seeded, admin_client, tmp_path):
    client = seeded.test_client()
    register_people(seeded, people=[])  # open the event
    first = client.post("/events/ctwg-15/register", data={
        "given_name": "Ana", "family_name": "Lima", "email": "ana@example.org",
        "economy": "CHL", "sector": "government", "category": "delegate"})
    assert first.status_code == 303
    [eml] = (Path(seeded.instance_path) / "mail").glob("*.eml")
    body = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default).get_body(
        ("plain",)).get_content()
    assert "How we use your data, and how to get or erase it: http://events.test/privacy" \
        in body
    response = admin_client.post("/admin/privacy", data={
        "controller": "APEC Secretariat, 35 Heng Mui Keng Terrace, Singapore",
        "contact": "privacy@apec.example", "purposes": "Registration.",
        "retention": "180 days."})
    assert response.status_code == 303
    second = client.post("/events/ctwg-15/register", data={
        "given_name": "Bo", "family_name": "Kim", "email": "bo@example.org",
        "economy": "ROK", "sector": "government", "category": "delegate"})
    with seeded.app_context():
        versions = db.session.scalars(select(Registration.privacy_version)
                                      .order_by(Registration.id)).all()
    assert versions == [1, 2]
    assert "you registered under version 1" in client.get(first.headers["Location"]).text
    assert "APEC Secretariat" in client.get("/privacy").text
    assert "APEC Secretariat" not in client.get("/privacy?version=1").text
    assert second.status_code == 303


# --- the registrant's own data ---------------------------------------------------------------


def test_a_registrant_downloads_everything_kept_about_them(seeded):
    [token] = register_people(seeded, people=PEOPLE[:1])
    client = seeded.test_client()
    response = client.get(f"/registrations/{token}/data.json")
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="registration-ctwg-15.json"'
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.data)
    assert data["registration"]["email"] == "aroha.ngata@example.org"
    assert data["registration"]["dietary"] == "halal"
    assert data["registration"]["privacy_notice_version_accepted"] == 1
    assert data["event"]["slug"] == "ctwg-15"
    assert data["retention"] == {"personal_data_until": "2031-11-03",
                                 "sensitive_data_until": "2031-06-06"}
    assert client.get(f"/registrations/{'x' * 43}/data.json").status_code == 404


def test_erasure_is_asked_by_the_registrant_and_confirmed_by_an_organiser(
        seeded, organiser_client):
    tokens = register_people(seeded)  # capacity 3: Dara waits
    client = seeded.test_client()
    response = client.post(f"/registrations/{tokens[0]}/erase")
    assert response.status_code == 303
    page = client.get(f"/registrations/{tokens[0]}").text
    assert "the organisers will do so by" in page
    client.post(f"/registrations/{tokens[0]}/erase")  # asking twice changes nothing
    with seeded.app_context():
        [request] = db.session.scalars(select(ErasureRequest)).all()
        reg_id = request.registration_id
        assert (request.due_at - request.requested_at).days == 30
    admin_page = organiser_client.get("/admin/events/ctwg-15/privacy").text
    assert "Aroha Ngata" in admin_page and "Erase now" in admin_page
    response = organiser_client.post(
        f"/admin/events/ctwg-15/privacy/erasure/{request.id}/confirm")
    assert response.status_code == 303
    assert client.get(f"/registrations/{tokens[0]}").status_code == 404
    with seeded.app_context():
        reg = db.session.get(Registration, reg_id)
        assert (reg.given_name, reg.family_name, reg.email, reg.dietary, reg.status) == (
            "Anonymised", "", f"anonymised-{reg_id}@invalid", "", "cancelled")
        # The waiting list moved on, as for any cancellation.
        statuses = {email: status for email, status in db.session.execute(
            select(Registration.email, Registration.status))}
        assert statuses["dara.sok@example.org"] == "confirmed"
        assert db.session.scalar(select(AuditEntry.action).where(
            AuditEntry.action == "erasure_confirmed")) == "erasure_confirmed"
        # The promoted person is told; the erased one gets nothing more, and no mail to
        # their address is left in the outbox.
        assert db.session.scalars(select(OutboxMessage.to_addr)).all() == [
            "dara.sok@example.org"]
    sent = [eml.read_text() for eml in (Path(seeded.instance_path) / "mail").glob("*.eml")]
    assert [("dara.sok" in m, "aroha" in m.lower()) for m in sent] == [(True, False)]


# --- retention and anonymising ---------------------------------------------------------------


def dump_text(app) -> str:
    """Every row of every table as text (a logical dump)."""
    from eventsapp.models import Base

    with app.app_context():
        parts = []
        for table in Base.metadata.sorted_tables:
            for row in db.session.execute(select(table)).all():
                parts.append(" | ".join(str(v) for v in row))
    return "\n".join(parts)


PERSONAL = ["Budi", "Santoso", "Dara", "aroha.ngata", "budi.santoso", "chen.weiling",
            "dara.sok", "halal", "vegan", "wheelchair", "sign language"]


def test_purge_leaves_summary_numbers_equal_and_no_personal_data(seeded, runner, backend):
    tokens = register_people(seeded)
    with seeded.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "ctwg-15"))
        register(event, clean_registration({"given_name": "Eli", "family_name": "Cohen",
                                            "email": "eli@example.org", "economy": "USA"}))
    move_event_to(seeded, "ctwg-15", date(2020, 3, 2), date(2020, 3, 4))
    with seeded.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "ctwg-15"))
        before = event_summary(event)
        rows_before = db.session.scalar(select(func.count()).select_from(Registration))
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert any(p in dump_text(seeded) for p in PERSONAL)

    result = runner.invoke(args=["purge-personal-data"])
    assert result.output.strip() == ("Anonymised 5 registration(s); cleared sensitive details "
                                     "of 3 (ctwg-15).")
    with seeded.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "ctwg-15"))
        assert event_summary(event) == before
        assert db.session.scalar(select(func.count()).select_from(Registration)) == rows_before
        listed = db.session.execute(select(Registration.given_name, Registration.email)
                                    .where(Registration.consent_to_list.is_(True))).all()
    # Those who agreed to the List of Participants keep a name on it, and nothing else.
    assert sorted(name for name, _ in listed) == ["Aroha", "Chen"]
    dump = dump_text(seeded)
    for word in ["Budi", "Santoso", "Dara", "aroha.ngata", "budi.santoso",
                 "chen.weiling", "dara.sok", "eli@example.org", "Cohen", "halal", "vegan",
                 "wheelchair", "sign language"]:
        assert word not in dump, word
    for token in tokens:
        assert seeded.test_client().get(f"/registrations/{token}").status_code == 404
    if backend == "sqlite":  # grep the database file itself
        path = Path(seeded.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal"))
                       if p.exists())
        for word in ["budi.santoso", "Santoso", "halal", "wheelchair", "eli@example.org"]:
            assert word.encode() not in raw, word
    assert runner.invoke(args=["purge-personal-data"]).output.strip() == (
        "Anonymised 0 registration(s); cleared sensitive details of 0 (no event due).")


def test_sensitive_details_go_sooner_than_the_rest(seeded):
    register_people(seeded)
    move_event_to(seeded, "ctwg-15", date(2030, 1, 1), date(2030, 1, 2))
    with seeded.app_context():
        report = privacy.purge_expired(now=datetime.fromisoformat("2030-02-02T12:00:00+08:00"))
        assert (report.anonymised, report.sensitive_cleared) == (0, 3)
        regs = db.session.scalars(select(Registration).order_by(Registration.id)).all()
        assert [(r.given_name, r.dietary, r.accessibility) for r in regs] == [
            ("Aroha", "", ""), ("Budi", "", ""), ("Chen", "", ""), ("Dara", "", "")]
        report = privacy.purge_expired(now=datetime.fromisoformat("2030-07-01T12:00:00+08:00"))
        assert report.anonymised == 0  # 180 days after 2 January: from 2 July
        report = privacy.purge_expired(now=datetime.fromisoformat("2030-07-02T00:30:00+08:00"))
        assert report.anonymised == 4


def test_an_organiser_anonymises_a_held_event_in_one_action(seeded, organiser_client):
    register_people(seeded)
    form = organiser_client.get("/admin/events/ctwg-15/privacy").text
    assert "Possible once the event is over or cancelled." in form
    move_event_to(seeded, "ctwg-15", date(2021, 3, 2), date(2021, 3, 4))
    with seeded.app_context():
        before = event_summary(db.session.scalar(select(Event).where(Event.slug == "ctwg-15")))
    unconfirmed = organiser_client.post("/admin/events/ctwg-15/privacy/anonymise", data={})
    assert unconfirmed.status_code == 422
    response = organiser_client.post("/admin/events/ctwg-15/privacy/anonymise",
                                     data={"confirm": "y"})
    assert response.status_code == 303
    with seeded.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "ctwg-15"))
        assert event_summary(event) == before
        names = db.session.scalars(select(Registration.given_name)).all()
        assert names == ["Anonymised"] * 4
    assert "4 anonymised" in organiser_client.get("/admin/events/ctwg-15/privacy").text


def test_retention_is_set_per_event_and_refuses_keeping_sensitive_data_longer(
        seeded, organiser_client):
    ok = organiser_client.post("/admin/events/ctwg-15/privacy/retention", data={
        "retention_days": "90", "sensitive_retention_days": "14"})
    bad = organiser_client.post("/admin/events/ctwg-15/privacy/retention", data={
        "retention_days": "30", "sensitive_retention_days": "60"})
    assert (ok.status_code, bad.status_code) == (303, 422)
    assert "sensitive data kept no longer than the rest" in bad.text
    with seeded.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "ctwg-15"))
        assert (event.retention_days, event.sensitive_retention_days) == (90, 14)


def test_the_notice_is_kept_per_work_plan(seeded):
    with seeded.app_context():
        plan = db.session.scalar(select(WorkPlan))
        assert db.session.execute(text(
            "SELECT count(*) FROM privacy_notice WHERE work_plan_id = :p"),
            {"p": plan.id}).scalar_one() == 1


def test_the_mail_service_runs_the_purge_as_the_scheduler(seeded, tmp_path):
    """`send-mail --watch`, the deployment's one long-running process, purges at start and
    then every HOUSEKEEPING_HOURS."""
    import os
    import signal
    import subprocess
    import sys
    import time

    register_people(seeded, people=PEOPLE[:2])
    move_event_to(seeded, "ctwg-15", date(2020, 3, 2), date(2020, 3, 4))
    env = {**os.environ, "DATABASE_URL": seeded.config["SQLALCHEMY_DATABASE_URI"],
           "FLASK_MAIL_FILE_DIR": str(tmp_path / "watched"), "FLASK_SECRET_KEY": "x"}
    flask = str(Path(sys.executable).with_name("flask"))
    proc = subprocess.Popen([flask, "--app", "eventsapp", "send-mail", "--watch",
                             "--interval", "0.2"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            with seeded.app_context():
                left = db.session.scalar(select(func.count()).select_from(Registration).where(
                    Registration.anonymised_at.is_(None)))
                db.session.remove()
            if left == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    assert left == 0
    assert "Housekeeping: deleted 0 sent message(s); anonymised 2 registration(s)" in output
