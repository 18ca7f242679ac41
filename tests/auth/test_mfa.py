"""Issue 20, second factor for staff: TOTP and one-time recovery codes, required for
administrators and organisers (MFA_REQUIRED_ROLES), remembered per browser for at most 12
hours, reset by another administrator."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select, text

from eventsapp.auth import mfa
from eventsapp.auth.services import get_user_by_email
from eventsapp.extensions import db
from eventsapp.models import AuditEntry, RecoveryCode
from tests.auth.fixtures import sign_in


@pytest.fixture
def app_config():
    return {"MFA_REQUIRED_ROLES": ("admin", "organiser")}


def enrol(app, email: str) -> tuple[str, list[str]]:
    """Set up the second factor through the service; returns (secret, recovery codes)."""
    secret = mfa.new_secret()
    with app.app_context():
        # A step before now, so the code a test types next is a later one.
        codes = mfa.enable(get_user_by_email(email), secret,
                           pyotp.TOTP(secret).at(time.time() - 30))
    return secret, codes


def now_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def test_an_organiser_must_set_up_a_second_factor_before_anything_else(app, make_user):
    email = make_user("organiser")
    client = app.test_client()
    assert sign_in(client, email).headers["Location"] == "/admin/"
    response = client.get("/admin/")
    assert (response.status_code, response.headers["Location"]) == (303, "/account/mfa/setup")
    page = client.get("/account/mfa/setup")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text
    key = re.search(r'<code id="mfa-key">([A-Z2-7 ]+)</code>', page.text).group(1)
    secret = key.replace(" ", "")
    wrong = client.post("/account/mfa/setup", data={"code": "000000"})
    assert wrong.status_code == 422
    assert "That code is not right" in wrong.text
    done = client.post("/account/mfa/setup", data={"code": now_code(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([A-Z2-9-]{19})</code></li>", done.text)
    assert len(codes) == 10
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        user = get_user_by_email(email)
        assert user.mfa_enabled_at is not None
        assert db.session.scalar(select(AuditEntry.action).where(
            AuditEntry.action == "mfa_enabled")) == "mfa_enabled"


def test_check_in_staff_need_no_second_factor_unless_configured(app, make_user):
    client = app.test_client()
    sign_in(client, make_user("checkin"))
    assert client.get("/account").status_code == 200
    app.config["MFA_REQUIRED_ROLES"] = ("admin", "organiser", "checkin")
    assert client.get("/account").headers["Location"] == "/account/mfa/setup"


def test_the_password_alone_signs_nobody_in_once_a_second_factor_is_set(app, make_user):
    email = make_user("organiser")
    secret, _ = enrol(app, email)
    client = app.test_client()
    response = sign_in(client, email, next_url="/admin/events/new")
    assert response.headers["Location"] == "/login/mfa"
    assert client.get("/admin/").status_code == 302  # not signed in yet
    assert client.post("/login/mfa", data={"code": "123456"}).status_code == 401
    response = client.post("/login/mfa", data={"code": now_code(secret)})
    assert (response.status_code, response.headers["Location"]) == (303, "/admin/events/new")
    assert client.get("/admin/").status_code == 200


def test_a_code_is_accepted_only_once(app, make_user):
    email = make_user("organiser")
    secret, _ = enrol(app, email)
    code = now_code(secret)
    first, second = app.test_client(), app.test_client()
    sign_in(first, email)
    sign_in(second, email)
    assert first.post("/login/mfa", data={"code": code}).status_code == 303
    assert second.post("/login/mfa", data={"code": code}).status_code == 401


def test_each_recovery_code_works_once(app, make_user, caplog):
    email = make_user("organiser")
    _, codes = enrol(app, email)
    client = app.test_client()
    sign_in(client, email)
    response = client.post("/login/mfa", data={"code": codes[0].lower().replace("-", " ")})
    assert response.status_code == 303
    assert "9 are left" in client.get("/admin/").text
    again = app.test_client()
    sign_in(again, email)
    assert again.post("/login/mfa", data={"code": codes[0]}).status_code == 401
    assert again.post("/login/mfa", data={"code": codes[1]}).status_code == 303
    with app.app_context():
        used = db.session.scalars(select(RecoveryCode.used_at)).all()
        assert sum(u is not None for u in used) == 2
    assert any('"event": "mfa_recovery_code_used"' in r.getMessage() for r in caplog.records)
    assert not any(codes[1] in r.getMessage() for r in caplog.records)


def test_recovery_codes_and_the_secret_are_not_readable_in_the_database(app, make_user):
    email = make_user("organiser")
    secret, codes = enrol(app, email)
    with app.app_context():
        stored = db.session.execute(text("SELECT mfa_secret FROM \"user\"")).scalar_one()
        hashes = db.session.execute(text("SELECT code_hash FROM mfa_recovery_code")).scalars()
        dump = stored + " ".join(hashes)
    assert secret not in dump
    assert not any(c.replace("-", "") in dump or c in dump for c in codes)


def test_a_remembered_browser_skips_the_code_for_twelve_hours_at_most(app, make_user,
                                                                       monkeypatch):
    email = make_user("organiser")
    secret, _ = enrol(app, email)
    client = app.test_client()
    sign_in(client, email)
    response = client.post("/login/mfa", data={"code": now_code(secret), "remember": "y"})
    cookie = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookie if c.startswith("mfa_device="))
    assert "Max-Age=43200" in remember and "HttpOnly" in remember and "Path=/login" in remember
    # The browser is closed (its session cookie goes) and opened again the same day.
    client.delete_cookie("session")
    assert sign_in(client, email).headers["Location"] == "/admin/"
    client.delete_cookie("session")
    later = time.time() + 12 * 3600 + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert sign_in(client, email).headers["Location"] == "/login/mfa"


def test_signing_out_forgets_the_remembered_browser(app, make_user):
    email = make_user("organiser")
    secret, _ = enrol(app, email)
    client = app.test_client()
    sign_in(client, email)
    client.post("/login/mfa", data={"code": now_code(secret), "remember": "y"})
    client.post("/logout")  # a new nonce: the remembered browser was bound to the old one
    assert sign_in(client, email).headers["Location"] == "/login/mfa"


def test_a_pending_second_step_expires(app, make_user, monkeypatch):
    email = make_user("organiser")
    secret, _ = enrol(app, email)
    client = app.test_client()
    sign_in(client, email)
    later = time.time() + 301
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post("/login/mfa", data={"code": now_code(secret)})
    assert (response.status_code, response.headers["Location"]) == (303, "/login")


def signed_in_with_mfa(app, email: str):
    secret, _ = enrol(app, email)
    client = app.test_client()
    sign_in(client, email)
    assert client.post("/login/mfa", data={"code": now_code(secret)}).status_code == 303
    return client


def test_another_admin_resets_a_lost_second_factor_and_it_is_audited(app, make_user):
    admin_client = signed_in_with_mfa(app, make_user("admin"))
    email = make_user("organiser")
    secret, _ = enrol(app, email)
    user_client = app.test_client()
    sign_in(user_client, email)
    user_client.post("/login/mfa", data={"code": now_code(secret)})
    with app.app_context():
        user_id = get_user_by_email(email).id
    page = admin_client.get("/admin/users").text
    assert f"/admin/users/{user_id}/mfa-reset" in page
    response = admin_client.post(f"/admin/users/{user_id}/mfa-reset")
    assert response.status_code == 303
    assert user_client.get("/admin/").status_code == 302  # their sessions ended
    with app.app_context():
        user = get_user_by_email(email)
        assert (user.mfa_secret, user.mfa_enabled_at) == (None, None)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mfa_reset"))
        assert entry.object_id == user_id and entry.user_id is not None
    # Next sign-in: the password, then setting the factor up again.
    fresh = app.test_client()
    assert sign_in(fresh, email).headers["Location"] == "/admin/"
    assert fresh.get("/admin/").headers["Location"] == "/account/mfa/setup"


def test_an_admin_cannot_reset_their_own_second_factor(app, make_user):
    email = make_user("admin")
    secret, _ = enrol(app, email)
    client = app.test_client()
    sign_in(client, email)
    client.post("/login/mfa", data={"code": now_code(secret)})
    with app.app_context():
        user_id = get_user_by_email(email).id
    client.post(f"/admin/users/{user_id}/mfa-reset")
    with app.app_context():
        assert get_user_by_email(email).mfa_enabled_at is not None


@pytest.mark.parametrize("app_config", [{"MFA_REQUIRED_ROLES": ("admin", "organiser"),
                                         "RATELIMIT_ENABLED": True}])
def test_guessing_codes_is_rate_limited_per_account(app, make_user):
    email = make_user("organiser")
    secret, _ = enrol(app, email)
    statuses = []
    for _ in range(6):
        client = app.test_client()
        sign_in(client, email)
        statuses.append(client.post("/login/mfa", data={"code": "000000"}).status_code)
    assert statuses == [401] * 5 + [429]
