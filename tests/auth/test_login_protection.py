"""Sign-in with the protections on: CSRF tokens and the failed-login rate limit."""

import re
import time
from datetime import UTC, datetime

import pytest

from tests.auth.fixtures import PASSWORD


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True}


def _attempt(client, email: str, password: str) -> int:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token}).status_code


def test_login_without_csrf_token_is_400(client, make_user):
    response = client.post("/login", data={"email": make_user("organiser"), "password": PASSWORD})
    assert response.status_code == 400
    assert "security token was missing" in response.text


def test_login_with_csrf_token_signs_in(client, make_user):
    assert _attempt(client, make_user("organiser"), PASSWORD) == 303


def test_sixth_failed_sign_in_is_rate_limited(client, make_user):
    email = make_user("organiser")
    statuses = [_attempt(client, email, "wrong guess number") for _ in range(6)]
    assert statuses == [401, 401, 401, 401, 401, 429]
    # Even the right password waits out the window: the attacker cannot tell.
    assert _attempt(client, email, PASSWORD) == 429


def test_rate_limit_is_per_account(client, make_user):
    first, second = make_user("organiser"), make_user("organiser")
    for _ in range(5):
        _attempt(client, first, "wrong guess number")
    assert _attempt(client, first, "wrong guess number") == 429
    assert _attempt(client, second, PASSWORD) == 303


def test_successful_sign_ins_are_not_counted(app, make_user):
    email = make_user("organiser")
    for _ in range(6):
        client = app.test_client()
        assert _attempt(client, email, PASSWORD) == 303


def test_eleventh_failed_sign_in_of_a_day_is_refused_across_windows(client, make_user,
                                                                     monkeypatch):
    """The shipped RATELIMIT_LOGIN: 5 per 15 minutes, and 10 per day."""
    email = make_user("organiser")
    noon = datetime(2030, 1, 15, 12, tzinfo=UTC).timestamp()  # far from a day's boundary
    statuses = []
    for minutes, attempts in ((0, 5), (16, 5), (32, 1)):
        monkeypatch.setattr(time, "time", lambda m=minutes: noon + m * 60)
        statuses += [_attempt(client, email, "wrong guess number") for _ in range(attempts)]
    assert statuses == [401] * 10 + [429]
