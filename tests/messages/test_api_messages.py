"""The messages API: POST /api/v1/events/<slug>/messages, GET /api/v1/messages/<id>."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventsapp.auth.services import create_api_token, get_user_by_email
from eventsapp.extensions import db
from eventsapp.mail.outbox import deliver_pending
from eventsapp.models import Message, OutboxMessage


@pytest.fixture
def token(app, make_user):
    def make(scopes=("read", "messages"), role="admin", events=()):
        email = make_user(role, events=events)
        with app.app_context():
            return create_api_token(get_user_by_email(email), scopes=scopes)
    return make


def post(client, slug, token, **body):
    return client.post(f"/api/v1/events/{slug}/messages", json=body,
                       headers={"Authorization": f"Bearer {token}"})


def test_api_sends_to_the_chosen_people_and_reports_each_delivery(app, star, smtp, token):
    client = app.test_client()
    bearer = token()
    response = post(client, star["slug"], bearer, subject="Agenda for {event}",
                    body="Dear {given_name}, the agenda is out.",
                    recipients={"status": ["confirmed"], "economy": ["PE", "INA", "AUS"],
                                "category": ["delegate", "head_of_delegation"]})
    assert response.status_code == 202
    body = response.get_json()
    assert body["recipients"] == 2
    with app.app_context():
        assert deliver_pending() == (2, 0)
    assert smtp.to() == ["ana@example.org", "budi@example.org"]
    assert smtp.body_for("budi@example.org") == "Dear Budi, the agenda is out.\n"
    status = client.get(f"/api/v1/messages/{body['id']}",
                        headers={"Authorization": f"Bearer {bearer}"})
    assert status.status_code == 200
    got = status.get_json()
    assert (got["recipients"], got["counts"]) == (2, {"queued": 0, "sent": 2, "failed": 0,
                                                     "gone": 0})
    assert [(d["email"], d["status"], d["attempts"]) for d in got["deliveries"]] == [
        ("ana@example.org", "sent", 1), ("budi@example.org", "sent", 1)]


def test_api_refuses_without_the_messages_scope(app, star, token):
    client = app.test_client()
    response = post(client, star["slug"], token(scopes=("read", "agenda")), subject="x",
                    body="y")
    assert response.status_code == 403
    assert "'messages' scope" in response.get_json()["message"]
    assert client.post(f"/api/v1/events/{star['slug']}/messages",
                       json={"subject": "x", "body": "y"}).status_code == 401


def test_api_refuses_bad_placeholders_criteria_and_sizes_with_422(app, star, token):
    client = app.test_client()
    bearer = token()
    cases = [
        ({"subject": "x", "body": "{given_name.__class__}"}, "body"),
        ({"subject": "{0}", "body": "y"}, "subject"),
        ({"subject": "a\nBcc: b@example.org", "body": "y"}, "subject"),
        ({"subject": "x", "body": "y", "recipients": {"status": ["gone"]}},
         "recipients.status"),
        ({"subject": "x", "body": "y", "recipients": {"colour": ["red"]}},
         "recipients.colour"),
        ({"subject": "x", "body": "y" * 1_000_000}, "body"),
    ]
    for body, field in cases:
        response = client.post(f"/api/v1/events/{star['slug']}/messages", json=body,
                               headers={"Authorization": f"Bearer {bearer}"})
        assert response.status_code == 422, body
        assert list(response.get_json()["errors"]) == [field], response.get_json()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_api_repeat_needs_confirm_repeat(app, star, token):
    client = app.test_client()
    bearer = token()
    first = post(client, star["slug"], bearer, subject="Note", body="Text")
    assert first.status_code == 202
    again = post(client, star["slug"], bearer, subject="Note", body="Text")
    assert again.status_code == 409
    assert again.get_json()["earlier_id"] == first.get_json()["id"]
    confirmed = post(client, star["slug"], bearer, subject="Note", body="Text",
                     confirm_repeat=True)
    assert confirmed.status_code == 202
    assert confirmed.get_json()["recipients"] == 5  # everyone but the cancelled


def test_api_message_of_another_event_is_not_found_for_a_limited_organiser(
        app, star, token, make_event):
    make_event(slug="other")
    client = app.test_client()
    sent = post(client, star["slug"], token(), subject="Note", body="Text")
    limited = token(role="organiser", events=("other",))
    response = client.get(f"/api/v1/messages/{sent.get_json()['id']}",
                          headers={"Authorization": f"Bearer {limited}"})
    assert response.status_code == 404
    assert post(client, star["slug"], limited, subject="N", body="T").status_code == 403


def test_openapi_documents_the_messages_routes(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert set(spec["paths"]["/events/{slug}/messages"]) == {"post"}
    assert set(spec["paths"]["/messages/{message_id}"]) == {"get"}
    assert "MessageAccepted" in spec["components"]["schemas"]
