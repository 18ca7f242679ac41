"""Accounts with least privilege: invitations and "Forgot your password?" by one-time links
(secret from `secrets`, stored hashed, expiring, single use, mailed after commit), editing
an account's role and events, and deactivation confirmed first."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.auth import links
from eventsapp.auth.services import AccountError, authenticate, update_user
from eventsapp.extensions import db
from eventsapp.models import AuditEntry, Event, OutboxMessage, PasswordLink, User, utcnow
from eventsapp.tokens import hash_token
from tests.auth.fixtures import PASSWORD, sign_in
from tests.support import sent_body

NEW_PASSWORD = "a brand new passphrase"


def _mails(app) -> list[tuple[str, str, str]]:
    """(to, subject, body as it left) of every message, oldest first."""
    with app.app_context():
        rows = [(m.id, m.to_addr, m.subject) for m in
                db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    return [(to, subject, sent_body(app, message_id)) for message_id, to, subject in rows]


def _link_in(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/login/set-password/[A-Za-z0-9_-]{43})", body).group(1)


def _invite(admin_client, email="new@example.org", **fields):
    data = {"email": email, "role": "checkin", "scope": "some", **fields}
    return admin_client.post("/admin/users", data=data)


@pytest.fixture
def events(make_event):
    return make_event(slug="one"), make_event(slug="two")


def test_the_invite_form_offers_the_least_by_default(admin_client, events):
    html = admin_client.get("/admin/users").text
    assert re.search(r'<input [^>]*checked id="role-0" name="role" required type="radio" '
                     r'value="checkin">', html)
    assert ('<input checked id="scope-0" name="scope" required type="radio" value="some">'
            in html)
    assert 'value="admin"' in html and 'checked id="role-2"' not in html


def test_an_invitation_makes_an_account_without_password_and_mails_a_one_time_link(
        app, admin_client, events):
    one, _two = events
    response = _invite(admin_client, events=str(one))
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@example.org"))
        assert (user.role, [e.slug for e in user.events], user.password_hash) == (
            "checkin", ["one"], "")
        link = db.session.scalar(select(PasswordLink))
        assert (link.purpose, link.used_at) == ("invite", None)
        assert link.expires_at - link.created_at == timedelta(days=7)
    [(to, subject, body)] = _mails(app)
    assert (to, subject) == ("new@example.org", "You are invited to eventsapp")
    assert "as check-in staff for Test event 1" in body
    path = _link_in(body)
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        # Only the hash is stored.
        assert db.session.scalar(select(PasswordLink.token_hash)) == hash_token(token)
        assert authenticate("new@example.org", "") is None

    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert "Welcome: choose your password" in page.text
    with app.app_context():
        assert db.session.scalar(select(PasswordLink.used_at)) is None  # GET changes nothing
    done = visitor.post(path, data={"new_password": NEW_PASSWORD,
                                    "confirm_password": NEW_PASSWORD})
    assert done.status_code == 303
    assert done.headers["Location"] == "/account"  # signed in, as check-in staff
    assert visitor.get("/account").status_code == 200
    with app.app_context():
        assert authenticate("new@example.org", NEW_PASSWORD) is not None
        assert db.session.scalar(select(AuditEntry.details).where(
            AuditEntry.action == "password_set")) == {"via": "invitation"}
    again = app.test_client().post(path, data={"new_password": "another passphrase!",
                                               "confirm_password": "another passphrase!"})
    assert again.status_code == 410
    assert "This link has expired or has been used already." in again.text


def test_an_organiser_must_be_limited_to_some_events_or_given_every_event(
        app, admin_client, events):
    refused = _invite(admin_client, role="organiser")
    assert refused.status_code == 422
    assert "Tick at least one event, or choose every event." in refused.text
    assert _invite(admin_client, role="organiser", scope="all").status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@example.org"))
        assert (user.role, user.events) == ("organiser", [])


def test_an_expired_link_is_refused_and_a_short_password_keeps_the_link(app, make_user):
    email = make_user("organiser")
    with app.app_context():
        assert links.request_password_reset(email) is True
    path = _link_in(_mails(app)[-1][2])
    token = path.rsplit("/", 1)[1]
    client = app.test_client()
    short = client.post(path, data={"new_password": "short", "confirm_password": "short"})
    assert short.status_code == 422
    assert "at least 12 characters" in short.text
    with app.app_context():
        later = utcnow() + timedelta(hours=1, seconds=1)
        assert links.valid_link(token, now=later) is None
        with pytest.raises(links.LinkInvalid):
            links.set_password_with_link(token, NEW_PASSWORD, now=later)
        assert authenticate(email, PASSWORD) is not None
        links.set_password_with_link(token, NEW_PASSWORD, now=utcnow() + timedelta(minutes=59))
        assert authenticate(email, NEW_PASSWORD) is not None


def test_a_new_link_ends_the_earlier_one_and_setting_a_password_ends_every_session(
        app, make_user):
    email = make_user("organiser")
    signed_in = app.test_client()
    sign_in(signed_in, email)
    with app.app_context():
        links.request_password_reset(email)
        links.request_password_reset(email)
    first, second = (_link_in(body).rsplit("/", 1)[1] for _, _, body in _mails(app))
    with app.app_context():
        assert links.valid_link(first) is None
        assert links.valid_link(second) is not None
        links.set_password_with_link(second, NEW_PASSWORD)
    assert signed_in.get("/admin/").status_code == 302


def test_forgot_password_answers_the_same_for_any_address(app, make_user):
    known = make_user("organiser")
    client = app.test_client()
    answers = []
    for address in (known, "nobody@example.org"):
        response = client.post("/login/forgot", data={"email": address})
        assert response.status_code == 303
        assert response.headers["Location"] == "/login"
        page = client.get("/login").text
        answers.append(re.search(r'<p class="flash flash-info">(.*?)</p>', page).group(1)
                       .replace(address, "ADDRESS"))
    assert answers[0] == answers[1] == (
        "If ADDRESS belongs to an account, we have emailed it a link to choose a new "
        "password. The link works once, for 1 hour.")
    assert [(to, subject) for to, subject, _ in _mails(app)] == [
        (known, "Set a new password")]
    assert "Forgot your password?" in client.get("/login").text


def test_a_deactivated_account_gets_no_reset_link(app, make_user):
    email = make_user("organiser")
    with app.app_context():
        db.session.scalar(select(User).where(User.email == email)).active = False
        db.session.commit()
        assert links.request_password_reset(email) is False
    assert _mails(app) == []


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_RESET_LINK": "2 per hour"}

    def test_forgot_password_is_rate_limited_per_address(self, app, make_user):
        known = make_user("organiser")
        client = app.test_client()
        codes = [client.post("/login/forgot", data={"email": known}).status_code
                 for _ in range(3)]
        assert codes == [303, 303, 429]
        assert client.post("/login/forgot", data={"email": "other@example.org"}).status_code \
            == 303
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_edit_role_and_events_is_audited_and_nobody_changes_their_own_role(
        app, admin_client, make_user, events):
    one, two = events
    email = make_user("checkin")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
    assert admin_client.get(f"/admin/users/{user_id}").status_code == 200
    response = admin_client.post(f"/admin/users/{user_id}", data={
        "role": "organiser", "scope": "some", "events": [str(one), str(two)]})
    assert response.status_code == 303
    with app.app_context():
        user = db.session.get(User, user_id)
        assert (user.role, sorted(e.slug for e in user.events)) == ("organiser", ["one", "two"])
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user_changed"))
        assert entry.details == {"email": email, "role": ["checkin", "organiser"],
                                 "events": [[], ["one", "two"]]}
        admin = db.session.scalar(select(User).where(User.role == "admin"))
        with pytest.raises(AccountError, match="cannot change your own role"):
            update_user(admin, "checkin", [], by=admin)
        # An administrator is never limited to events.
        assert update_user(user, "admin", [db.session.get(Event, one)], by=admin) is True
        assert (db.session.get(User, user_id).role, db.session.get(User, user_id).events) == (
            "admin", [])


def test_deactivation_asks_first(app, admin_client, make_user):
    email = make_user("organiser")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
    page = admin_client.get(f"/admin/users/{user_id}/deactivate")
    assert page.status_code == 200
    assert f"<h1>Deactivate {email}?</h1>" in page.text
    with app.app_context():
        assert db.session.get(User, user_id).active is True
    assert admin_client.post(f"/admin/users/{user_id}/deactivate").status_code == 303
    with app.app_context():
        assert db.session.get(User, user_id).active is False
    assert admin_client.post(f"/admin/users/{user_id}/reactivate").status_code == 303
    with app.app_context():
        assert db.session.get(User, user_id).active is True


def test_resend_invitation_replaces_the_link(app, admin_client, events):
    _invite(admin_client, events=str(events[0]))
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "new@example.org"))
    assert admin_client.post(f"/admin/users/{user_id}/invitation").status_code == 303
    first, second = (_link_in(body).rsplit("/", 1)[1] for _, _, body in _mails(app))
    with app.app_context():
        assert links.valid_link(first) is None
        assert links.valid_link(second) is not None


@pytest.mark.parametrize("token", ["x" * 43, "short", "not-a-token"])
def test_unknown_links_are_410(client, token):
    assert client.get(f"/login/set-password/{token}").status_code == 410
