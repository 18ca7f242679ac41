"""JSON API for registrations: same rules as the form, JSON errors, OpenAPI document."""

import pytest
from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.models import Registration

URL = "/api/v1/events/event-1/registrations"
BODY = {"given_name": "Иван", "family_name": "Петров", "email": "ivan@example.org",
        "economy": "RUS"}


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Registration))


def test_post_confirms_then_waitlists(client, make_event):
    make_event(capacity=1)
    first = client.post(URL, json=BODY)
    assert first.status_code == 201
    assert (first.json["status"], first.json["waitlist_position"]) == ("confirmed", None)
    token = first.json["manage_url"].rsplit("/", 1)[1]
    assert first.json["manage_url"] == f"http://events.test/registrations/{token}"
    assert first.headers["Location"] == f"http://events.test/api/v1/registrations/{token}"
    second = client.post(URL, json={**BODY, "email": "two@example.org"})
    assert (second.json["status"], second.json["waitlist_position"]) == ("waitlisted", 1)
    third = client.post(URL, json={**BODY, "email": "three@example.org"})
    assert third.json["waitlist_position"] == 2


def test_get_and_delete_by_token(client, make_event):
    make_event(capacity=1)
    token = client.post(URL, json=BODY).json["manage_url"].rsplit("/", 1)[1]
    waiting = client.post(URL, json={**BODY, "email": "w@example.org"}).json
    got = client.get(f"/api/v1/registrations/{token}")
    assert (got.status_code, got.json["given_name"], got.json["event"]) == (200, "Иван", "event-1")
    assert got.headers["Referrer-Policy"] == "no-referrer"
    deleted = client.delete(f"/api/v1/registrations/{token}")
    assert (deleted.status_code, deleted.json["status"]) == (200, "cancelled")
    again = client.delete(f"/api/v1/registrations/{token}")
    assert (again.status_code, again.json["message"]) == (
        409, "This registration has already been cancelled.")
    promoted = client.get("/api/v1/registrations/" + waiting["manage_url"].rsplit("/", 1)[1])
    assert promoted.json["status"] == "confirmed"


@pytest.mark.parametrize("token", ["nope", "A" * 43, "x%0a"])
def test_unknown_token_is_404_json(client, make_event, token):
    make_event()
    for method in ("get", "delete"):
        response = getattr(client, method)(f"/api/v1/registrations/{token}")
        assert (response.status_code, response.json["error"]) == (404, "Not Found")


@pytest.mark.parametrize("body, errors", [
    ({**BODY, "given_name": 5}, {"given_name": ["Given name must be text."]}),
    ({**BODY, "consent_to_list": "true"},
     {"consent_to_list": ["Participant list consent must be true or false."]}),
    ({**BODY, "economy": "EU"}, {"economy": ["Choose an economy from the list."]}),
    ({**BODY, "family_name": "x\ny"},
     {"family_name": ["Family name must not contain line breaks or control characters."]}),
    ({"email": "ivan@example.org"}, {"given_name": ["Enter your given name."],
                                     "family_name": ["Enter your family name."]}),
])
def test_invalid_json_gives_422_with_field_errors(client, make_event, app, body, errors):
    make_event()
    response = client.post(URL, json=body)
    assert (response.status_code, response.json) == (422, {"errors": errors})
    assert count(app) == 0


@pytest.mark.parametrize("payload", [b"[1, 2]", b'"text"', b"{not json", b""])
def test_body_that_is_not_a_json_object_gives_422(client, make_event, app, payload):
    make_event()
    response = client.post(URL, data=payload, content_type="application/json")
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["body"]
    assert count(app) == 0


def test_conflicts_give_409(client, make_event, app):
    make_event(capacity=1, waitlist_enabled=False)
    make_event(status="cancelled")
    assert client.post(URL, json=BODY).status_code == 201
    duplicate = client.post(URL, json={**BODY, "email": "IVAN@example.org"})
    assert duplicate.status_code == 409
    full = client.post(URL, json={**BODY, "email": "other@example.org"})
    assert (full.status_code, full.json["message"]) == (
        409, "This event is full and does not keep a waiting list.")
    closed = client.post("/api/v1/events/event-2/registrations", json=BODY)
    assert (closed.status_code, closed.json["message"]) == (409, "This event has been cancelled.")
    assert count(app) == 1


def test_unknown_event_is_404(client, make_event):
    make_event(status="draft")
    assert client.post(URL, json=BODY).status_code == 404
    assert client.post("/api/v1/events/nope/registrations", json=BODY).status_code == 404


def test_openapi_documents_every_api_route(client, app):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, item in doc["paths"].items()
                  for method in item}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            path = rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
            path = path.replace("{int:", "{")
            routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    mine = {r for r in routes if "registration" in r[0]}
    assert mine == {("/events/{slug}/registrations", "POST"),
                    ("/registrations/{token}", "GET"), ("/registrations/{token}", "DELETE"),
                    ("/registrations/{token}/documents", "GET"),
                    ("/events/{slug}/registrations", "GET"),
                    ("/events/{slug}/registrations/{reg_id}/approve", "POST"),
                    ("/events/{slug}/registrations/{reg_id}/decline", "POST"),
                    ("/events/{slug}/registrations/{reg_id}/substitute", "POST")}
    assert mine <= documented
