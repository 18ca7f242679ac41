"""Response headers that every page carries."""

from __future__ import annotations

from flask import Flask, Response, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
# Pages whose URL itself is a secret: no Referer may carry it away, and no cache keeps them.
PRIVATE_PREFIXES = ("/registrations/", "/admin", "/login", "/api/v1/registrations/", "/my/")


def register_security_headers(app: Flask) -> None:
    https = app.config.get("PREFERRED_URL_SCHEME") == "https"
    if https:
        # __Host- cookies are only accepted over HTTPS, for this host and path /.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        app.config["SESSION_COOKIE_DOMAIN"] = None
        app.config["SESSION_COOKIE_PATH"] = "/"

    @app.after_request
    def _headers(response: Response) -> Response:
        h = response.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            h.setdefault("Content-Security-Policy", CSP)
            response.vary.add("Cookie")
        if https:
            h.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.path.startswith(PRIVATE_PREFIXES):
            h["Referrer-Policy"] = "no-referrer"
            if "Cache-Control" not in h or request.path.startswith(("/admin", "/login")):
                h["Cache-Control"] = "no-store"
        else:
            h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
