"""Run the real app under gunicorn for multi-process tests and benchmarks (loopback only)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, *, processes: int = 2, workers: int = 2, threads: int = 4,
             env: dict | None = None, log_dir: Path, app: str = "eventsapp:create_app()",
             ready_path: str = "/api/v1/openapi.json"):
    """Start `processes` separate gunicorn masters on one database; yield their base URLs."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FLASK_SECRET_KEY": "multi-process-test-secret",
        "FLASK_RATELIMIT_ENABLED": "false",
        # As in tests/support.py: staff sign in with a password only (tests/auth tests MFA).
        "FLASK_MFA_REQUIRED_ROLES": "[]",
        "FLASK_MAIL_FILE_DIR": str(log_dir / "mail"),
        **(env or {}),
    }
    procs, urls = [], []
    try:
        for i in range(processes):
            port = free_port()
            log = open(log_dir / f"gunicorn-{i}.log", "wb")  # noqa: SIM115  closed by the process
            procs.append(subprocess.Popen(
                [GUNICORN, "-w", str(workers), "--threads", str(threads), "-b",
                 f"127.0.0.1:{port}", "--backlog", "2048", "--timeout", "60", "--no-control-socket",
                 app],
                cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT))
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            _wait_until_up(url + ready_path)
        yield urls
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def _wait_until_up(url: str, timeout: float = 120) -> None:
    # Generous: eight workers importing the app on two busy cores take half a minute.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn at {url} did not start")


def storm(urls: list[str], slug: str, n: int, *, prefix: str = "storm",
          extra=None) -> list[tuple[int, dict]]:
    """Fire n registrations at once (one thread each, released by a barrier), alternating hosts.

    :param extra: i → more fields of the i-th body (e.g. its `participation`).
    """
    barrier = threading.Barrier(n)
    results: list[tuple[int, dict] | None] = [None] * n

    def one(i: int) -> None:
        body = {"given_name": f"Storm {i}", "family_name": "Tester",
                "email": f"{prefix}{i}@example.org", "economy": "SGP",
                **(extra(i) if extra else {})}
        url = f"{urls[i % len(urls)]}/api/v1/events/{slug}/registrations"
        with requests.Session() as s:
            barrier.wait()
            try:
                r = s.post(url, json=body, timeout=60)
                data = r.json() if r.headers.get("Content-Type", "").startswith(
                    "application/json") else {}
                results[i] = (r.status_code, data)
            except requests.RequestException as exc:
                results[i] = (0, {"error": repr(exc)})

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results  # type: ignore[return-value]
