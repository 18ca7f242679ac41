"""Migrations that move data keep it, both ways, on both backends."""

import email
import email.policy
import json
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from eventsapp import create_app
from eventsapp.extensions import db
from tests.support import base_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def old_style_message() -> bytes:
    """A message as the outbox stored it before revision 1362544125a9."""
    msg = EmailMessage()
    msg["From"] = "eventsapp <no-reply@localhost>"
    msg["To"] = Address(display_name="李 小龍", username="li", domain="example.org")
    msg["Subject"] = "Registration confirmed: STAR XI"
    msg["Date"] = "Fri, 27 Nov 2026 10:00:00 +0000"
    msg["Message-ID"] = "<queued-1@localhost>"
    msg.set_content("Dear 李 小龍,\n\nYour place is confirmed.\n")
    msg.add_attachment(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", maintype="text",
                       subtype="calendar", params={"charset": "utf-8"}, filename="star-xi.ics")
    return msg.as_bytes(policy=email.policy.SMTP)


def test_queued_mail_survives_the_outbox_migration_both_ways(fresh_db_url):
    app = create_app(base_config(fresh_db_url))
    with app.app_context():
        upgrade(revision="5df668e066f8")
        db.session.execute(text(
            "INSERT INTO outbox_message (created_at, to_addr, subject, raw, attempts,"
            " next_attempt_at, last_error) VALUES (:t, 'li@example.org',"
            " 'Registration confirmed: STAR XI', :raw, 0, :t, '')"),
            {"t": datetime(2026, 11, 27, 10, tzinfo=UTC), "raw": old_style_message()})
        db.session.commit()

        upgrade()
        row = db.session.execute(text(
            "SELECT to_name, body, attachments, message_id FROM outbox_message")).one()
        db.session.commit()  # end the read: SQLite's snapshot would hide the downgrade
        attachments = row.attachments
        if isinstance(attachments, str):  # SQLite's JSON through text() comes back as text
            attachments = json.loads(attachments)
        assert (row.to_name, row.message_id) == ("李 小龍", "<queued-1@localhost>")
        assert row.body.replace("\r\n", "\n") == "Dear 李 小龍,\n\nYour place is confirmed.\n"
        assert [(a["filename"], a["type"]) for a in attachments] == [
            ("star-xi.ics", "text/calendar")]

        downgrade(revision="5df668e066f8")
        raw = db.session.execute(text("SELECT raw FROM outbox_message")).scalar_one()
        db.session.commit()  # PostgreSQL's ALTER TABLE waits for every reader to finish
        msg = email.message_from_bytes(bytes(raw), policy=email.policy.default)
        assert (str(msg["To"]), msg["Message-ID"]) == ("李 小龍 <li@example.org>",
                                                       "<queued-1@localhost>")
        [ics] = list(msg.iter_attachments())
        assert ics.get_payload(decode=True) == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
        upgrade()
        db.session.remove()
        db.engine.dispose()


def test_counters_migration_counts_existing_registrations_and_downgrades_cleanly(fresh_db_url):
    app = create_app(base_config(fresh_db_url))
    with app.app_context():
        upgrade(revision="1362544125a9")
        db.session.execute(text(
            "INSERT INTO event (id, slug, title, short_title, kind, status, description, theme,"
            " co_sponsors, collaborating_fora, venue_name, city, timezone, waitlist_enabled,"
            " assumptions, agenda_provisional, agenda_release, version, created_at, updated_at)"
            " VALUES (1, 'e', 'E', '', 'meeting', 'published', '', '', '', '', '', '', 'UTC',"
            " true, '[]', false, 0, 1, :t, :t)"), {"t": datetime(2026, 11, 28, tzinfo=UTC)})
        for i, status in enumerate(["confirmed", "confirmed", "waitlisted", "cancelled"]):
            insert_registration(i, status)
        db.session.commit()

        upgrade()
        assert counts() == (2, 1)
        insert_registration(4, "waitlisted")
        db.session.commit()
        assert counts() == (2, 2)

        downgrade(revision="1362544125a9")
        insert_registration(5, "confirmed")  # no trigger is left to touch the dropped columns
        db.session.commit()
        upgrade()
        assert counts() == (3, 2)  # and so the downgrade kept every registration
        db.session.remove()
        db.engine.dispose()


def insert_registration(i: int, status: str, given: str = "G", family: str = "F",
                        native: str = "", email: str | None = None) -> None:
    db.session.execute(text(
        "INSERT INTO registration (event_id, given_name, family_name, badge_name, native_name,"
        " email, email_normalized, organisation, job_title, sector, category, dietary,"
        " accessibility, consent_to_list, status, token_hash, feed_token_hash,"
        " feed_token_version, checkin_code, created_at, updated_at, note) VALUES (1, :g, :fn,"
        " '', :n, :m, :m, '', '', 'government', 'delegate', '', '', false, :s, :t, :f, 1, :c,"
        " :now, :now, '')"),
        {"m": email or f"p{i}@example.org", "s": status, "t": f"t{i}", "f": f"f{i}", "c": f"c{i}",
         "g": given, "fn": family, "n": native, "now": datetime(2026, 11, 28, tzinfo=UTC)})


