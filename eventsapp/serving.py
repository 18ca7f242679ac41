"""Refuse to serve with limits that would not hold: several gunicorn workers, each counting
rate limits in its own memory (RATELIMIT_STORAGE_URI=memory://), would multiply every limit
by the number of workers (issue 20: 38 of 40 registrations where 10 were allowed).

The check runs twice: in gunicorn's master, through the `on_starting` hook of
docs/deploy/gunicorn.conf.py, and in every worker as the app is created (for a command line
such as `gunicorn -w 4 'eventsapp:create_app()'` that uses no config file): gunicorn's own
parser reads the worker count from the same command line, GUNICORN_CMD_ARGS, config file
and WEB_CONCURRENCY the master read. Refused means the process stops with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


class UnsafeLimitsStorage(RuntimeError):
    """Several processes would count rate limits separately."""


def gunicorn_workers() -> int | None:
    """The number of workers of the gunicorn that runs this process, or None if not run by
    gunicorn's command line (or its settings cannot be read back)."""
    if not os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn"):
        return None
    try:
        from gunicorn.app.wsgiapp import WSGIApplication

        return int(WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg.workers)
    except (Exception, SystemExit):  # noqa: BLE001 - an embedded server: we cannot tell
        return None


def check_limits_storage(config: Mapping, workers: int | None) -> None:
    """:raises UnsafeLimitsStorage: rate limits are on, kept in memory, and `workers` > 1."""
    if not workers or workers <= 1 or not config.get("RATELIMIT_ENABLED", True):
        return
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if storage.startswith("memory://"):
        raise UnsafeLimitsStorage(
            f"Refusing to start: {workers} gunicorn workers would each count rate limits in "
            "their own memory (RATELIMIT_STORAGE_URI=memory://), so every limit (sign-in "
            f"attempts, registrations) would be {workers} times too high. Set "
            "FLASK_RATELIMIT_STORAGE_URI=redis://… (docs/DEPLOYMENT.md), or run one worker "
            "(WEB_CONCURRENCY=1).")
