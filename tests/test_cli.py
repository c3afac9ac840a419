"""The command line: add and list from the shell, one-line errors, env and flags, pipes."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline_tui.cli import build_parser, main, parse_args
from pipeline_tui.config import default_database_path
from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, open_database

SCRIPT = Path(sys.executable).parent / "pipeline-tui"
NOT_SQLITE = b"name,organisation\nAnn,Acme\nBen,Hollis & Sons\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, err: str) -> str:
    assert code != 0
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("pipeline-tui: error: ")
    return lines[0]


def names_in(db: Path) -> list[str]:
    database = open_database(str(db))
    try:
        return [card.name for card in PipelineService(database, "sam").cards()]
    finally:
        database.close()


@pytest.fixture
def db(tmp_path: Path, sqlite_template: Path) -> Path:
    """An empty pipeline at the newest schema (a test of a new file uses `tmp_path`)."""
    return Path(shutil.copy(sqlite_template, tmp_path / "cli.db"))


@pytest.fixture
def two_cards(capsys: pytest.CaptureFixture[str], db: Path) -> Path:
    code, out, err = run(
        capsys,
        "add",
        "Ann Okafor",
        "--db",
        str(db),
        "--org",
        "Brightwater Dental",
        "--stage",
        "prospect",
        "--next",
        "Send the checklist",
        "--due",
        "2026-12-01",
        "--tags",
        "warm, dental",
        "--source",
        "Content",
    )
    assert (code, err) == (0, "")
    assert out == "Added Ann Okafor to Prospect (card 1).\n"
    code, out, err = run(capsys, "--db", str(db), "add", "Ben Hollis", "--stage", "Referral")
    assert (code, err) == (0, "")
    assert out == "Added Ben Hollis to Repeat / Referral (card 2).\n"
    return db


# Adding and listing ---------------------------------------------------------------------


def test_add_then_list_as_a_table(capsys: pytest.CaptureFixture[str], two_cards: Path) -> None:
    code, out, err = run(capsys, "list", "--db", str(two_cards))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == [
        "STAGE",
        "NAME",
        "ORGANISATION",
        "EMAIL",
        "PHONE",
        "NEXT",
        "ACTION",
        "DUE",
    ]
    assert len(lines) == 3
    ann, ben = lines[1], lines[2]
    for expected in ("prospect", "Ann Okafor", "Brightwater Dental", "Send the checklist"):
        assert expected in ann
    assert ann.endswith("2026-12-01")
    assert ben.startswith("repeat") and "Ben Hollis" in ben
    # Columns line up under their headings.
    assert ann.index("Ann Okafor") == lines[0].index("NAME")
    assert ann.index("2026-12-01") == lines[0].index("DUE")


def test_list_shows_email_and_phone(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    run(capsys, "--db", str(db), "add", "Ann", "--email", "ann@x.io", "--phone", "+44 1")
    _, out, _ = run(capsys, "--db", str(db), "list")
    header, row = out.splitlines()
    assert "EMAIL" in header and "PHONE" in header
    assert row[header.index("EMAIL") :].startswith("ann@x.io")
    assert row[header.index("PHONE") :].startswith("+44 1")
    _, out, _ = run(capsys, "--db", str(db), "list", "--format", "json")
    assert (json.loads(out)[0]["email"], json.loads(out)[0]["phone"]) == ("ann@x.io", "+44 1")
    _, out, _ = run(capsys, "--db", str(db), "list", "--format", "csv")
    record = next(csv.DictReader(io.StringIO(out)))
    assert (record["email"], record["phone"]) == ("ann@x.io", "'+44 1")  # never a formula


def test_list_as_csv(capsys: pytest.CaptureFixture[str], two_cards: Path) -> None:
    code, out, err = run(capsys, "list", "--db", str(two_cards), "--format", "csv")
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["name"], r["organisation"], r["stage"], r["next_action_due"]) for r in rows] == [
        ("Ann Okafor", "Brightwater Dental", "prospect", "2026-12-01"),
        ("Ben Hollis", "", "repeat", ""),
    ]
    assert rows[0]["tags"] == "warm dental"
    assert rows[0]["next_action"] == "Send the checklist"


def test_list_as_json(capsys: pytest.CaptureFixture[str], two_cards: Path) -> None:
    code, out, err = run(capsys, "list", "--db", str(two_cards), "--format", "json")
    assert (code, err) == (0, "")
    records = json.loads(out)
    assert [(r["name"], r["organisation"], r["stage"], r["next_action_due"]) for r in records] == [
        ("Ann Okafor", "Brightwater Dental", "prospect", "2026-12-01"),
        ("Ben Hollis", "", "repeat", None),
    ]
    assert records[0]["id"] == 1 and records[0]["position"] == 0


def test_list_gives_each_card_its_place_in_its_column(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    for name in ("Ann", "Ben", "Cat"):
        run(capsys, "add", name, "--db", str(db))
    run(capsys, "add", "Dee", "--db", str(db), "--stage", "client")
    database = open_database(str(db))
    try:  # history leaves gaps and negative numbers in the stored positions
        service = PipelineService(database, "sam")
        ann = next(card.id for card in service.cards() if card.name == "Ann")
        service.move_card(ann, Stage.CLIENT)
        service.move_card(ann, Stage.LEAD)
    finally:
        database.close()
    for form in ("json", "csv"):
        code, out, _ = run(capsys, "list", "--db", str(db), "--format", form)
        records = json.loads(out) if form == "json" else list(csv.DictReader(io.StringIO(out)))
        assert code == 0
        assert [(r["name"], r["stage"], int(r["position"])) for r in records] == [
            ("Ann", "lead", 0),
            ("Cat", "lead", 1),
            ("Ben", "lead", 2),
            ("Dee", "client", 0),
        ]
    code, out, _ = run(capsys, "list", "--db", str(db), "--stage", "lead", "--format", "json")
    assert [(r["name"], r["position"]) for r in json.loads(out)] == [
        ("Ann", 0),
        ("Cat", 1),
        ("Ben", 2),
    ]


def test_list_of_an_empty_pipeline(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    open_database(str(db)).close()
    code, out, err = run(capsys, "list", "--db", str(db))
    assert (code, err) == (0, "")
    assert "No cards yet" in out
    code, out, _ = run(capsys, "list", "--db", str(db), "--format", "json")
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = run(capsys, "list", "--db", str(db), "--format", "csv")
    assert code == 0 and list(csv.DictReader(io.StringIO(out))) == []


def test_list_of_an_empty_stage_says_so_not_that_there_are_no_cards(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    run(capsys, "--db", str(db), "add", "Ann")
    code, out, err = run(capsys, "list", "--db", str(db), "--stage", "client")
    assert (code, out, err) == (0, "No active cards in Client.\n", "")


def test_list_stage_filters(capsys: pytest.CaptureFixture[str], two_cards: Path) -> None:
    code, out, _ = run(
        capsys, "list", "--db", str(two_cards), "--stage", "PROSPECT", "--format", "json"
    )
    assert code == 0
    assert [r["name"] for r in json.loads(out)] == ["Ann Okafor"]
    code, out, _ = run(
        capsys, "list", "--db", str(two_cards), "--stage", "repeat / referral", "--format", "json"
    )
    assert [r["name"] for r in json.loads(out)] == ["Ben Hollis"]
    code, out, _ = run(
        capsys, "list", "--db", str(two_cards), "--stage", "client", "--format", "json"
    )
    assert (code, json.loads(out)) == (0, [])


def test_newest_card_is_listed_first_in_its_stage(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    for name in ("First", "Second", "Third"):
        assert run(capsys, "--db", str(db), "add", name)[0] == 0
    _, out, _ = run(capsys, "--db", str(db), "list", "--format", "json")
    assert [r["name"] for r in json.loads(out)] == ["Third", "Second", "First"]


def test_add_prints_markup_literally_and_drops_control_characters(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    name = "[bold red]Ann[/] \x1b[2J\x1b]52;c;aGVsbG8=\x07[@click=app.quit]x[/]\x00\u202e"
    code, out, err = run(capsys, "--db", str(db), "add", name, "--org", "\x1b[31mAcme\x9b2J")
    assert (code, err) == (0, "")
    assert out == "Added [bold red]Ann[/] [@click=app.quit]x[/] to Lead (card 1).\n"
    _, listed, _ = run(capsys, "--db", str(db), "list")
    assert "[bold red]Ann[/]" in listed
    assert "Acme" in listed
    assert "\x1b" not in listed and "\x07" not in listed and "\x9b" not in listed
    _, as_json, _ = run(capsys, "--db", str(db), "list", "--format", "json")
    [record] = json.loads(as_json)
    assert record["name"] == "[bold red]Ann[/] [@click=app.quit]x[/]"
    assert record["organisation"] == "Acme"


# Errors: one line on stderr, non-zero exit, no traceback, nothing changed ------------------


@pytest.mark.parametrize(
    ("extra", "mentions"),
    [
        (["--stage", "nope"], "lead, prospect, client, repeat"),
        (["--due", "blah"], "'blah'"),
        (["--due", "2026-02-30"], "2026-02-30"),
        (["--source", "nope"], "referral"),
        (["--email", "not-an-email"], "email"),
    ],
)
def test_bad_add_options_give_one_line_errors(
    capsys: pytest.CaptureFixture[str], db: Path, extra: list[str], mentions: str
) -> None:
    code, out, err = run(capsys, "--db", str(db), "add", "Ann", *extra)
    line = assert_one_line_error(code, err)
    assert mentions in line
    assert out == ""
    assert names_in(db) == []


def test_empty_name_is_refused(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, _, err = run(capsys, "--db", str(db), "add", " \x1b[2J ")
    assert "name" in assert_one_line_error(code, err)
    assert names_in(db) == []


def test_list_with_an_unknown_stage(capsys: pytest.CaptureFixture[str], two_cards: Path) -> None:
    code, out, err = run(capsys, "--db", str(two_cards), "list", "--stage", "won")
    assert "'won'" in assert_one_line_error(code, err)
    assert out == ""


@pytest.mark.parametrize("command", [["list"], ["add", "Ann"]])
def test_db_pointing_at_a_non_sqlite_file_is_refused_and_untouched(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(NOT_SQLITE)
    code, out, err = run(capsys, *command, "--db", str(path))
    line = assert_one_line_error(code, err)
    assert str(path) in line
    assert out == ""
    assert path.read_bytes() == NOT_SQLITE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv"]


def test_db_pointing_at_a_folder_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "list", "--db", str(tmp_path))
    assert "folder" in assert_one_line_error(code, err)


def test_db_whose_folder_cannot_be_made(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # A file stands where the database's folder should be (works for root too, unlike
    # a chmod 000 file, which root can always read).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("keep me")
    code, out, err = run(capsys, "list", "--db", str(blocker / "pipeline.db"))
    line = assert_one_line_error(code, err)
    assert str(blocker) in line
    assert out == ""
    assert blocker.read_text() == "keep me"


def test_truncated_sqlite_file_is_refused_and_left_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "cut.db"
    content = b"SQLite format 3\x00" + b"\x00" * 100
    path.write_bytes(content)
    code, out, err = run(capsys, "list", "--db", str(path))
    line = assert_one_line_error(code, err)
    # Damaged, not another kind of file: SQLite says "not a database" of both.
    assert f"{path} is damaged or not a pipeline-tui database" in line
    assert out == ""
    assert path.read_bytes() == content


@pytest.mark.parametrize(
    "content",
    [
        "[user\nname = 'sam'\n",
        "name = \n",
        "[user]\nname = 'a'\nname = 'b'\n",
    ],
)
def test_invalid_toml_config_gives_a_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path, content: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "--config", str(config), "list", "--db", str(db))
    line = assert_one_line_error(code, err)
    assert str(config) in line and "TOML" in line
    assert out == ""
    code, _, err = run(capsys, "list", "--config", str(config), "--db", str(db))
    assert str(config) in assert_one_line_error(code, err)


def test_config_with_a_wrong_type_and_a_missing_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[user]\nname = 42\n", encoding="utf-8")
    code, _, err = run(capsys, "--config", str(config), "list", "--db", str(db))
    assert "user.name" in assert_one_line_error(code, err)
    missing = tmp_path / "nowhere.toml"
    code, _, err = run(capsys, "--config", str(missing), "list", "--db", str(db))
    assert str(missing) in assert_one_line_error(code, err)


def test_config_user_name_becomes_the_owner(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[user]\nname = 'kim'\n", encoding="utf-8")
    assert run(capsys, "--config", str(config), "--db", str(db), "add", "Ann")[0] == 0
    _, out, _ = run(capsys, "--db", str(db), "list", "--format", "json")
    assert json.loads(out)[0]["owner"] == "kim"


# Where the database is ------------------------------------------------------------------


def test_env_var_is_used_without_db_and_db_flag_wins(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_env = tmp_path / "from-env.db"
    from_flag = tmp_path / "from-flag.db"
    monkeypatch.setenv("PIPELINE_TUI_DB", str(from_env))
    assert run(capsys, "add", "Env Person")[0] == 0
    assert run(capsys, "add", "Flag Person", "--db", str(from_flag))[0] == 0
    assert run(capsys, "--db", str(from_flag), "add", "Flag Person Two")[0] == 0
    assert names_in(from_env) == ["Env Person"]
    assert names_in(from_flag) == ["Flag Person Two", "Flag Person"]
    _, out, _ = run(capsys, "list", "--format", "json")
    assert [r["name"] for r in json.loads(out)] == ["Env Person"]
    _, out, _ = run(capsys, "list", "--format", "json", "--db", str(from_flag))
    assert [r["name"] for r in json.loads(out)] == ["Flag Person Two", "Flag Person"]
    # Nothing went to the default XDG database.
    assert not (tmp_path / "xdg-data").exists()


def test_without_db_or_env_the_xdg_data_folder_is_used(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capsys, "add", "Ann")[0] == 0
    default = tmp_path / "xdg-data" / "pipeline-tui" / "pipeline.db"
    assert default.is_file()
    assert names_in(default) == ["Ann"]


# The real console script ----------------------------------------------------------------


def script(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_console_script_adds_and_lists_with_the_env_var(tmp_path: Path) -> None:
    assert SCRIPT.is_file()
    env = {**os.environ, "PIPELINE_TUI_DB": str(tmp_path / "env.db")}
    added = script("add", "Ann Okafor", "--org", "Acme", "--stage", "client", env=env)
    assert (added.returncode, added.stderr) == (0, "")
    assert added.stdout == "Added Ann Okafor to Client (card 1).\n"
    listed = script("list", "--format", "csv", env=env)
    assert (listed.returncode, listed.stderr) == (0, "")
    [row] = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert (row["name"], row["organisation"], row["stage"]) == ("Ann Okafor", "Acme", "client")


def test_console_script_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_bytes(NOT_SQLITE)
    env = {**os.environ, "PIPELINE_TUI_DB": str(bad)}
    result = script("list", env=env)
    assert result.stdout == ""
    assert str(bad) in assert_one_line_error(result.returncode, result.stderr)
    assert bad.read_bytes() == NOT_SQLITE


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_an_output_encoding_that_cannot_write_a_name_is_one_sentence(
    tmp_path: Path, encoding: str
) -> None:
    """PYTHONIOENCODING=latin-1 (or a terminal set to it) and a name in Japanese: a
    traceback from the table's print."""
    path = tmp_path / "p.db"
    run_script = [str(SCRIPT), "--db", str(path)]
    subprocess.run([*run_script, "add", "山田 太郎"], check=True, capture_output=True)
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    result = subprocess.run([*run_script, "list"], capture_output=True, env=env, timeout=60)
    assert result.returncode == 1
    assert result.stderr.decode() == (
        f"pipeline-tui: error: the output's encoding ({encoding}) cannot write "
        "'\\u5c71\\u7530', so what was to be shown was cut short (anything the command "
        "changed was saved); use UTF-8 (LANG=C.UTF-8, or PYTHONIOENCODING=utf-8).\n"
    )


