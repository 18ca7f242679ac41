"""A lost private link: a new one by email, to the registered address only, never telling
anyone else whether an address is registered."""

import re

import pytest
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.models import OutboxMessage, Registration
from eventsapp.registration import services
from eventsapp.tokens import derive_feed_token

from .conftest import event, outbox, person

NEUTRAL = ("If ana@example.org is registered for this event, we have emailed it a new "
           "private link, and the earlier link has stopped working.")


@pytest.fixture
def registered(app, make_event):
    eid = make_event(slug="e")
    with app.app_context():
        result = services.register(event(eid), person(email="Ana@Example.org"))
        db.session.execute(OutboxMessage.__table__.delete())
        db.session.commit()
        return eid, result.registration.id, result.token


def emailed_token(app) -> str:
    """The token in the message as it left (the .eml file); the outbox keeps it sealed."""
    import email
    import email.policy
    from pathlib import Path

    with app.app_context():
        message_id = db.session.scalars(select(OutboxMessage.id)).one()
    raw = (Path(app.instance_path) / "mail" / f"{message_id:08d}.eml").read_bytes()
    body = email.message_from_bytes(raw, policy=email.policy.default).get_body(
        ("plain",)).get_content()
    return re.search(r"/registrations/([A-Za-z0-9_-]{43})", body).group(1)


def test_a_new_link_replaces_the_old_one_and_the_calendar_link(app, client, registered):
    _, reg_id, old = registered
    response = client.post("/events/e/new-link", data={"email": "ana@EXAMPLE.org"})
    assert (response.status_code, response.headers["Location"]) == (303, "/events/e/new-link")
    new = emailed_token(app)
    assert new != old
    assert client.get(f"/registrations/{old}").status_code == 404
    assert client.get(f"/registrations/{new}").status_code == 200
    with app.app_context():
        reg = db.session.get(Registration, reg_id)
        assert outbox() == [("Ana@Example.org", "Your new private link: Test event 1")]
        version = reg.feed_token_version
    assert version == 2
    assert client.get(f"/registrations/{derive_feed_token(old, 1)}/calendar.ics"
                      ).status_code == 404
    assert client.get(f"/registrations/{derive_feed_token(new, 2)}/calendar.ics"
                      ).status_code == 200


@pytest.mark.parametrize("email", ["ana@example.org", "nobody@example.org"])
def test_the_answer_is_the_same_whether_or_not_the_address_is_registered(
        app, client, registered, email):
    response = client.post("/events/e/new-link", data={"email": email}, follow_redirects=True)
    assert response.status_code == 200
    assert NEUTRAL.replace("ana@example.org", email) in response.text
    with app.app_context():
        sent = len(outbox())
    assert sent == (1 if email == "ana@example.org" else 0)


def test_a_cancelled_registration_gets_no_new_link(app, client, registered):
    _, reg_id, token = registered
    with app.app_context():
        services.cancel_registration(db.session.get(Registration, reg_id), notify=False)
    client.post("/events/e/new-link", data={"email": "ana@example.org"})
    assert client.get(f"/registrations/{token}").status_code == 200  # the old link still works
    with app.app_context():
        assert outbox() == []


@pytest.mark.parametrize("email,message", [
    ("", "Enter your email address."),
    ("not-an-email", "Enter a valid email address"),
    ("a@example.org\r\nBcc: x@example.org", "must not contain line breaks"),
])
def test_a_bad_address_is_422_with_a_message_and_sends_nothing(app, client, registered, email,
                                                               message):
    response = client.post("/events/e/new-link", data={"email": email})
    assert response.status_code == 422
    assert message in response.text
    with app.app_context():
        assert outbox() == []


def test_unknown_event_is_404(client, registered):
    assert client.get("/events/nope/new-link").status_code == 404


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "RATELIMIT_REGISTRATION": "100 per minute"}])
def test_one_address_gets_three_new_links_an_hour_whoever_asks(app, registered):
    codes = []
    for i in range(4):
        client = app.test_client()  # another visitor each time
        codes.append(client.post("/events/e/new-link", data={"email": "ana@example.org"},
                                 environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code)
    assert codes == [303, 303, 303, 429]
    other = app.test_client().post("/events/e/new-link", data={"email": "bo@example.org"})
    assert other.status_code == 303


def test_the_promotion_email_says_where_to_get_a_new_link(app, make_event):
    eid = make_event(capacity=1)
    with app.app_context():
        first = services.register(event(eid), person()).registration
        services.register(event(eid), person(email="next@example.org"))
        services.cancel_registration(first)
        body = db.session.scalar(select(OutboxMessage.body).where(
            OutboxMessage.subject.startswith("A place is yours")))
    assert "Lost it? Ask for a new one:\nhttp://events.test/events/event-1/new-link" in body


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "RATELIMIT_REGISTRATION": "100 per minute"}])
def test_a_look_alike_address_spends_the_same_new_link_budget(app, registered):
    """`victim@ｅxample.com` (a full-width e) is the registered address, for the limit too."""
    codes = []
    for i, email in enumerate(["ana@example.org", "ana@ｅxample.org", "ANA@ＥXAMPLE.ORG",
                               "ana@ｅxample.org"]):
        codes.append(app.test_client().post(
            "/events/e/new-link", data={"email": email},
            environ_base={"REMOTE_ADDR": f"10.0.1.{i}"}).status_code)
    assert codes == [303, 303, 303, 429]
    with app.app_context():
        assert outbox() == [("Ana@Example.org", "Your new private link: Test event 1")] * 3


def test_a_full_width_address_finds_the_registration(app, client, registered):
    client.post("/events/e/new-link", data={"email": "ana@ｅxample.org"})
    with app.app_context():
        assert outbox() == [("Ana@Example.org", "Your new private link: Test event 1")]
