"""The outbox and its delivery: real SMTP (aiosmtpd), a server that is down, .eml files, the CLI."""

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from eventsapp.extensions import db
from eventsapp.mail.outbox import MailHeaderError, deliver_pending, queue_email
from eventsapp.models import OutboxMessage, utcnow
from eventsapp.registration import services

from .conftest import event, person


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collect:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def app_config(smtp_port):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port,
            "MAIL_DEFAULT_SENDER": "CTWG events <events@ctwg.example>"}


@pytest.fixture
def smtp(smtp_port):
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    controller.stop()


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_confirmation_is_delivered_by_smtp_with_link_and_calendar(ctx, make_event, smtp):
    """Sent right after the commit, with no command run."""
    eid = make_event()
    result = services.register(event(eid), person(given_name="李", family_name="小龍",
                                                  email="li@example.org"))
    [(rcpt, raw)] = smtp.messages
    msg = parse(raw)
    assert rcpt == ["li@example.org"]
    assert msg["To"] == "李 小龍 <li@example.org>"
    assert msg["Subject"] == "Registration confirmed: Test event 1"
    body = msg.get_body(("plain",)).get_content()
    assert f"http://events.test/registrations/{result.token}" in body
    [attachment] = list(msg.iter_attachments())
    assert (attachment.get_content_type(), attachment.get_filename()) == (
        "text/calendar", "event-1.ics")
    assert attachment.get_content_charset() == "utf-8"
    assert attachment.get_content().startswith("BEGIN:VCALENDAR\r\n")
    assert deliver_pending() == (0, 0)


def test_mail_waits_while_smtp_is_down_and_leaves_when_it_is_back(ctx, make_event, smtp_port):
    eid = make_event(capacity=1)
    services.register(event(eid), person(email="a@example.org"))
    services.register(event(eid), person(email="b@example.org"))
    pending = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.attempts, m.sent_at) for m in pending] == [(1, None), (1, None)]
    assert "cannot reach SMTP server" in pending[0].last_error
    assert deliver_pending() == (0, 0)  # not due yet: retried with back-off

    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert deliver_pending(now=utcnow() + timedelta(minutes=2)) == (2, 0)
    finally:
        controller.stop()
    assert sorted(r for rcpts, _ in handler.messages for r in rcpts) == [
        "a@example.org", "b@example.org"]
    stored = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)
                                .execution_options(populate_existing=True)).all()
    assert {m.attempts for m in stored} == {2}
    # Fixed when queued: a message retried after a crash is recognisably the same one.
    assert sorted(parse(raw)["Message-ID"] for _, raw in handler.messages) == sorted(
        m.message_id for m in stored)


def test_send_mail_command_delivers_pending(app, make_event, smtp):
    app.config["MAIL_SEND_AFTER_REQUEST"] = False
    eid = make_event()
    with app.app_context():
        services.register(event(eid), person(email="cli@example.org"))
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Sent 1, failed 0 (via 127.0.0.1)."
    assert [r for r, _ in smtp.messages] == [["cli@example.org"]]


def test_rolled_back_change_sends_nothing(ctx, make_event, smtp):
    eid = make_event(capacity=1, waitlist_enabled=False)
    services.register(event(eid), person())
    with pytest.raises(services.EventFull):
        services.register(event(eid), person())
    assert len(smtp.messages) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert deliver_pending() == (0, 0)


@pytest.mark.parametrize("kwargs", [
    {"to": "a@example.org\r\nBcc: victim@example.org"},
    {"to_name": "Alice\r\nBcc: victim@example.org"},
    {"subject": "Hi\nBcc: victim@example.org"},
])
def test_header_injection_is_impossible(ctx, kwargs):
    args = {"to": "a@example.org", "subject": "Hello", "text": "x", **kwargs}
    with pytest.raises(MailHeaderError):
        queue_email(**args)


