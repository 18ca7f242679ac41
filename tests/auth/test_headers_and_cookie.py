"""S8 and S9 on real responses: the session cookie's attributes and lifetime, and the
referrer and cache headers of public and private pages."""

from datetime import timedelta
from http.cookies import SimpleCookie

import itsdangerous.timed
import pytest

from eventsapp import create_app
from eventsapp.extensions import db
from tests.auth.fixtures import PASSWORD
from tests.support import base_config

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


@pytest.mark.parametrize("age,status", [(timedelta(hours=11, minutes=59), 200),
                                        (timedelta(hours=12, minutes=1), 302)])
def test_a_sign_in_lasts_twelve_hours_however_busy_the_session(app, make_user, monkeypatch,
                                                                age, status):
    client = app.test_client()
    email = make_user("admin")
    signed_in_at = itsdangerous.timed.time.time()
    sign_in(client, email)
    for minutes in range(0, 11 * 60 + 1, 30):  # a page every half hour until 11 h
        monkeypatch.setattr(itsdangerous.timed.time, "time",
                            lambda m=minutes: signed_in_at + m * 60)
        assert client.get("/admin/").status_code == 200
    monkeypatch.setattr(itsdangerous.timed.time, "time",
                        lambda: signed_in_at + age.total_seconds())
    response = client.get("/admin/")
    assert (response.status_code, response.headers.get("Location")) == (
        status, "/login?next=%2Fadmin%2F" if status == 302 else None)


def test_public_pages_let_the_origin_through_and_vary_on_the_cookie(seeded, client):
    for path in ("/", "/events/star-xi"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Cookie" in response.headers["Vary"]
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_private_pages_send_no_referrer_and_are_never_stored(seeded, client, make_user):
    registered = client.post("/api/v1/events/star-xi/registrations", json={
        "given_name": "Ana", "family_name": "Lim", "email": "ana@example.org"})
    manage = registered.json["manage_url"].removeprefix("http://events.test")
    login = client.get("/login")
    sign_in(client, make_user("admin"))
    for response in (client.get(manage), login, client.get("/admin/")):
        assert response.status_code == 200
        assert (response.headers["Referrer-Policy"], response.headers["Cache-Control"]) == (
            "no-referrer", "no-store")
