"""Organiser API with bearer tokens: same rules as the editor, JSON errors, role checks."""

import pytest
from sqlalchemy import select

from eventsapp.api.openapi import openapi_document
from eventsapp.auth.services import create_api_token, get_user_by_email
from eventsapp.extensions import db
from eventsapp.models import AgendaItem, Event

ITEM = {"title": "Opening", "starts_at": "2030-03-04T09:00:00+08:00",
        "ends_at": "2030-03-04T10:00:00+08:00", "kind": "plenary", "room": "Hall A",
        "speakers": ["Dr Lim"], "description": "<b>Welcome</b>"}


def _token(app, email: str) -> str:
    with app.app_context():
        return create_api_token(get_user_by_email(email), "test")


@pytest.fixture
def token_for(app, make_user):
    def make(role="organiser", events=()):
        return _token(app, make_user(role, events=events))
    return make


@pytest.fixture
def auth(make_event, token_for):
    make_event(slug="e1")
    make_event(slug="e2")
    return {"Authorization": f"Bearer {token_for()}"}


def test_create_item_returns_201_with_id_and_local_times(app, client, auth):
    response = client.post("/api/v1/events/e1/agenda", json=ITEM, headers=auth)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["title"], body["starts_at"], body["room"], body["speakers"], body["warnings"],
            body["sequence"]) == ("Opening", "2030-03-04T09:00:00+08:00", "Hall A", ["Dr Lim"],
                                  [], 0)
    assert response.headers["Location"] == f"/api/v1/agenda/{body['id']}"


def test_conflicts_come_back_as_warnings(client, auth):
    client.post("/api/v1/events/e1/agenda", json=ITEM, headers=auth)
    body = client.post("/api/v1/events/e1/agenda", json={**ITEM, "title": "Clash"},
                       headers=auth).get_json()
    assert body["warnings"] == ["Room Hall A is also used by “Opening” at the same time.",
                                "Dr Lim is also in “Opening” at the same time."]


@pytest.mark.parametrize("change,errors", [
    ({"ends_at": "2030-03-04T08:00:00+08:00"}, {"ends_at": ["The end must be after the start."]}),
    ({"starts_at": "2030-03-04T09:00:00"}, {"starts_at": [
        "Give an ISO 8601 date and time with its UTC offset, e.g. 2020-08-04T09:00:00+08:00."]}),
    ({"speakers": "Dr Lim"}, {"speakers": ["Must be a list of names (strings)."]}),
    ({"colour": "red"}, {"colour": ["Unknown field."]}),
    ({"title": "x" * 10_000}, {"title": ["The title must have at most 300 characters."]}),
    ({"description": "x" * 10_001},
     {"description": ["The description must have at most 10000 characters."]}),
    ({"speakers": ["x" * 50_000]}, {"speakers": ["Each name must have at most 200 characters."]}),
])
def test_bad_item_is_422_with_field_errors(app, client, auth, change, errors):
    response = client.post("/api/v1/events/e1/agenda", json={**ITEM, **change}, headers=auth)
    assert (response.status_code, response.get_json()) == (422, {"errors": errors})
    with app.app_context():
        assert db.session.scalars(select(AgendaItem)).all() == []


def test_patch_moves_and_bumps_sequence_delete_cancels_published(app, client, auth):
    item_id = client.post("/api/v1/events/e1/agenda", json=ITEM, headers=auth).get_json()["id"]
    body = client.patch(f"/api/v1/agenda/{item_id}", json={"starts_at": "2030-03-04T09:30:00+08:00",
                                                           "ends_at": "2030-03-04T10:30:00+08:00"},
                        headers=auth).get_json()
    assert (body["starts_at"], body["sequence"]) == ("2030-03-04T09:30:00+08:00", 1)
    from eventsapp.agenda.services import publish
    with app.app_context():
        publish(db.session.scalar(select(Event).where(Event.slug == "e1")), user=None)
    deleted = client.delete(f"/api/v1/agenda/{item_id}", headers=auth).get_json()
    assert (deleted["deleted"], deleted["item"]["status"], deleted["item"]["sequence"]) == (
        False, "cancelled", 2)


def test_delete_unpublished_item_removes_it(app, client, auth):
    item_id = client.post("/api/v1/events/e1/agenda", json=ITEM, headers=auth).get_json()["id"]
    assert client.delete(f"/api/v1/agenda/{item_id}", headers=auth).get_json() == {
        "id": item_id, "deleted": True}


def test_patch_event_settings(app, client, auth):
    response = client.patch("/api/v1/events/e1", headers=auth, json={
        "capacity": 25, "waitlist_enabled": False, "per_economy_limit": 3,
        "registration_closes_at": "2030-03-01T00:00:00+08:00"})
    body = response.get_json()
    assert (response.status_code, body["capacity"], body["waitlist_enabled"],
            body["per_economy_limit"], body["registration_closes_at"]) == (
        200, 25, False, 3, "2030-02-28T16:00:00+00:00")


@pytest.mark.parametrize("body,field", [({"capacity": -1}, "capacity"),
                                        ({"capacity": "10"}, "capacity"),
                                        ({"capacity": True}, "capacity"),
                                        ({"title": "x"}, "title")])
def test_patch_event_rejects_bad_fields(client, auth, body, field):
    response = client.patch("/api/v1/events/e1", headers=auth, json=body)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]


def test_missing_or_bad_token_is_401(client, auth):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = client.post("/api/v1/events/e1/agenda", json=ITEM, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="eventsapp"'


def test_check_in_and_other_event_tokens_are_403(app, client, auth, make_user):
    # Check-in staff get no token (auth/roles.py); one made while the account was an
    # organiser's stops working once the account is check-in staff.
    email = make_user("organiser")
    with app.app_context():
        user = get_user_by_email(email)
        token = create_api_token(user, "test")
        user.role = "checkin"
        db.session.commit()
    checkin = {"Authorization": f"Bearer {token}"}
    other = {"Authorization": f"Bearer {_token(app, make_user('organiser', events=('e2',)))}"}
    assert client.post("/api/v1/events/e1/agenda", json=ITEM, headers=checkin).status_code == 403
    assert client.post("/api/v1/events/e1/agenda", json=ITEM, headers=other).status_code == 403
    assert client.patch("/api/v1/events/e1", json={"capacity": 1}, headers=other).status_code == 403


def test_unknown_event_and_item_are_404(client, auth):
    assert client.post("/api/v1/events/nope/agenda", json=ITEM, headers=auth).status_code == 404
    assert client.patch("/api/v1/agenda/999", json={}, headers=auth).status_code == 404


def test_openapi_documents_organiser_paths_and_keeps_public_get(app):
    with app.app_context():
        paths = openapi_document()["paths"]
    assert sorted(paths["/events/{slug}"]) == ["get", "patch"]
    assert sorted(paths["/agenda/{item_id}"]) == ["delete", "patch"]
    assert paths["/events/{slug}/agenda"]["post"]["security"] == [{"bearer": []}]
