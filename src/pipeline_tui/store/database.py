"""Opening the database: URL resolution, SQLite safety settings, migrations on start-up.

SQLite is the embedded default (WAL, foreign keys, busy timeout, file created 0600);
PostgreSQL is reached with a `postgresql+psycopg://` URL and the same code.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import socket
import sqlite3
import stat
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from sqlalchemy import Engine, create_engine, event, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from pipeline_tui.store.errors import StoreError
from pipeline_tui.store.migrate import EXTENSION_TABLES, another_programs, migrate
from pipeline_tui.store.models import BoardClockRow
from pipeline_tui.store.revision import VERSION_TABLE

SQLITE_HEADER = b"SQLite format 3\x00"


def is_sqlite_file(path: Path) -> bool:
    """Whether `path` is an SQLite database file (False if it cannot be read)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def remove_if_unused(path: Path) -> bool:
    """Remove the SQLite database at `path` (with its -wal and -shm files) if it holds
    no card, as one that a command which then failed has just created does; whether
    it was removed."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            (cards,) = db.execute("SELECT count(*) FROM card").fetchone()
    except sqlite3.Error:
        return False
    if cards:
        return False
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return True


BUSY_TIMEOUT_MS = 5000
CONNECT_TIMEOUT_S = 10
JIT_SINCE = 110000
"""PostgreSQL 11, the first with a `jit` setting (server_version as libpq gives it)."""


@dataclass
class Database:
    """One engine per process and the sessions made from it."""

    engine: Engine
    url: URL
    backup_path: Path | None = None
    revision: int | None = None
    """The board clock's number for this process's last counted write (None: none yet)."""
    answer_timeout: float | None = None
    """PostgreSQL: seconds a read or write may wait for the server before it is given up
    (None: for ever). The board sets it: a frozen server must not freeze the board."""
    _file: _FileIdentity | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # PostgreSQL: one snapshot for the whole read, as SQLite's read transaction is;
        # at READ COMMITTED each statement of a view would see the writes committed
        # before it (a column's ids without the card its header counts). READ ONLY: a
        # write slipped into a read fails at once, not now and then on a conflict.
        reads = self.engine
        if self.url.get_backend_name() == "postgresql":
            reads = self.engine.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        self._read = sessionmaker(reads, expire_on_commit=False)
        # SQLite: take the write lock at BEGIN so a write never fails half-way on a
        # lock upgrade when another process is writing too.
        self._write = sessionmaker(
            self.engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )
        if self.is_sqlite and self.url.database not in (None, "", ":memory:"):
            assert self.url.database is not None
            self._file = _FileIdentity(Path(self.url.database))
        self._watchdog = _Watchdog(self.engine) if not self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def identity(self) -> str:
        """The database as one string however it was named (a path, an sqlite:/// URL,
        through a link or `..`): the calendar's event ids are made from it, and a
        database named another way gave a subscribed calendar a second set of events.
        The URL with no password, with the SQLite file's real path."""
        url = self.url
        if self.is_sqlite and url.database not in (None, "", ":memory:"):
            assert url.database is not None
            url = url.set(drivername="sqlite+pysqlite", database=os.path.realpath(url.database))
        return url.render_as_string(hide_password=True)

    @property
    def display_url(self) -> str:
        """The URL with any password masked, safe to print."""
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """One short read; a database that fails under it (a server gone, a damaged
        file) becomes a StoreError with one sentence, never a traceback."""
        if self._file is not None:
            self._file.notice()  # a replaced file's log is set aside before it is read
        with self._answer_in_time() as timer:
            try:
                with self._read() as session, session.begin():
                    yield session
            except DBAPIError as error:
                if timer.expired:
                    raise StoreError(self._no_answer()) from None
                raise StoreError(_describe_db_error(self.url, error)) from None

    @contextmanager
    def write(self, *, counted: bool = True) -> Iterator[Session]:
        """One short transaction: committed on success, rolled back on any error.

        A counted write adds one to the board clock; `revision` is then the number it
        got. Writes that change nothing a board shows (a draft being typed) are not
        counted, so other apps do not read their boards again for them.

        Refused before it starts, and again before it commits, when the SQLite file is
        no longer the one that was opened (deleted, or another file moved over it):
        what is written then would be lost or would damage the new file. Reads go on,
        from the file the connections have open.
        """
        if self._file is not None:
            self._file.check()
        with self._answer_in_time() as timer, self._transaction(timer) as session:
            yield session
            if counted:
                revision = session.execute(
                    update(BoardClockRow)
                    .where(BoardClockRow.id == 1)
                    .values(revision=BoardClockRow.revision + 1)
                    .returning(BoardClockRow.revision)
                    .execution_options(synchronize_session=False)
                ).scalar()
                if revision is None:  # the row was emptied out (a truncated table)
                    session.add(BoardClockRow(id=1, revision=1))
                    revision = 1
        if counted:
            self.revision = revision

    @contextmanager
    def _transaction(self, timer: _Timer) -> Iterator[Session]:
        try:
            with self._write() as session, session.begin():
                yield session
                if self._file is not None:
                    self._file.check()
        except DBAPIError as error:
            if timer.expired:
                raise StoreError(self._no_answer(committing=timer.committing)) from None
            if isinstance(error, OperationalError) and _is_busy(error):
                raise  # the service says the database is busy, and to try again
            why = _lower_first(_describe_db_error(self.url, error))
            raise StoreError(f"Your change was not saved: {why}") from None

    @contextmanager
    def _answer_in_time(self) -> Iterator[_Timer]:
        if self._watchdog is None or self.answer_timeout is None:
            yield _Timer()
            return
        with self._watchdog.timer(self.answer_timeout) as timer:
            yield timer

    def _no_answer(self, *, committing: bool = False) -> str:
        seconds = f"{self.answer_timeout:g} second{'s' if self.answer_timeout != 1 else ''}"
        if committing:
            return (
                f"{self.display_url} stopped answering for {seconds} while the change was "
                "being committed; the board shows whether it was saved once the server answers."
            )
        return f"{self.display_url} did not answer for {seconds}; nothing was saved."

    def close(self) -> None:
        self.engine.dispose()


