"""The documents migration goes up and down on both databases."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from eventsapp import create_app
from eventsapp.extensions import db
from tests.support import base_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
TABLES = {"document", "document_revision", "document_chunk", "document_settings", "decision",
          "action_item"}


def test_documents_migration_upgrades_and_downgrades(fresh_db_url):
    app = create_app(base_config(fresh_db_url))
    with app.app_context():
        upgrade()
        assert TABLES <= set(inspect(db.engine).get_table_names())
        if db.engine.dialect.name == "postgresql":
            storage = db.session.scalar(text(
                "SELECT attstorage FROM pg_attribute WHERE attrelid = 'document_chunk'::regclass"
                " AND attname = 'data'"))
            db.session.commit()
            assert storage == "e"  # EXTERNAL: out of line, not compressed again
        downgrade(revision="7c1f0a9e2b34")
        assert not TABLES & set(inspect(db.engine).get_table_names())
        upgrade()
        assert TABLES <= set(inspect(db.engine).get_table_names())
        db.session.remove()
        db.engine.dispose()
