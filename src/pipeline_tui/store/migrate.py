"""Schema migrations (Alembic), applied on start-up; the database is backed up first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from pipeline_tui.store.errors import StoreError
from pipeline_tui.store.revision import HEAD_REVISION as HEAD_REVISION
from pipeline_tui.store.revision import VERSION_TABLE

MIGRATIONS = Path(__file__).parent / "migrations"

BackupHook = Callable[[Engine, str], Path | None]


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database; None for a new, empty one."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
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
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return backup_path


def _newer_database(revision: str) -> str:
    from pipeline_tui import __version__

    return (
        f"This database was written by a newer pipeline-tui (schema revision {revision}); "
        f"this is pipeline-tui {__version__}, which knows schema revisions up to "
        f"{HEAD_REVISION}, so it was left untouched: update pipeline-tui to open it."
    )
