"""Copy every row from one database to another (SQLite ⇄ PostgreSQL), verified.

A group that outgrows one machine moves its SQLite file to PostgreSQL with
`flask --app eventsapp copy-db --to postgresql://…`; the copy is checked by
row counts and a checksum of every table's content on both sides.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Engine, MetaData, Table, create_engine, func, insert, select

from .files import private_sqlite_database
from .models import Base, counters

BATCH = 1000


class CopyError(Exception):
    """The copy could not be made or did not verify; the message says why."""


@dataclass(frozen=True)
class TableReport:
    name: str
    rows: int
    checksum: str


def normalise_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def copy_database(source: Engine, target_url: str) -> list[TableReport]:
    """Copy all tables into an empty target; return per-table counts and checksums.

    :raises CopyError: the target already holds data, or the copy does not verify.
    """
    target = create_engine(normalise_url(target_url))
    if target.dialect.name == "sqlite":
        private_sqlite_database(target.url.database)  # a backup holds the same personal data
    try:
        Base.metadata.create_all(target)
        tables = Base.metadata.sorted_tables
        with target.connect() as conn:
            for table in tables:
                if conn.scalar(select(func.count()).select_from(table)):
                    raise CopyError(f"The target database already has rows in {table.name}; "
                                    "copy only into an empty database.")
        with source.connect() as src, target.begin() as dst:
            for table in tables:
                result = src.execution_options(stream_results=True).execute(
                    select(table).order_by(*table.primary_key.columns))
                while batch := result.fetchmany(BATCH):
                    dst.execute(insert(table), [row._asdict() for row in batch])
            # The copied registrations fired the counter triggers on top of the copied
            # counters; the rows are the truth, and the checksums below compare the result.
            dst.exec_driver_sql(counters.RECOUNT)
            _copy_alembic_version(src, dst)
            if dst.dialect.name == "postgresql":
                _reset_sequences(dst, tables)
        reports = []
        with source.connect() as src, target.connect() as dst:
            for table in tables:
                a, b = table_checksum(src, table), table_checksum(dst, table)
                if a != b:
                    raise CopyError(f"Table {table.name} differs after the copy "
                                    f"({a.rows} rows → {b.rows} rows).")
                reports.append(a)
        return reports
    finally:
        target.dispose()


def table_checksum(conn, table: Table) -> TableReport:
    digest = hashlib.sha256()
    rows = 0
    for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
        digest.update(json.dumps([_plain(v) for v in row], ensure_ascii=False).encode())
        rows += 1
    return TableReport(table.name, rows, digest.hexdigest())


def _plain(value):
    if isinstance(value, datetime | date | time):  # time: reminder rules' local time
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return value


def _copy_alembic_version(src, dst) -> None:
    meta = MetaData()
    meta.reflect(src, only=lambda name, _: name == "alembic_version")
    if "alembic_version" not in meta.tables:
        return
    version_table = meta.tables["alembic_version"]
    version_table.create(dst, checkfirst=True)
    dst.execute(version_table.delete())
    dst.execute(insert(version_table), [r._asdict() for r in src.execute(select(version_table))])


def _reset_sequences(conn, tables) -> None:
    # Rows keep their ids; the sequences must continue after the highest one.
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement is not False and pk[0].type.python_type is int:
            col = pk[0]
            highest = select(func.coalesce(func.max(col), 0)).scalar_subquery()
            sequence = func.pg_get_serial_sequence(f'"{table.name}"', col.name)
            conn.execute(select(func.setval(sequence, highest + 1, False)))


