from eventsapp import ROOT, create_app
from eventsapp.config import database_url_from_env


def test_app_uses_top_level_templates_static_and_instance():
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.template_folder == str(ROOT / "templates")
    assert app.static_folder == str(ROOT / "static")
    assert app.instance_path == str(ROOT / "instance")


def test_database_url_gets_psycopg_driver(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/x")
    assert database_url_from_env() == "postgresql+psycopg://postgres@127.0.0.1/x"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/y")
    assert database_url_from_env() == "postgresql+psycopg://u@h/y"


def test_environment_overrides_config(monkeypatch, tmp_path):
    db_file = tmp_path / "env.sqlite"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_file}")
    monkeypatch.setenv("FLASK_MAIL_PORT", "2525")
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{db_file}"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["SECRET_KEY"] == "from-env"


def test_plain_secret_key_variable_is_read(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/k.sqlite")
    monkeypatch.setenv("SECRET_KEY", "plain-variable")
    assert create_app().config["SECRET_KEY"] == "plain-variable"


def test_generated_secret_key_is_kept_in_instance(tmp_path):
    from eventsapp.config import load_or_create_secret_key

    first = load_or_create_secret_key(str(tmp_path))
    assert len(first) == 64
    assert load_or_create_secret_key(str(tmp_path)) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(app):
    from sqlalchemy import text

    from eventsapp.extensions import db

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 3000
