"""Issue 20, secrets at rest: the outbox keeps private links sealed (a database dump opens
nothing, before or after sending), sent mail is purged, and files are private (0600/0700)."""

from __future__ import annotations

import email
import email.policy
import os
import re
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from eventsapp import create_app
from eventsapp.extensions import db
from eventsapp.mail.outbox import UNAVAILABLE, deliver_pending, purge_sent
from eventsapp.models import OutboxMessage, utcnow
from tests.support import base_config

BODY = {"given_name": "Ana", "family_name": "Lima", "email": "ana@example.org",
        "economy": "CHL"}


@pytest.fixture
def app_config():
    return {"MAIL_SEND_AFTER_REQUEST": False}


def dump(app) -> str:
    """Every column of every outbox row as text, as a database dump would show it."""
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM outbox_message")).all()
    return "\n".join(" | ".join(str(v) for v in row) for row in rows)


def sent_body(app, message_id: int) -> str:
    raw = (Path(app.instance_path) / "mail" / f"{message_id:08d}.eml").read_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default).get_body(
        ("plain",)).get_content()


def test_a_dump_of_the_outbox_opens_no_registration_before_or_after_sending(
        app, client, make_event, backend, tmp_path):
    make_event(slug="e")
    response = client.post("/api/v1/events/e/registrations", json=BODY)
    manage_url = response.get_json()["manage_url"]
    token = manage_url.rsplit("/", 1)[1]
    before = dump(app)
    assert "[[manage_url-" in before
    assert token not in before
    for candidate in re.findall(r"[A-Za-z0-9_-]{43}", before):
        assert client.get(f"/registrations/{candidate}").status_code == 404

    with app.app_context():
        assert deliver_pending() == (1, 0)
        message_id = db.session.scalar(select(OutboxMessage.id))
        assert db.session.scalar(select(OutboxMessage.sealed)) is None
    # The message as it left carries the working link; the database keeps none.
    assert manage_url in sent_body(app, message_id)
    assert client.get(f"/registrations/{token}").status_code == 200
    assert token not in dump(app)
    if backend == "sqlite":
        database = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
        for path in (database, database.with_name(database.name + "-wal")):
            if path.exists():
                assert token.encode() not in path.read_bytes()


def test_a_message_sealed_under_another_secret_key_goes_without_its_link(app, make_event,
                                                                          client):
    make_event(slug="e")
    client.post("/api/v1/events/e/registrations", json=BODY)
    other = create_app(base_config(app.config["SQLALCHEMY_DATABASE_URI"],
                                   SECRET_KEY="a-rotated-secret-key",
                                   MAIL_SEND_AFTER_REQUEST=False))
    other.instance_path = app.instance_path
    with other.app_context():
        assert deliver_pending() == (1, 0)
        message_id = db.session.scalar(select(OutboxMessage.id))
        db.session.remove()
        db.engine.dispose()
    body = sent_body(app, message_id)
    assert UNAVAILABLE in body and "/registrations/" not in body


def test_purge_deletes_only_messages_sent_long_enough_ago(app, make_event, client, runner):
    make_event(slug="e")
    for n in range(3):
        client.post("/api/v1/events/e/registrations", json={**BODY, "email": f"p{n}@x.org"})
    with app.app_context():
        deliver_pending()
        ids = db.session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).all()
        db.session.execute(OutboxMessage.__table__.update().where(
            OutboxMessage.id == ids[0]).values(sent_at=utcnow() - timedelta(days=31)))
        db.session.execute(OutboxMessage.__table__.update().where(
            OutboxMessage.id == ids[1]).values(sent_at=None))  # still waiting
        db.session.commit()
    result = runner.invoke(args=["purge-mail"])
    assert result.output.strip() == "Deleted 1 message(s) sent more than 30 day(s) ago."
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).all() \
            == ids[1:]
        assert purge_sent(timedelta(0), now=utcnow() + timedelta(seconds=1)) == 1
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_wal_mail_files_and_folders_are_private_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        database = tmp_path / "data" / "eventsapp.sqlite"
        database.parent.mkdir()  # 0755 under this umask: the files inside are still 0600
        app = create_app(base_config(f"sqlite:///{database}", MAIL_FILE_DIR=str(
            tmp_path / "mail")))
        with app.app_context():
            db.create_all()
            from datetime import date

            from eventsapp.models import Event
            db.session.add(Event(slug="e", title="E", status="published",
                                 start_date=date(2030, 1, 1), end_date=date(2030, 1, 1)))
            db.session.commit()
        client = app.test_client()
        assert client.post("/api/v1/events/e/registrations", json=BODY).status_code == 201
        files = [database, database.with_name("eventsapp.sqlite-wal"),
                 database.with_name("eventsapp.sqlite-shm"), *(tmp_path / "mail").glob("*.eml")]
        assert len(files) == 4
        assert {str(p.name): mode(p) for p in files} == {p.name: 0o600 for p in files}
        assert mode(tmp_path / "mail") == 0o700
        assert mode(Path(app.instance_path)) == 0o700
        with app.app_context():
            db.engine.dispose()
    finally:
        os.umask(old)


def test_an_existing_world_readable_database_is_made_private_at_start(tmp_path):
    database = tmp_path / "old.sqlite"
    database.write_bytes(b"")
    database.chmod(0o644)
    create_app(base_config(f"sqlite:///{database}"))
    assert mode(database) == 0o600


def test_a_dump_of_the_outbox_holds_no_password_link_before_or_after_sending(app, client):
    """Staff one-time links (reset, invitation) are sealed like registrants' private links."""
    from eventsapp.auth.services import create_user

    with app.app_context():
        create_user("door@example.org", "correct horse battery staple 7", "checkin")
    response = client.post("/login/forgot", data={"email": "door@example.org"})
    assert response.status_code == 303
    with app.app_context():
        bodies = list(db.session.scalars(select(OutboxMessage.body)))
    assert len(bodies) == 1
    assert "/login/set-password/" not in bodies[0]
