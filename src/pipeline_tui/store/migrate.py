"""Schema migrations (Alembic), applied on start-up; the database is backed up first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from pipeline_tui.store.errors import StoreError
from pipeline_tui.store.revision import HEAD_REVISION as HEAD_REVISION
from pipeline_tui.store.revision import VERSION_TABLE

MIGRATIONS = Path(__file__).parent / "migrations"

BackupHook = Callable[[Engine, str], Path | None]
EXTENSION_TABLES = frozenset({"spatial_ref_sys"})
"""Tables a PostgreSQL extension puts in a new database's schema (PostGIS, which some
managed servers install everywhere): a database holding only these is empty."""


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database; None for a new, empty one. A database with
    tables but no revision is another program's, and is refused before anything is
    written to it: `pipeline-tui list --db other.db` had added pipeline-tui's 35 tables
    to it, silently and with no backup."""
    with engine.connect() as connection:
        inspector = inspect(connection)
        if not inspector.has_table(VERSION_TABLE):
            if others := [t for t in inspector.get_table_names() if t not in EXTENSION_TABLES]:
                url = engine.url
                where = url.database if url.get_backend_name() == "sqlite" else None
                raise StoreError(
                    another_programs(where or url.render_as_string(hide_password=True), others)
                )
            return None
        revision = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        return str(revision) if revision is not None else None


def migrate(engine: Engine, backup: BackupHook | None = None) -> Path | None:
    """Bring the schema to the newest revision; returns the backup taken, if any.

    A database that already holds data at an older revision is backed up before
    anything changes. One written by a newer release (a revision this one does not
    know) is refused before anything is written or copied: migrating it "back" would
    lose what the newer release stored.
    """
    current = current_revision(engine)
    if current == HEAD_REVISION:
        return None
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if current is not None:
        known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
        if current not in known:
            raise StoreError(_newer_database(current))
    backup_path = backup(engine, current) if backup is not None and current is not None else None
    with schema_change(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return backup_path


@contextmanager
def schema_change(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction, for migrations. On SQLite, foreign keys are not
    enforced meanwhile and every one is checked before the commit, as SQLite's own
    procedure for altering a table has it: a table is altered by copying it and
    dropping the old one, and dropping a parent table (the card) with them enforced
    deletes every row that belongs to it (ON DELETE CASCADE)."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    with engine.connect() as connection:
        # Set outside any transaction, where SQLite takes it (inside one it is ignored).
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                # Rows already pointing nowhere (the file edited by another program with
                # enforcement off) are not the change's doing: only new ones refuse it.
                before = _broken_keys(connection)
                yield connection
                broken = _broken_keys(connection)
                if len(broken) > len(before):
                    raise StoreError(
                        f"Updating the database's schema left {len(broken) - len(before):,}"
                        " rows pointing at rows that are not there (in table"
                        f" {broken[-1][0]}), so nothing was changed."
                    )
        finally:
            driver.execute("PRAGMA foreign_keys = ON")


def _broken_keys(connection: Connection) -> list[tuple[object, ...]]:
    return [tuple(row) for row in connection.exec_driver_sql("PRAGMA foreign_key_check")]


def another_programs(where: str, tables: list[str]) -> str:
    """What is said of a database (`where`) holding `tables` and no schema revision."""
    shown = ", ".join(sorted(tables)[:3]) + (", ..." if len(tables) > 3 else "")
    return (
        f"{where} holds another program's tables ({shown}), not a pipeline-tui "
        "database, so it was left untouched: give pipeline-tui a new file or an empty "
        "database."
    )


def _newer_database(revision: str) -> str:
    from pipeline_tui import __version__

    return (
        f"This database was written by a newer pipeline-tui (schema revision {revision}); "
        f"this is pipeline-tui {__version__}, which knows schema revisions up to "
        f"{HEAD_REVISION}, so it was left untouched: update pipeline-tui to open it."
    )
