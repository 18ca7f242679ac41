"""A wall-clock limit on making a document, so no PDF request can hold a worker for long.

RELIABILITY P4: a PDF request is stopped at 10 s with a clean 503. Input caps keep
every known document far below that (1,000 badges take about a second); the limit
is the backstop for what nobody measured. It uses SIGALRM, which only the main
thread receives: gunicorn's sync workers (docs/deploy/gunicorn.conf.py) serve each
request there. In other threads (a threaded development server) no limit applies.

Only rendering runs under the limit, never a database call: the data is loaded
first, so the alarm cannot interrupt a statement half-way.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app


class TimeLimitExceeded(Exception):
    """The document took longer than its limit; the request answers 503."""

    def __init__(self, seconds: float):
        super().__init__(f"stopped after {seconds:g} s")
        self.seconds = seconds


class _Expired(BaseException):
    """Raised by the alarm inside the block. A BaseException, so that library code's
    `except Exception` does not swallow it on its way out (reportlab even raises its
    exceptions again as new instances of their class, with a longer message)."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Stop the block once `seconds` of wall time have passed: TimeLimitExceeded.

    Whatever the alarm caused inside the block, and even a block that swallowed it and
    ran on, ends in TimeLimitExceeded. None or 0: no limit.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = False

    def expired(_signum, _frame):
        nonlocal fired
        fired = True
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expired)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    except BaseException:
        if not fired:
            raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if fired:
        raise TimeLimitExceeded(seconds)


def pdf_time_limit():
    """The limit for making one PDF (PDF_TIME_LIMIT_SECONDS)."""
    return time_limit(current_app.config["PDF_TIME_LIMIT_SECONDS"])
