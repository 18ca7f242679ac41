"""No 500 from any input (issue 13): NUL, lone surrogates and deep JSON get a clean 400."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventsapp.auth.services import create_user
from eventsapp.extensions import db
from eventsapp.models import ADMIN, Registration
from eventsapp.request_guard import MAX_JSON_DEPTH, json_too_deep
from tests.auth.fixtures import PASSWORD, sign_in

PERSON = {"given_name": "Ana", "family_name": "Lee", "email": "ana@example.org",
          "economy": "MAS", "organisation": "Ministry", "sector": "government",
          "category": "delegate"}
DEEP_ARRAY = "[" * 100_000
DEEP_OBJECT = '{"a":' * 100_000


@pytest.fixture
def admin(app):
    """A client signed in as an administrator."""
    with app.app_context():
        create_user("admin@example.org", PASSWORD, ADMIN)
    client = app.test_client()
    assert sign_in(client, "admin@example.org").status_code == 303
    return client


def test_nul_in_registration_form_gives_400_and_no_row(client, make_event):
    make_event()
    response = client.post("/events/event-1/register", data={**PERSON, "given_name": "A\x00na"})
    assert (response.status_code, "The form contains a NUL character, which is not allowed."
            in response.text) == (400, True)
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


@pytest.mark.parametrize("body, message", [
    ('"given_name": "A\\u0000na"', "The JSON body contains a NUL character, which is not "
                                    "allowed."),
    ('"given_name": "\\ud800"', "The JSON body holds a lone surrogate, which is not text."),
    ('"given_name": "Ana", "\\udfff": 1', "The JSON body holds a lone surrogate, which is not "
                                         "text."),
])
def test_nul_or_lone_surrogate_in_registration_json_gives_400_and_no_row(
        client, make_event, body, message):
    make_event()
    response = client.post("/api/v1/events/event-1/registrations", content_type="application/json",
                           data='{"family_name": "Lee", "email": "ana@example.org", ' + body + "}")
    assert (response.status_code, response.json) == (400, {"error": "Bad Request",
                                                            "message": message})
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


@pytest.mark.parametrize("url, data, message", [
    ("/events/event-1\xed\xa0\x80/register", None, "The address is not valid UTF-8 text"),
    ("/events/event-1/register?next=%ED%A0%80", None, "The query string is not valid UTF-8 text"),
    ("/events/event-1/register", "given_name=%ED%A0%80&family_name=Lee&email=a%40example.org",
     "The form is not valid UTF-8 text"),
    ("/events/event-1/register", b"given_name=\xed\xa0\x80&family_name=Lee&email=a%40b.org",
     "The form is not valid UTF-8 text"),
])
def test_encoded_surrogate_in_address_query_or_form_gives_400_and_no_row(
        client, make_event, url, data, message):
    make_event()
    path = url.split("?")[0]  # as a server hands it over: bytes as latin-1 (see REFUSED_IN_PATHS)
    response = client.post(url, data=data, content_type="application/x-www-form-urlencoded",
                           environ_overrides={"PATH_INFO": path})
    assert (response.status_code, message in response.text) == (400, True)
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT, "[" * (MAX_JSON_DEPTH + 1)])
def test_json_nested_too_deep_gives_400_before_parsing(client, make_event, body):
    make_event()
    response = client.post("/api/v1/events/event-1/registrations", data=body,
                           content_type="application/json")
    assert (response.status_code, response.json) == (400, {
        "error": "Bad Request",
        "message": f"The JSON body nests arrays or objects more than {MAX_JSON_DEPTH} levels "
                   "deep."})


def test_json_depth_is_counted_outside_strings_only():
    assert json_too_deep("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is False
    assert json_too_deep("[" * (MAX_JSON_DEPTH + 1)) is True
    assert json_too_deep('{"a": "' + "[" * 1000 + '"}') is False
    assert json_too_deep('["\\"' + "[" * 1000 + '"]') is False
    assert json_too_deep('["\\\\", ' + "[" * (MAX_JSON_DEPTH + 1)) is True


def test_json_posted_to_a_page_gives_415_and_no_row(client, make_event):
    make_event()
    response = client.post("/events/event-1/register", json=[1, 2])
    assert response.status_code == 415
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_audit_page_far_past_the_end_is_an_empty_page(app, admin):
    response = admin.get("/admin/audit?page=99999999999999999999")
    assert response.status_code == 200
