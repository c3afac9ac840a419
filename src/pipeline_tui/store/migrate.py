"""Schema migrations (Alembic), applied on start-up; the database is backed up first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"

BackupHook = Callable[[Engine, str], Path | None]


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, backup: BackupHook | None = None) -> Path | None:
    """Bring the schema to the newest revision; returns the backup taken, if any.

    An up-to-date database costs one query. A database that already holds data at an
    older revision is backed up before anything changes.
    """
    current = current_revision(engine)
    if current == head_revision():
        return None
    backup_path = backup(engine, current) if backup is not None and current is not None else None
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return backup_path
