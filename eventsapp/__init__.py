"""eventsapp: events and meetings of an intergovernmental working group."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from . import config as config_module
from .extensions import csrf, db, limiter, login_manager, migrate
from .files import private_dir

ROOT = Path(__file__).resolve().parent.parent

# Each module exposes `bp`; CLI commands live on the blueprints (cli_group=None).
BLUEPRINTS = (
    "eventsapp.events.views",
    "eventsapp.api.views",
    "eventsapp.cli",
    "eventsapp.registration.views",
    "eventsapp.mail.cli",
    "eventsapp.calendar.views",
    "eventsapp.ops",
    "eventsapp.reports.views",
    "eventsapp.auth.views",
    "eventsapp.auth.cli",
    "eventsapp.admin.views",
    "eventsapp.admin.registrations",
    "eventsapp.admin.users",
    "eventsapp.agenda.views",
    "eventsapp.badges.views",
    "eventsapp.checkin.views",
    "eventsapp.documents.views",
    "eventsapp.documents.admin",
    "eventsapp.outcomes.views",
    "eventsapp.questions.views",
    "eventsapp.letters.views",
    "eventsapp.privacy.views",
    "eventsapp.accreditation.views",
    "eventsapp.invitations.views",
    "eventsapp.mymeetings.views",
    "eventsapp.mail.admin",
    "eventsapp.messages.views",
    "eventsapp.participation.views",
)


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` whose values past 2**31-1 become 0, an id no row has: a plain 404.

    The database would otherwise overflow on them (a 500); rejecting them in the
    converter instead makes Werkzeug answer 405 for some methods.
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ID else 0


MAX_ID = 2**31 - 1


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure an eventsapp application."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    # JSON objects keep the order the serializers write (what matters first), not A–Z.
    app.json.sort_keys = False
    app.config.from_object(config_module.Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        url = config_module.database_url_from_env()
        if url:
            app.config["SQLALCHEMY_DATABASE_URI"] = url
        if os.environ.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
        app.config.from_prefixed_env()
    else:
        app.config.update(test_config)
    if app.config["TRUSTED_HOSTS"] is None and not app.config["SERVER_NAME"]:
        # Without SERVER_NAME, links in emails come from the request's Host header, so only
        # this machine's own names may give it (development); a server reached by its name
        # sets SERVER_NAME (docs/DEPLOYMENT.md) and any other Host gets a 400.
        app.config["TRUSTED_HOSTS"] = config_module.LOCAL_HOSTS
    private_dir(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.load_or_create_secret_key(app.instance_path)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **config_module.engine_options(app.config["SQLALCHEMY_DATABASE_URI"]),
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }

    from .serving import check_limits_storage, gunicorn_workers

    check_limits_storage(app.config, gunicorn_workers())

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see this page."

    from .auth.passwords import dummy_hash
    from .database import configure_engine

    with app.app_context():
        configure_engine(db.engine, app.config["LOCK_TIMEOUT_SECONDS"])
        # Made now, not at the first sign-in for an unknown address: that one would cost
        # a hash more than any other and tell the address apart.
        dummy_hash()

    app.url_map.converters["int"] = BoundedIntConverter
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)

    from . import errors, i18n, logs, ops, request_guard, security, templating
    from .auth import loader  # noqa: F401  registers the user loader
    from .auth.gate import register_gate

    request_guard.register_input_guard(app)
    logs.configure_logging(app)
    errors.register_error_handlers(app)
    templating.register_template_helpers(app)
    i18n.init_app(app)
    security.register_security_headers(app)
    ops.register_request_logging(app)
    register_gate(app)  # after the request id is set, so a redirect is logged too
    return app
