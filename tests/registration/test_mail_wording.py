"""Organisers' wording of the system emails: saved only when it can be sent, previewed,
reset; and every email leaves as text plus an HTML copy of the same words."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.mail.templates import SYSTEM_EMAILS, check_template
from eventsapp.models import AuditEntry, MailTemplateOverride, OutboxMessage
from tests.auth.fixtures import make_user as make_user  # noqa: F401  (a fixture)
from tests.auth.fixtures import sign_in
from tests.support import move_to_future, sent_body

URL = "/admin/events/ctwg-15/emails/confirmation"


@pytest.fixture
def organiser(seeded, make_user):
    move_to_future(seeded, "ctwg-15")
    client = seeded.test_client()
    assert sign_in(client, make_user("admin")).status_code == 303
    return client


def form(client, url=URL) -> dict:
    page = client.get(url).text
    import re
    subject = re.search(r'id="subject"[^>]*value="([^"]*)"', page).group(1)
    from html import unescape
    body = unescape(re.search(r'<textarea[^>]*id="body"[^>]*>\r?\n?(.*?)</textarea>', page,
                              re.S).group(1))
    # As a browser sends a text area: CR LF line ends (HTML §4.10.21.8).
    return {"subject": unescape(subject), "body": body.replace("\r\n", "\n")
            .replace("\n", "\r\n")}


def register(app, email_addr="ana@example.org", **extra) -> str:
    client = app.test_client()
    response = client.post("/events/ctwg-15/register", data={
        "given_name": "Ana", "family_name": "Lima", "email": email_addr, "economy": "CHL",
        "sector": "government", "category": "delegate", **extra})
    assert response.status_code == 303, response.text
    with app.app_context():
        return db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc())
                                 .limit(1))


def test_an_organiser_fixes_a_typo_previews_and_the_next_confirmation_says_it(seeded,
                                                                              organiser):
    assert 'href="/admin/events/ctwg-15/emails"' in organiser.get("/admin/events/ctwg-15/").text
    data = form(organiser)
    data["body"] = data["body"].replace("is confirmed.", "is confirmed. See you in Kuala Lumpur!")
    preview = organiser.post(URL + "/preview", data=data)
    assert preview.status_code == 200
    assert "See you in Kuala Lumpur!" in preview.text and "(not saved)" in preview.text
    with seeded.app_context():
        assert db.session.scalar(select(func.count(MailTemplateOverride.id))) == 0
    assert organiser.post(URL, data=data).headers["Location"] == URL
    message_id = register(seeded, badge_name="Ana L.")
    body = sent_body(seeded, message_id).replace("\r\n", "\n")
    assert "is confirmed. See you in Kuala Lumpur!" in body
    assert "Name on the badge: Ana L.\n  Economy: Chile\n  Category: Delegate" in body
    assert "http://events.test/registrations/" in body  # the sealed link, filled in
    with seeded.app_context():
        assert db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.action.like("mail_template%"))).all() == ["mail_template_changed"]
        assert db.session.scalar(select(OutboxMessage.subject).where(
            OutboxMessage.id == message_id)).startswith("Registration confirmed: 15th")


def test_saving_unchanged_writes_nothing_and_reset_goes_back_to_the_default(seeded, organiser):
    data = form(organiser)
    assert "Nothing changed" in organiser.post(URL, data=data, follow_redirects=True).text
    data["subject"] = "Confirmed: {event}"
    organiser.post(URL, data=data)
    assert organiser.post(URL, data=form(organiser), follow_redirects=True).status_code == 200
    with seeded.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "mail_template_changed")) == 1
    assert "Go back to the default" in organiser.get(URL + "/reset").text
    assert organiser.post(URL + "/reset").headers["Location"] == URL
    assert form(organiser)["subject"] == SYSTEM_EMAILS["confirmation"].subject
    with seeded.app_context():
        assert db.session.scalar(select(func.count(MailTemplateOverride.id))) == 0


@pytest.mark.parametrize(("body", "named"), [
    ("Dear {given_name.__class__}", "{given_name.__class__}"),
    ("Dear {0}", "{0}"),
    ("Dear {}", "{}"),
    ("Dear {given_name!r}", "{given_name!r}"),
    ("Dear {given_name:>99999}", "{given_name:>99999}"),
    ("Dear {given_name[0]}", "{given_name[0]}"),
    ("Dear {password}", "{password}"),
    ("Dear {given_name", "“{” or “}” without its pair"),
])
def test_a_broken_body_is_refused_at_save_naming_the_placeholder(seeded, organiser, body, named):
    data = form(organiser)
    data["body"] = body
    for url in (URL, URL + "/preview"):
        response = organiser.post(url, data=data)
        assert response.status_code == 422
        assert named in response.text.replace("&#34;", '"').replace("&#39;", "'").replace(
            "&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    with seeded.app_context():
        assert db.session.scalar(select(func.count(MailTemplateOverride.id))) == 0


@pytest.mark.parametrize("subject", ["Hello\r\nBcc: all@example.org", "Link {manage_url}"])
def test_a_subject_with_a_line_break_or_a_private_link_is_refused(seeded, organiser, subject):
    data = form(organiser)
    data["subject"] = subject
    assert organiser.post(URL, data=data).status_code == 422
    with seeded.app_context():
        assert db.session.scalar(select(func.count(MailTemplateOverride.id))) == 0


def test_preview_with_a_chosen_registration_shows_their_data_but_no_private_link(
        seeded, organiser):
    register(seeded, badge_name="Ana L.")
    with seeded.app_context():
        from eventsapp.models import Registration
        reg_id = db.session.scalar(select(Registration.id))
    data = form(organiser)
    data["registration"] = str(reg_id)
    page = organiser.post(URL + "/preview", data=data).text
    assert "as Ana Lima would receive it" in page
    assert "Name on the badge: Ana L." in page
    assert "/registrations/" not in page.split("preview-h")[1]


def test_every_default_passes_its_own_check_and_the_registry_takes_new_emails():
    for mail in SYSTEM_EMAILS.values():
        assert check_template(mail.body, mail.placeholders) == []
        assert check_template(mail.subject, mail.placeholders, subject=True) == []


def test_every_email_leaves_as_text_and_html_with_user_text_escaped(seeded):
    move_to_future(seeded, "ctwg-15")
    message_id = register(seeded, given_name="<b>Ana</b> & Co", badge_name="<i>Ana</i>")
    raw = (Path(seeded.instance_path) / "mail" / f"{message_id:08d}.eml").read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/mixed"  # the calendar file is attached
    [body] = [p for p in msg.walk() if p.get_content_type() == "multipart/alternative"]
    assert [p.get_content_type() for p in body.iter_parts()] == ["text/plain", "text/html"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Name on the badge: <i>Ana</i>" in text
    assert "&lt;i&gt;Ana&lt;/i&gt;" in html and "<i>Ana</i>" not in html
    assert '<a href="http://events.test/registrations/' in html
    assert [a.get_filename() for a in msg.iter_attachments()] == ["ctwg-15.ics"]
