import json
import logging

from sqlalchemy import text

from eventsapp.extensions import db


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_gone(tmp_path):
    from eventsapp import create_app
    from tests.support import base_config

    app = create_app(base_config(f"sqlite:///{tmp_path}/missing-dir/x.sqlite"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


def test_request_log_is_json_with_request_id_and_no_secret_in_path(client, caplog):
    token = "A" * 43
    with caplog.at_level(logging.INFO, logger="eventsapp.request"):
        response = client.get(f"/registrations/{token}", headers={"X-Request-ID": "abc12345"})
    assert response.headers["X-Request-ID"] == "abc12345"
    entry = json.loads(caplog.records[-1].getMessage())
    assert entry["request_id"] == "abc12345"
    assert entry["path"] == "/registrations/[redacted]"
    assert token not in caplog.text


def test_unhandled_error_renders_the_500_page_in_the_layout(app):
    @app.get("/boom")
    def boom():
        db.session.execute(text("CREATE TABLE IF NOT EXISTS t_boom (x INTEGER)"))
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side." in response.get_data(as_text=True)


def test_https_deployment_gets_host_prefixed_secure_cookie_and_hsts(tmp_path):
    from eventsapp import create_app
    from tests.support import base_config

    app = create_app(base_config(f"sqlite:///{tmp_path}/x.sqlite", PREFERRED_URL_SCHEME="https"))
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.app_context():
        db.create_all()
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
