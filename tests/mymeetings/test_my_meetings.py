"""My meetings: a one-time sign-in link, every registration of the verified address, and one
year feed of them all (read back with icalendar, vobject and `ical`)."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.models import AddressSignIn, AuditEntry, OutboxMessage, Registration, YearFeed
from eventsapp.mymeetings import services
from tests.calendar.samples import parse_everywhere
from tests.support import move_to_future, sent_body

SLUGS = ("ctwg-15", "ctwg-16", "star-xi")


def register(client, slug: str, email: str, given="Ana", family="Lima", **extra) -> None:
    response = client.post(f"/events/{slug}/register", data={
        "given_name": given, "family_name": family, "email": email, "economy": "CHL",
        "sector": "government", "category": "delegate", **extra})
    assert response.status_code == 303, response.text


@pytest.fixture
def three(seeded):
    """Ana registered for three meetings, with her address typed three ways; Bo for one."""
    for slug in SLUGS:
        move_to_future(seeded, slug)
    client = seeded.test_client()
    register(client, "ctwg-15", "ana@example.org", badge_name="Ana L.")
    register(client, "ctwg-16", "ANA@Example.ORG")
    register(client, "star-xi", "Ana@EXAMPLE.org")
    register(client, "star-xi", "bo@example.org", given="Bo", family="Chen")
    return seeded


def last_mail(app) -> tuple[int, str, str]:
    with app.app_context():
        row = db.session.execute(select(OutboxMessage.id, OutboxMessage.to_addr)
                                 .order_by(OutboxMessage.id.desc()).limit(1)).one()
    return row.id, row.to_addr, sent_body(app, row.id)


def mail_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(OutboxMessage.id)))


def sign_in_path(body: str) -> str:
    return re.search(r"http://events\.test(/my/sign-in/[A-Za-z0-9_-]{43})", body).group(1)


def sign_in(client, app, email: str) -> None:
    assert client.post("/my", data={"email": email}).status_code == 303
    path = sign_in_path(last_mail(app)[2])
    assert client.get(path).status_code == 200
    assert client.post(path).headers["Location"] == "/my/meetings"


def make_feed(client, alarms: bool = False) -> str:
    response = client.post("/my/feed", data={"alarms": "y"} if alarms else {})
    assert response.status_code == 303
    page = client.get("/my/meetings").text
    return re.search(r'value="http://events\.test(/my/[A-Za-z0-9_-]{43}/calendar\.ics)"',
                     page).group(1)


def test_one_address_three_meetings_one_feed_end_to_end(three):
    client = three.test_client()
    sign_in(client, three, "ana@example.org")
    page = client.get("/my/meetings").text
    assert "3 registrations" in page
    assert [t in page for t in ("15th Counter", "16th Counter", "STAR XI", "Ana L.", "Chen")] == [
        True, True, True, True, False]
    feed_path = make_feed(client)
    response = client.get(feed_path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    cal = parse_everywhere(response.data)
    with three.app_context():
        ids = {r.event_id for r in db.session.scalars(select(Registration).where(
            Registration.email_normalized == "ana@example.org"))}
    uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
    # Every entry belongs to one of Ana's three events, and each of them is there.
    assert {int(re.match(r"event-(\d+)", u).group(1)) for u in uids} == ids
    assert len(ids) == 3
    assert cal.walk("VALARM") == []


def test_the_feed_follows_cancellations_and_stops_after_reset(three):
    client = three.test_client()
    sign_in(client, three, "ana@example.org")
    old = make_feed(client, alarms=True)
    cal = parse_everywhere(client.get(old).data)
    alarms = cal.walk("VALARM")
    assert alarms and {str(a["ACTION"]) for a in alarms} == {"DISPLAY"}
    assert {a["TRIGGER"].dt for a in alarms} == {-timedelta(minutes=15)}
    assert len(alarms) == len([e for e in cal.walk("VEVENT")
                               if str(e["STATUS"]) != "CANCELLED"])

    # Cancelling one registration takes its event out of the feed.
    with three.app_context():
        reg = db.session.scalar(select(Registration).join(Registration.event).where(
            Registration.email_normalized == "ana@example.org",
            Registration.event.has(slug="ctwg-16")))
        from eventsapp.registration.services import cancel_registration
        cancel_registration(reg)
        gone = reg.event_id
    cal = parse_everywhere(client.get(old).data)
    assert all(not str(e["UID"]).startswith(f"event-{gone}") for e in cal.walk("VEVENT"))

    response = client.post("/my/feed", data={"alarms": "y"})
    assert response.status_code == 303
    new = client.get("/my/meetings").text
    assert old not in new
    assert client.get(old).status_code == 404
    new_path = re.search(r'value="http://events\.test(/my/[^"]+\.ics)"', new).group(1)
    assert client.get(new_path).status_code == 200
    # Stopping it ends the new address too.
    assert client.post("/my/feed/stop").status_code == 303
    assert client.get(new_path).status_code == 404
    with three.app_context():
        assert db.session.scalar(select(func.count(YearFeed.id))) == 0
        assert db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.action.like("year_feed%")).order_by(AuditEntry.id)).all() == [
            "year_feed_started", "year_feed_reset", "year_feed_stopped"]


def test_another_persons_feed_shows_none_of_anas_meetings(three):
    ana, bo = three.test_client(), three.test_client()
    sign_in(ana, three, "ana@example.org")
    sign_in(bo, three, "bo@example.org")
    assert "1 registration" in bo.get("/my/meetings").text
    ana_uids = {str(e["UID"]) for e in parse_everywhere(ana.get(make_feed(ana)).data)
                .walk("VEVENT")}
    bo_cal = parse_everywhere(bo.get(make_feed(bo)).data)
    with three.app_context():
        star = db.session.scalar(select(Registration.event_id).where(
            Registration.email_normalized == "bo@example.org"))
    assert {int(re.match(r"event-(\d+)", str(e["UID"])).group(1))
            for e in bo_cal.walk("VEVENT")} == {star}
    assert len(ana_uids) > len(bo_cal.walk("VEVENT"))


@pytest.mark.parametrize("typed", ["ANA@EXAMPLE.ORG", "Ana@Example.Org",
                                   "ａｎａ@ｅｘａｍｐｌｅ．ｏｒｇ", " ana@example.org "])
def test_the_same_person_in_another_case_or_unicode_form_sees_the_same_meetings(three, typed):
    client = three.test_client()
    sign_in(client, three, typed)
    assert "3 registrations" in client.get("/my/meetings").text


def test_a_link_used_twice_or_after_expiry_is_refused_with_a_clear_page(three):
    client = three.test_client()
    client.post("/my", data={"email": "ana@example.org"})
    path = sign_in_path(last_mail(three)[2])
    assert client.post(path).status_code == 303
    for method in (client.get, client.post):
        again = method(path)
        assert again.status_code == 410
        assert "This sign-in link has expired or has been used already" in again.text
    # Expired: 31 minutes after it was made.
    client.post("/my", data={"email": "ana@example.org"})
    path = sign_in_path(last_mail(three)[2])
    token = path.rsplit("/", 1)[1]
    with three.app_context():
        link = services.valid_sign_in(token)
        later = link.created_at + timedelta(minutes=31)
        assert services.valid_sign_in(token, later) is None
        with pytest.raises(services.SignInInvalid):
            services.use_sign_in(token, later)
        # Not used by the refusal: still good within its time.
        assert services.valid_sign_in(token, link.created_at + timedelta(minutes=29))
    assert three.test_client().get("/my/sign-in/" + "x" * 43).status_code == 410


def test_nothing_is_shown_before_the_link_and_a_session_ends(three):
    client = three.test_client()
    assert client.get("/my/meetings").headers["Location"] == "/my"
    sign_in(client, three, "ana@example.org")
    assert client.get("/my/meetings").status_code == 200
    cookie = client.get_cookie("session", domain="events.test")
    thief = three.test_client()
    thief.set_cookie("session", cookie.value, domain="events.test")
    assert thief.get("/my/meetings").status_code == 200
    assert client.post("/my/sign-out").headers["Location"] == "/my"
    # Ended on the server: a copy of the cookie no longer opens it.
    assert thief.get("/my/meetings").headers["Location"] == "/my"
    with three.app_context():
        row = db.session.scalars(select(AddressSignIn)).one()
        assert row.ended_at is not None
        assert services.verified(None) is None


def test_a_session_lasts_one_hour(three):
    client = three.test_client()
    sign_in(client, three, "ana@example.org")
    with three.app_context():
        row = db.session.scalars(select(AddressSignIn)).one()
        assert row.session_expires_at - row.used_at == timedelta(hours=1)
        key = row.email_key
        secret_hash = row.session_hash
        assert len(secret_hash) == 64 and key == "ana@example.org"
        row.session_expires_at = row.used_at  # an hour passed
        db.session.commit()
    assert client.get("/my/meetings").headers["Location"] == "/my"


def test_the_answer_and_the_mail_are_the_same_for_an_address_nobody_registered(three):
    client = three.test_client()
    answers = []
    for email in ("ana@example.org", "nobody@example.org"):
        before = mail_count(three)
        response = client.post("/my", data={"email": email}, follow_redirects=True)
        answers.append((response.status_code, mail_count(three) - before,
                        response.text.replace(email, "ADDRESS")))
        message_id, to, body = last_mail(three)
        assert to == email
        answers.append(re.sub(r"/my/sign-in/\S+", "LINK", body))
    assert answers[0] == answers[2]
    assert answers[1] == answers[3]
    assert answers[0][:2] == (200, 1)
    # The link of an address nobody used opens an empty list, no error.
    sign_in(client, three, "nobody@example.org")
    assert "No registration uses this address" in client.get("/my/meetings").text


def test_the_sign_in_link_rests_sealed_and_only_its_hash_is_stored(three):
    client = three.test_client()
    client.post("/my", data={"email": "ana@example.org"})
    message_id, _, body = last_mail(three)
    token = sign_in_path(body).rsplit("/", 1)[1]
    with three.app_context():
        stored = db.session.get(OutboxMessage, message_id)
        assert token not in (stored.body or "") and stored.sealed is None  # sent: dropped
        row = db.session.scalars(select(AddressSignIn)).one()
        assert token not in row.token_hash and len(row.token_hash) == 64


def test_open_gives_the_private_page_with_a_new_link_mailed_to_the_address(three):
    client = three.test_client()
    sign_in(client, three, "ANA@example.org")
    with three.app_context():
        reg_id, bo_id = (db.session.scalar(select(Registration.id).where(
            Registration.email_normalized == e).order_by(Registration.id).limit(1))
            for e in ("ana@example.org", "bo@example.org"))
    before = mail_count(three)
    response = client.post(f"/my/registrations/{reg_id}/open")
    assert response.status_code == 303
    token = re.match(r"/registrations/([A-Za-z0-9_-]{43})$", response.headers["Location"]).group(1)
    assert client.get(f"/registrations/{token}").status_code == 200
    assert mail_count(three) == before + 1
    _, to, body = last_mail(three)
    assert (to, f"/registrations/{token}" in body) == ("ana@example.org", True)
    # Someone else's registration is not opened from Ana's session.
    assert client.post(f"/my/registrations/{bo_id}/open").status_code == 404


def test_the_year_feed_marks_the_waiting_list_tentative(seeded):
    from eventsapp.models import Event

    move_to_future(seeded, "star-xi")
    with seeded.app_context():
        ev = db.session.scalar(select(Event).where(Event.slug == "star-xi"))
        ev.capacity, ev.waitlist_enabled = 1, True
        db.session.commit()
    client = seeded.test_client()
    register(client, "star-xi", "first@example.org", given="First")
    register(client, "star-xi", "ana@example.org")
    sign_in(client, seeded, "ana@example.org")
    assert "Waiting list" in client.get("/my/meetings").text
    cal = parse_everywhere(client.get(make_feed(client)).data)
    entries = [e for e in cal.walk("VEVENT") if str(e["STATUS"]) != "CANCELLED"]
    assert entries and all(str(e["STATUS"]) == "TENTATIVE" for e in entries)
    assert all(str(e["SUMMARY"]).startswith("Waiting list: ") for e in entries)
    assert isinstance(cal, icalendar.Calendar)


def test_public_pages_link_to_my_meetings(three):
    client = three.test_client()
    for path in ("/", "/events/ctwg-15", "/events/ctwg-15/register"):
        assert 'href="/my"' in client.get(path).text