@pytest.mark.parametrize("given", ["{folder}/sur\udce9.db", "sqlite:///{folder}/sur\udce9.db"])
def test_a_database_path_that_is_not_utf8_is_one_sentence(tmp_path: Path, given: str) -> None:
    """A file name in another encoding (bytes SQLite cannot take): a traceback."""
    target = given.format(folder=tmp_path)
    result = subprocess.run([str(SCRIPT), "--db", target, "add", "X"], capture_output=True)
    assert result.returncode == 1
    assert result.stderr.decode() == (
        f"pipeline-tui: error: {tmp_path}/sur\\xe9.db has bytes that are not UTF-8 in its "
        "name, which SQLite cannot open; rename it or give another path.\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_relative_database_path_in_a_folder_not_in_utf8_is_one_sentence(
    tmp_path: Path,
) -> None:
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/d\xe9"))
    folder.mkdir()
    result = subprocess.run(
        [str(SCRIPT), "--db", "p.db", "add", "X"], capture_output=True, cwd=folder
    )
    assert result.returncode == 1 and b"has bytes that are not UTF-8" in result.stderr
    assert list(folder.iterdir()) == []


def test_console_script_list_into_a_closed_pipe_prints_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "many.db"
    database = open_database(str(path))
    try:
        service = PipelineService(database, "sam")
        for n in range(300):
            service.add_card(
                CardDraft(f"Person {n:03d}", organisation="Org " * 20, next_action="x" * 300)
            )
    finally:
        database.close()
    env = {**os.environ, "PIPELINE_TUI_DB": str(path)}
    # Like `pipeline-tui list --format csv | head -1`: the reader takes one line and goes
    # away while far more output than a pipe holds (about 130 kB) is still to be written.
    process = subprocess.Popen(
        [str(SCRIPT), "list", "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read().decode()
    process.stderr.close()
    code = process.wait(timeout=60)
    assert first.decode().startswith("id,name,organisation,email,phone,stage")
    assert "Traceback" not in err
    assert "BrokenPipeError" not in err
    assert err == ""
    assert code == 0


def test_a_database_failing_under_a_read_is_one_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import sqlite3

    path = tmp_path / "damaged.db"
    code, _, _ = run(capsys, "add", "Ada", "--db", str(path))
    assert code == 0
    with sqlite3.connect(path) as connection:  # the card table is gone, the schema says current
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("DROP TABLE card")
    code, out, err = run(capsys, "list", "--db", str(path))
    line = assert_one_line_error(code, err)
    assert "card" in line
    assert out == ""


# Parsing: the board's options alone, or the whole command line -------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--db", "p.db"],
        ["--db=p.db", "--demo"],
        ["--de"],
        ["--config", "c.toml", "--db", "list"],
        ["list"],
        ["--db", "p.db", "list", "--format", "json"],
        ["list", "--db", "p.db"],
        ["config", "path"],
    ],
)
def test_a_command_line_is_read_as_the_whole_parser_reads_it(argv: list[str]) -> None:
    # The board's options are read without building every subcommand's parser.
    assert parse_args(argv) == build_parser().parse_args(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["-h"],
        ["--db", "p.db", "-h"],
        ["--version"],
        ["--d"],
        ["--db"],
        ["--demo=1"],
        ["--nope"],
        ["lits"],
        ["--config"],
        ["add"],
        ["--demo", "--", "add"],
    ],
)
def test_help_version_and_mistakes_are_answered_by_the_whole_parser(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as read:
        parse_args(argv)
    said = capsys.readouterr()
    with pytest.raises(SystemExit) as whole:
        build_parser().parse_args(argv)
    assert read.value.code == whole.value.code
    assert said == capsys.readouterr()
    assert said.out or said.err


@pytest.mark.parametrize(
    ("environment", "expected"), [({}, "0.03 False"), ({"ESCDELAY": "80"}, "0.08 80")]
)
def test_the_board_waits_30_ms_for_a_lone_escape_unless_escdelay_says_otherwise(
    environment: dict[str, str], expected: str
) -> None:
    """The board's Textual takes a lone ESC byte as escape after 30 ms (its own default
    is 100 ms) or the rep's ESCDELAY; the variable is set only while Textual reads it,
    so $EDITOR and the hooks see the rep's own environment."""
    code = (
        "import os\n"
        "from pipeline_tui import cli\n"
        "cli._import_the_board()\n"
        "from textual import constants\n"
        "print(constants.ESCAPE_DELAY, os.environ.get('ESCDELAY', False))\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "ESCDELAY"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == expected.split()


def test_a_dry_run_import_with_no_database_creates_none(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_bytes(NOT_SQLITE)
    missing = tmp_path / "not-yet" / "pipeline.db"
    code, out, err = run(capsys, "import", str(contacts), "--dry-run", "--db", str(missing))
    assert code == 0
    assert err == (
        f"pipeline-tui: warning: there is no pipeline at {missing} yet; this is what "
        "would happen in an empty one (nothing was created).\n"
    )
    assert out.splitlines()[-1] == "Would import 2 cards; nothing was written (dry run)."
    assert not missing.parent.exists()


@pytest.mark.parametrize("name", ["Quote.eml", "invite.ICS"])
def test_importing_an_email_or_invite_points_to_log(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    db = tmp_path / "new.db"  # refused before a database is made
    path = tmp_path / name
    path.write_text("From: Ann <ann@x.example>\nSubject: Hi\n\nHello\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(path), "--db", str(db))
    line = assert_one_line_error(code, err)
    assert line.startswith(f"pipeline-tui: error: {name} is ")
    assert line.endswith(f"pipe it to log: pipeline-tui log - < {path}")
    assert out == ""
    assert not db.exists()


def test_importing_a_mailbox_points_to_log_one_message_at_a_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    path = tmp_path / "Inbox.mbox"
    path.write_text("From ann@x.example Fri Nov 20 16:42:09 2026\nSubject: Hi\n\nx\n")
    code, _, err = run(capsys, "import", str(path), "--db", str(db))
    assert assert_one_line_error(code, err) == (
        "pipeline-tui: error: Inbox.mbox is a mailbox, which import does not read; to log "
        "its messages as touchpoints, pipe them one at a time to `pipeline-tui log -`."
    )


@pytest.mark.parametrize(
    ("argv", "so"),
    [
        (["list"], "there are no cards to list"),
        (["list", "--format", "json"], "there are no cards to list"),
        (["standup"], "there is nothing for a stand-up"),
        (["agenda", "--format", "ics"], "there is nothing on the agenda"),
        (["report"], "there is nothing to report"),
        (["export", "--format", "csv"], "there is nothing to export"),
        (["show", "ann"], "there is no card 'ann' in it"),
        (["brief", "ann"], "there is no card 'ann' in it"),
        (["note", "ann", "Quotes take a week"], "there is no card 'ann' in it"),
        (["log", "ann", "--kind", "call", "Rang"], "there is no card 'ann' in it"),
        (["next", "ann", "Call", "--due", "fri"], "there is no card 'ann' in it"),
        (["done", "ann"], "there is no card 'ann' in it"),
        (["move", "ann", "client"], "there is no card 'ann' in it"),
        (["value", "ann", "12k"], "there is no card 'ann' in it"),
        (["park", "ann", "+3m"], "there is no card 'ann' in it"),
        (["rhythm", "ann", "21"], "there is no card 'ann' in it"),
    ],
)
def test_a_mistyped_db_is_not_made_into_an_empty_pipeline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], so: str
) -> None:
    """A read, or a change to a card, at a --db with no pipeline says so and creates
    nothing: `list` said "No cards yet" there, as if the rep's cards had gone."""
    missing = tmp_path / "y" / "n3.db"
    code, out, err = run(capsys, "--db", str(missing), *argv)
    assert assert_one_line_error(code, err) == (
        f"pipeline-tui: error: There is no pipeline at {missing} yet, so {so}."
    )
    assert out == ""
    assert not missing.parent.exists()


@pytest.mark.parametrize(
    "argv",
    [["add", "Ann Okafor"], ["import", "contacts.csv"]],
    ids=["add", "import"],
)
def test_a_db_in_a_folder_that_is_not_there_makes_no_pipeline_there(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:
    """`--db ~/pipline/team.db` (a typo) made the folder and a new pipeline in it, and
    `add` said "Added Ann Okafor to Lead (card 1)": the card was in neither pipeline the
    rep knew. A folder that is not there is named; the default place is made as needed."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "contacts.csv").write_text("Name,Email\nAnn Okafor,ann@x.io\n", encoding="utf-8")
    missing = tmp_path / "pipline" / "team.db"
    code, out, err = run(capsys, "--db", str(missing), *argv)
    folder = missing.parent
    assert assert_one_line_error(code, err) == (
        f"pipeline-tui: error: There is no folder {folder} for a pipeline at {missing}: "
        f"check the path, or make the folder first (mkdir -p {folder})."
    )
    assert out == "" and not folder.exists()
    monkeypatch.setenv("PIPELINE_TUI_DB", str(missing))
    code, out, err = run(capsys, *argv)
    assert code == 1 and "There is no folder" in err and not folder.exists()
    monkeypatch.delenv("PIPELINE_TUI_DB")
    # However the URL spells SQLite: with its driver, or with options.
    for url in (f"sqlite+pysqlite:///{missing}", f"sqlite:///{missing}?timeout=5"):
        code, out, err = run(capsys, "--db", url, *argv)
        assert code == 1 and "There is no folder" in err and not folder.exists()


def test_the_demo_does_not_look_for_the_reps_database_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo opens no database of the rep's: one named in a folder that is not there
    (a share not mounted) refused the demo too. Here the demo gets as far as opening
    its own sample pipeline."""
    import pipeline_tui.cli as cli

    class SampleOpened(Exception):
        pass

    def sample(target: str, *_: object, **__: object) -> None:
        assert target == "sqlite://"
        raise SampleOpened

    monkeypatch.setattr(cli, "in_a_terminal", lambda: True)
    monkeypatch.setattr(cli, "_open_service", sample)
    monkeypatch.setenv("PIPELINE_TUI_DB", str(tmp_path / "share" / "team.db"))
    with pytest.raises(SampleOpened):
        run(capsys, "--demo")


def test_export_through_a_symbolic_link_writes_the_file_it_points_to(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Renamed over the link, the export had turned it into a file of its own and left
    # the file it pointed to as it was.
    db = str(tmp_path / "p.db")
    run(capsys, "--db", db, "add", "Ann Okafor")
    (tmp_path / "shared.json").write_text("last week's export\n", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to("shared.json")
    code, _, err = run(capsys, "--db", db, "export", "-o", str(link))
    assert (code, err) == (0, f"Exported 1 card to {link}.\n")
    assert link.is_symlink() and os.readlink(link) == "shared.json"
    assert "Ann Okafor" in (tmp_path / "shared.json").read_text(encoding="utf-8")


def test_export_to_a_file_from_no_pipeline_writes_no_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "n3.db"
    code, _, err = run(capsys, "--db", str(missing), "export", "-o", str(tmp_path / "out.json"))
    assert assert_one_line_error(code, err).endswith("so there is nothing to export.")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_with_no_pipeline_yet_list_says_how_to_start_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """On a new machine (no --db, no config, no $PIPELINE_TUI_DB) the reads create
    nothing, and say how a pipeline starts; adding a card starts it."""
    default = tmp_path / "xdg-data" / "pipeline-tui" / "pipeline.db"
    for argv in (["list"], ["standup"], ["show", "ann"]):
        code, out, err = run(capsys, *argv)
        line = assert_one_line_error(code, err)
        assert line.startswith(f"pipeline-tui: error: There is no pipeline at {default} yet, so ")
        assert line.endswith(
            "; start one with `pipeline-tui add NAME`, or open the board with `pipeline-tui`."
        )
        assert out == ""
        assert not default.exists()
    code, out, err = run(capsys, "add", "Ann Okafor")
    assert (code, out, err) == (0, "Added Ann Okafor to Lead (card 1).\n", "")
    assert names_in(default) == ["Ann Okafor"]
    code, out, err = run(capsys, "list")
    assert code == 0 and "Ann Okafor" in out


def test_log_from_stdin_still_starts_a_pipeline_with_the_new_lead(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "new.db"
    vcard = b"BEGIN:VCARD\nVERSION:4.0\nFN:Ann Okafor\nEMAIL:ann@x.example\nEND:VCARD\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(vcard)))
    code, _, err = run(capsys, "--db", str(missing), "log", "-")
    assert code == 0, err
    assert names_in(missing) == ["Ann Okafor"]


def test_a_sqlite_url_under_home_is_the_file_under_home(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--db sqlite:///~/p.db` was checked at ~/p.db but opened at ./~/p.db: `list`
    made a folder named "~" and said "No cards yet"."""
    home, elsewhere = tmp_path / "home", tmp_path / "cwd"
    home.mkdir()
    elsewhere.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(elsewhere)
    code, _, err = run(capsys, "--db", "sqlite:///~/p.db", "list")
    assert assert_one_line_error(code, err).endswith("so there are no cards to list.")
    assert run(capsys, "--db", "sqlite:///~/p.db", "add", "Ann")[0] == 0
    assert (home / "p.db").is_file()
    code, out, _ = run(capsys, "--db", "sqlite:///~/p.db", "list")
    assert code == 0 and "Ann" in out
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("amount", ["$5", "USD 5", "CHF 100"])
def test_add_refuses_a_value_in_another_currency(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, amount: str
) -> None:
    db = tmp_path / "pipeline.db"
    code, _, err = run(capsys, "--db", str(db), "add", "Bob", "--value", amount)
    assert f"{amount!r} is not in EUR" in assert_one_line_error(code, err)
    assert not db.exists() or names_in(db) == []


@pytest.mark.parametrize("email", ["bob@@bad", "x@@y", "@example.com", "bob@"])
def test_add_refuses_a_malformed_email(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, email: str
) -> None:
    db = tmp_path / "pipeline.db"
    code, _, err = run(capsys, "--db", str(db), "add", "Bob", "--email", email)
    assert f"{email!r} does not look like an email address" in assert_one_line_error(code, err)
    assert not db.exists() or names_in(db) == []


@pytest.mark.parametrize(
    "target", ["sqlite://", "sqlite:///", "sqlite:///:memory:", "sqlite:///f?mode=memory&uri=true"]
)
def test_a_database_in_memory_is_refused_rather_than_losing_every_write(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    # `PIPELINE_TUI_DB=sqlite:///$UNSET` said "Added Gone to Lead (card 1)." and kept nothing.
    monkeypatch.setenv("PIPELINE_TUI_DB", target)
    status, _, err = run(capsys, "add", "Gone", "--org", "Acme")
    assert status != 0
    assert err.strip() == (
        f"pipeline-tui: error: {target} is a database in memory, gone when the program "
        "ends, so nothing would be kept: name a file (such as ~/pipeline.db) or a server."
    )


@pytest.mark.parametrize("command", [["add", "Gone"], ["list"], ["backup"]])
def test_an_empty_db_option_is_refused_not_read_as_the_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    """`--db "$TEAM_DB"` with the variable unset wrote to the rep's own pipeline."""
    code, _, err = run(capsys, "--db", "", *command)
    assert assert_one_line_error(code, err) == (
        "pipeline-tui: error: --db is empty (an unset variable?); name a file, such as "
        "~/pipeline.db, or a URL."
    )
    assert not default_database_path().exists()


def test_the_standup_says_the_stage_a_new_card_was_added_in(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    # A lead added and moved on the same day was listed "added as Client", though
    # its history says "Added as Lead".
    assert run(capsys, "add", "Fresh Lead", "--db", str(db))[0] == 0
    assert run(capsys, "move", "fresh", "client", "--override", "signed", "--db", str(db))[0] == 0
    for form in ("text", "markdown"):
        code, out, _ = run(capsys, "standup", "--format", form, "--db", str(db))
        assert code == 0
        assert "added as Lead" in out and "added as Client" not in out, out


@pytest.mark.parametrize(
    "argv",
    [
        ("add", ""),
        ("add", "Kim", "--email", "not-an-email"),
        ("import", "{bad}"),
    ],
    ids=["no name", "bad email", "bad import"],
)
def test_a_command_that_fails_leaves_no_new_empty_pipeline_behind(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: tuple[str, ...]
) -> None:
    # The file was made before the command failed: `list` there then said "No cards
    # yet", as if the rep's cards had gone.
    bad = tmp_path / "contacts.csv"
    bad.write_text("name,email\nAnn,not-an-email\n", encoding="utf-8")
    db = tmp_path / "new.db"
    status, _, err = run(capsys, *(a.format(bad=bad) for a in argv), "--db", str(db))
    assert status != 0 and "pipeline-tui: error:" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv"]


def test_a_failed_command_leaves_an_existing_pipeline_alone(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    assert run(capsys, "add", "", "--db", str(db))[0] != 0
    assert db.exists()
