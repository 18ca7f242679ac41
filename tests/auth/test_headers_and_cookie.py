"""S8 and S9 on real responses: the session cookie's attributes and lifetime, and the
referrer and cache headers of public and private pages."""

import time
from http.cookies import SimpleCookie

import pytest

from eventsapp import create_app
from eventsapp.extensions import db
from tests.auth.fixtures import PASSWORD
from tests.support import base_config, move_to_future

from .fixtures import sign_in


@pytest.fixture
def https_app(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path}/https.sqlite",
                                 PREFERRED_URL_SCHEME="https"))
    with app.app_context():
        db.create_all()
        from eventsapp.auth.services import create_user

        create_user("chair@example.org", PASSWORD, "admin")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_https_session_cookie_is_host_prefixed_secure_httponly_lax_without_domain(https_app):
    client = https_app.test_client()
    response = client.post("/login", base_url="https://events.test",
                           data={"email": "chair@example.org", "password": PASSWORD})
    assert response.status_code == 303
    [header] = response.headers.getlist("Set-Cookie")
    morsel = SimpleCookie(header)["__Host-session"]
    assert (morsel["secure"], morsel["httponly"], morsel["samesite"], morsel["path"],
            morsel["domain"]) == (True, True, "Lax", "/", "")


@pytest.mark.parametrize("app_config", [{"PERMANENT_SESSION_LIFETIME": 4}])
def test_a_sign_in_ends_after_its_lifetime_however_busy_the_session(app, make_user,
                                                                     make_event):
    """The shipped lifetime is 12 h; here 4 s, on the real clock. Flask alone refuses only a
    cookie last written longer ago than that, and a flash message rewrites it."""
    make_event()
    client = app.test_client()
    sign_in(client, make_user("admin"))
    time.sleep(1.5)
    registered = client.post("/events/event-1/register", follow_redirects=True, data={
        "given_name": "Ana", "family_name": "Lim", "email": "ana@example.org",
        "sector": "government", "category": "delegate"})
    assert "Your registration is confirmed." in registered.text  # the cookie was rewritten
    assert client.get("/admin/").status_code == 200
    time.sleep(3)  # the cookie is 3 s old, the sign-in 4.5 s
    response = client.get("/admin/")
    assert (response.status_code, response.headers.get("Location")) == (
        302, "/login?next=%2Fadmin%2F")


def test_public_pages_let_the_origin_through_and_vary_on_the_cookie(seeded, client):
    for path in ("/", "/events/star-xi"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Cookie" in response.headers["Vary"]
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_private_pages_send_no_referrer_and_are_never_stored(seeded, client, make_user):
    move_to_future(seeded, "star-xi")
    registered = client.post("/api/v1/events/star-xi/registrations", json={
        "given_name": "Ana", "family_name": "Lim", "email": "ana@example.org"})
    manage = registered.json["manage_url"].removeprefix("http://events.test")
    login = client.get("/login")
    sign_in(client, make_user("admin"))
    for response in (client.get(manage), login, client.get("/admin/")):
        assert response.status_code == 200
        assert (response.headers["Referrer-Policy"], response.headers["Cache-Control"]) == (
            "no-referrer", "no-store")
