"""The accreditation API with staff tokens (names kept exactly: other tools rely on them)."""

from __future__ import annotations

import pytest

from eventsapp.auth.services import create_api_token, get_user_by_email
from eventsapp.extensions import db
from eventsapp.models import Registration


@pytest.fixture
def tokens(app, make_event, make_staff):
    make_event(slug="ctwg", capacity=1)
    out = {}
    for name, role, economy in (("organiser", "organiser", None), ("sgp", "focal_point", "SGP")):
        email = make_staff(role, economy=economy)
        with app.app_context():
            out[name] = {"Authorization": "Bearer "
                                          + create_api_token(get_user_by_email(email), name)}
    return out


def register(client, **fields):
    body = {"given_name": "Wei Ling", "family_name": "Tan", "email": "p@example.org",
            "economy": "SGP", **fields}
    return client.post("/api/v1/events/ctwg/registrations", json=body)


def test_patch_sets_mode_public_categories_quotas_and_economy_limit(client, tokens):
    response = client.patch("/api/v1/events/ctwg", headers=tokens["organiser"], json={
        "registration_mode": "approval", "public_categories": ["delegate", "observer", "media"],
        "category_limits": {"observer": 10, "media": 5}, "per_economy_limit": 4})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["registration_mode"], body["public_categories"], body["category_limits"],
            body["per_economy_limit"]) == ("approval", ["delegate", "observer", "media"],
                                           {"observer": 10, "media": 5}, 4)
    bad = client.patch("/api/v1/events/ctwg", headers=tokens["organiser"], json={
        "registration_mode": "lottery", "category_limits": {"vip": 3}})
    assert bad.status_code == 422
    assert sorted(bad.get_json()["errors"]) == ["category_limits", "registration_mode"]
    assert client.patch("/api/v1/events/ctwg", headers=tokens["sgp"],
                        json={"registration_mode": "open"}).status_code == 403


def test_public_registration_in_approval_mode_answers_201_pending(client, tokens):
    client.patch("/api/v1/events/ctwg", headers=tokens["organiser"],
                 json={"registration_mode": "approval"})
    response = register(client)
    assert (response.status_code, response.get_json()["status"],
            response.get_json()["waitlist_position"]) == (201, "pending", None)


def test_a_category_the_public_may_not_choose_answers_422_on_category(client, tokens):
    response = register(client, category="head_of_delegation")
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["category"]


def test_staff_list_approve_decline_and_substitute(app, client, tokens):
    client.patch("/api/v1/events/ctwg", headers=tokens["organiser"],
                 json={"registration_mode": "approval"})
    register(client, email="a@example.org")
    register(client, email="b@example.org")
    register(client, email="c@example.org", economy="MAS")
    listed = client.get("/api/v1/events/ctwg/registrations", headers=tokens["sgp"]).get_json()
    assert [(r["status"], r["category"], r["economy"]) for r in listed["registrations"]] == [
        ("pending", "delegate", "SGP")] * 2
    a, b = (r["id"] for r in listed["registrations"])
    everyone = client.get("/api/v1/events/ctwg/registrations?status=pending",
                          headers=tokens["organiser"]).get_json()["registrations"]
    c = everyone[2]["id"]
    approve = client.post(f"/api/v1/events/ctwg/registrations/{a}/approve",
                          headers=tokens["sgp"])
    assert (approve.status_code, approve.get_json()["status"]) == (200, "confirmed")
    again = client.post(f"/api/v1/events/ctwg/registrations/{a}/approve", headers=tokens["sgp"])
    assert again.status_code == 409
    assert client.post(f"/api/v1/events/ctwg/registrations/{c}/approve",
                       headers=tokens["sgp"]).status_code == 403
    assert client.post(f"/api/v1/events/ctwg/registrations/{b}/decline", headers=tokens["sgp"],
                       json={}).status_code == 422
    declined = client.post(f"/api/v1/events/ctwg/registrations/{b}/decline",
                           headers=tokens["sgp"], json={"reason": "Quota of the ministry"})
    assert (declined.status_code, declined.get_json()["decline_reason"]) == (
        200, "Quota of the ministry")
    sub = client.post(f"/api/v1/events/ctwg/registrations/{a}/substitute", headers=tokens["sgp"],
                      json={"given_name": "Arjun", "family_name": "Pillai",
                            "email": "arjun@example.org", "economy": "USA"})
    assert sub.status_code == 201
    body = sub.get_json()
    assert (body["status"], body["economy"], body["replaced_id"], body["replaces_id"]) == (
        "confirmed", "SGP", a, a)
    with app.app_context():
        assert db.session.get(Registration, a).status == "cancelled"


def test_invitations_endpoint_invites_each_address(app, client, tokens):
    response = client.post("/api/v1/events/ctwg/invitations", headers=tokens["organiser"],
                           json={"emails": ["x@example.org", "y@example.org"],
                                 "category": "observer"})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["invited"], [i["status"] for i in body["invitations"]]) == (
        2, ["invited", "invited"])
    bad = client.post("/api/v1/events/ctwg/invitations", headers=tokens["organiser"],
                      json={"emails": ["x@example.org", "nope"]})
    assert bad.status_code == 422
    assert bad.get_json()["errors"]["emails"][0].startswith("Address 2: nope is not a valid")
    assert client.post("/api/v1/events/ctwg/invitations", headers=tokens["sgp"],
                       json={"emails": ["z@example.org"]}).status_code == 403


def test_openapi_names_the_accreditation_fields(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    patch = doc["components"]["schemas"]["EventSettingsPatch"]["properties"]
    assert {"registration_mode", "public_categories", "category_limits",
            "per_economy_limit"} <= set(patch)
    assert {"id", "status", "category", "economy"} <= set(
        doc["components"]["schemas"]["StaffRegistration"]["properties"])
