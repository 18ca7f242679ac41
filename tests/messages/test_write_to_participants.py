"""Write to participants through the organisers' pages: compose, preview, send, delivery.

A real SMTP server (aiosmtpd) must receive exactly one message per chosen person, with the
placeholders filled; the count sent is the count previewed; bad input is a clear 4xx that
writes nothing.
"""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.mail.outbox import deliver_pending
from eventsapp.models import (
    AuditEntry,
    CheckIn,
    Message,
    MessageRecipient,
    OutboxMessage,
    Registration,
    utcnow,
)
from eventsapp.registration.services import register
from eventsapp.registration.validation import clean_registration

CONFIRMED = ["ana@example.org", "budi@example.org", "chen@example.org", "dara@example.org"]


def compose(client, slug, **fields):
    data = {"subject": "Logistics for {event}", "status": ["confirmed"],
            "body": "Dear {given_name} {family_name} ({economy}, {category}),\n"
                    "the venue is {venue}. Your page: {manage_url}\nCalendar: {calendar_url}",
            "reply_to": "secretariat@apec-ctwg.example", **fields}
    return client.post(f"/admin/events/{slug}/messages/new", data=data)


def message_id_of(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/admin/messages/(\d+)$", response.headers["Location"]).group(1))


def text(response) -> str:
    """The page's words, without tags, whitespace runs made one space."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split()).replace(" ,", ",").replace(" .", ".")


def count_rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_logistics_note_reaches_every_confirmed_participant_once_with_placeholders_filled(
        app, admin_client, star, smtp):
    message_id = message_id_of(compose(admin_client, star["slug"], attach_calendar="y"))
    preview = admin_client.get(f"/admin/messages/{message_id}")
    page = text(preview)
    assert preview.status_code == 200
    assert "It goes to 4 people" in page
    assert "Dear Ana Lima (Peru, Head of delegation)" in page

    as_budi = admin_client.get(
        f"/admin/messages/{message_id}?as={star['regs']['budi@example.org']}")
    assert "Dear Budi Santoso (Indonesia, Delegate)" in text(as_budi)

    sent = admin_client.post(f"/admin/messages/{message_id}/send", data={"expected": "4"})
    assert sent.status_code == 303
    with app.app_context():
        assert deliver_pending() == (4, 0)
    assert smtp.to() == CONFIRMED
    body = smtp.body_for("chen@example.org")
    assert body.startswith("Dear Chen Wei (People's Republic of China, Delegate),\n"
                           "the venue is KLCC, Kuala Lumpur. Your page: "
                           "http://events.test/events/star-test/new-link\n"
                           "Calendar: http://events.test/events/star-test/calendar.ics")
    mail = smtp.message_for("ana@example.org")
    assert mail["Subject"] == "Logistics for STAR XI test"
    assert mail["Reply-To"] == "secretariat@apec-ctwg.example"
    assert [p.get_filename() for p in mail.iter_attachments()] == ["star-test.ics"]

    status_page = text(admin_client.get(f"/admin/messages/{message_id}"))
    assert "4 sent · 0 queued · 0 failed, to be retried" in status_page
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "message_sent"))
        assert (entry.object_id, entry.details["recipients"]) == (message_id, 4)
        assert db.session.scalar(select(func.count()).select_from(MessageRecipient)) == 4


def test_the_message_page_is_in_the_event_menu_and_the_registrations_list_writes_to_selected(
        app, admin_client, star, smtp):
    menu = admin_client.get(f"/admin/events/{star['slug']}/registrations").get_data(
        as_text=True)
    assert f'href="/admin/events/{star["slug"]}/messages"' in menu
    assert 'value="message"' in menu
    chosen = [star["regs"]["emma@example.org"], star["regs"]["dara@example.org"]]
    page = admin_client.get(f"/admin/events/{star['slug']}/registrations/bulk",
                            query_string={"action": "message", "id": chosen})
    assert page.status_code == 200
    assert "2 registrations chosen in the registrations list" in text(page)
    ids = ",".join(map(str, sorted(chosen)))
    message_id = message_id_of(compose(admin_client, star["slug"], status=[], ids=ids))
    assert admin_client.post(f"/admin/messages/{message_id}/send",
                             data={"expected": "2"}).status_code == 303
    with app.app_context():
        assert deliver_pending() == (2, 0)
    assert smtp.to() == ["dara@example.org", "emma@example.org"]


def test_recipients_by_economy_category_and_check_in(app, admin_client, star, smtp):
    with app.app_context():
        db.session.add(CheckIn(registration_id=star["regs"]["budi@example.org"],
                               day=utcnow().date()))
        db.session.commit()
    checks = [
        ({"economy": ["PRC", "INA"]}, ["budi@example.org", "chen@example.org"]),
        ({"category": ["observer"]}, ["dara@example.org"]),
        ({"checked_in": "yes"}, ["budi@example.org"]),
        ({"checked_in": "no", "category": ["delegate"]}, ["chen@example.org"]),
        ({"status": ["waitlisted", "cancelled"]}, ["emma@example.org", "farid@example.org"]),
        # Only Peru has a confirmed head of delegation.
        ({"without_head": "y"}, ["budi@example.org", "chen@example.org", "dara@example.org"]),
    ]
    for fields, expected in checks:
        message_id = message_id_of(compose(admin_client, star["slug"], **fields))
        with app.app_context():
            ids = db.session.get(Message, message_id).previewed_ids
            got = sorted(db.session.scalars(select(Registration.email)
                                            .where(Registration.id.in_(ids))))
        assert got == expected, fields


def test_a_registration_after_the_preview_is_told_not_sent(app, admin_client, star, smtp):
    message_id = message_id_of(compose(admin_client, star["slug"], status=[]))
    with app.app_context():  # 5 matched: everyone but the cancelled
        ev = db.session.get(Registration, star["regs"]["ana@example.org"]).event
        register(ev, clean_registration({"given_name": "Gil", "family_name": "New",
                                         "email": "gil@example.org"}), notify=False)
    refused = admin_client.post(f"/admin/messages/{message_id}/send", data={"expected": "5"})
    page = text(refused)
    assert refused.status_code == 409
    assert "it counted 5, the same criteria now give 6 (1 added, 0 no longer matching)" in page
    assert "It goes to 6 people" in page
    assert count_rows(app, OutboxMessage) == 0
    # The organiser saw 6 now: sending with that count goes.
    assert admin_client.post(f"/admin/messages/{message_id}/send",
                             data={"expected": "6"}).status_code == 303
    with app.app_context():
        assert deliver_pending() == (6, 0)
    assert len(smtp.to()) == 6


def test_sending_twice_needs_confirmation(app, admin_client, star, smtp):
    first = message_id_of(compose(admin_client, star["slug"]))
    assert admin_client.post(f"/admin/messages/{first}/send",
                             data={"expected": "4"}).status_code == 303
    # The same message again: refused, then already sent.
    again = admin_client.post(f"/admin/messages/{first}/send", data={"expected": "4"})
    assert again.status_code == 303
    assert count_rows(app, OutboxMessage) == 4
    copy = admin_client.post(f"/admin/messages/{first}/copy")
    copy_id = int(re.search(r"/admin/messages/(\d+)/edit$", copy.headers["Location"]).group(1))
    refused = admin_client.post(f"/admin/messages/{copy_id}/send", data={"expected": "4"})
    assert refused.status_code == 409
    assert "Confirm that it should go out again" in text(refused)
    assert count_rows(app, OutboxMessage) == 4
    assert admin_client.post(f"/admin/messages/{copy_id}/send",
                             data={"expected": "4", "repeat": "y"}).status_code == 303
    assert count_rows(app, OutboxMessage) == 8


def test_bad_templates_and_header_injection_are_refused_and_nothing_is_stored(
        app, admin_client, star):
    cases = [
        ({"body": "Hi {given_name.__class__}"}, "{given_name.__class__} is not allowed"),
        ({"body": "Hi {0}"}, "{0} is not a placeholder"),
        ({"body": "Hi {given_name!r}"}, "{given_name!r} is not allowed"),
        ({"subject": "Note {x:>99999}"}, "{x:>99999} is not allowed"),
        ({"body": "Hi {passport}"}, "unknown placeholder {passport}"),
        ({"subject": "Note\r\nBcc: all@example.org"}, "must not contain line breaks"),
        ({"reply_to": "sec@example.org\r\nBcc: x@example.org"}, "The Reply-To address"),
        ({"body": "x" * 100_001}, "a message may have at most 100,000"),
        ({"subject": ""}, "Write a subject."),
    ]
    for fields, expected in cases:
        response = compose(admin_client, star["slug"], **fields)
        page = text(response)
        assert response.status_code == 422, fields
        assert expected in page, (fields, page[:3000])
    assert count_rows(app, Message) == 0


def test_a_one_megabyte_body_is_a_clear_4xx(app, admin_client, star):
    response = compose(admin_client, star["slug"], body="x" * 1_000_000)
    assert response.status_code == 422
    assert "The message is 1,000,000 characters; a message may have at most 100,000." \
        in text(response)
    assert count_rows(app, Message) == 0


def test_a_document_over_the_attachment_cap_is_refused(app, admin_client, star):
    from eventsapp.documents.services import DocumentInput, Upload, submit_document
    from eventsapp.models import Event, User

    pdf = b"%PDF-1.4\n" + b"0" * 3_000_000 + b"\n%%EOF\n"
    import io
    with app.app_context():
        ev = db.session.get(Event, star["id"])
        user = db.session.scalar(select(User))
        doc = submit_document(ev, DocumentInput(title="Big annex", access="public"),
                              Upload(stream=io.BytesIO(pdf), filename="annex.pdf",
                                     size=len(pdf)), user=user)
        doc_id = doc.id
    response = compose(admin_client, star["slug"], document_id=str(doc_id))
    assert response.status_code == 422
    assert "a message may carry at most 2.0 MB" in text(response)
    assert count_rows(app, Message) == 0


def test_pace_limits_what_one_delivery_takes(app, admin_client, star, smtp):
    from datetime import timedelta
    app.config["MAIL_MESSAGES_PER_MINUTE"] = 3
    message_id = message_id_of(compose(admin_client, star["slug"]))
    admin_client.post(f"/admin/messages/{message_id}/send", data={"expected": "4"})
    with app.app_context():
        assert deliver_pending() == (3, 0)
        assert deliver_pending() == (0, 0)  # the minute's three are spent
        assert deliver_pending(now=utcnow() + timedelta(minutes=2)) == (1, 0)
    assert smtp.to() == CONFIRMED


def test_smtp_down_then_up_sends_each_once_and_the_page_shows_the_failure(
        app, admin_client, star, smtp):
    from datetime import timedelta
    message_id = message_id_of(compose(admin_client, star["slug"]))
    admin_client.post(f"/admin/messages/{message_id}/send", data={"expected": "4"})
    smtp.refuse = True
    with app.app_context():
        assert deliver_pending() == (0, 4)
    page = text(admin_client.get(f"/admin/messages/{message_id}"))
    assert "0 sent · 0 queued · 4 failed, to be retried" in page
    assert "try again later" in page
    smtp.refuse = False
    with app.app_context():
        assert deliver_pending() == (0, 0)  # back-off not over
        assert deliver_pending(now=utcnow() + timedelta(minutes=5)) == (4, 0)
        assert deliver_pending(now=utcnow() + timedelta(hours=5)) == (0, 0)
    assert smtp.to() == CONFIRMED
    page = text(admin_client.get(f"/admin/messages/{message_id}"))
    assert "4 sent · 0 queued · 0 failed" in page
    assert "after 2 attempts" in page


def test_year_message_reaches_participants_of_every_event_of_the_plan(
        app, seeded, admin_client, smtp):
    from tests.support import register_before_start
    register_before_start(seeded, "ctwg-15", {
        "given_name": "Ana", "family_name": "Lima", "email": "ana@example.org",
        "economy": "PE", "organisation": "M", "sector": "government", "category": "delegate"})
    register_before_start(seeded, "star-xi", {
        "given_name": "Budi", "family_name": "S", "email": "budi@example.org",
        "economy": "INA", "organisation": "M", "sector": "government", "category": "delegate"})
    assert admin_client.get("/admin/messages").headers["Location"].endswith(
        "/admin/years/2020/messages")
    response = admin_client.post("/admin/years/2020/messages/new", data={
        "subject": "The year ahead", "body": "Dear {given_name}, see you at {event}.",
        "status": ["confirmed"]})
    message_id = message_id_of(response)
    admin_client.post(f"/admin/messages/{message_id}/send", data={"expected": "2"})
    with app.app_context():
        assert deliver_pending() == (2, 0)
    assert smtp.to() == ["ana@example.org", "budi@example.org"]
    assert smtp.body_for("budi@example.org") == (
        "Dear Budi, see you at 11th Secure Trade in APEC Region Conference (STAR XI).\n")


def test_an_organiser_limited_to_other_events_cannot_open_the_message(
        app, admin_client, star, make_user, make_event):
    from tests.auth.fixtures import sign_in
    make_event(slug="other")
    message_id = message_id_of(compose(admin_client, star["slug"]))
    other = app.test_client()
    sign_in(other, make_user("organiser", events=("other",)))
    assert other.get(f"/admin/messages/{message_id}").status_code == 403
    assert other.post(f"/admin/messages/{message_id}/send",
                      data={"expected": "4"}).status_code == 403
    assert other.get("/admin/years/2030/messages").status_code in (403, 404)
    assert count_rows(app, OutboxMessage) == 0
