"""Issue 20, logs an operator can trust: one JSON line per request under gunicorn and
`flask run` alike (route, status, duration, user id; never a private link), security events
as records of their own, and no input that can start a line of its own."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from eventsapp.logs import JsonLineFormatter
from tests.registration.gunicorn_helpers import ROOT, free_port, gunicorn

TOKEN = "Qx7" + "a" * 40  # the shape of a private link's token (43 characters)
FORGED = '{"time": "2030-01-01T00:00:00.000+00:00", "level": "INFO", "forged": true}'


def json_lines(text: str) -> list[dict]:
    """Every line that is a JSON object; a line that starts with "{" but is not one fails."""
    out = []
    for line in text.splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def test_a_line_break_in_any_logged_value_is_escaped(app):
    @app.get("/boom/<rest>")
    def boom(rest):
        raise RuntimeError("boom")

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    logger = logging.getLogger("eventsapp")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        client = app.test_client()
        client.get("/boom/x%0a" + FORGED.replace(" ", "%20"))
        client.get("/nothing%0d%0a" + FORGED.replace(" ", "%20"))
        client.get("/", headers={"X-Request-ID": "abc\u2028forged-id"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4  # three request lines and the 500's record
    records = [json.loads(line) for line in lines]  # every line is a whole JSON record
    assert not any(r.get("forged") for r in records)
    error = next(r for r in records if r["level"] == "ERROR")
    assert "\n" in error["message"] and "Traceback" in error["exc"]


@pytest.mark.slow
def test_json_request_lines_and_security_events_under_gunicorn(app, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("the logging, not the database, is under test")
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], processes=1, workers=2, threads=1,
                  log_dir=tmp_path, env={"FLASK_WTF_CSRF_ENABLED": "false"}) as [url]:
        assert requests.get(f"{url}/registrations/{TOKEN}", timeout=30,
                            headers={"X-Request-ID": "req-12345678"}).status_code == 404
        requests.get(f"{url}/nowhere%0a{FORGED}", timeout=30)
        assert requests.post(f"{url}/login", timeout=30, data={
            "email": "chair@example.org", "password": "a wrong password"}).status_code == 401
    log = (tmp_path / "gunicorn-0.log").read_text()
    records = json_lines(log)
    [private] = [r for r in records if r.get("request_id") == "req-12345678"]
    assert (private["route"], private["status"], private["method"]) == (
        "/registrations/<token>", 404, "GET")
    assert private["path"] == "/registrations/[redacted]"
    assert isinstance(private["ms"], float) and private["user_id"] is None
    [failed] = [r for r in records if r.get("event") == "sign_in_failed"]
    assert (failed["logger"], failed["account_known"], failed["route"]) == (
        "eventsapp.security", False, "/login")
    assert TOKEN not in log and "a wrong password" not in log
    assert not any(line.startswith('{"time": "2030') for line in log.splitlines())
    assert not any(r.get("forged") for r in records)


@pytest.mark.slow
def test_flask_run_logs_the_same_json_line_and_no_private_link(app, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("the logging, not the database, is under test")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "FLASK_SECRET_KEY": "flask-run-test"}
    log_path = Path(tmp_path) / "flask-run.log"
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("flask")), "--app", "eventsapp", "run",
             "--port", str(port), "--no-reload"], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/registrations/{TOKEN}",
                                        timeout=5)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline and proc.poll() is None, \
                    log_path.read_text()
                time.sleep(0.2)
        assert response.status_code == 404
        deadline = time.monotonic() + 30
        while '"route": "/registrations/<token>"' not in log_path.read_text():
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(30)
    log = log_path.read_text()
    assert TOKEN not in log
    assert re.search(r'"path": "/registrations/\[redacted\]", "status": 404', log)
    assert " - - [" not in log  # werkzeug's own access line, which showed the raw link
