"""Every way the command line can fail is one sentence on stderr, no traceback, a
non-zero exit, and nothing written: enumerated here case by case."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline_tui import cli
from pipeline_tui.cli import main
from pipeline_tui.store.revision import HEAD_REVISION

SCRIPT = Path(sys.executable).parent / "pipeline-tui"


@dataclass(frozen=True)
class Case:
    """A command line that must fail; `setup` prepares the folder (returns extra args)."""

    argv: tuple[str, ...]
    says: str
    setup: Callable[[Path, pytest.MonkeyPatch], None] | None = None


def _sqlite_file(folder: Path) -> Path:
    path = folder / "p.db"
    assert main(["--db", str(path), "add", "Ann"]) == 0
    return path


def _newer(folder: Path, _: pytest.MonkeyPatch) -> None:
    with closing(sqlite3.connect(_sqlite_file(folder))) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
        connection.commit()


def _not_sqlite(folder: Path, _: pytest.MonkeyPatch) -> None:
    (folder / "p.db").write_bytes(b"name,organisation\nAnn,Acme\n")


def _config(text: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def write(folder: Path, _: pytest.MonkeyPatch) -> None:
        (folder / "config.toml").write_text(text, encoding="utf-8")

    return write


def _disk_full(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up half-way through writing the export (as -o /dev/full would,
    without replacing /dev/full: the export is written beside the target and renamed)."""
    _sqlite_file(folder)
    import pipeline_tui.store as store

    def write_until_full(document: dict[str, Any], out: Any) -> None:
        out.write('{"format": "pipeline-tui", "cards": [')
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(store, "write_json", write_until_full)


