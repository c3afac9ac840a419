"""`pipeline-tui backup`: a consistent copy of the SQLite file, safe while the app runs."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from pipeline_tui.store.database import SQLITE_HEADER, backup_sqlite_file, resolve_url
from pipeline_tui.store.errors import StoreError


def default_backup_name(source: Path, now: datetime) -> str:
    return f"{source.name}.{now.strftime('%Y%m%dT%H%M%SZ')}.bak"


def backup_database(path_or_url: str, dest: str | None, now: datetime) -> Path:
    """Copy the database with SQLite's online backup API; returns where the copy is.

    The copy is taken in one step under a read transaction, so it is consistent even
    while another process (the app in another terminal) is writing. Without `dest`
    it goes beside the database, named with the time; an existing file is never
    replaced.
    """
    url = resolve_url(path_or_url)
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() != "sqlite":
        raise StoreError(
            f"Backup copies SQLite files only; back up {shown} with the database's own "
            "tools (for PostgreSQL: pg_dump --format=custom)."
        )
    if url.database in (None, "", ":memory:"):
        raise StoreError("An in-memory database has nothing to back up.")
    assert url.database is not None
    source = Path(url.database)
    if not source.is_file():
        raise StoreError(f"There is no database at {source} to back up.")
    try:
        with source.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise StoreError(f"{source} is not a pipeline-tui database (not an SQLite file).")
    except OSError as error:
        raise StoreError(f"Cannot read {source}: {error.strerror}.") from None
    if dest == "-":  # as export's "-o -": a file named "-" was made instead
        raise StoreError(
            "A backup is an SQLite file, not written to the output; give a file or a "
            "folder (nothing was written)."
        )
    target = Path(dest).expanduser() if dest else source.parent
    if dest and dest.endswith(("/", os.sep)) and not target.is_dir():
        # A folder was meant: the copy went to a file of that name.
        raise StoreError(f"The folder {target} does not exist.")
    if target.is_dir():
        folder, name = target, default_backup_name(source, now)
        target = folder / name
        for number in range(2, 100):
            if not target.exists():
                break
            # Two backups in the same second: the name the rep did not choose moves on.
            target = folder / f"{name.removesuffix('.bak')}-{number}.bak"
    if target.exists():
        raise StoreError(f"{target} already exists; choose another name (nothing was written).")
    if _one_of(target.resolve(), _files_of(source)):
        # Named as the file's log, the copy was read as that log by the next program to
        # open the file, or removed by SQLite as the last connection closed.
        raise StoreError(
            f"{target} is a file SQLite keeps beside {source}; choose another name "
            "(nothing was written)."
        )
    if not target.parent.is_dir():
        if target.parent.exists():  # backup pipeline.db/x.db
            raise StoreError(f"{target.parent} is a file, not a folder (nothing was written).")
        raise StoreError(f"The folder {target.parent} does not exist.")
    try:
        backup_sqlite_file(source, target)
    except sqlite3.Error as error:
        target.unlink(missing_ok=True)
        raise StoreError(f"The backup of {source} failed: {error}.") from None
    except OSError as error:
        raise StoreError(f"Cannot write {target}: {error.strerror}.") from None
    return target


def _files_of(source: Path) -> set[Path]:
    """The files SQLite keeps beside the database (its log, its index, its journal)."""
    real = source.resolve()
    return {real.with_name(real.name + suffix) for suffix in ("-wal", "-shm", "-journal")}


def _one_of(path: Path, files: set[Path]) -> bool:
    """Whether `path` names one of `files`, its case aside (macOS's file systems)."""
    return any(
        path.parent == file.parent and path.name.casefold() == file.name.casefold()
        for file in files
    )
