"""Sign-in links to My meetings are limited per address asked for and per client, in the
shared (Redis) storage the deployment uses."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not redis_available(), reason="no Redis at TEST_REDIS_URL")


@pytest.fixture(autouse=True)
def _sqlite_only(backend):
    # The limiter is one object shared by every app of the process; the storage, not the
    # database, is under test (as in tests/registration/test_rate_limits.py).
    if backend != "sqlite":
        pytest.skip("the storage, not the database, is under test")


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "RATELIMIT_MY_ADDRESS": "3 per hour", "RATELIMIT_MY_CLIENT": "5 per hour"}


def test_a_fourth_link_for_one_address_is_refused_in_any_letter_case_from_any_client(client):
    codes = [client.post("/my", data={"email": email},
                         environ_base={"REMOTE_ADDR": f"192.0.2.{i}"}).status_code
             for i, email in enumerate(["ana@example.org", "ANA@example.org",
                                        "Ana@Example.ORG", "ａｎａ@example.org"])]
    assert codes == [303, 303, 303, 429]
    # Another address is not affected.
    assert client.post("/my", data={"email": "bo@example.org"},
                       environ_base={"REMOTE_ADDR": "192.0.2.50"}).status_code == 303


def test_one_client_asking_for_many_addresses_is_refused_after_five(client):
    codes = [client.post("/my", data={"email": f"p{i}@example.org"}).status_code
             for i in range(6)]
    assert codes == [303] * 5 + [429]
    assert client.get("/my").status_code == 200  # reading the form is not limited
