"""Error pages in the site's layout, and JSON errors under /api/."""

from __future__ import annotations

import math
import re
import time

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from .database import LockTimeout, is_lock_timeout
from .extensions import db, limiter
from .ops import redact, security_event
from .timelimit import TimeLimitExceeded

RETRY_AFTER_SECONDS = 2
# Pages whose 429 is a sign-in lockout (a security event, and a message that says so).
SIGN_IN_ENDPOINTS = frozenset({"auth.login", "auth.login_mfa", "auth.change_password"})


def _wants_json() -> bool:
    return request.path.startswith("/api/")


_HOME_LINKS = {"Dashboard": "Go to the dashboard", "Accreditation": "Go to accreditation",
               "Check-in desks": "Go to your check-in desks"}
_REGISTRATION_PAGE = re.compile(r"^(/admin/events/[^/]+/registrations/\d+)/.+")


def _staff_links(code: int) -> list[tuple[str, str]]:
    """Ways back for signed-in staff on a page under /admin/ (a 4xx there): the page the
    action came from when it is a registration's, and the home of their role's menu
    (Dashboard, Accreditation, Check-in desks). Empty anywhere else: the public page's
    "Go to the list of events" is the way back."""
    if not request.path.startswith("/admin/") or code >= 500:
        return []
    try:
        from .admin.navigation import site_menu  # the error pages sit above every blueprint

        if not current_user.is_authenticated:
            return []
        menu = site_menu(current_user)
    except Exception:  # noqa: BLE001 -- an error page must not fail on its way back
        current_app.logger.exception("No staff menu for the error page")
        return []
    links = []
    match = _REGISTRATION_PAGE.match(request.path)
    if match and code not in (403, 404):
        links.append(("Back to the registration", match.group(1)))
    if menu:
        home = menu[0]
        links.append((_HOME_LINKS.get(home.label, f"Go to {home.label}"), home.url))
    return links


def _render(code: int, title: str, message: str):
    if _wants_json():
        return jsonify({"error": title, "message": message}), code
    return render_template("errors/error.html", code=code, title=title, message=message,
                           staff_links=_staff_links(code)), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _render(
            400,
            "The form has expired",
            "Your form could not be accepted because its security token was missing or "
            "out of date. Go back, reload the page and submit it again.",
        )

    @app.errorhandler(OperationalError)
    def database_error(exc: OperationalError):
        # Any statement that waited for a lock past LOCK_TIMEOUT_SECONDS, not only the
        # services' lock_event: busy, not broken.
        return lock_timeout(exc) if is_lock_timeout(exc) else unhandled(exc)

    @app.errorhandler(LockTimeout)
    def lock_timeout(exc: Exception):
        db.session.rollback()
        response, code = _render(
            503, "Busy", "Many changes are being saved at this moment, and yours waited too long "
            "for its turn. Nothing was saved: go back and send it again in a moment."
        )
        response = current_app.make_response((response, code))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(TimeLimitExceeded)
    def too_slow(exc: TimeLimitExceeded):
        db.session.rollback()
        current_app.logger.warning("Document on %s stopped after %g s (request id %s)",
                                   redact(request.path), exc.seconds, g.get("request_id"))
        response = current_app.make_response(_render(
            503, "Taking too long",
            f"This document took longer than {exc.seconds:g} seconds to make, so it was "
            "stopped. Try again in a moment; for badges, choose fewer at a time (one "
            "category, or only those not yet printed)."))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(SecurityError)
    def untrusted_host(exc: SecurityError):
        # No URL can be built for a host we do not answer to, so no page layout either.
        current_app.logger.warning("%s Set SERVER_NAME if this is the site's own name.",
                                   exc.description)
        return Response("This server does not answer to that host name.\n", 400,
                        mimetype="text/plain")

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(exc: RateLimitExceeded):
        limit = limiter.current_limit
        wait = max(1, int(limit.reset_at - time.time())) if limit else 60
        when = f"{math.ceil(wait / 60)} minute(s)" if wait >= 60 else f"{wait} seconds"
        if request.endpoint in SIGN_IN_ENDPOINTS:
            security_event("sign_in_throttled", limit=str(exc.limit.limit) if exc.limit else "",
                           retry_after=wait)
            message = ("There have been too many failed sign-in attempts from your network "
                       f"or for this account, so signing in is paused. Try again in {when}. "
                       "If it was not you, tell your administrator.")
        else:
            message = f"Too many requests in a short time. Try again in {when}."
        response = current_app.make_response(_render(429, "Too many attempts", message))
        response.headers["Retry-After"] = str(wait)
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code and exc.code >= 500:
            db.session.rollback()
        response = _render(exc.code or 500, exc.name, exc.description or "")
        if exc.code == 405 and exc.valid_methods:
            response = current_app.make_response(response)
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unhandled(exc: Exception):
        db.session.rollback()
        current_app.logger.exception(
            "Unhandled error on %s %s (request id %s)", request.method, redact(request.path),
            g.get("request_id"))
        err = InternalServerError()
        return _render(500, err.name, "Something went wrong on our side. It has been logged.")
