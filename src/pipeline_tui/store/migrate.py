"""Schema migrations (Alembic), applied on start-up; the database is backed up first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, inspect, text

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions. Kept here so that an up-to-date database
# costs one query at start-up and Alembic is imported only when there is work to do;
# a test checks it against Alembic's own idea of the head.
HEAD_REVISION = "0005"
VERSION_TABLE = "alembic_version"

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
    anything changes.
    """
    current = current_revision(engine)
    if current == HEAD_REVISION:
        return None
    from alembic import command
    from alembic.config import Config

    backup_path = backup(engine, current) if backup is not None and current is not None else None
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return backup_path