PROCESS_FILES = "/proc/self/fd"
"""Linux: this process's open files, each a link to the file's path."""
LOG_DELETED = "log deleted"


class DatabaseReplacedError(StoreError):
    """The SQLite file was deleted or replaced while it was open; nothing more is written."""


class _FileIdentity:
    """The SQLite file as it was opened (device and inode), to notice it being deleted or
    replaced (`mv backup.db pipeline.db`) under the running app.

    Connections keep the old file open, so writes would go on succeeding: into a
    deleted file, or into the write-ahead log that SQLite finds by name, which the next
    program to open the new file reads into it, damaging it. So once the file is gone
    nothing more is written, and the old file's log is set aside (renamed, never
    deleted: it may hold the last changes made to the old file).

    The log alone can go too: SQLite deletes it when the last connection to the file
    closes, and a program that wrongly believes it is the last (its locks were dropped,
    or someone ran `rm pipeline.db-wal`) deletes it under this one's open connections.
    They then go on committing into the deleted log, which no other program reads:
    each program would see changes the other does not, and overwrite them. On Linux a
    write looks for that before it commits, and a copy of the deleted log is kept
    (set aside), private as the file is, for whoever recovers by hand.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        # Beside the file itself, as SQLite finds it, not beside a link to it.
        self.log = Path(f"{os.path.realpath(path)}-wal")
        self.identity = self._stat(path)
        self.log_identity = self._stat(self.log)
        self.lost: str | None = None
        self.kept_in: Path | None = None
        # As the kernel names the log of a deleted file among this process's open files.
        self._deleted_log = f"{self.log} (deleted)"

    @staticmethod
    def _stat(path: Path) -> tuple[int, int] | None:
        try:
            found = os.stat(path)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StoreError(f"Cannot check {path}: {error.strerror}.") from None
        return (found.st_dev, found.st_ino)

    def notice(self) -> bool:
        """Whether the file is still the one opened (checked again each time)."""
        if self.lost is None and self.identity is not None:
            now = self._stat(self.path)
            if now == self.identity:
                self.log_identity = self._stat(self.log) or self.log_identity
                return True
            self.lost = "deleted" if now is None else "replaced by another file"
            self._set_aside_log()
        return self.lost is None

    def check(self) -> None:
        if self.notice() and self._log_in_place():
            return
        if self.lost == LOG_DELETED:
            kept = f" (a copy of the log is in {self.kept_in})" if self.kept_in else ""
            raise DatabaseReplacedError(
                f"{self.log} was deleted while pipeline-tui had it open, so nothing more is "
                f"saved to {self.path}{kept}; copy what you typed elsewhere and restart "
                "pipeline-tui."
            )
        raise DatabaseReplacedError(
            f"{self.path} was {self.lost} while pipeline-tui had it open, so nothing more "
            "is saved to it; copy what you typed elsewhere and restart pipeline-tui."
        )

    def _log_in_place(self) -> bool:
        """Whether no connection of this process has the file's log open after it was
        deleted (Linux; elsewhere, True)."""
        if self.lost is not None:
            return False
        try:
            handles = os.listdir(PROCESS_FILES)
        except OSError:
            return True
        for handle in handles:
            try:
                if os.readlink(f"{PROCESS_FILES}/{handle}") != self._deleted_log:
                    continue
            except OSError:
                continue  # closed since the listing
            self.lost = LOG_DELETED
            self.kept_in = self._copy_out_deleted_log(f"{PROCESS_FILES}/{handle}")
            return False
        return True

    def _copy_out_deleted_log(self, handle: str) -> Path | None:
        """A private copy of the deleted log open as `handle`, beside the file under a
        name no other file has; None if none could be made."""
        try:
            deleted = open(handle, "rb")  # noqa: SIM115 - closed below
        except OSError:
            return None
        with deleted:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            for number in range(1, 100):
                suffix = "" if number == 1 else f"-{number}"
                kept = self.log.with_name(f"{self.log.name}.{stamp}{suffix}.set-aside")
                try:
                    made = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except FileExistsError:
                    continue  # another app's copy, or the old file's log set aside
                except OSError:
                    return None
                try:
                    with os.fdopen(made, "wb") as copy:
                        shutil.copyfileobj(deleted, copy)
                except OSError:
                    kept.unlink(missing_ok=True)  # made here: a part copy would pass for whole
                    return None
                return kept
        return None

    def _set_aside_log(self) -> None:
        if self.log_identity is None or self._stat(self.log) != self.log_identity:
            return  # no log, or not the old file's
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        with suppress(OSError):
            os.replace(self.log, self.log.with_name(f"{self.log.name}.{stamp}.set-aside"))
            self.path.with_name(self.path.name + "-shm").unlink(missing_ok=True)


@dataclass
class _Timer:
    expired: bool = False
    committing: bool = False


class _Watchdog:
    """Gives up on a PostgreSQL call that gets no answer in time.

    A server that is frozen (stopped with SIGSTOP, or a dead VPN that still acks) leaves
    the driver waiting for ever: the kernel keeps the connection open, so neither TCP
    keepalives nor libpq's own timeouts end the wait, and a cancel request goes
    unanswered too. When a deadline passes, the sockets of the engine's connections are
    shut down: the waiting call then fails at once, and the pool makes new connections
    when the server answers again.
    """

    def __init__(self, engine: Engine) -> None:
        self._connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self._deadlines: dict[int, tuple[float, _Timer]] = {}
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._local = threading.local()
        # First of the connect listeners: the others talk to the server (SET jit), and
        # a server that freezes then must already have this socket to shut down.
        event.listen(engine, "connect", self._connected, insert=True)
        event.listen(engine, "commit", self._committing)

    def _connected(self, dbapi_connection: Any, _record: Any) -> None:
        self._connections.add(dbapi_connection)

    def _committing(self, _connection: Any) -> None:
        timer = getattr(self._local, "timer", None)
        if timer is not None:
            timer.committing = True

    @contextmanager
    def timer(self, seconds: float) -> Iterator[_Timer]:
        timer = _Timer()
        key = id(timer)
        with self._wake:
            self._deadlines[key] = (time.monotonic() + seconds, timer)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._watch, name="pipeline-tui-watchdog", daemon=True
                )
                self._thread.start()
            self._wake.notify()
        outer, self._local.timer = getattr(self._local, "timer", None), timer
        try:
            yield timer
        finally:
            self._local.timer = outer
            with self._wake:
                self._deadlines.pop(key, None)

    def _watch(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                expired = [t for deadline, t in self._deadlines.values() if deadline <= now]
                if expired:
                    for timer in expired:
                        timer.expired = True
                    self._deadlines = {k: v for k, v in self._deadlines.items() if not v[1].expired}
                    self._cut_connections()
                    continue
                upcoming = [deadline for deadline, _ in self._deadlines.values()]
                self._wake.wait(min(upcoming) - now if upcoming else None)

    def _cut_connections(self) -> None:
        for connection in list(self._connections):
            with suppress(Exception):  # already closed, or not a socket any more
                fd = connection.pgconn.socket
                with socket.socket(fileno=os.dup(fd)) as sock:
                    sock.shutdown(socket.SHUT_RDWR)


def _is_busy(error: OperationalError) -> bool:
    detail = str(error.orig).lower() if error.orig is not None else ""
    return "locked" in detail or "busy" in detail


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def resolve_url(path_or_url: str) -> URL:
    """A SQLAlchemy URL from what the user gave: a URL, or a path to an SQLite file."""
    if "://" in path_or_url:
        try:
            url = make_url(path_or_url)
        except (ArgumentError, ValueError):
            raise StoreError(_describe_bad_url(path_or_url)) from None
        if url.get_backend_name() == "postgresql" and url.get_driver_name() != "psycopg":
            url = url.set(drivername="postgresql+psycopg")
        if url.get_backend_name() == "sqlite" and _sqlite_uri(url):
            # Its file: URI would be taken as a relative path (./file:/...), a new
            # pipeline, and its mode=ro replaced: the file is opened read-write.
            raise StoreError(
                f"{unquote(url.render_as_string(hide_password=True))} is an SQLite URI filename"
                " (uri=true), which pipeline-tui does not open; give the file's path."
            )
        if url.get_backend_name() == "sqlite" and (url.database or "").startswith("~"):
            # As for a plain path: "sqlite:///~/p.db" made a folder named "~" here.
            url = url.set(database=str(Path(url.database or "").expanduser()))
        if url.get_backend_name() == "sqlite" and url.database:
            _refuse_a_name_not_in_utf8(url.database)
        return url
    path = Path(path_or_url).expanduser().resolve()
    _refuse_a_name_not_in_utf8(str(path))
    return URL.create("sqlite+pysqlite", database=str(path))


def _refuse_a_name_not_in_utf8(path: str) -> None:
    """A path with bytes of another encoding (a folder or file named in Latin-1, held
    as surrogates): SQLite cannot open it, and SQLAlchemy's URL failed with a traceback."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        raise StoreError(
            f"{shown} has bytes that are not UTF-8 in its name, which SQLite cannot open; "
            "rename it or give another path."
        ) from None


