"""Steps a signed-in account must finish before anything else: choose its own password
(after an administrator set the first one), then set up a second factor (when its role
requires one, MFA_REQUIRED_ROLES).

Until then every page except those steps and signing out redirects to the step. The JSON
API is not gated: it takes bearer tokens, never the session cookie.
"""

from __future__ import annotations

from flask import Flask, current_app, flash, redirect, request, url_for
from flask_login import current_user

from ..models import User

# Endpoints reachable while a step is pending (each step's own page is added below).
OPEN_ENDPOINTS = frozenset({"auth.logout", "auth.sign_out_everywhere", "static",
                            "ops.healthz"})
STEP_ENDPOINTS = {
    "password": frozenset({"auth.change_password"}),
    "mfa": frozenset({"auth.mfa_setup", "auth.mfa_status"}),
}
STEP_PAGES = {"password": "auth.change_password", "mfa": "auth.mfa_setup"}
STEP_MESSAGES = {
    "password": "Your password was set by an administrator: choose your own to continue.",
    "mfa": "Your account needs a second factor: set up an authenticator app to continue.",
}


def mfa_required(user: User) -> bool:
    """Whether `user`'s role must use a second factor (MFA_REQUIRED_ROLES)."""
    return user.role in (current_app.config.get("MFA_REQUIRED_ROLES") or ())


def pending_step(user: User) -> str | None:
    """The first unfinished step of `user`: "password", "mfa", or None."""
    if user.must_change_password:
        return "password"
    if mfa_required(user) and getattr(user, "mfa_enabled_at", None) is None:
        return "mfa"
    return None


def register_gate(app: Flask) -> None:
    @app.before_request
    def _finish_pending_steps():
        # No session cookie, no user: public traffic never touches the session here.
        if app.config["SESSION_COOKIE_NAME"] not in request.cookies:
            return None
        if request.blueprint == "api" or request.endpoint in OPEN_ENDPOINTS:
            return None
        if not current_user.is_authenticated:
            return None
        step = pending_step(current_user)
        if step is None or request.endpoint in STEP_ENDPOINTS[step]:
            return None
        if request.method == "GET":
            flash(STEP_MESSAGES[step], "info")
        return redirect(url_for(STEP_PAGES[step]), 303)
