"""The documented PostgreSQL backup (pg_dump -Fc) restores to identical tables."""

import shutil
import subprocess

import pytest

from eventsapp import create_app
from eventsapp.seed.loader import load_work_plan
from tests.support import PG_URL, base_config, fresh_postgres_database, table_checksums

pytestmark = pytest.mark.skipif(
    not PG_URL or not shutil.which("pg_dump"), reason="needs PostgreSQL and pg_dump")


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")



def test_pg_dump_and_restore_give_identical_tables(tmp_path):
    with fresh_postgres_database() as live, fresh_postgres_database() as restored:
        app = create_app(base_config(live))
        assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
        with app.app_context():
            load_work_plan()
            from eventsapp.extensions import db
            db.engine.dispose()
        dump = tmp_path / "eventsapp.dump"
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), libpq_url(live)], check=True)
        subprocess.run(["pg_restore", "--no-owner", "-d", libpq_url(restored), str(dump)],
                       check=True)
        assert table_checksums(restored) == table_checksums(live)
        assert table_checksums(restored)["deliverable"].rows == 8