def _sqlite_uri(url: URL) -> bool:
    """Whether an SQLite URL asks for its database to be read as a URI (uri=true)."""
    value = url.query.get("uri")
    if value is None:
        return False
    text = value if isinstance(value, str) else value[-1]
    return text.strip().lower() not in ("", "false", "f", "no", "n", "off", "0")


def sqlite_file(path_or_url: str) -> Path | None:
    """The file an SQLite target names, however it is written (a path, or a URL with a
    driver or options, as the engine reads it); None for another database, or one in
    memory."""
    url = resolve_url(path_or_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def open_database(path_or_url: str, *, run_migrations: bool = True) -> Database:
    """Open (creating if needed) the database and bring its schema up to date."""
    url = resolve_url(path_or_url)
    try:
        engine = _make_engine(url)
    except (ArgumentError, ValueError, TypeError) as error:
        # ValueError: an option the driver cannot read ("sqlite:///p.db?timeout=abc").
        raise StoreError(
            f"Cannot use {url.render_as_string(hide_password=True)}: {error}."
        ) from None
    except ModuleNotFoundError as error:
        raise StoreError(
            f"The database driver {error.name!r} is not installed for "
            f"{url.render_as_string(hide_password=True)}."
        ) from None
    database = Database(engine, url)
    if run_migrations:
        try:
            database.backup_path = migrate(
                engine, backup=_backup_sqlite if database.is_sqlite else None
            )
        except (OperationalError, DBAPIError) as error:
            engine.dispose()
            raise StoreError(_describe_db_error(url, error)) from None
        except StoreError:
            engine.dispose()
            raise
    return database


def _make_engine(url: URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        connect_args: dict[str, Any] = {}
        if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
            # libpq waits for ever by default; a rep on a dead VPN gets an answer instead.
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
        engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
        if url.get_backend_name() == "postgresql":
            event.listen(engine, "connect", _without_jit)
        return engine
    memory = url.database in (None, "", ":memory:")
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        # One shared connection for an in-memory database, or each session would see
        # its own empty database.
        poolclass=StaticPool if memory else None,
    )
    if not memory:
        # After the engine, which reads the URL's driver and options and can refuse
        # them: a refused URL left an empty file, taken next time for an empty pipeline.
        assert url.database is not None
        try:
            _prepare_sqlite_file(Path(url.database))
        except StoreError:
            engine.dispose()
            raise

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (below) so that writes can BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        # Case folded as Python folds it (lookup.folded): SQLite's lower() folds ASCII
        # only, so "ÉVA ÖRS" and "Éva Örs" were two people.
        dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    if not memory:
        assert url.database is not None
        existing = f"file:{quote(url.database)}?mode=rw"

        @event.listens_for(engine, "do_connect")
        def _never_create(_dialect: Any, _record: Any, cargs: list[Any], cparams: Any) -> None:
            # The file was created (0600) before the engine: a connection never creates
            # it again, as an empty database, after it was deleted under the app.
            cargs[0] = existing
            cparams["uri"] = True

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _without_jit(dbapi_connection: Any, _record: Any) -> None:
    """PostgreSQL compiles a query to machine code first when its plan looks costly
    enough (`jit_above_cost`), which pays off for queries of seconds. Every query here
    answers a key: at 100,000 cards the board's header counts crossed that line and
    spent 75-140 ms compiling, every time, for a 350 ms query. A SET, not a startup
    option, so connection poolers that refuse options still connect. Behind a pooler
    in transaction mode the SET stays with one server connection, for whichever client
    gets it next, and the app's other transactions may land where JIT is on: no harm
    either way, only the 75-140 ms back on those."""
    if dbapi_connection.info.server_version >= JIT_SINCE:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()  # else the pool's rollback on return would undo it


def _prepare_sqlite_file(path: Path) -> None:
    """Create the file 0600 in a 0700 folder, or check an existing one is SQLite.

    An existing file is opened here only through SQLite, never with open(): closing a
    descriptor of a file drops every lock the process holds on it (POSIX advisory
    locks), and a card opened before the store is ready is read straight from the
    file (store/peek.py) while the store opens in a thread. Its lock dropped so, the
    store's connections joined the lock SQLite believed held and never took one; the
    next program to read the file and close it found itself the last and deleted the
    write-ahead log, and the app's changes from then on went into the deleted log,
    seen by no other program. SQLite keeps a file it closes open while other
    connections of the process hold locks on it."""
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file.")
    if not path.parent.exists():
        try:
            path.parent.mkdir(mode=0o700, parents=True)
        except OSError as error:
            raise StoreError(f"Cannot create the folder {path.parent}: {error.strerror}.") from None
    if path.exists():
        if not os.access(path, os.R_OK):
            raise StoreError(f"Cannot read {path}: {os.strerror(errno.EACCES)}.")
        _refuse_another_programs(path)
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, stat.S_IRUSR | stat.S_IWUSR)
    except FileExistsError:
        return
    except OSError as error:
        raise StoreError(f"Cannot create {path}: {error.strerror}.") from None
    os.close(fd)


