"""The participation fields of the API (names kept exactly: other tools rely on them)."""

from __future__ import annotations

import pytest

from eventsapp.auth.services import create_api_token, get_user_by_email

from .conftest import LINK


@pytest.fixture
def organiser(app, make_event, make_staff):
    make_event(slug="ctwg", capacity=10)
    email = make_staff("organiser")
    with app.app_context():
        return {"Authorization": "Bearer " + create_api_token(get_user_by_email(email), "t")}


def register(client, email: str, **fields):
    return client.post("/api/v1/events/ctwg/registrations", json={
        "given_name": "Wei Ling", "family_name": "Tan", "email": email, "economy": "SGP",
        **fields})


def test_patch_makes_the_event_hybrid_and_registrations_carry_participation(client,
                                                                             organiser):
    answer = client.patch("/api/v1/events/ctwg", headers=organiser, json={
        "participation_mode": "hybrid", "capacity_in_person": 1, "capacity_online": 1,
        "online_url": LINK})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["participation_mode"], body["capacity_in_person"], body["capacity_online"],
            body["capacity"]) == ("hybrid", 1, 1, 2)
    assert LINK not in answer.get_data(as_text=True)
    missing = register(client, "none@example.org")
    assert missing.status_code == 422
    assert list(missing.get_json()["errors"]) == ["participation"]
    first = register(client, "a@example.org", participation="online")
    second = register(client, "b@example.org", participation="online")
    third = register(client, "c@example.org", participation="in_person")
    assert [(r.status_code, r.get_json()["status"], r.get_json()["participation"],
             r.get_json()["waitlist_position"]) for r in (first, second, third)] == [
        (201, "confirmed", "online", None), (201, "waitlisted", "online", 1),
        (201, "confirmed", "in_person", None)]
    assert not any(LINK in r.get_data(as_text=True) for r in (first, second, third))
    # A hybrid event's capacity is the sum of its modes: changing it alone is a conflict.
    conflict = client.patch("/api/v1/events/ctwg", headers=organiser, json={"capacity": 5})
    assert conflict.status_code == 409
    lower = client.patch("/api/v1/events/ctwg", headers=organiser,
                         json={"capacity_online": 0})
    assert lower.status_code == 409
    assert "1 person is confirmed online" in lower.get_json()["message"]


@pytest.mark.parametrize("body, field", [
    ({"participation_mode": "remote"}, "participation_mode"),
    ({"participation_mode": "hybrid", "capacity_online": "ten"}, "capacity_online"),
    ({"online_url": "ftp://files.example.org/x"}, "online_url"),
    ({"online_url": 42}, "online_url"),
])
def test_bad_participation_fields_answer_422_and_change_nothing(client, organiser, body,
                                                                field):
    answer = client.patch("/api/v1/events/ctwg", headers=organiser, json=body)
    assert answer.status_code == 422
    assert list(answer.get_json()["errors"]) == [field]
    assert client.get("/api/v1/events/ctwg").get_json()["participation_mode"] == "in_person"


def test_back_to_in_person_once_nobody_is_online_and_a_new_capacity_applies(client,
                                                                           organiser):
    client.patch("/api/v1/events/ctwg", headers=organiser, json={
        "participation_mode": "hybrid", "capacity_in_person": 1, "capacity_online": 1})
    online = register(client, "a@example.org", participation="online").get_json()
    refused = client.patch("/api/v1/events/ctwg", headers=organiser, json={
        "participation_mode": "in_person", "capacity": 3})
    assert refused.status_code == 422
    assert "1 person takes part online" in refused.get_json()["errors"][
        "participation_mode"][0]
    register(client, "b@example.org", participation="in_person")
    answer = client.patch("/api/v1/events/ctwg", headers=organiser, json={
        "participation_mode": "in_person", "capacity": 3})
    assert answer.status_code == 422  # a@ is still online
    token = online["manage_url"].rsplit("/", 1)[1]
    assert client.delete(f"/api/v1/registrations/{token}").status_code == 200
    answer = client.patch("/api/v1/events/ctwg", headers=organiser, json={
        "participation_mode": "in_person", "capacity": 3})
    assert answer.status_code == 200
    assert (answer.get_json()["participation_mode"], answer.get_json()["capacity"]) == (
        "in_person", 3)


def test_openapi_names_the_participation_fields(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    patch = doc["components"]["schemas"]["EventSettingsPatch"]["properties"]
    assert {"participation_mode", "capacity_in_person", "capacity_online",
            "online_url"} <= set(patch)
    assert patch["participation_mode"]["enum"] == ["in_person", "online", "hybrid"]
    assert doc["components"]["schemas"]["RegistrationInput"]["properties"][
        "participation"]["enum"] == ["in_person", "online"]
    assert "online_url" not in doc["components"]["schemas"]["Event"]["properties"]
