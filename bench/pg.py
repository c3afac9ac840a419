"""Benchmark databases on PostgreSQL, copied from the cached SQLite ones with COPY.

The server is the one in PIPELINE_TUI_TEST_PG_URL (`scripts/with-postgres.sh` starts a
throwaway one on loopback and passes it); the bench never touches the database named
in that URL beyond connecting to it to create its own, one per size, named after the
SQLite file (card count, notes per card, schema revision, dataset version). On a
server that outlives the run, a database already built is reused (the cache); on the
throwaway server of `make bench` it is built each run.

The schema is the real one (`open_database` runs the migrations, so the full-text
search's generated tsvector columns and GIN indexes are PostgreSQL's own); the rows
are the SQLite database's, streamed with COPY (binary psycopg), with the secondary
indexes dropped during the load and rebuilt after it, then vacuumed and analysed as
autovacuum would on a team's server. Without the vacuum the tables' visibility maps
are empty, so every index-only scan reads the table too (the board's header count at
100,000 cards took 730 ms instead of 490), and autovacuum may start on them in the
middle of the measurements.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from pipeline_tui.store import open_database

TABLES = ("card", "activity", "stage_event", "touchpoint", "research_note", "qualification_answer")
"""In dependency order (foreign keys point up the list)."""
BUILT_MARK = "pipeline-tui bench: complete, vacuumed"
"""Changed when the build changes, so a copy made the older way is built again."""


def database_url(server_url: str, sqlite_file: Path) -> str:
    name = "bench_" + sqlite_file.stem.replace("-", "_")
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as psycopg's conninfo."""
    parsed = make_url(url)
    return psycopg.conninfo.make_conninfo(
        host=parsed.host or "",
        port=parsed.port or 5432,
        user=parsed.username or "",
        password=parsed.password or "",
        dbname=parsed.database or "",
    )


def ensure_database(
    server_url: str, sqlite_file: Path, log: Callable[[str], None]
) -> tuple[str, float | None]:
    """The URL of this SQLite database's copy on the server; seconds spent building it
    (None when it was there already)."""
    url = database_url(server_url, sqlite_file)
    name = make_url(url).database
    with psycopg.connect(_libpq(server_url), autocommit=True) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (name,),
        ).fetchone()
        if row is not None and row[0] == BUILT_MARK:
            return url, None
        if row is not None:  # a build that did not finish
            admin.execute(f'DROP DATABASE "{name}"')
        log(f"building {name} on PostgreSQL (COPY from {sqlite_file.name})...")
        started = time.perf_counter()
        admin.execute(f'CREATE DATABASE "{name}"')
    open_database(url).close()  # the schema, by the real migrations
    with psycopg.connect(_libpq(url)) as connection:
        _copy_rows(connection, sqlite_file)
    with psycopg.connect(_libpq(url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    with psycopg.connect(_libpq(server_url), autocommit=True) as admin:
        admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{BUILT_MARK}'")
    return url, time.perf_counter() - started


def _copy_rows(connection: psycopg.Connection, sqlite_file: Path) -> None:
    connection.execute("SET maintenance_work_mem = '256MB'")
    indexes = connection.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i"
        " JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid"
        " WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)"
        " AND NOT x.indisprimary AND NOT x.indisunique",
        (list(TABLES),),
    ).fetchall()
    for index_name, _ in indexes:
        connection.execute(f'DROP INDEX "{index_name}"')
    with closing(sqlite3.connect(sqlite_file)) as source:
        for table in TABLES:
            columns = _copied_columns(connection, source, table)
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = source.execute(f"SELECT {listed} FROM {table}")
            with connection.cursor().copy(f"COPY {table} ({listed}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
    for _, definition in indexes:
        connection.execute(definition)
    connection.commit()


def _copied_columns(
    connection: psycopg.Connection, source: sqlite3.Connection, table: str
) -> list[str]:
    """The table's columns on both sides, less PostgreSQL's generated ones."""
    theirs = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
    ours = {
        row[0]
        for row in connection.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = %s AND is_generated = 'NEVER'",
            (table,),
        )
    }
    return [column for column in theirs if column in ours]
