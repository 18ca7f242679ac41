"""Logging: every record one JSON line on standard error, under gunicorn and `flask run`
alike (issue 20: under gunicorn no request line was written at all).

- Each line is `json.dumps` with ASCII escapes, so no value (a URL with `%0a`, a Host
  header, a name) can start a line of its own or forge one: a newline is written `\\n`.
  Tracebacks go into the `exc` field of their record.
- Request lines (`eventsapp.request`) and security events (`eventsapp.security`) carry
  their fields at the top level of the line; other records carry `message`.
- Werkzeug's own access line (`flask run`) is dropped: ours replaces it and never shows a
  private link; werkzeug's other messages are kept, escaped the same way.

Handlers are added only when nothing else configured logging (no handler on the root
logger), so an operator's own logging configuration, or pytest's capture, wins.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask
from flask.logging import default_handler

_HANDLER_NAME = "eventsapp-json"


class JsonLineFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, then the fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=True)


class _WerkzeugFilter(logging.Filter):
    """Drops werkzeug's per-request access line (its request line holds the raw path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # WSGIRequestHandler.log_request: '<address> - - [<date>] "%s" %s %s'.
        return not (isinstance(record.msg, str) and record.msg.endswith('"%s" %s %s'))


def _json_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonLineFormatter())
    return handler


def configure_logging(app: Flask) -> None:
    """JSON lines for the app's loggers and werkzeug's, unless logging is configured."""
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, _WerkzeugFilter) for f in werkzeug.filters):
        werkzeug.addFilter(_WerkzeugFilter())
    app.logger.removeHandler(default_handler)  # Flask's plain "[time] LEVEL in module" line
    if logging.getLogger().handlers:
        return
    for logger in (app.logger, werkzeug):
        if not any(h.get_name() == _HANDLER_NAME for h in logger.handlers):
            logger.addHandler(_json_handler())
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
