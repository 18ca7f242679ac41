"""init-db and seed are idempotent on a fresh database of each backend."""

import pytest
from sqlalchemy import func, select

from eventsapp import create_app
from eventsapp.extensions import db
from eventsapp.models import AgendaItem, Deliverable, Event, FocusArea, WorkPlan
from tests.support import base_config


def counts(app) -> dict:
    with app.app_context():
        return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
                for m in (WorkPlan, FocusArea, Deliverable, Event, AgendaItem)}


def test_init_db_and_seed_twice_change_nothing_the_second_time(fresh_db_url):
    app = create_app(base_config(fresh_db_url))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert ("Loaded: 1 work plan, 5 focus areas, 8 deliverables, 4 events, 7 agenda items"
            in result.output)
    first = counts(app)
    assert first == {"WorkPlan": 1, "FocusArea": 5, "Deliverable": 8, "Event": 4, "AgendaItem": 7}

    assert runner.invoke(args=["init-db"]).exit_code == 0
    again = runner.invoke(args=["seed"])
    assert "already loaded; nothing changed" in again.output
    assert counts(app) == first
    with app.app_context():
        db.engine.dispose()


def test_seed_keeps_an_organisers_edit(seeded):
    from eventsapp.seed.loader import load_work_plan

    with seeded.app_context():
        ev = db.session.scalar(select(Event).filter_by(slug="star-xi"))
        ev.capacity = 120
        db.session.commit()
        load_work_plan()
        assert db.session.scalar(select(Event.capacity).filter_by(slug="star-xi")) == 120


def test_migrations_match_the_models(fresh_db_url):
    """Autogenerate finds nothing to add: every model change came with a migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    app = create_app(base_config(fresh_db_url))
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        with db.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.engine.dispose()
    assert diffs == []


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_seed_tells_how_to_sign_in_while_no_account_exists(runner, app):
    output = runner.invoke(args=["seed"]).output
    assert output.splitlines()[-2:] == [
        "No organiser account yet. Create one, then sign in at /login:",
        "  .venv/bin/flask --app eventsapp create-user you@example.org --role admin"]