def _no_terminal_nor_database(_: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever runs the tests (pytest -s in a terminal included).
    monkeypatch.setattr(cli, "in_a_terminal", lambda: False)


def _no_terminal(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sqlite_file(folder)
    _no_terminal_nor_database(folder, monkeypatch)


def _two_databases(folder: Path, _: pytest.MonkeyPatch) -> None:
    _sqlite_file(folder)
    assert main(["--db", str(folder / "other.db"), "add", "Bo"]) == 0


def _a_pipe(folder: Path, _: pytest.MonkeyPatch) -> None:
    _sqlite_file(folder)
    os.mkfifo(folder / "out.json")


def _another_programs(folder: Path, _: pytest.MonkeyPatch) -> None:
    with closing(sqlite3.connect(folder / "p.db")) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        connection.commit()


def _file(name: str, text: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def write(folder: Path, _: pytest.MonkeyPatch) -> None:
        _sqlite_file(folder)
        (folder / name).write_text(text, encoding="utf-8")

    return write


def _today(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sqlite_file(folder)
    monkeypatch.setenv("PIPELINE_TUI_TODAY", "23/11/2026")


CASES = {
    "a port that is not a number": Case(
        ("--db", "postgresql://sam:s3cret@db.example:five432/pipeline", "list"),
        "the port 'five432' is not a number",
    ),
    "a URL with an empty port": Case(
        ("--db", "postgresql://sam:s3cret@db.example:/pipeline", "list"), "is not a database URL"
    ),
    "a malformed IPv6 host": Case(
        ("--db", "postgresql://sam:s3cret@[::1/pipeline", "list"), "is not a database URL"
    ),
    "an unknown database kind": Case(("--db", "nosuchdb://x/y", "list"), "Cannot use"),
    "a port out of range": Case(
        ("--db", "postgresql://sam:s3cret@127.0.0.1:99999/pipeline", "list"), "invalid port"
    ),
    "a database from a newer release": Case(
        ("--db", "{folder}/p.db", "list"), "newer pipeline-tui (schema revision 0099)", _newer
    ),
    "not an SQLite file": Case(
        ("--db", "{folder}/p.db", "list"), "not an SQLite file", _not_sqlite
    ),
    "a folder as the database": Case(("--db", "{folder}", "list"), "is a folder"),
    "export to a full disk": Case(
        ("--db", "{folder}/p.db", "export", "-o", "{folder}/out.json"),
        "The disk is full; the command stopped",
        _disk_full,
    ),
    "export to a missing folder": Case(
        ("--db", "{folder}/p.db", "export", "-o", "{folder}/none/out.json"), "Cannot write"
    ),
    "export into a folder": Case(("--db", "{folder}/p.db", "export", "-o", "{folder}"), "folder"),
    "export onto the database itself": Case(
        ("--db", "{folder}/p.db", "export", "--format", "csv", "-o", "{folder}/p.db"),
        "is the pipeline's own database",
    ),
    "export onto the database by another path": Case(
        ("--db", "{folder}/p.db", "export", "-o", "{folder}/../{name}/p.db"),
        "is the pipeline's own database",
    ),
    "export onto the database's journal, named by a URL": Case(
        ("--db", "sqlite+pysqlite:///{folder}/p.db", "export", "-o", "{folder}/p.db-journal"),
        "is the pipeline's own database",
    ),
    "export onto a pipe": Case(  # replaced by a file, and before that, opened: a hang
        ("--db", "{folder}/p.db", "export", "-o", "{folder}/out.json"), "is not a file", _a_pipe
    ),
    "another program's database": Case(
        ("--db", "{folder}/p.db", "list"), "holds another program's tables", _another_programs
    ),
    "export onto another database": Case(
        ("--db", "{folder}/p.db", "export", "-o", "{folder}/other.db"),
        "is an SQLite database",
        _two_databases,
    ),
    "a value too long": Case(
        ("--db", "{folder}/p.db", "add", "Ann", "--phone", "1" * 501),
        "The phone can be at most 500 characters; this one has 501",
    ),
    "no name": Case(("--db", "{folder}/p.db", "add", " \x1b[2J "), "A card needs a name"),
    "a bad due date": Case(("--db", "{folder}/p.db", "add", "Ann", "--due", "someday"), "someday"),
    "a due date past the year 9999": Case(
        ("--db", "{folder}/p.db", "add", "Test Y", "--next", "foo", "--due", "+9999y"),
        "'+9999y' is too far from today for a date",
    ),
    "a next action due past the year 9999": Case(
        ("--db", "{folder}/p.db", "next", "ann", "x", "--due", "+9999y"),
        "'+9999y' is too far from today for a date",
    ),
    "parked past the year 9999": Case(
        ("--db", "{folder}/p.db", "park", "ann", "+7974y"),
        "'+7974y' is too far from today for a date",
    ),
    "parked until a day that is no date": Case(
        ("--db", "{folder}/p.db", "park", "ann", "someday"),
        "'someday' is not a date; use tomorrow, fri",
    ),
    "a close date past the year 9999": Case(
        ("--db", "{folder}/p.db", "value", "ann", "10", "--close", "+9999y"),
        "'+9999y' is too far from today for a date",
    ),
    "a touchpoint in the year 1": Case(
        ("--db", "{folder}/p.db", "log", "ann", "-k", "call", "--on", "0001-01-01", "Met"),
        "0001-01-01 is before 1900",
    ),
    "a touchpoint 9999 weeks ago": Case(
        ("--db", "{folder}/p.db", "log", "ann", "-k", "call", "--on", "-9999w", "Met"),
        "is before 1900",
    ),
    "an unknown stage": Case(("--db", "{folder}/p.db", "add", "Ann", "--stage", "won"), "won"),
    "an unknown source": Case(
        ("--db", "{folder}/p.db", "add", "Ann", "--source", "pigeon"), "Unknown source"
    ),
    "a bad --since": Case(("--db", "{folder}/p.db", "standup", "--since", "soon"), "soon"),
    "a --since in the year 1": Case(
        ("--db", "{folder}/p.db", "standup", "--since", "0001-01-01"), "0001-01-01 is before 1900"
    ),
    "a --since 9999 weeks ago": Case(
        ("--db", "{folder}/p.db", "standup", "--since", "9999w"), "is before 1900"
    ),
    "an agenda of three million days": Case(
        ("--db", "{folder}/p.db", "agenda", "--days", "3000000"),
        "--days 3000000 reaches past the year 9999",
    ),
    "an agenda of more days than Python counts": Case(
        ("--db", "{folder}/p.db", "agenda", "--days", "99999999999"), "reaches past the year 9999"
    ),
    "--demo with a command": Case(
        ("--demo", "--db", "{folder}/p.db", "add", "X"),
        "--demo opens the sample board on its own; it does not go with add",
    ),
    "--demo with list": Case(("--demo", "list"), "--demo opens the sample board on its own"),
    "a bad fixed today": Case(("--db", "{folder}/p.db", "standup"), "is not a date", _today),
    "a missing import file": Case(
        ("--db", "{folder}/p.db", "import", "{folder}/none.csv"), "There is no file"
    ),
    "a missing config": Case(("--config", "{folder}/none.toml", "list"), "does not exist"),
    "a config that is not TOML": Case(
        ("--config", "{folder}/config.toml", "list"), "not valid TOML", _config("[user\n")
    ),
    "a config nested too deep": Case(  # tomllib recurses: a RecursionError's traceback
        ("--config", "{folder}/config.toml", "list"),
        "nests tables or lists too deep to read",
        _config("x = " + "[" * 100_000 + "]" * 100_000 + "\n"),
    ),
    "an import nested too deep": Case(
        ("--db", "{folder}/p.db", "import", "{folder}/deep.json"),
        "The JSON nests objects and lists too deep to read",
        _file("deep.json", "[" * 100_000),
    ),
    "a next action due in the year 1": Case(  # it was "739954d late"
        ("--db", "{folder}/p.db", "next", "ann", "x", "--due", "0001-01-01"),
        "0001-01-01 is before 1900",
    ),
    "a close date in the year 1": Case(
        ("--db", "{folder}/p.db", "value", "ann", "10", "--close", "0001-01-01"),
        "0001-01-01 is before 1900",
    ),
    "an amount of 29 digits": Case(  # a decimal.InvalidOperation traceback
        ("--db", "{folder}/p.db", "value", "ann", "9" * 29), "is more than a value can be"
    ),
    "a new card's amount of 29 digits": Case(
        ("--db", "{folder}/p.db", "add", "Bo", "--value", "9" * 29), "is more than a value can be"
    ),
    "a blank amount": Case(  # an empty shell variable: it had wiped the value
        ("--db", "{folder}/p.db", "value", "ann", " "), 'Give an amount, or "none"'
    ),
    "a config with a wrong type": Case(
        ("--config", "{folder}/config.toml", "list"), "must be", _config("[stale]\nlead = 'x'\n")
    ),
    "a user name too long": Case(
        ("--config", "{folder}/config.toml", "list"),
        "user.name can be at most 200",
        _config(f"[user]\nname = '{'r' * 201}'\n"),
    ),
    # A read never creates the pipeline it names, however the SQLite URL is written:
    # these made an empty one at a mistyped path and listed "No cards yet", exit 0.
    "a list of a missing file, its URL naming the driver": Case(
        ("--db", "sqlite+pysqlite:///{folder}/typo.db", "list"), "There is no pipeline at"
    ),
    "a list of a missing file, its URL with an option": Case(
        ("--db", "sqlite:///{folder}/typo.db?timeout=5", "list"), "There is no pipeline at"
    ),
    "a show on a missing file, its URL with an option": Case(
        ("--db", "sqlite:///{folder}/typo.db?timeout=5", "show", "ann"), "There is no pipeline at"
    ),
    # The engine refused the URL after the file had been made: a ValueError traceback
    # and an empty file left behind, or the sentence and the empty file.
    "an SQLite URL option that is not a number": Case(
        ("--db", "sqlite:///{folder}/new.db?timeout=abc", "add", "X"), "Cannot use"
    ),
    "an SQLite driver that is not installed": Case(
        ("--db", "sqlite+pysqlcipher:///{folder}/new.db", "add", "X"),
        "The database driver 'pysqlcipher3' is not installed",
    ),
    # SQLAlchemy's read-only form: the card went into a new pipeline under ./file:/...
    "an SQLite URI filename": Case(
        ("--db", "sqlite:///file:{folder}/p.db?mode=ro&uri=true", "add", "X"),
        "an SQLite URI filename (uri=true), which pipeline-tui does not open",
    ),
    "a backup of PostgreSQL": Case(("--db", "postgresql://sam@127.0.0.1:1/x", "backup"), "pg_dump"),
    "a backup onto an existing file": Case(
        ("--db", "{folder}/p.db", "backup", "{folder}/p.db"), "already exists"
    ),
    # As from a script, a cron job or `ssh host pipeline-tui` without -t.
    "the board without a terminal": Case(
        ("--db", "{folder}/p.db"), "needs a terminal", _no_terminal
    ),
    "the call queue without a terminal": Case(
        ("--db", "{folder}/p.db", "call"), "needs a terminal", _no_terminal
    ),
    "a new database's board without a terminal": Case(
        ("--db", "{folder}/new.db"), "needs a terminal", _no_terminal_nor_database
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_error_is_one_sentence_on_stderr(
    name: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = CASES[name]
    monkeypatch.chdir(tmp_path)
    if case.setup is not None:
        case.setup(tmp_path, monkeypatch)
    elif any("{folder}/p.db" in arg for arg in case.argv) and name != "a folder as the database":
        _sqlite_file(tmp_path)
    capsys.readouterr()
    before = _snapshot(tmp_path)
    code = main(
        [
            arg.replace("{folder}", str(tmp_path)).replace("{name}", tmp_path.name)
            for arg in case.argv
        ]
    )
    out, err = capsys.readouterr()
    assert code != 0
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("pipeline-tui: error: ") and "Traceback" not in err
    assert case.says in line, line
    assert line.rstrip().endswith((".", "?")), line
    assert "s3cret" not in err
    assert not any(ch in line for ch in "\x1b\x07\x00"), line
    # Nothing was written: no file changed, none appeared (a backup, half an export).
    assert _snapshot(tmp_path) == before


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "xdg-" not in str(path) and not path.name.endswith(("-wal", "-shm"))
    }


def test_a_newer_database_gets_no_backup_and_is_not_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _newer(tmp_path, monkeypatch)
    database = tmp_path / "p.db"
    before = database.read_bytes()
    monkeypatch.chdir(tmp_path)  # where a backup or an export would land
    capsys.readouterr()
    for command in (["list"], ["add", "Ben"], ["export"]):
        code = main(["--db", str(database), *command])
        out, err = capsys.readouterr()
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and "Traceback" not in err
        assert "schema revision 0099" in err
        assert f"up to {HEAD_REVISION}" in err
    assert database.read_bytes() == before
    assert not list(tmp_path.glob("*.bak"))


def test_the_real_command_reports_a_full_disk_in_one_sentence(tmp_path: Path) -> None:
    """The console script, writing an export where every write fails with ENOSPC."""
    _sqlite_file(tmp_path)
    shim = tmp_path / "shim.py"
    shim.write_text(
        "import errno, os, sys\n"
        "import pipeline_tui.store.exchange as exchange\n"
        "def full(document, out):\n"
        "    out.write('{')\n"
        "    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))\n"
        "exchange.write_json = full\n"
        "from pipeline_tui.cli import main\n"
        "sys.exit(main())\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.json"
    result = subprocess.run(
        [sys.executable, str(shim), "--db", str(tmp_path / "p.db"), "export", "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr == "pipeline-tui: error: The disk is full; the command stopped.\n"
    assert not target.exists() and not list(tmp_path.glob(".export-*"))


def test_the_real_command_without_a_terminal_ends_at_once(tmp_path: Path) -> None:
    """Textual drew into the pipe and read keys from the end of /dev/null for ever, at
    full speed: the command never ended."""
    _sqlite_file(tmp_path)
    result = subprocess.run(
        [str(SCRIPT), "--db", str(tmp_path / "p.db")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("pipeline-tui: error: The board needs a terminal")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("command", [["list"], ["add", "X"], ["standup"]])
def test_demo_with_a_command_never_creates_the_rep_s_database(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pipeline-tui --demo add X` added X to the real pipeline, creating it if need be."""
    assert main(["--demo", *command]) == 1
    assert "--demo opens the sample board on its own" in capsys.readouterr().err
    assert not list((tmp_path / "xdg-data").rglob("*.db"))


@pytest.mark.parametrize(
    "command",
    [["list"], ["standup"], ["show", "ann"], ["export"], ["report"], ["agenda", "--format", "ics"]],
)
def test_a_closed_standard_output_is_one_sentence(command: list[str], tmp_path: Path) -> None:
    """Run as `pipeline-tui list >&-`: Python's sys.stdout is None, and the commands
    ended in an AttributeError traceback ('NoneType' object has no attribute 'write'),
    or, as `list` did, printed nothing and exited 0 as if the list had been written."""
    _sqlite_file(tmp_path)
    result = subprocess.run(
        [str(SCRIPT), "--db", str(tmp_path / "p.db"), *command],
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr == (
        "pipeline-tui: error: The standard output is closed, so nothing was done;"
        " send it to a file, or to /dev/null.\n"
    )


def test_an_export_to_a_file_needs_no_standard_output(tmp_path: Path) -> None:
    _sqlite_file(tmp_path)
    result = subprocess.run(
        [str(SCRIPT), "--db", str(tmp_path / "p.db"), "export", "-o", str(tmp_path / "o.json")],
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    assert (result.returncode, result.stderr) == (0, f"Exported 1 card to {tmp_path}/o.json.\n")


def test_an_empty_export_file_or_backup_destination_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`export -o "$OUT"` and `backup "$DEST"` with the variable unset: the export went
    to the screen and the copy beside the database, as if no name had been given."""
    database = tmp_path / "p.db"
    assert main(["--db", str(database), "add", "Ann Lee"]) == 0
    capsys.readouterr()
    for command, words in (
        (["export", "-o", ""], "-o names no file"),
        (["export", "-o", "  "], "-o names no file"),
        (["backup", ""], "destination is empty"),
    ):
        code = main(["--db", str(database), *command])
        out, err = capsys.readouterr()
        assert code == 1 and out == "", (command, out)
        assert err.count("\n") == 1 and words in err and "Traceback" not in err, err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["p.db"]
