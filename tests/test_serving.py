"""Issue 20, limits that hold: several gunicorn workers never count rate limits in their own
memory; such a server refuses to start (eventsapp/serving.py), whether its worker count comes
from the command line or from docs/deploy/gunicorn.conf.py."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
import requests

from eventsapp.serving import UnsafeLimitsStorage, check_limits_storage
from tests.registration.gunicorn_helpers import GUNICORN, ROOT, free_port

pytestmark = pytest.mark.slow


def test_memory_storage_is_refused_only_for_several_workers_with_limits_on():
    memory = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
    with pytest.raises(UnsafeLimitsStorage, match="4 gunicorn workers"):
        check_limits_storage(memory, 4)
    check_limits_storage(memory, 1)
    check_limits_storage(memory, None)  # not under gunicorn: flask run, tests
    check_limits_storage({**memory, "RATELIMIT_ENABLED": False}, 4)
    check_limits_storage({**memory, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}, 4)


def start(tmp_path, args: list[str], **env) -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    log = tmp_path / f"gunicorn-{port}.log"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
                   "FLASK_SECRET_KEY": "serving-test", "FLASK_RATELIMIT_ENABLED": "true",
                   "FLASK_RATELIMIT_STORAGE_URI": "memory://", "BIND": f"127.0.0.1:{port}",
                   **env}
    if "WEB_CONCURRENCY" not in env:
        environment.pop("WEB_CONCURRENCY", None)
    with open(log, "wb") as out:
        proc = subprocess.Popen([GUNICORN, *args, "-b", f"127.0.0.1:{port}",
                                 "--no-control-socket", "eventsapp:create_app()"],
                                cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}", str(log)


def exit_code_within(proc: subprocess.Popen, seconds: float) -> int | None:
    try:
        return proc.wait(seconds)
    except subprocess.TimeoutExpired:
        proc.terminate()
        proc.wait(30)
        return None


@pytest.mark.parametrize("args, env", [
    (["-w", "4"], {}),
    (["-c", "docs/deploy/gunicorn.conf.py"], {"WEB_CONCURRENCY": "2"}),
], ids=["command line", "shipped config file"])
def test_several_workers_on_memory_storage_refuse_to_start(tmp_path, args, env):
    proc, _, log = start(tmp_path, args, **env)
    code = exit_code_within(proc, 120)
    assert code not in (None, 0)
    assert "Refusing to start" in open(log).read()


def test_one_worker_on_memory_storage_starts(tmp_path):
    proc, url, log = start(tmp_path, ["-w", "1"])
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(url + "/api/v1/openapi.json", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None, open(log).read()
            time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer")
    finally:
        proc.terminate()
        proc.wait(30)