def _refuse_another_programs(path: Path) -> None:
    """Refuse a file that is not SQLite, and an SQLite file with tables but no schema
    revision (migrate.py says why), read-only and before the engine opens it: its
    connections switch a file to WAL mode, a change to the other program's file
    already. An empty file is a new database."""
    try:
        with closing(sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)) as connection:
            tables = [
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master"
                    " WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                )
            ]
    except sqlite3.Error as error:
        # The header read only now SQLite has said the file is no database: no
        # connection of this process then holds a lock on it that closing this
        # descriptor could drop (see _prepare_sqlite_file).
        if error.sqlite_errorcode == sqlite3.SQLITE_NOTADB and not is_sqlite_file(path):
            raise StoreError(
                f"{path} is not a pipeline-tui database (it is not an SQLite file)."
            ) from None
        return  # opening it through the engine says what is wrong (a damaged file, say)
    others = [table for table in tables if table not in EXTENSION_TABLES]
    if others and VERSION_TABLE not in tables:
        raise StoreError(another_programs(str(path), others))


def _backup_sqlite(engine: Engine, revision: str) -> Path | None:
    """Copy the database with SQLite's online backup API before a migration changes it."""
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = Path(f"{database}.{stamp}.before-{revision}.bak")
    backup_sqlite_file(Path(database), target)
    return target


