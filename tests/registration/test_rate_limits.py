"""Rate limits on registering and on management links, per client address."""

import os
import uuid

import pytest
import redis

from .conftest import form_data
from .gunicorn_helpers import gunicorn

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


class TestInMemory:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_REGISTRATION": "3 per minute",
                "RATELIMIT_MANAGE": "4 per minute", "RATELIMIT_STORAGE_URI": "memory://"}

    def test_fourth_registration_from_one_address_gets_429(self, client, make_event):
        make_event()
        codes = [client.post("/events/event-1/register", data=form_data()).status_code
                 for _ in range(3)]
        codes.append(client.post("/api/v1/events/event-1/registrations", json={
            "given_name": "A", "family_name": "B", "email": "api@x.org"}).status_code)
        assert codes == [303, 303, 303, 429]
        # Another address is not affected; reading the form is not limited.
        other = client.post("/events/event-1/register", data=form_data(),
                            environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert other.status_code == 303
        assert client.get("/events/event-1/register").status_code == 200

    def test_guessing_management_links_is_limited(self, client, make_event):
        make_event()
        codes = [client.get(f"/registrations/{'A' * 42}{i}").status_code for i in range(5)]
        assert codes == [404, 404, 404, 404, 429]


def test_limit_is_off_when_disabled(client, make_event):
    make_event()
    codes = {client.post("/events/event-1/register", data=form_data()).status_code
             for _ in range(12)}
    assert codes == {303}


@pytest.mark.slow
@pytest.mark.skipif(not redis_available(), reason="no Redis at TEST_REDIS_URL")
def test_redis_storage_shares_the_limit_across_processes(app, make_event, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("the storage, not the database, is under test")
    make_event()
    # A key prefix of its own, so runs (and other users of this Redis) never share counters.
    env = {"FLASK_RATELIMIT_ENABLED": "true", "FLASK_RATELIMIT_STORAGE_URI": REDIS_URL,
           "FLASK_RATELIMIT_REGISTRATION": "5 per minute",
           "FLASK_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    import requests

    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], log_dir=tmp_path, env=env,
                  workers=2, threads=2) as urls:
        codes = [requests.post(f"{urls[i % 2]}/api/v1/events/event-1/registrations", json={
            "given_name": "A", "family_name": "B", "email": f"r{i}@x.org"}, timeout=30).status_code
            for i in range(10)]
    assert codes == [201] * 5 + [429] * 5


@pytest.mark.slow
@pytest.mark.skipif(not redis_available(), reason="no Redis at TEST_REDIS_URL")
def test_sixth_failed_sign_in_is_refused_whichever_of_eight_workers_serves_it(app, tmp_path,
                                                                              backend):
    """S6: two hosts × four workers, the shipped RATELIMIT_LOGIN, limits in Redis."""
    if backend != "sqlite":
        pytest.skip("the storage, not the database, is under test")
    import re

    import requests

    env = {"FLASK_RATELIMIT_ENABLED": "true", "FLASK_RATELIMIT_STORAGE_URI": REDIS_URL,
           "FLASK_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    codes = []
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], log_dir=tmp_path, env=env,
                  workers=4, threads=1, ready_path="/login") as urls:
        for i in range(6):
            browser = requests.Session()  # a new connection, so any worker may answer
            page = browser.get(f"{urls[i % 2]}/login", timeout=30).text
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            response = browser.post(f"{urls[i % 2]}/login", timeout=30, data={
                "csrf_token": token, "email": "chair@example.org", "password": "guess"})
            codes.append(response.status_code)
    assert codes == [401] * 5 + [429]


@pytest.mark.slow
@pytest.mark.skipif(not redis_available(), reason="no Redis at TEST_REDIS_URL")
def test_one_password_sprayed_over_many_accounts_is_throttled_across_eight_workers(
        app, tmp_path, backend):
    """Issue 20: one client tries one password on 25 accounts, whichever of 2 hosts × 4
    workers answers; the shipped RATELIMIT_LOGIN_CLIENT (20 per 15 minutes) holds."""
    if backend != "sqlite":
        pytest.skip("the storage, not the database, is under test")
    import re

    import requests

    env = {"FLASK_RATELIMIT_ENABLED": "true", "FLASK_RATELIMIT_STORAGE_URI": REDIS_URL,
           "FLASK_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    codes, retry_after = [], None
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], log_dir=tmp_path, env=env,
                  workers=4, threads=1, ready_path="/login") as urls:
        for i in range(25):
            browser = requests.Session()  # a new connection, so any worker may answer
            page = browser.get(f"{urls[i % 2]}/login", timeout=30).text
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            response = browser.post(f"{urls[i % 2]}/login", timeout=30, data={
                "csrf_token": token, "email": f"staff{i}@example.org",
                "password": "Summer2030!Summer"})
            codes.append(response.status_code)
            if response.status_code == 429:
                retry_after = int(response.headers["Retry-After"])
    assert codes == [401] * 20 + [429] * 5
    assert 0 < retry_after <= 15 * 60
