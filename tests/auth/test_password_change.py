"""Staff change their own password: the current one is checked, the rules are the account
rules, every other session ends while this one stays signed in, CSRF and the rate limit hold."""

import re

import pytest
from sqlalchemy import select

from eventsapp.auth.services import authenticate
from eventsapp.extensions import db
from eventsapp.models import AuditEntry, User
from tests.auth.fixtures import PASSWORD, sign_in

NEW_PASSWORD = "a brand new passphrase"
URL = "/account/password"


def _change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None, **extra):
    return client.post(URL, data={"current_password": current, "new_password": new,
                                  "confirm_password": new if confirm is None else confirm,
                                  **extra})


def _account(app, email):
    """(password hash, session nonce, password_changed audit entries) of the account."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        entries = db.session.execute(
            select(AuditEntry.user_id, AuditEntry.actor, AuditEntry.object_id)
            .where(AuditEntry.action == "password_changed")).all()
        return user.password_hash, user.session_nonce, [tuple(e) for e in entries], user.id


def _field_error(html, field_id):
    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', html)
    return match.group(1).strip() if match else None


@pytest.fixture
def signed_in(app, make_user):
    email = make_user("organiser")
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    return client, email


@pytest.mark.parametrize("role", ["admin", "organiser", "checkin"])
def test_every_role_sees_the_link_and_the_form(app, make_user, role):
    client = app.test_client()
    sign_in(client, make_user(role))
    account = client.get("/account").text
    assert '<a href="/account/password">Change your password</a>' in account
    response = client.get(URL)
    assert response.status_code == 200
    html = response.text
    assert "<h1>Change your password</h1>" in html
    inputs = re.findall(r'<input ([^>]*type="password"[^>]*)>', html)
    assert [re.search(r'id="([^"]+)"', i).group(1) for i in inputs] == [
        "current_password", "new_password", "confirm_password"]
    assert [re.search(r'autocomplete="([^"]+)"', i).group(1) for i in inputs] == [
        "current-password", "new-password", "new-password"]
    assert '<label for="confirm_password">Confirm new password</label>' in html


def test_change_replaces_the_hash_and_only_the_new_password_signs_in(app, signed_in):
    client, email = signed_in
    old_hash, old_nonce, _, user_id = _account(app, email)
    response = _change(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    new_hash, new_nonce, entries, _ = _account(app, email)
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$")
    assert new_nonce != old_nonce
    assert entries == [(user_id, email, user_id)]
    assert "Your password has been changed. Other sessions have been signed out." in \
        client.get("/account").text
    with app.app_context():
        assert authenticate(email, NEW_PASSWORD).email == email
        assert authenticate(email, PASSWORD) is None
    assert sign_in(app.test_client(), email, NEW_PASSWORD).status_code == 303
    assert sign_in(app.test_client(), email, PASSWORD).status_code == 401


def test_other_sessions_end_and_this_one_stays_signed_in(app, signed_in):
    client, email = signed_in
    other = app.test_client()
    assert sign_in(other, email).status_code == 303
    assert other.get("/admin/").status_code == 200
    assert _change(client).status_code == 303
    assert client.get("/admin/").status_code == 200
    assert client.get(URL).status_code == 200
    response = other.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fadmin%2F"


def test_wrong_current_password_is_422_next_to_the_field_and_changes_nothing(app, signed_in):
    client, email = signed_in
    other = app.test_client()
    sign_in(other, email)
    before = _account(app, email)
    response = _change(client, current="not my password at all")
    assert response.status_code == 422
    assert _field_error(response.text, "current_password") == "Your current password is not right."
    assert ('<a href="#current_password">Current password: '
            'Your current password is not right.</a>') in response.text
    assert 'id="current_password" name="current_password" required type="password" value=""' \
        in response.text
    assert _field_error(response.text, "new_password") is None
    assert _account(app, email) == before
    assert before[2] == []
    assert other.get("/admin/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_mismatched_confirmation_is_422_and_changes_nothing(app, signed_in):
    client, email = signed_in
    before = _account(app, email)
    response = _change(client, confirm=NEW_PASSWORD + "!")
    assert response.status_code == 422
    assert _field_error(response.text, "confirm_password") == "The new passwords do not match."
    assert _field_error(response.text, "current_password") is None
    assert _account(app, email) == before


@pytest.mark.parametrize(("new", "message"), [
    ("short", "The password must have at least 12 characters."),
    ("elevenchars", "The password must have at least 12 characters."),
    ("x" * 1025, "The password must have at most 1024 characters."),
])
def test_password_rules_are_the_account_rules(app, signed_in, new, message):
    client, email = signed_in
    before = _account(app, email)
    response = _change(client, new=new)
    assert response.status_code == 422
    assert _field_error(response.text, "new_password") == message
    assert _field_error(response.text, "current_password") is None
    assert _account(app, email) == before


def test_twelve_characters_are_enough(app, signed_in):
    client, email = signed_in
    assert _change(client, new="twelve chars").status_code == 303
    assert sign_in(app.test_client(), email, "twelve chars").status_code == 303


def test_empty_fields_are_422(app, signed_in):
    client, email = signed_in
    before = _account(app, email)
    response = _change(client, current="", new="", confirm="")
    assert response.status_code == 422
    for field_id in ("current_password", "new_password", "confirm_password"):
        assert _field_error(response.text, field_id) == "This field is required."
    assert _account(app, email) == before


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_anonymous_is_sent_to_sign_in(client, method):
    response = client.open(URL, method=method, data={})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Faccount%2Fpassword"


def _csrf_token(client) -> str:
    page = client.get(URL).text
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_csrf_token_is_required(app, make_user):
    email = make_user("organiser")
    client = app.test_client()
    page = client.get("/login").text
    login_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": login_token})
    before = _account(app, email)
    for extra in ({}, {"csrf_token": "forged"}):
        response = _change(client, **extra)
        assert response.status_code == 400
        assert _account(app, email) == before
    assert _change(client, csrf_token=_csrf_token(client)).status_code == 303
    assert _account(app, email)[0] != before[0]


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_guessing_the_current_password_is_rate_limited_per_account(app, make_user):
    email = make_user("organiser")
    client, second = app.test_client(), app.test_client()
    sign_in(client, email)
    sign_in(second, email)
    statuses = [_change(client, current=f"guess number {n}").status_code for n in range(5)]
    assert statuses == [422, 422, 422, 422, 422]
    # Another session of the same account shares the budget; the right password waits too.
    assert _change(second, current="guess number 5").status_code == 429
    assert _change(client).status_code == 429
    assert client.get(URL).status_code == 200
    with app.app_context():
        assert authenticate(email, PASSWORD).email == email