def backup_sqlite_file(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (safe while others write), made 0600."""
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, stat.S_IRUSR | stat.S_IWUSR)
    os.close(fd)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _without_password(text: str, password: str | None) -> str:
    """`text` with the password starred out wherever it stands as a word of its own.
    Drivers do not echo it, but it is never risked; starring it out inside words
    garbled the very sentences the errors are recognised by (a password "on" made
    "c***necti*** refused")."""
    if not password:
        return text
    alone = rf"(?<![A-Za-z0-9]){re.escape(password)}(?![A-Za-z0-9])"
    return re.sub(alone, "***", text)


def _describe_db_error(url: URL, error: DBAPIError) -> str:
    where = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        where = url.database or "the in-memory database"
    raw = str(error.orig).strip() if error.orig is not None else str(error)
    lowered = raw.lower()  # recognised, never shown
    detail = _without_password(raw, url.password)
    if url.get_backend_name() == "postgresql":
        postgres = _describe_postgresql_error(where, url, lowered)
        if postgres is not None:
            return postgres
    # One sentence: the driver's first line (libpq adds hints on further lines).
    detail = " ".join(detail.splitlines()[0].split()).rstrip(".") if detail else "unknown error"
    if "locked" in lowered or "busy" in lowered:
        return f"{where} is locked by another program; try again in a moment."
    if "malformed" in lowered or "not a database" in lowered:
        return f"{where} is damaged or not a pipeline-tui database ({detail})."
    if "readonly" in lowered or "read-only" in lowered:
        return f"{where} is read-only; pipeline-tui needs to write to it."
    if "unable to open" in lowered and url.database and not _writable_folder(url.database):
        return (
            f"{where} is in a folder pipeline-tui cannot write to; SQLite keeps its "
            "write-ahead log beside the database, so the folder must be writable."
        )
    return f"Cannot open {where}: {detail}."


def _describe_bad_url(text: str) -> str:
    """One sentence for a URL SQLAlchemy cannot read (never echoing a password)."""
    scheme, _, rest = text.partition("://")
    user, at, place = rest.rpartition("@")
    shown = f"{scheme}://{user.partition(':')[0]}{at}{place}"  # never the password
    host = place.split("/")[0]
    port = host.rpartition(":")[2] if ":" in host and not host.endswith("]") else ""
    if port and not port.isdigit():
        return f"{shown!r} is not a database URL: the port {port!r} is not a number."
    return (
        f"{shown!r} is not a database URL; give one like "
        "postgresql://user@host:5432/pipeline, or a path to an SQLite file."
    )


def _writable_folder(database: str) -> bool:
    return os.access(Path(database).parent, os.W_OK)


def _describe_postgresql_error(where: str, url: URL, lowered: str) -> str | None:
    user = url.username or "the login user"
    if "password authentication failed" in lowered:
        return (
            f"PostgreSQL at {where} refused the password for {user}; check the password in "
            "the URL, in PGPASSWORD or in the password file (PGPASSFILE, ~/.pgpass)."
        )
    if "no password supplied" in lowered:
        return (
            f"PostgreSQL at {where} needs a password for {user}; give it in the URL, in "
            "PGPASSWORD or in a password file only you can read (PGPASSFILE, ~/.pgpass, 0600)."
        )
    if "connection refused" in lowered:
        return (
            f"Cannot reach PostgreSQL at {where}: the connection was refused; is the server "
            "running and accepting TCP/IP connections on that host and port?"
        )
    if "timeout expired" in lowered or "timed out" in lowered:
        return f"Cannot reach PostgreSQL at {where}: the connection timed out."
    if "could not translate host name" in lowered or "name or service not known" in lowered:
        return f"Cannot reach PostgreSQL at {where}: the host name is not known."
    if "does not exist" in lowered and "database" in lowered:
        return f"The database in {where} does not exist; create it first (createdb)."
    if "permission denied" in lowered:
        return f"{user} may not use {where}: permission denied."
    return None


def _casefold(text: object) -> object:
    return text.casefold() if isinstance(text, str) else text
