"""Shared fixtures: every test gets private XDG folders, UTC, and a fixed "today"."""

from __future__ import annotations

import copy
import gc
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from sqlalchemy.engine import URL, make_url

from pipeline_tui.store import Database, PipelineService, open_database
from pipeline_tui.store.models import Base

T = TypeVar("T")

SeedFile = Callable[[Path, Callable[["Database"], Any]], Any]
"""The `seed_file` fixture: `seed_file(path, seed)`."""
OpenSeeded = Callable[[Callable[["Database"], Any]], tuple["Database", Any]]
"""The `open_seeded` fixture: `open_seeded(seed)`."""

# A Monday, so week-boundary logic gets exercised by default.
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """`--snapshot-update` runs in one process, even when asked for pytest-xdist workers:
    syrupy deletes the snapshots no test uses any more only when it sees the whole run."""
    if config.getoption("--snapshot-update", default=False):
        config.option.numprocesses = 0


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Never touch the real user's config or data; make times and colours reproducible."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    # Dates typed as 5/1 are read in the locale's order unless the config says.
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_TIME", raising=False)
    monkeypatch.delenv("PIPELINE_TUI_DB", raising=False)
    monkeypatch.delenv("PIPELINE_TUI_CONFIG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    # Textual read it on import (the frame rate `make test` gives the apps run here);
    # a program a test starts draws at the rate a rep's does.
    monkeypatch.delenv("TEXTUAL_FPS", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    time.tzset()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's SQLite file goes; nothing is there yet."""
    return tmp_path / "pipeline.db"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file at the head revision with no data, made once per test process:
    copying it takes about 2 ms where migrating a new file takes about 70 ms, for
    each of several hundred tests."""
    path = tmp_path_factory.mktemp("sqlite-template") / "pipeline.db"
    open_database(str(path)).close()
    return path


# PostgreSQL ------------------------------------------------------------------------------
#
# `make test` runs pytest under scripts/with-postgres.sh, which starts a throwaway server
# and passes its URL in PG_URL_ENV. Test modules marked `both_backends` run every test
# that uses the database fixtures once on SQLite and once on PostgreSQL, each PostgreSQL
# test in a database of its own.

PG_URL_ENV = "PIPELINE_TUI_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        node = metafunc.definition
        both = node.get_closest_marker("both_backends") and not node.get_closest_marker(
            "sqlite_only"
        )
        metafunc.parametrize("backend", BACKENDS if both else BACKENDS[:1], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def pg_url() -> URL:
    """The test server's maintenance database; in CI a missing server is a failure."""
    raw = os.environ.get(PG_URL_ENV)
    if not raw:
        why = os.environ.get("PIPELINE_TUI_TEST_PG_SKIP_REASON") or (
            f"{PG_URL_ENV} is not set (run the tests with scripts/with-postgres.sh or make test)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI: {why}", pytrace=False)
        pytest.skip(f"no PostgreSQL test server: {why}")
    return make_url(raw)


@pytest.fixture(scope="session")
def pg_admin(pg_url: URL) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    conninfo = pg_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        yield connection


@contextmanager
def _scratch_database(
    pg_url: URL, pg_admin: psycopg.Connection[tuple[object, ...]], template: str = "template1"
) -> Iterator[str]:
    name = f"test_{uuid.uuid4().hex[:16]}"
    pg_admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
    try:
        yield pg_url.set(database=name).render_as_string(hide_password=False)
    finally:
        pg_admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_shared(pg_url: URL, pg_admin: psycopg.Connection[tuple[object, ...]]) -> Iterator[str]:
    """A database migrated to the head revision, one per test process (so one per
    pytest-xdist worker), emptied before each test; its URL. Truncating every table
    takes about 45 ms; copying a migrated template with CREATE DATABASE ... TEMPLATE
    (and dropping it after) about 200 ms."""
    with _scratch_database(pg_url, pg_admin) as url:
        open_database(url).close()
        yield url


@pytest.fixture
def pg_database(pg_shared: str) -> Iterator[str]:
    """A PostgreSQL database at the head revision with no data, for this test alone."""
    conninfo = make_url(pg_shared).set(drivername="postgresql")
    with psycopg.connect(conninfo.render_as_string(hide_password=False), autocommit=True) as admin:
        # Nothing from an earlier test (a killed subprocess, say) may hold a lock.
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        admin.execute(EMPTY_EVERY_TABLE)
    yield pg_shared


# A test leaves a few rows: deleting them (children first), restarting the id
# sequences and counting the rows again takes about 4 ms, where TRUNCATE ... RESTART
# IDENTITY took 11-17 ms a test, giving every table and index a new file.
EMPTY_EVERY_TABLE = f"""
DO $$
DECLARE s record;
BEGIN
    {" ".join(f"DELETE FROM {t.name};" for t in reversed(Base.metadata.sorted_tables))}
    FOR s IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() LOOP
        EXECUTE format('ALTER SEQUENCE %I RESTART', s.sequencename);
    END LOOP;
END $$;
-- The row estimates too, which the search reads (search._pg_table_rows): TRUNCATE
-- reset them, DELETE leaves what an earlier test's ANALYZE (or autovacuum) counted.
ANALYZE {", ".join(t.name for t in Base.metadata.sorted_tables)}"""


@pytest.fixture
def pg_empty_database(
    pg_url: URL, pg_admin: psycopg.Connection[tuple[object, ...]]
) -> Iterator[str]:
    """A PostgreSQL database of the test's own with no tables at all (for migrations)."""
    with _scratch_database(pg_url, pg_admin) as url:
        yield url


@pytest.fixture
def db_url(backend: str, db_path: Path, request: pytest.FixtureRequest) -> str:
    """The test's own database at the head revision with no data: an SQLite path (a
    copy of the template, so at `db_path`), or a PostgreSQL URL."""
    if backend == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), db_path)  # keeps its 0600
        return str(db_path)
    return str(request.getfixturevalue("pg_database"))


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = open_database(db_url)
    yield db
    db.close()


