"""Issue 20, sign-in hardening: constant work, throttling, password rules, a first password
to change, and API tokens with scopes and an expiry that end with the account's sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from eventsapp.auth import passwords
from eventsapp.auth.services import (
    AccountError,
    authenticate,
    check_api_token,
    create_api_token,
    create_user,
    get_user_by_email,
    set_active,
    sign_out_everywhere,
)
from eventsapp.extensions import db
from eventsapp.models import ApiToken, utcnow
from tests.auth.fixtures import PASSWORD, sign_in

NEW_PASSWORD = "a different staple horse battery"


# --- constant work ---------------------------------------------------------------------------


@pytest.fixture
def argon2_calls(monkeypatch):
    """Counts of argon2 hash and verify calls (the real functions still run)."""
    calls = {"hash": 0, "verify": 0}
    real_hash, real_verify = PasswordHasher.hash, PasswordHasher.verify

    def counting_hash(self, *args, **kwargs):
        calls["hash"] += 1
        return real_hash(self, *args, **kwargs)

    def counting_verify(self, *args, **kwargs):
        calls["verify"] += 1
        return real_verify(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", counting_hash)
    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    return calls


@pytest.mark.parametrize("case", ["known, wrong password", "unknown address",
                                  "deactivated account", "overlong password"])
def test_every_failed_sign_in_costs_exactly_one_argon2_verify_and_no_hash(
        app, make_user, argon2_calls, case):
    email = make_user("organiser")
    admin = make_user("admin")
    with app.app_context():
        if case == "deactivated account":
            set_active(get_user_by_email(email), False, by=get_user_by_email(admin))
        attempt = {
            "known, wrong password": (email, "not the right password"),
            "unknown address": ("nobody-here@example.org", "not the right password"),
            "deactivated account": (email, PASSWORD),
            "overlong password": (email, "x" * 5000),
        }[case]
        argon2_calls.update(hash=0, verify=0)
        assert authenticate(*attempt) is None
    assert argon2_calls == {"hash": 0, "verify": 1}


def test_the_dummy_hash_is_made_when_the_app_starts_with_the_configured_parameters(app):
    with app.app_context():
        dummy = passwords.dummy_hash()
        assert dummy == passwords.dummy_hash()  # once per process
        assert not PasswordHasher(**passwords.hash_params()).check_needs_rehash(dummy)


# --- password rules --------------------------------------------------------------------------


@pytest.mark.parametrize("password, reason", [
    ("123456789012", "pattern"),
    ("passwordpassword", "pattern"),
    ("abcabcabcabc", "pattern"),
    ("qwertyuiopas", "pattern"),
    ("Password2024!", "common"),
    ("iloveyou12345", "common"),
    ("1qaz2wsx3edc4rfv", "common"),
    ("1qaz2wsx3edc4rfv5tgb", "pattern"),
    ("ann.lee@example.org", "address"),
    ("Ann.Lee@Example.org", "address"),
    ("ann.lee2030!!", "address"),
    ("short", "at least 12"),
])
def test_weak_passwords_are_refused_with_the_reason(app, password, reason):
    with app.app_context(), pytest.raises(AccountError) as refused:
        create_user("ann.lee@example.org", password, "organiser")
    assert {"pattern": "pattern", "common": "most common", "address": "email address",
            "at least 12": "at least 12"}[reason] in str(refused.value)


@pytest.mark.parametrize("password", ["correct horse battery staple", "7Tq38491057264",
                                      "Lantern-Orbit-Fennel-42"])
def test_long_unusual_passwords_are_accepted(app, password):
    with app.app_context():
        assert create_user("ann.lee@example.org", password, "organiser").id


def test_the_common_password_list_is_djangos_twenty_thousand(app):
    common = passwords.common_passwords()
    assert len(common) == 19_640
    assert {"password", "123456", "qwerty", "iloveyou"} <= common


def test_password_change_refuses_the_users_own_address(app, make_user):
    email = make_user("organiser")
    client = app.test_client()
    sign_in(client, email)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": email, "confirm_password": email})
    assert response.status_code == 422
    assert "must not be made of your email address" in response.text


# --- throttling ------------------------------------------------------------------------------


@pytest.fixture
def app_config(request):
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"} \
        if "throttled" in request.node.name else {}


def test_one_password_over_many_accounts_from_one_client_is_throttled(app, make_user):
    """Spraying: RATELIMIT_LOGIN_CLIENT, 20 failed sign-ins per 15 minutes per client."""
    client = app.test_client()
    emails = [make_user("organiser") for _ in range(3)]
    statuses = [sign_in(client, emails[i % 3] if i % 2 else f"x{i}@example.org",
                        "Summer2030!Summer").status_code for i in range(22)]
    assert statuses == [401] * 20 + [429] * 2
    # Another client is not affected.
    other = app.test_client()
    assert sign_in(other, emails[0], environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code \
        == 303


def test_one_account_from_many_clients_is_throttled(app, make_user):
    """A distributed guess at one account: RATELIMIT_LOGIN_ACCOUNT, 20 per hour."""
    email = make_user("organiser")
    statuses = [sign_in(app.test_client(), email, f"guess number {i:04d}",
                        environ_base={"REMOTE_ADDR": f"198.51.100.{i}"}).status_code
                for i in range(21)]
    assert statuses == [401] * 20 + [429]


def test_a_throttled_sign_in_says_when_to_try_again_and_is_logged(app, make_user, caplog):
    client = app.test_client()
    email = make_user("organiser")
    for _ in range(5):
        sign_in(client, email, "wrong guess number")
    response = sign_in(client, email, PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "signing in is paused. Try again in 15 minute(s)" in response.text
    events = [r.getMessage() for r in caplog.records if r.name == "eventsapp.security"]
    assert sum('"event": "sign_in_failed"' in e for e in events) == 5
    assert sum('"event": "sign_in_throttled"' in e for e in events) == 1
    assert not any(PASSWORD in e or "wrong guess" in e or email in e for e in events)


# --- an administrator's first password -------------------------------------------------------


def test_cli_temporary_password_must_be_changed(app, runner):
    result = runner.invoke(args=["create-user", "temp@example.org", "--role", "checkin",
                                 "--temporary-password"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert get_user_by_email("temp@example.org").must_change_password is True


# --- API tokens ------------------------------------------------------------------------------


@pytest.fixture
def organiser_token(app, make_user):
    email = make_user("organiser")
    with app.app_context():
        return email, create_api_token(get_user_by_email(email), "script")


def test_a_token_is_refused_after_a_password_change(app, organiser_token):
    email, token = organiser_token
    client = app.test_client()
    assert client.get("/api/v1/token", headers={"Authorization": f"Bearer {token}"}) \
        .status_code == 200
    sign_in(client, email)
    assert client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD}).status_code == 303
    response = client.get("/api/v1/token", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    with app.app_context():
        assert check_api_token(token, "read").problem == "revoked"


def test_a_token_is_refused_after_deactivation_and_signing_out_everywhere(app, make_user):
    email, admin = make_user("organiser"), make_user("admin")
    with app.app_context():
        user = get_user_by_email(email)
        first, second = create_api_token(user), create_api_token(user)
        set_active(user, False, by=get_user_by_email(admin))
        assert check_api_token(first, "read").problem == "revoked"
        set_active(user, True, by=get_user_by_email(admin))
        assert check_api_token(second, "read").problem == "revoked"  # stays revoked
        third = create_api_token(user)
        assert sign_out_everywhere(user) == 1
        assert check_api_token(third, "read").problem == "revoked"


def test_sign_out_everywhere_ends_other_sessions_and_tokens(app, make_user):
    email = make_user("organiser")
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, email)
    sign_in(elsewhere, email)
    with app.app_context():
        token = create_api_token(get_user_by_email(email))
    response = here.post("/account/sign-out-everywhere")
    assert (response.status_code, response.headers["Location"]) == (303, "/login")
    assert elsewhere.get("/account").status_code == 302
    with app.app_context():
        assert check_api_token(token, "read").problem == "revoked"


def test_a_token_works_only_for_its_scopes(seeded, make_user):
    email = make_user("organiser")
    with seeded.app_context():
        token = create_api_token(get_user_by_email(email), scopes=["read"])
    client = seeded.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/token", headers=headers).get_json()["scopes"] == ["read"]
    response = client.patch("/api/v1/events/ctwg-15", json={"capacity": 80}, headers=headers)
    assert response.status_code == 403
    assert "'registrations' scope" in response.get_json()["message"]
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_a_token_expires(app, make_user):
    email = make_user("organiser")
    with app.app_context():
        token = create_api_token(get_user_by_email(email), days=1)
        row = db.session.scalar(select(ApiToken))
        assert row.expires_at - row.created_at == timedelta(days=1)
        assert check_api_token(token, "read").problem == ""
        later = utcnow() + timedelta(days=1, seconds=1)
        assert check_api_token(token, "read", now=later).problem == "expired"
        with pytest.raises(AccountError, match="from 1 to 365 days"):
            create_api_token(get_user_by_email(email), days=366)


def test_cli_token_with_scope_and_expiry_prints_it_last(app, runner, make_user):
    email = make_user("admin")
    result = runner.invoke(args=["create-token", email, "--scope", "checkin", "--scope", "read",
                                 "--days", "7"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert "Scopes: read checkin; expires" in result.output
    with app.app_context():
        assert check_api_token(token, "checkin").problem == ""
        assert check_api_token(token, "agenda").problem == "scope"


def test_the_checkin_scope_checks_a_badge_in(seeded, make_user):
    from eventsapp.models import Event
    from tests.checkin.factories import make_registration

    email = make_user("organiser")
    with seeded.app_context():
        token = create_api_token(get_user_by_email(email), scopes=["checkin"])
        event = db.session.scalar(select(Event).where(Event.slug == "ctwg-15"))
        event_id, day = event.id, event.start_date.isoformat()
    _, _, code = make_registration(seeded, event_id)
    client = seeded.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    first = client.post("/api/v1/events/ctwg-15/checkins", json={"code": code, "day": day},
                        headers=headers)
    again = client.post("/api/v1/events/ctwg-15/checkins", json={"code": code, "day": day},
                        headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["already"] is True
    assert client.post("/api/v1/events/ctwg-15/agenda", json={}, headers=headers).status_code \
        == 403
