"""Issue 20: the shipped nginx example (docs/deploy/nginx.conf) logs no private link: its
map and log format, run by a real nginx, write a token segment as [redacted], drop query
strings, and escape control characters so no request starts a line of its own."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time

import pytest
import requests

from tests.registration.gunicorn_helpers import ROOT, free_port

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
TOKEN = "Zz9" + "b" * 40

pytestmark = pytest.mark.skipif(not NGINX, reason="nginx is not installed")


def shipped_logging_blocks() -> str:
    conf = (ROOT / "docs/deploy/nginx.conf").read_text()
    block = re.search(r"^map \$request_uri .*?^}\n", conf, re.S | re.M).group(0)
    log_format = re.search(r"^log_format eventsapp_redacted .*?;\n", conf, re.S | re.M)
    assert "access_log /var/log/nginx/eventsapp.access.log eventsapp_redacted;" in conf
    return block + log_format.group(0)


def test_the_nginx_example_logs_no_private_link(tmp_path):
    port = free_port()
    access = tmp_path / "access.log"
    (tmp_path / "nginx.conf").write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
daemon off;
events {{}}
http {{
    client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fcgi; uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
{shipped_logging_blocks()}
    server {{
        listen 127.0.0.1:{port};
        access_log {access} eventsapp_redacted;
        location / {{ return 200 "ok"; }}
    }}
}}
""")
    proc = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline and proc.poll() is None, \
                    (tmp_path / "error.log").read_text()
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        requests.get(f"{base}/registrations/{TOKEN}", timeout=5)
        requests.get(f"{base}/registrations/{TOKEN}/calendar.ics?x=1", timeout=5)
        requests.get(f"{base}/admin/events/ctwg-15/checkin?code=ABCDEFGH2345", timeout=5)
        requests.get(base + '/nowhere%0a{"forged":true}', timeout=5)
        deadline = time.monotonic() + 10
        while len(access.read_text().splitlines()) < 5:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(30)
    log = access.read_text()
    records = [json.loads(line) for line in log.splitlines()]  # each line one whole record
    assert [r["path"] for r in records] == [
        "/", "/registrations/[redacted]", "/registrations/[redacted]/calendar.ics",
        "/admin/events/ctwg-15/checkin", '/nowhere%0A%7B%22forged%22:true%7D']
    assert TOKEN not in log and "ABCDEFGH2345" not in log
