"""Accounts: argon2id hashes, sign-in and sign-out, sessions, open redirects, the CLI."""

import re

import pytest
from sqlalchemy import select

from eventsapp.auth.services import AccountError, authenticate, create_user, user_for_api_token
from eventsapp.auth.views import safe_next
from eventsapp.extensions import db
from eventsapp.models import AuditEntry, User
from tests.auth.fixtures import PASSWORD, sign_in

OPEN_REDIRECTS = [
    "//evil.example", "https://evil.example", "/\\evil.example", "\\/\\/evil.example",
    "/%2F%2Fevil.example", "https:evil.example", "javascript:alert(1)", "/%09/evil.example",
    "http://app.example@evil.example", "//evil.example%2F@app.example",
]


def test_password_is_stored_as_argon2id(app, make_user):
    email = make_user("organiser")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_create_user_refuses_short_password_and_taken_address(app, make_user):
    email = make_user("admin")
    with app.app_context():
        with pytest.raises(AccountError, match="at least 12 characters"):
            create_user("new@example.org", "short", "organiser")
        with pytest.raises(AccountError, match="already exists"):
            create_user(email.upper(), PASSWORD, "organiser")
        with pytest.raises(AccountError, match="role must be one of"):
            create_user("x@example.org", PASSWORD, "superuser")


def test_authenticate_is_case_insensitive_on_email_and_refuses_wrong_password(app, make_user):
    email = make_user("organiser")
    with app.app_context():
        assert authenticate(email.upper(), PASSWORD).email == email
        assert authenticate(email, PASSWORD + "x") is None
        assert authenticate("nobody@example.org", PASSWORD) is None


def test_sign_in_redirects_organiser_to_dashboard(client, make_user):
    response = sign_in(client, make_user("organiser"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_check_in_staff_land_on_their_account_page(client, make_user):
    response = sign_in(client, make_user("checkin"))
    assert response.headers["Location"] == "/account"


def test_check_in_staff_without_limits_see_a_desk_for_every_event(seeded, make_user):
    client = seeded.test_client()
    sign_in(client, make_user("checkin"))
    html = client.get("/account").get_data(as_text=True)
    desks = re.findall(r'href="/admin/events/([a-z0-9-]+)/checkin"', html)
    assert desks == ["ctwg-15", "star-xi", "ctwg-16", "aviation-soft-target-workshop"]


def test_wrong_password_rerenders_with_message_and_401(client, make_user):
    response = sign_in(client, make_user("organiser"), password="wrong password here")
    assert response.status_code == 401
    assert "The email address or password is not right." in response.text


def test_sign_in_starts_a_new_session(app, client, make_user):
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    sign_in(client, make_user("organiser"))
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    response = sign_in(client, make_user("organiser"))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_logout_is_post_only(client, make_user):
    sign_in(client, make_user("organiser"))
    assert client.get("/logout").status_code == 405
    assert client.get("/admin/").status_code == 200


def test_logout_makes_a_copied_cookie_worthless(app, make_user):
    email = make_user("organiser")
    client = app.test_client()
    sign_in(client, email)
    stolen = client.get_cookie("session", domain="events.test").value
    assert client.post("/logout").headers["Location"] == "/login"
    thief = app.test_client()
    thief.set_cookie("session", stolen, domain="events.test")
    response = thief.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_next_never_leaves_the_site(client, make_user, target):
    assert safe_next(target) is None
    response = client.post("/login", query_string={"next": target},
                           data={"email": make_user("organiser"), "password": PASSWORD})
    assert response.headers["Location"] == "/admin/"


def test_next_relative_path_is_followed(client, make_user):
    response = sign_in(client, make_user("organiser"), next_url="/admin/events/new")
    assert response.headers["Location"] == "/admin/events/new"


def test_anonymous_admin_page_redirects_to_sign_in_with_next(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fadmin%2F"


def test_deactivated_user_cannot_sign_in(app, make_user):
    email = make_user("organiser")
    with app.app_context():
        db.session.scalar(select(User).where(User.email == email)).active = False
        db.session.commit()
    assert sign_in(app.test_client(), email).status_code == 401


def test_cli_create_user_reads_password_from_stdin(app, runner):
    result = runner.invoke(args=["create-user", "Cli@Example.org", "--role", "admin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert result.output == "Created admin account cli@example.org.\n"
    with app.app_context():
        assert authenticate("cli@example.org", PASSWORD).role == "admin"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user_created"))
        assert entry.actor == "cli"


def test_cli_create_user_refuses_weak_password(runner):
    result = runner.invoke(args=["create-user", "a@example.org", "--role", "organiser"],
                           input="short\n")
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output


def test_cli_create_token_prints_a_working_token_last(app, runner, make_user):
    email = make_user("organiser")
    result = runner.invoke(args=["create-token", email, "--name", "import"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert len(token) == 43
    with app.app_context():
        assert user_for_api_token(token).email == email
        assert user_for_api_token(token[:-1]) is None


def test_cli_create_token_refuses_check_in_staff(runner, make_user):
    result = runner.invoke(args=["create-token", make_user("checkin")])
    assert result.exit_code == 2
    assert "Only administrators, organisers and focal points can have API tokens." in \
        result.output


def test_token_created_in_ui_is_shown_once_and_revocable(app, organiser_client):
    response = organiser_client.post("/account/tokens", data={
        "name": "script", "scopes": ["read", "agenda"], "days": "90"})
    assert response.status_code == 200
    token = response.text.split('id="new-token">')[1].split("<")[0]
    with app.app_context():
        assert user_for_api_token(token) is not None
        token_id = db.session.scalar(select(AuditEntry.object_id).where(
            AuditEntry.action == "api_token_created"))
    assert token not in organiser_client.get("/account").text
    organiser_client.post(f"/account/tokens/{token_id}/revoke")
    with app.app_context():
        assert user_for_api_token(token) is None