def test_search_key_migration_folds_existing_names_and_downgrades_cleanly(fresh_db_url):
    app = create_app(base_config(fresh_db_url))
    with app.app_context():
        upgrade(revision="7c1f0a9e2b34")
        insert_event()
        insert_registration(0, "confirmed", "Álvaro", "NÚÑEZ")
        insert_registration(1, "waitlisted", "Văn", "Đặng", "​Иван　Петров")
        db.session.commit()

        upgrade()
        keys = db.session.execute(text(
            "SELECT search_key FROM registration ORDER BY id")).scalars().all()
        db.session.commit()
        assert keys == ["alvaro nunez", "van đang иван петров".replace("đ", "d")]
        assert counts() == (1, 1)

        downgrade(revision="7c1f0a9e2b34")
        insert_registration(2, "confirmed")  # the counter triggers outlived the downgrade
        db.session.commit()
        assert counts() == (2, 1)
        upgrade()
        db.session.remove()
        db.engine.dispose()


def insert_event() -> None:
    db.session.execute(text(
        "INSERT INTO event (id, slug, title, short_title, kind, status, description, theme,"
        " co_sponsors, collaborating_fora, venue_name, city, timezone, waitlist_enabled,"
        " assumptions, agenda_provisional, agenda_release, version, created_at, updated_at,"
        " confirmed_count, waitlisted_count)"
        " VALUES (1, 'e', 'E', '', 'meeting', 'published', '', '', '', '', '', '', 'UTC',"
        " true, '[]', false, 0, 1, :t, :t, 0, 0)"), {"t": datetime(2026, 11, 28, tzinfo=UTC)})


def counts() -> tuple[int, int]:
    row = db.session.execute(text(
        "SELECT confirmed_count, waitlisted_count FROM event WHERE id = 1")).one()
    db.session.commit()  # end the read before the next migration (see above)
    return tuple(row)


def test_private_links_in_mail_already_sent_are_removed_by_the_upgrade(fresh_db_url):
    app = create_app(base_config(fresh_db_url))
    link = "https://events.example.org/registrations/" + "T" * 43
    with app.app_context():
        upgrade(revision="a20b1c2d3e02")
        for sent in (datetime(2026, 11, 27, 10, tzinfo=UTC), None):
            db.session.execute(text(
                "INSERT INTO outbox_message (created_at, to_addr, to_name, subject, body,"
                " attachments, message_id, attempts, next_attempt_at, last_error, sent_at)"
                " VALUES (:t, 'a@x.org', '', 's', :body, '[]', '<m@x>', 0, :t, '', :sent)"),
                {"t": datetime(2026, 11, 27, 9, tzinfo=UTC), "sent": sent,
                 "body": f"Your private link:\n\n  {link}\n\nKeep it."})
        db.session.commit()
        upgrade()
        bodies = db.session.execute(text(
            "SELECT body FROM outbox_message ORDER BY id")).scalars().all()
        db.session.commit()
        assert bodies == ["Your private link:\n\n  [link removed after sending]\n\nKeep it.",
                          f"Your private link:\n\n  {link}\n\nKeep it."]
        db.session.remove()
        db.engine.dispose()


def test_accreditation_migration_keeps_triggers_waiting_order_and_unique_indexes(fresh_db_url):
    """The revision may rebuild `registration` on SQLite (dropping its triggers): counters
    must still move, the waiting list keep its order, and both partial indexes hold."""
    app = create_app(base_config(fresh_db_url))
    with app.app_context():
        upgrade(revision="a20b1c2d3e04")
        insert_event()
        for i, status in enumerate(["confirmed", "waitlisted", "waitlisted", "cancelled"]):
            insert_registration(i, status)
        db.session.commit()

        upgrade()
        assert counts() == (1, 2)
        seqs = db.session.execute(text(
            "SELECT waitlist_seq FROM registration WHERE status = 'waitlisted' ORDER BY id"))
        assert [s for (s,) in seqs] == [2, 3]
        assert db.session.execute(text("SELECT waitlist_seq, registration_mode,"
                                       " public_categories FROM event")).one()[:2] == (4, "open")
        db.session.commit()
        insert_registration(4, "confirmed")  # the triggers still count
        db.session.execute(text("UPDATE registration SET status = 'pending' WHERE id = 2"))
        db.session.commit()
        assert counts() == (2, 1)
        db.session.execute(text("UPDATE registration SET economy = 'AUS',"
                                " category = 'head_of_delegation' WHERE id = 1"))
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE registration SET economy = 'AUS',"
                                    " category = 'head_of_delegation' WHERE id = 5"))
        db.session.rollback()
        with pytest.raises(IntegrityError):  # the address index survived the rebuild
            insert_registration(9, "waitlisted", email="p4@example.org")
        db.session.rollback()

        downgrade(revision="a20b1c2d3e04")
        assert counts() == (2, 1)  # pending became cancelled: it held no place
        insert_registration(5, "waitlisted")
        db.session.commit()
        assert counts() == (2, 2)
        upgrade()
        db.session.remove()
        db.engine.dispose()
