"""Data that survives anything: a killed writer, an upgrade from the first schema, and
a bad environment (not a database, truncated, read-only folder, locked) that gets one
sentence and leaves the file as it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import NoteKind, TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, open_database
from pipeline_tui.store.migrate import HEAD_REVISION, MIGRATIONS
from tests.conftest import NOW
from tests.test_cli import assert_one_line_error, run

pytestmark = pytest.mark.both_backends

ROOT = Path(__file__).resolve().parent.parent


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def names(db: str) -> list[str]:
    database = open_database(db)
    try:
        return [card.name for card in PipelineService(database, "sam").cards()]
    finally:
        database.close()


# A killed writer ------------------------------------------------------------------------

WRITER = """
import sys
from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.store import PipelineService, open_database

service = PipelineService(open_database(sys.argv[1]), "writer")
number = 0
while True:
    number += 1
    card = service.add_card(CardDraft(f"Card {number}", organisation="Burst")).card_id
    service.add_note(card, NoteKind.GENERAL, f"note for card {number} " * 40)
    print(card, number, flush=True)  # acknowledged: both transactions have committed
"""


@pytest.mark.sqlite_only("PRAGMA integrity_check and an SQLite file's write-ahead log")
def test_a_writer_killed_mid_burst_loses_nothing_it_acknowledged(db_path: Path) -> None:
    open_database(str(db_path)).close()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert writer.stdout is not None
    acknowledged: dict[int, int] = {}
    try:
        while len(acknowledged) < 150:
            line = writer.stdout.readline()
            assert line, "the writer stopped before the kill"
            card, number = map(int, line.split())
            acknowledged[card] = number
        os.kill(writer.pid, signal.SIGKILL)  # mid-burst: it is writing as fast as it can
    finally:
        if writer.poll() is None:
            writer.kill()
        writer.wait()
    for line in writer.stdout.read().splitlines():  # printed before the kill landed
        if line.strip():
            card, number = map(int, line.split())
            acknowledged[card] = number
    assert writer.returncode == -signal.SIGKILL

    assert integrity(db_path) == "ok"
    database = open_database(str(db_path))
    try:
        service = PipelineService(database, "sam")
        board = service.board()
        lead = board[Stage.LEAD]
        # Nothing half-done: every card has a position of its own, the newest on top,
        # and no card lacks its history.
        positions = [card.position for card in lead]
        assert positions == sorted(set(positions))
        numbers = [int(card.name.removeprefix("Card ")) for card in lead]
        assert numbers == sorted(numbers, reverse=True)
        present = {card.id: card.name for card in lead}
        for card, number in acknowledged.items():
            assert present.get(card) == f"Card {number}"
            detail = service.card(card)
            assert [note.body for note in detail.notes] == [f"note for card {number} " * 40]
            assert len(detail.history) == 1
        # At most the one write in flight was lost or kept: never an unacknowledged gap.
        assert len(present) - len(acknowledged) in (0, 1)
    finally:
        database.close()
    assert integrity(db_path) == "ok"


# An upgrade from the first schema ---------------------------------------------------------

FIRST_REVISION_ROWS: dict[str, list[dict[str, Any]]] = {
    "card": [
        {
            "id": 1,
            "name": "Ada Lovelace",
            "organisation": "Analytical Engines",
            "email": "ada@example.com",
            "phone": "+44 1",
            "tags": "fintech warm",
            "stage": "client",
            "position": 0,
            "owner": "sam",
            "next_action": "Send the pilot proposal",
            "next_action_due": "2026-11-27",
            "source": "referral",
            "market": "warm",
            "referred_by_id": None,
            "created_at": "2026-10-01 09:00:00",
            "updated_at": "2026-11-20 15:00:00",
            "archived_at": None,
            "archive_reason": None,
            "archive_note": "",
            "version": 4,
        },
        {
            "id": 2,
            "name": "Chloé Martin",
            "organisation": "Martin & Fils",
            "email": "",
            "phone": "",
            "tags": "",
            "stage": "lead",
            "position": 0,
            "owner": "kim",
            "next_action": "",
            "next_action_due": None,
            "source": "referral",
            "market": "warm",
            "referred_by_id": 1,
            "created_at": "2026-11-02 10:00:00",
            "updated_at": "2026-11-02 10:00:00",
            "archived_at": None,
            "archive_reason": None,
            "archive_note": "",
            "version": 1,
        },
        {
            "id": 3,
            "name": "Gone Fishing",
            "organisation": "",
            "email": "",
            "phone": "",
            "tags": "",
            "stage": "prospect",
            "position": 0,
            "owner": "sam",
            "next_action": "",
            "next_action_due": None,
            "source": None,
            "market": None,
            "referred_by_id": None,
            "created_at": "2026-09-01 08:00:00",
            "updated_at": "2026-11-01 08:00:00",
            "archived_at": "2026-11-01 08:00:00",
            "archive_reason": "lost",
            "archive_note": "went quiet",
            "version": 2,
        },
    ],
    "stage_event": [
        {"id": 1, "card_id": 1, "from_stage": None, "to_stage": "lead",
         "at": "2026-10-01 09:00:00", "by": "sam"},
        {"id": 2, "card_id": 1, "from_stage": "lead", "to_stage": "client",
         "at": "2026-11-20 15:00:00", "by": "sam"},
        {"id": 3, "card_id": 2, "from_stage": None, "to_stage": "lead",
         "at": "2026-11-02 10:00:00", "by": "kim"},
        {"id": 4, "card_id": 3, "from_stage": None, "to_stage": "prospect",
         "at": "2026-09-01 08:00:00", "by": "sam"},
    ],
    "touchpoint": [
        {"id": 1, "card_id": 1, "kind": "referral", "happened_on": "2026-10-01",
         "summary": "Introduced by Ben", "created_at": "2026-10-01 09:00:00"},
        {"id": 2, "card_id": 2, "kind": "referral", "happened_on": "2026-11-02",
         "summary": "Ada's referral", "created_at": "2026-11-02 10:00:00"},
    ],
    "research_note": [
        {"id": 1, "card_id": 1, "kind": "problem", "body": "Invoices go out a week late.",
         "created_at": "2026-10-02 09:00:00", "updated_at": "2026-10-03 09:00:00"},
        {"id": 2, "card_id": 3, "kind": "general", "body": "Budget frozen until spring.",
         "created_at": "2026-09-02 09:00:00", "updated_at": "2026-09-02 09:00:00"},
    ],
}  # fmt: skip


def _snapshot(connection: Any, columns: dict[str, list[str]]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: [
            tuple(row)
            for row in connection.execute(
                text(f"SELECT {', '.join(names)} FROM {table} ORDER BY id")
            )
        ]
        for table, names in columns.items()
    }


@pytest.fixture
def empty_db_url(backend: str, db_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return str(db_path)
    return str(request.getfixturevalue("pg_empty_database"))


def test_upgrading_from_the_first_schema_keeps_every_row(empty_db_url: str) -> None:
    old = open_database(empty_db_url, run_migrations=False)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with old.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
        assert tables == set(FIRST_REVISION_ROWS), "a table of 0001 has no test data"
        columns = {t: [c["name"] for c in inspect(connection).get_columns(t)] for t in tables}
        for table in ("card", "stage_event", "touchpoint", "research_note"):
            for row in FIRST_REVISION_ROWS[table]:
                assert set(row) == set(columns[table]), f"{table}: fill every column"
                values = ", ".join(_placeholder(connection.dialect.name, k) for k in row)
                connection.execute(
                    text(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({values})"), row
                )
            if connection.dialect.name == "postgresql":  # as if the ids came from there
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f" (SELECT max(id) FROM {table}))"
                    )
                )
        before = _snapshot(connection, columns)
    old.close()

    upgraded = open_database(empty_db_url)
    try:
        with upgraded.engine.connect() as connection:
            assert _snapshot(connection, columns) == before
            version = connection.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalar() == HEAD_REVISION
        if upgraded.is_sqlite:
            backup = upgraded.backup_path
            assert backup is not None and backup.exists()
            with sqlite3.connect(backup) as copy:
                assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [
                    ("0001",)
                ]
                assert copy.execute("SELECT count(*) FROM research_note").fetchall() == [(2,)]
        service = PipelineService(upgraded, "sam", clock=lambda: NOW)
        ada = service.card(1)
        assert [n.body for n in ada.notes] == ["Invoices go out a week late."]
        assert [e.to_stage for e in ada.history] == [Stage.LEAD, Stage.CLIENT]
        assert ada.touchpoints[0].kind is TouchpointKind.REFERRAL
        assert service.card(3).archive_note == "went quiet"
        # The search index covers what was there before the upgrade.
        assert service.matching_card_ids("invoic") == {1}
        assert service.matching_card_ids("chloe") == {2}
        # And the upgraded database takes new work.
        service.add_note(2, NoteKind.GOAL, "Open a second shop")
        assert service.matching_card_ids("second shop") == {2}
    finally:
        upgraded.close()


def _placeholder(dialect: str, column: str) -> str:
    """A bind for the column: text as SQLite stores it, cast to the column type on
    PostgreSQL (as the application's own types would bind)."""
    if dialect == "sqlite":
        return f":{column}"
    if column in ("id", "card_id", "position", "version", "referred_by_id"):
        return f"CAST(:{column} AS INTEGER)"
    if column in ("next_action_due", "happened_on"):
        return f"CAST(:{column} AS DATE)"
    if column in ("created_at", "updated_at", "archived_at", "at"):
        return f"CAST(:{column} AS TIMESTAMP)"
    return f":{column}"


# A bad environment ------------------------------------------------------------------------


def _file_state(path: Path) -> tuple[bytes, list[str]]:
    return path.read_bytes(), sorted(p.name for p in path.parent.iterdir())


@pytest.mark.sqlite_only("SQLite files")
def test_a_file_that_is_not_sqlite(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "contacts.db"
    path.write_bytes(b"name,organisation\nAnn,Acme\n" * 200)
    before = _file_state(path)
    for command_line in (["add", "Bob"], ["list"]):
        code, out, err = run(capsys, "--db", str(path), *command_line)
        line = assert_one_line_error(code, err)
        assert "not an SQLite file" in line and str(path) in line
        assert out == ""
    assert _file_state(path) == before


@pytest.mark.sqlite_only("SQLite files")
def test_a_truncated_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    whole = tmp_path / "whole.db"
    service = PipelineService(open_database(str(whole)), "sam")
    for number in range(40):
        card = service.add_card(CardDraft(f"Card {number}")).card_id
        service.add_note(card, NoteKind.GENERAL, "some words " * 100)
    service.database.close()
    path = tmp_path / "cut" / "pipeline.db"
    path.parent.mkdir()
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
    before = path.read_bytes()
    for command_line in (["list"], ["add", "Bob"]):
        code, out, err = run(capsys, "--db", str(path), *command_line)
        line = assert_one_line_error(code, err)
        assert "damaged" in line and str(path) in line
        assert out == ""
    assert path.read_bytes() == before


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder that cannot be written to, even by root (a read-only bind mount)."""
    folder = tmp_path / "shared"
    folder.mkdir()
    yield folder
    if os.geteuid() == 0:
        subprocess.run(["umount", str(folder)], check=False, capture_output=True)
    folder.chmod(0o755)


def _make_read_only(folder: Path) -> None:
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return
    for step in (
        ["mount", "--bind", str(folder), str(folder)],
        ["mount", "-o", "remount,bind,ro", str(folder)],
    ):
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.skip(
                "running as root and a read-only bind mount is not permitted here "
                f"({done.stderr.strip()}), so no folder can be made read-only for root"
            )


@pytest.mark.sqlite_only("SQLite files")
def test_a_read_only_folder(capsys: pytest.CaptureFixture[str], read_only_folder: Path) -> None:
    path = read_only_folder / "pipeline.db"
    assert run(capsys, "--db", str(path), "add", "Ann")[0] == 0
    before = _file_state(path)
    _make_read_only(read_only_folder)
    with pytest.raises(OSError):
        (read_only_folder / "probe").touch()
    for command_line in (["add", "Bob"], ["list"]):
        code, out, err = run(capsys, "--db", str(path), *command_line)
        line = assert_one_line_error(code, err)
        assert "folder pipeline-tui cannot write to" in line and str(path) in line
        assert out == ""
    new = read_only_folder / "new.db"
    code, _, err = run(capsys, "--db", str(new), "add", "Bob")
    assert "Cannot create" in assert_one_line_error(code, err)
    assert _file_state(path) == before


LOCK_HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
connection.execute("UPDATE card SET name = 'Held' WHERE id = 1")
print("locked", flush=True)
sys.stdin.read()  # hold the write lock until told to stop
connection.execute("ROLLBACK")
"""


@pytest.mark.sqlite_only("SQLite's single-writer lock and busy timeout")
def test_a_database_locked_by_another_writer_for_longer_than_the_timeout(
    capsys: pytest.CaptureFixture[str], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "--db", str(db_path), "add", "Ann")[0] == 0
    monkeypatch.setattr("pipeline_tui.store.database.BUSY_TIMEOUT_MS", 300)
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = db_path.read_bytes()
        code, out, err = run(capsys, "--db", str(db_path), "add", "Bob")
        line = assert_one_line_error(code, err)
        assert "busy with another writer" in line and "not saved" in line
        assert out == ""
        assert db_path.read_bytes() == before
        # Reading still works while the other program writes.
        code, out, err = run(capsys, "--db", str(db_path), "list", "--format", "csv")
        assert (code, err) == (0, "") and "Ann" in out
    finally:
        holder.stdin.close()
        holder.wait(30)
    assert names(str(db_path)) == ["Ann"]


_NAMES = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
print(" ".join(sorted(n for (n,) in connection.execute("SELECT name FROM card"))))
connection.close()
"""


@pytest.mark.sqlite_only("SQLite files")
def test_changes_made_after_the_store_opened_beside_a_peek_reach_other_programs(
    tmp_path: Path,
) -> None:
    """A card opened before the store is ready is read straight from the file while
    the store opens in a thread (store/deferred.py, card_before_open). Opening it read
    the file's first bytes with open() and close(); closing any descriptor of a file
    drops every lock the process holds on it (POSIX advisory locks), so the peek's
    shared lock went, and the store's connections, which joined the lock SQLite
    believed held, never took one. The next program to read the file and close it (the
    command line, another app, a backup) found itself its last user and deleted the
    write-ahead log: every change the app made after that went into the deleted log,
    and no other program saw it (a note saved, and its draft still there, after a
    hang-up test's restore under load)."""
    path = tmp_path / "pipeline.db"
    setup = open_database(str(path))
    PipelineService(setup, "sam").add_card(CardDraft("Ann"))
    setup.close()

    def seen_elsewhere() -> str:
        found = subprocess.run(
            [sys.executable, "-c", _NAMES, str(path)], capture_output=True, text=True, check=True
        )
        return found.stdout.strip()

    with closing(sqlite3.connect(f"file:{path}?mode=rw", uri=True)) as peek:
        peek.isolation_level = None
        peek.execute("BEGIN")  # as store/peek.py reads a card
        assert peek.execute("SELECT count(*) FROM card").fetchone() == (1,)
        database = open_database(str(path))  # meanwhile, in the store's thread
        service = PipelineService(database, "sam")
        service.add_card(CardDraft("Bob"))
        peek.execute("ROLLBACK")
    try:
        assert seen_elsewhere() == "Ann Bob"
        service.add_card(CardDraft("Cy"))
        assert seen_elsewhere() == "Ann Bob Cy"
        assert Path(f"{path}-wal").exists()  # still the log the app writes to
    finally:
        database.close()
    assert seen_elsewhere() == "Ann Bob Cy"