@pytest.fixture
def service(database: Database) -> PipelineService:
    return PipelineService(database, user="sam", clock=lambda: NOW)


@pytest.fixture(scope="session")
def _seeded_files() -> dict[object, tuple[Path, Any]]:
    return {}


@pytest.fixture
def seed_file(
    _seeded_files: dict[object, tuple[Path, Any]],
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> SeedFile:
    """`seed_file(path, seed)` puts at `path` an SQLite file at the head revision filled
    by `seed(database)`, and returns what `seed` returned (card ids, say). `seed` runs
    once per test process, on a copy of the empty template, and that file is copied
    for every later test: the call queue's or the team's pipeline took about 150 ms of
    CPU to add through the service, and copying it takes about 2 ms."""

    def fill(path: Path, seed: Callable[[Database], T]) -> T:
        made = _seeded_files.get(seed)
        if made is None:
            kept = tmp_path_factory.mktemp("seeded") / "pipeline.db"
            shutil.copy(request.getfixturevalue("sqlite_template"), kept)
            database = open_database(str(kept))
            try:
                result = seed(database)
            finally:
                database.close()
            assert not kept.with_name(kept.name + "-wal").exists(), "not all in the file"
            made = _seeded_files[seed] = (kept, result)
        shutil.copy(made[0], path)  # keeps its 0600
        return copy.deepcopy(made[1])

    return fill


@pytest.fixture
def open_seeded(backend: str, db_url: str, seed_file: SeedFile) -> Iterator[OpenSeeded]:
    """`open_seeded(seed)`: the test's own database (as `database`) filled by
    `seed(database)`, and what `seed` returned. On SQLite a copy of the file seeded
    once per process (`seed_file`); on PostgreSQL seeded in place. Closed at the end."""
    opened: list[Database] = []

    def open_(seed: Callable[[Database], T]) -> tuple[Database, T]:
        if backend == "sqlite":
            result = seed_file(Path(db_url), seed)
            database = open_database(db_url)
        else:
            database = open_database(db_url)
            result = seed(database)
        opened.append(database)
        return database, result

    yield open_
    for database in opened:
        database.close()


TEST_GC_THRESHOLDS = (200_000, 100, 100)
"""Within a test, a young collection only once 200,000 more objects are alive than at
the last one, and older ones hardly ever (each after a hundred of the one below)."""


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """What is alive once the tests are collected (Textual, SQLAlchemy, every test
    module) lives for the whole run: it is frozen, never walked by a collection again,
    as the app's own start-up does (cli.freeze_for_good)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*TEST_GC_THRESHOLDS)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Every Pilot session builds a few hundred thousand objects, most of them in
    reference cycles (widgets and their parents, Textual's strips and their caches) that
    live as long as the app. A collector run on its usual counts while the test runs
    walks them in young, middle and full collections while they are all still alive,
    and keeps the garbage of earlier tests until a full one; so in a test it hardly
    runs (TEST_GC_THRESHOLDS), and the test's garbage is collected once, after its
    teardown. What is still alive then (module caches, session fixtures) is frozen, so
    no later test walks it again. On the Pilot-heavy test files this is about a quarter
    less CPU, and memory, than thresholds of (20_000, 20, 100) with no collection
    between tests. The thresholds are set for each test, as a test may change them."""
    gc.set_threshold(*TEST_GC_THRESHOLDS)
    try:
        return (yield)
    finally:
        gc.collect()
        gc.freeze()
