"""The test fixtures' shortcuts give the same database a fresh `create_all` gives."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from sqlalchemy import create_engine, text

from eventsapp import create_app
from eventsapp.extensions import db
from eventsapp.models import Base, Event, Registration
from tests.support import PG_URL, base_config, pg_url, reset_postgres, sqlite_schema

SAMPLES = {"UnicodeConverter": "Ana Lim/ü?&", "PathConverter": "a b/ç/d",
           "BoundedIntConverter": 42, "IntegerConverter": 42}


def _sqlite_master(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        journal = conn.execute("PRAGMA journal_mode").fetchone()
    return rows + [("journal_mode", journal[0], None, None)]


def test_copied_sqlite_schema_equals_a_fresh_create_all(tmp_path):
    fresh = tmp_path / "fresh.sqlite"
    app = create_app(base_config(f"sqlite:///{fresh}"))
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    copied = tmp_path / "copied.sqlite"
    shutil.copyfile(sqlite_schema(), copied)

    expected = _sqlite_master(fresh)
    assert _sqlite_master(copied) == expected
    triggers = sorted(name for kind, name, _t, _s in expected if kind == "trigger")
    assert triggers == ["registration_counted_delete", "registration_counted_insert",
                        "registration_counted_update"]
    assert len([row for row in expected if row[0] == "table"]) == len(Base.metadata.tables)


def test_copied_sqlite_schema_has_no_rows(tmp_path):
    copied = tmp_path / "copied.sqlite"
    shutil.copyfile(sqlite_schema(), copied)
    with sqlite3.connect(copied) as conn:
        counts = {t.name: conn.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0]
                  for t in Base.metadata.sorted_tables}
    assert set(counts.values()) == {0}


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set")
def test_postgres_reset_empties_every_table_and_restarts_ids_and_keeps_counters():
    url = pg_url()
    reset_postgres(url)
    app = create_app(base_config(url))
    with app.app_context():
        from datetime import date

        event = Event(slug="reset-check", title="Reset check", kind="meeting",
                      status="published", timezone="UTC", start_date=date(2030, 1, 1),
                      end_date=date(2030, 1, 2), capacity=5)
        db.session.add(event)
        db.session.flush()
        db.session.add(Registration(
            event_id=event.id, given_name="Ana", family_name="Lim", email="a@example.org",
            email_normalized="a@example.org", status="confirmed", token_hash="t" * 64,
            feed_token_hash="f" * 64, checkin_code="C1"))
        db.session.commit()
        assert (event.id, event.confirmed_count) == (1, 1)
        db.session.remove()
        db.engine.dispose()

    reset_postgres(url)

    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {t.name: conn.scalar(text(f'SELECT count(*) FROM "{t.name}"'))
                  for t in Base.metadata.sorted_tables}
        moved = conn.scalars(text(
            "SELECT sequencename FROM pg_sequences WHERE last_value IS NOT NULL")).all()
        triggers = conn.scalars(text(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname")).all()
    engine.dispose()
    assert set(counts.values()) == {0}
    assert moved == []
    assert triggers == ["registration_counted_delete", "registration_counted_insert",
                        "registration_counted_update"]

    app = create_app(base_config(url))
    with app.app_context():
        again = Event(slug="reset-check", title="Reset check", kind="meeting",
                      status="published", timezone="UTC", start_date=date(2030, 1, 1),
                      end_date=date(2030, 1, 2), capacity=5)
        db.session.add(again)
        db.session.commit()
        assert (again.id, again.confirmed_count) == (1, 0)
        db.session.remove()
        db.engine.dispose()


def test_lazy_url_builders_build_every_rule_as_werkzeug_does(tmp_path):
    from werkzeug.routing.rules import Rule

    eager = Rule._compile_builder.eager  # conftest made the builders lazy
    app = create_app(base_config(f"sqlite:///{tmp_path / 'urls.sqlite'}"))
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 150
    built = 0
    for rule in rules:
        values = {arg: SAMPLES[type(rule._converters[arg]).__name__]
                  for arg in rule.arguments if arg not in (rule.defaults or {})}
        extra = {**values, "next": "/a b?c=1", "page": 2}
        for append_unknown, given in ((False, values), (True, extra)):
            expected = eager(rule, append_unknown).__get__(rule, None)(**given)
            assert rule.build(given, append_unknown) == expected, rule.rule
            assert rule.build(given, append_unknown) == expected, rule.rule  # compiled now
            built += 1
    assert built == 2 * len(rules)
    with app.test_request_context():
        from flask import url_for

        assert url_for("static", filename="a b.css") == "/static/a%20b.css"
