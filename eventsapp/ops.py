"""Operations: health check for load balancers, request ids and structured request logs."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time

from flask import Blueprint, Flask, Response, g, has_request_context, jsonify, request
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import db, limiter

bp = Blueprint("ops", __name__)
log = logging.getLogger("eventsapp.request")
security_log = logging.getLogger("eventsapp.security")

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Private links carry secrets in the path; logs must not. Any long token-like segment
# (management and feed tokens are 43 characters), whatever comes around it.
SECRET_SEGMENT_RE = re.compile(r"/[A-Za-z0-9_-]{32,}")


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        db.session.rollback()
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


def redact(path: str) -> str:
    return SECRET_SEGMENT_RE.sub("/[redacted]", path)


def security_event(name: str, **fields) -> None:
    """Log a security event (failed sign-in, lockout, MFA change, token use) as one JSON
    record of its own on the `eventsapp.security` logger, with the request's id, client
    address and route. Never pass a secret: fields are logged as given."""
    record = {"event": name, **fields}
    if has_request_context():
        record.update(request_id=g.get("request_id"), remote=request.remote_addr,
                      route=request.url_rule.rule if request.url_rule else None)
    security_log.warning(json.dumps(record, default=str), extra={"fields": record})


def _user_id() -> int | None:
    # Only a user some code already loaded: asking Flask-Login here would read the session
    # of every public request (and add "Vary: Cookie" to cacheable pages).
    user = g.get("_login_user") or g.get("api_user")
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def register_request_logging(app: Flask) -> None:
    if app.config.get("PROXY_FIX_X_FOR"):
        # Only behind a proxy we run: otherwise clients could forge their address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]),
                                x_proto=1, x_host=0)

    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID_RE.match(incoming) else secrets.token_hex(8)
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id is None:
            return response
        response.headers["X-Request-ID"] = request_id
        fields = {
            "request_id": request_id,
            "method": request.method,
            # The route's pattern ("/registrations/<token>"), never the private link.
            "route": request.url_rule.rule if request.url_rule else None,
            "path": redact(request.path),
            "status": response.status_code,
            "ms": round((time.perf_counter() - g.request_started) * 1000, 1),
            "user_id": _user_id(),
            "remote": request.remote_addr,
        }
        log.info(json.dumps(fields), extra={"fields": fields})
        return response