def test_name_with_markup_goes_out_as_plain_text(ctx, make_event, smtp):
    eid = make_event()
    services.register(event(eid), person(given_name="<b>Alice", family_name="Smith & Wesson"))
    deliver_pending()
    msg = parse(smtp.messages[0][1])
    assert msg.get_body(("plain",)).get_content().startswith(
        "Dear <b>Alice Smith & Wesson,\r\n")


class TestWithoutSmtp:
    @pytest.fixture
    def app_config(self):
        return {"MAIL_SERVER": None}

    def test_eml_files_are_written_under_instance_mail_at_commit(self, app, make_event,
                                                                  tmp_path):
        eid = make_event()
        with app.app_context():
            services.register(event(eid), person(email="file@example.org"))
        mail_dir = tmp_path / "instance" / "mail"
        [path] = mail_dir.glob("*.eml")
        result = app.test_cli_runner().invoke(args=["send-mail"])
        assert result.output.strip() == f"Sent 0, failed 0 (via files in {mail_dir})."
        assert parse(path.read_bytes())["To"].addresses[0].addr_spec == "file@example.org"


def test_send_mail_watch_sends_as_mail_is_queued_and_stops_on_sigterm(app, make_event, tmp_path):
    """The mail service of a deployment that sends nothing from its requests."""
    app.config["MAIL_SEND_AFTER_REQUEST"] = False
    eid = make_event()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "FLASK_MAIL_FILE_DIR": str(tmp_path / "watched"), "FLASK_MAIL_SERVER": "null"}
    flask = str(Path(sys.executable).with_name("flask"))
    proc = subprocess.Popen([flask, "--app", "eventsapp", "send-mail", "--watch",
                             "--interval", "0.1"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        with app.app_context():
            services.register(event(eid), person(email="watched@example.org"))
        deadline = time.monotonic() + 20
        while not list((tmp_path / "watched").glob("*.eml")) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=20)[0]
    [path] = (tmp_path / "watched").glob("*.eml")
    assert parse(path.read_bytes())["To"].addresses[0].addr_spec == "watched@example.org"
    assert proc.returncode == 0
    assert output.splitlines()[-2:] == ["Sent 1, failed 0.", "Stopped."]


def test_failed_mail_is_retried_by_the_next_commit_once_due_with_no_command(
        ctx, make_event, smtp_port):
    eid = make_event()
    services.register(event(eid), person(email="a@example.org"))  # SMTP is down
    [failed] = db.session.scalars(select(OutboxMessage)).all()
    assert (failed.attempts, failed.sent_at) == (1, None)
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        # The back-off is 30 s; move its moment into the past instead of waiting.
        db.session.execute(update(OutboxMessage).values(
            next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        services.register(event(eid), person(email="b@example.org"))
    finally:
        controller.stop()
    assert sorted(r for rcpts, _ in handler.messages for r in rcpts) == [
        "a@example.org", "b@example.org"]
    assert deliver_pending(now=utcnow() + timedelta(hours=2)) == (0, 0)


def test_two_mail_services_never_send_one_message_twice(app, make_event, smtp, smtp_port):
    """Two `send-mail --watch` processes on one database: each message leaves once."""
    app.config["MAIL_SEND_AFTER_REQUEST"] = False
    eid = make_event()
    with app.app_context():
        for i in range(60):
            services.register(event(eid), person(email=f"p{i}@example.org"))
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "FLASK_MAIL_SERVER": "127.0.0.1", "FLASK_MAIL_PORT": str(smtp_port)}
    flask = str(Path(sys.executable).with_name("flask"))
    procs = [subprocess.Popen([flask, "--app", "eventsapp", "send-mail", "--watch", "--limit",
                               "5", "--interval", "0.05"], env=env, stdout=subprocess.PIPE,
                              text=True) for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while len(smtp.messages) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        outputs = [proc.communicate(timeout=30)[0] for proc in procs]
    recipients = sorted(r for rcpts, _ in smtp.messages for r in rcpts)
    assert recipients == sorted(f"p{i}@example.org" for i in range(60)), outputs
    assert len({parse(raw)["Message-ID"] for _, raw in smtp.messages}) == 60


# --- internationalised addresses and names (issue 14, item 7) -------------------------------


class Recording(Collect):
    """Also keeps the envelope's MAIL FROM options (SMTPUTF8 would show there)."""

    def __init__(self):
        super().__init__()
        self.mail_options = []

    async def handle_DATA(self, server, session, envelope):
        self.mail_options.append(list(envelope.mail_options))
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture(params=[False, True], ids=["smtputf8-off", "smtputf8-on"])
def smtp_any(request, smtp_port):
    """A real SMTP server with SMTPUTF8 offered or not; mail must go out either way."""
    handler = Recording()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port,
                            enable_SMTPUTF8=request.param)
    controller.start()
    yield handler
    controller.stop()


def header_lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def _unfold_to(head: str) -> str:
    lines = head.split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("To: "))
    value = [lines[start][4:]]
    for line in lines[start + 1:]:
        if line[:1] not in (" ", "\t"):
            break
        value.append(line)
    return "\r\n".join(value)


def decoded_to(raw: bytes) -> str:
    """The To header decoded by RFC 2047's rules (adjacent encoded words join without the
    folding white space between them, §6.2; Python's address parser keeps a space there)."""
    return str(make_header(decode_header(_unfold_to(
        raw.split(b"\r\n\r\n", 1)[0].decode("ascii")))))


def test_mail_to_an_internationalised_domain_goes_out_in_idna_form(ctx, make_event, smtp_any):
    eid = make_event()
    result = services.register(event(eid), person(given_name="Jonas", family_name="Müller",
                                                  email="jonas@müller.example"))
    assert result.registration.email == "jonas@müller.example"
    [(rcpt, raw)] = smtp_any.messages
    assert rcpt == ["jonas@xn--mller-kva.example"]
    # No SMTPUTF8 needed, offered or not.
    assert [[o for o in options if not o.startswith("SIZE=")]
            for options in smtp_any.mail_options] == [[]]
    assert raw.isascii()
    msg = parse(raw)
    assert msg["To"].addresses[0].addr_spec == "jonas@xn--mller-kva.example"
    assert decoded_to(raw) == "Jonas Müller <jonas@xn--mller-kva.example>"
    assert db.session.scalar(select(OutboxMessage.sent_at)) is not None


@pytest.mark.parametrize("given, family", [
    ("=?utf-8?q?x?=", "Smith"),
    ("=?utf-8?b?QWRtaW4=?=", "=?iso-8859-1?q?Bob?="),
    ("A" * 200, "B" * 100),  # 300 characters and a space
    ("Ana María", "Pérez y " + "González " * 21),  # 200 characters with spaces
    ("李" * 200, "小龍" * 50),  # 300 CJK characters: 900 octets of UTF-8
    ("𠮷" * 100, "田" * 200),  # outside the BMP
    ('Dr. "Bob"', "O'Brien, Jr. <admin@example.org>"),
])
def test_names_never_break_the_to_header(ctx, make_event, smtp, given, family):
    eid = make_event()
    services.register(event(eid), person(given_name=given, family_name=family,
                                         email="long.name@example.org"))
    [(rcpt, raw)] = smtp.messages
    assert rcpt == ["long.name@example.org"]
    assert max(len(line) for line in header_lines(raw)) <= 78  # RFC 5322: 998 at most
    [address] = parse(raw)["To"].addresses
    assert address.addr_spec == "long.name@example.org"
    if '"' in given:  # a quoted string: its quotes and escapes are not part of the name
        assert address.display_name == f"{given} {family}"
    else:
        assert decoded_to(raw) == f"{given} {family} <long.name@example.org>"
