"""Invitations: address-bound one-time links, expiry, reminders, decline, CSV uploads."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.invitations import services as invitations
from eventsapp.models import Invitation, OutboxMessage, Registration, utcnow
from eventsapp.registration import services
from tests.support import sent_body

from .conftest import event, person, sign_in, statuses

LINK = re.compile(r"https?://[^/\s]+/invitations/([A-Za-z0-9_-]{43})")


def links(to: str) -> list[str]:
    """The invitation links mailed to `to`, read from the mail as it left: the outbox keeps
    them sealed."""
    return [LINK.search(sent_body(current_app, m.id)).group(1) for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_addr == to).order_by(OutboxMessage.id))]


def invite(eid, *emails, **kw) -> list[Invitation]:
    return invitations.invite(event(eid), invitations.parse_addresses(list(emails), **kw),
                              user=None)


def test_an_invitation_registers_its_own_address_once(ctx, make_event):
    eid = make_event(registration_mode="invitation")
    invite(eid, "guest@example.org", category="observer", economy=None)
    [token] = links("guest@example.org")
    with pytest.raises(services.InvitationError) as exc:
        services.register(event(eid), person(email="friend@example.org"), invitation_token=token)
    assert str(exc.value).startswith("This invitation is for another email address.")
    done = services.register(event(eid), person(email="Guest@example.org", category="delegate"),
                             invitation_token=token)
    assert (done.registration.status, done.registration.category) == ("confirmed", "observer")
    with pytest.raises(services.InvitationError) as exc:
        services.register(event(eid), person(email="guest@example.org"), invitation_token=token)
    assert str(exc.value).startswith("This invitation has been used to register already.")
    assert statuses(eid) == [("Guest@example.org", "confirmed")]
    assert db.session.scalar(select(Invitation.status)) == "registered"


def test_an_expired_invitation_registers_nobody(ctx, make_event):
    eid = make_event(registration_mode="invitation")
    [inv] = invite(eid, "late@example.org")
    [token] = links("late@example.org")
    inv.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(services.InvitationError) as exc:
        services.register(event(eid), person(email="late@example.org"), invitation_token=token)
    assert str(exc.value) == "This invitation has expired. Ask the organisers for a new one."
    assert statuses(eid) == []


def test_a_reminder_sends_a_new_link_and_the_old_one_stops(ctx, make_event):
    eid = make_event(registration_mode="invitation")
    invite(eid, "slow@example.org", "quick@example.org")
    [quick] = links("quick@example.org")
    services.register(event(eid), person(email="quick@example.org"), invitation_token=quick)
    assert invitations.remind(event(eid), user=None) == 1
    old, new = links("slow@example.org")
    with pytest.raises(services.InvitationError):
        services.register(event(eid), person(email="slow@example.org"), invitation_token=old)
    services.register(event(eid), person(email="slow@example.org"), invitation_token=new)
    summary = invitations.overview(event(eid))
    assert (summary.invited, summary.registered, summary.silent) == (2, 2, 0)


def test_declined_invitation_counts_and_registers_nobody(ctx, make_event):
    eid = make_event(registration_mode="invitation")
    invite(eid, "no@example.org", "silent@example.org")
    [token] = links("no@example.org")
    invitations.decline(token)
    with pytest.raises(services.InvitationError):
        services.register(event(eid), person(email="no@example.org"), invitation_token=token)
    summary = invitations.overview(event(eid))
    assert (summary.invited, summary.registered, summary.declined, summary.silent) == (2, 0, 1, 1)


def test_registered_addresses_are_not_invited(ctx, make_event):
    eid = make_event()
    services.register(event(eid), person(email="here@example.org"))
    sent = invite(eid, "here@example.org", "new@example.org")
    assert [i.email for i in sent] == ["new@example.org"]


def test_csv_preview_counts_rows_and_lists_problems():
    data = ("Email,Category,Economy\nana@example.org,observer,CHL\nbad-address,,\n"
            "ana@example.org,,\nbo@example.org,Media,singapore\ncy@example.org,vip,\n"
            ).encode("utf-8-sig")
    preview = invitations.parse_csv(data)
    assert [(i.email, i.category, i.economy) for i in preview.invitees] == [
        ("ana@example.org", "observer", "CHL"), ("bo@example.org", "media", "SGP")]
    assert preview.rows == 5
    assert [p.split(":")[0] for p in preview.problems] == ["Row 3", "Row 4", "Row 6"]


def test_csv_of_10000_rows_is_refused_with_a_clear_message():
    data = "".join(f"p{i}@example.org\n" for i in range(10_000)).encode()
    with pytest.raises(invitations.InvitationInputError) as exc:
        invitations.parse_csv(data)
    assert exc.value.errors == {"file": [
        "The file has 10,000 rows; upload at most 2,000 addresses at a time (split the file)."]}


def test_csv_not_in_utf8_is_refused_with_a_clear_message():
    with pytest.raises(invitations.InvitationInputError) as exc:
        invitations.parse_csv("josé@example.org\n".encode("cp1252"))
    assert exc.value.errors == {"file": [
        'The file is not UTF-8 text (byte 4 cannot be read). In your spreadsheet, save it as '
        '"CSV UTF-8" and upload it again.']}


def test_organiser_uploads_a_csv_sees_the_count_then_sends(app, make_event, make_staff):
    make_event(slug="star", registration_mode="invitation")
    client = app.test_client()
    sign_in(client, make_staff("organiser"))
    upload = client.post("/admin/events/star/invitations/upload", data={
        "file": (__import__("io").BytesIO(b"a@example.org\nb@example.org\nnot-an-address\n"),
                 "list.csv"), "category": "observer"}, content_type="multipart/form-data")
    page = upload.get_data(as_text=True)
    assert upload.status_code == 200
    assert "2 of 3 rows will be invited." in page and "Row 3: not-an-address" in page
    with app.app_context():
        assert db.session.scalar(select(Invitation.id)) is None
    rows = re.search(r'name="rows" type="hidden" value="([^"]*)"', page).group(1)
    sent = client.post("/admin/events/star/invitations/send", data={
        "rows": rows.replace("&#10;", "\n").replace("&#34;", '"'), "count": "2",
        "category": "observer"})
    assert sent.status_code == 303
    with app.app_context():
        assert sorted((i.email, i.category) for i in db.session.scalars(select(Invitation))) == [
            ("a@example.org", "observer"), ("b@example.org", "observer")]
    bad = client.post("/admin/events/star/invitations/upload", data={
        "file": (__import__("io").BytesIO("é".encode("latin-1")), "x.csv")},
        content_type="multipart/form-data")
    assert bad.status_code == 422
    assert "The file is not UTF-8 text" in bad.get_data(as_text=True)


def test_invitation_page_registers_only_the_invited_address(app, make_event, client):
    eid = make_event(slug="star", registration_mode="invitation")
    with app.app_context():
        invite(eid, "guest@example.org", economy="SGP")
        [token] = links("guest@example.org")
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 200
    assert "This invitation is for <strong>guest@example.org</strong>" in page.get_data(
        as_text=True)
    form = {"given_name": "Wei Ling", "family_name": "Tan", "sector": "government",
            "category": "delegate", "honorific": "Ms"}
    forwarded = client.post(f"/invitations/{token}", data={**form, "email": "me@example.org"})
    assert forwarded.status_code == 409
    assert "This invitation is for another email address." in forwarded.get_data(as_text=True)
    done = client.post(f"/invitations/{token}", data={**form, "email": "guest@example.org"})
    assert done.status_code == 303
    assert client.get(f"/invitations/{token}").status_code == 410
    assert client.get("/events/star/register").get_data(as_text=True).count(
        "by invitation only") == 1
    with app.app_context():
        reg = db.session.scalar(select(Registration))
        assert (reg.email, reg.economy, reg.honorific) == ("guest@example.org", "SGP", "Ms")


def test_csv_preview_leaves_out_and_names_addresses_registered_already(
        app, make_event, make_staff):
    """Walk finding: the preview said "4 of 8 rows will be invited", listing a registered
    address, and then sent 3."""
    eid = make_event(slug="star")
    with app.app_context():
        services.register(event(eid), person(email="Taken@example.org"), notify=False)
    client = app.test_client()
    sign_in(client, make_staff("organiser"))
    upload = client.post("/admin/events/star/invitations/upload", data={
        "file": (__import__("io").BytesIO(b"a@example.org\ntaken@example.org\n"), "list.csv"),
        "category": "observer"}, content_type="multipart/form-data")
    page = upload.get_data(as_text=True)
    assert "1 of 2 rows will be invited." in page
    assert "taken@example.org: registered for this event already, so not invited." in page
    assert "Send 1 invitation<" in page
