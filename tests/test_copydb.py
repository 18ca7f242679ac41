"""copy-db moves everything SQLite → PostgreSQL → SQLite, verified by counts and checksums."""

import pytest

from eventsapp import create_app
from eventsapp.extensions import db
from eventsapp.models import Event
from eventsapp.seed.loader import load_work_plan
from tests.support import PG_URL, base_config, fresh_postgres_database, table_checksums

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")



def test_copy_db_round_trip_keeps_every_row(tmp_path):
    source_url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    app = create_app(base_config(source_url))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        load_work_plan()

    with fresh_postgres_database() as pg:
        result = runner.invoke(args=["copy-db", "--to", pg])
        assert result.exit_code == 0, result.output
        assert "Copied and verified" in result.output
        assert table_checksums(pg) == table_checksums(source_url)

        pg_app = create_app(base_config(pg))
        with pg_app.app_context():
            # Sequences continue after the copied ids.
            ev = Event(slug="new-after-copy", title="New")
            db.session.add(ev)
            db.session.commit()
            assert ev.id == 5
            db.session.delete(ev)
            db.session.commit()
            db.engine.dispose()

        back_url = f"sqlite:///{tmp_path / 'back.sqlite'}"
        back = pg_app.test_cli_runner().invoke(args=["copy-db", "--to", back_url])
        assert back.exit_code == 0, back.output
        assert table_checksums(back_url) == table_checksums(source_url)
        assert table_checksums(back_url)["event"].rows == 4

        again = runner.invoke(args=["copy-db", "--to", pg])
        assert again.exit_code == 1
        assert "already has rows" in again.output
