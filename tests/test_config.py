"""The config file: where it is, what a bad one says, init/path/check, [keys], [dates]; and
the state file, where the app keeps what it changes (the config is never rewritten)."""

from __future__ import annotations

import re
import stat
import tomllib
from pathlib import Path

import pytest

from pipeline_tui.config import (
    AppState,
    ConfigError,
    default_config_path,
    default_state_path,
    load_config,
    load_state,
    save_state,
)
from pipeline_tui.domain.dates import DateOrder
from pipeline_tui.store import open_database
from pipeline_tui.ui.keys import check_keymap
from pipeline_tui.ui.themes import theme_from_toml
from tests.test_cli import assert_one_line_error, run

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("[user]\nname = 42\n", ["user.name", "text", "whole number"]),
        ("[user]\nname = '  '\n", ["user.name", "empty"]),
        ("[ui]\ntheme = ['a']\n", ["ui.theme", "text", "list"]),
        ("[database]\nurl = true\n", ["database.url", "true or false"]),
        ("ui = 'dark'\n", ["ui", "table"]),
        ("[keys]\n'board.move_on' = 3\n", ['keys."board.move_on"', "text"]),
        ("[keys]\n'board.move_on' = ''\n", ['keys."board.move_on"', "at least one key"]),
        ("[keys]\n'board.move_on' = 'L,,right'\n", ['keys."board.move_on"', "malformed"]),
        ("[keys]\n'board.move_on' = 'shift right'\n", ["malformed", "shift right"]),
        # "Never stale": the board then ended in an OverflowError traceback (a cut-off
        # day before the year 1), while the shell took it.
        ("[stale]\nrepeat = 999999\n", ["stale.repeat", "from 1 to 36500 (days)"]),
        ("[stale]\nlead = 99999999999\n", ["stale.lead", "from 1 to 36500 (days)"]),
        ("[user\nname = 'sam'\n", ["TOML", "line 1", "column"]),
        ("[user]\nname = 'sam'\nname = 'kim'\n", ["TOML", "line 3"]),
    ],
)
def test_a_bad_config_names_the_file_the_key_and_the_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, words: list[str]
) -> None:
    config = write(tmp_path / "config.toml", content)
    db = tmp_path / "x.db"
    code, out, err = run(capsys, "--config", str(config), "--db", str(db), "list")
    line = assert_one_line_error(code, err)
    assert str(config) in line
    for word in words:
        assert word in line
    assert out == ""
    assert not db.exists()


def test_a_config_that_is_not_utf8_or_is_a_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b"[user]\nname = '\xff'\n")
    code, _, err = run(capsys, "--config", str(config), "list", "--db", str(tmp_path / "x.db"))
    assert "UTF-8" in assert_one_line_error(code, err)
    code, _, err = run(capsys, "--config", str(tmp_path), "list", "--db", str(tmp_path / "x.db"))
    assert "folder" in assert_one_line_error(code, err)


def test_a_config_and_a_theme_saved_with_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    """Windows Notepad saves UTF-8 with a byte order mark, which TOML's reader took for
    a bad statement at line 1, column 1 (a theme so saved was skipped)."""
    config = tmp_path / "config.toml"
    config.write_bytes("\ufeff[user]\nname = 'kim'\n".encode())
    assert load_config(str(config)).user_name == "kim"
    theme = tmp_path / "dusk.toml"
    theme.write_bytes("\ufeffname = 'dusk'\nprimary = '#336699'\n".encode())
    assert theme_from_toml(theme).name == "dusk"


def test_unknown_keys_and_sections_are_warnings_not_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write(
        tmp_path / "config.toml",
        "[user]\nname = 'kim'\nnickname = 'k'\n[colours]\nx = 1\n",
    )
    open_database(str(tmp_path / "x.db")).close()
    code, out, err = run(capsys, "--config", str(config), "--db", str(tmp_path / "x.db"), "list")
    assert code == 0
    assert "user.nickname" in err and "[colours]" in err
    assert all(line.startswith("pipeline-tui: warning: ") for line in err.splitlines())
    assert "No cards yet" in out


def test_a_mistyped_key_or_section_is_named_with_what_was_meant(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # "nmae" left the login name as the owner of every new card, with only "ignored".
    config = write(
        tmp_path / "config.toml", "[user]\nnmae = 'kim'\n[qualifcation]\ncriteria = []\n"
    )
    open_database(str(tmp_path / "x.db")).close()
    code, _, err = run(capsys, "--config", str(config), "--db", str(tmp_path / "x.db"), "list")
    assert code == 0
    assert "unknown key user.nmae ignored; did you mean user.name?" in err
    assert "unknown section [qualifcation] ignored; did you mean [qualification]?" in err


def test_the_example_config_documents_every_key_and_loads_cleanly(tmp_path: Path) -> None:
    from pipeline_tui.config import OPEN_SECTIONS, SCHEMA

    text = EXAMPLE.read_text(encoding="utf-8")
    for section, keys in SCHEMA.items():
        assert f"[{section}]" in text
        for key, setting in keys.items():
            assert f"# {key} = " in text, key
            if isinstance(setting.default, str):
                assert f'# {key} = "{setting.default}"' in text
            elif setting.default is not None:
                assert f"# {key} = {setting.default}" in text
    for section in OPEN_SECTIONS:
        assert f"[{section}]" in text
    # Uncommenting every example value gives a valid config with no warnings.
    uncommented = "\n".join(
        line[2:] if re.match(r'# "?[\w.-]+"? = ', line) else line for line in text.splitlines()
    )
    config = load_config(str(write(tmp_path / "config.toml", uncommented)))
    assert config.warnings == ()
    assert config.keys


def test_config_path_follows_flag_then_env_then_xdg(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, "config", "path")
    assert code == 0 and out.startswith(str(default_config_path()))
    assert str(tmp_path / "xdg-config") in out
    monkeypatch.setenv("PIPELINE_TUI_CONFIG", str(tmp_path / "env.toml"))
    assert run(capsys, "config", "path")[1].startswith(str(tmp_path / "env.toml"))
    out = run(capsys, "--config", str(tmp_path / "flag.toml"), "config", "path")[1]
    assert out.startswith(str(tmp_path / "flag.toml"))


def test_config_init_writes_a_starter_and_later_says_what_is_there(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "config", "init")
    path = default_config_path()
    assert (code, err) == (0, "")
    assert str(path) in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["ui"]["theme"] == "pipeline-dark"
    assert load_config().warnings == ()

    mine = "# my own notes\n[user]\nname = 'kim'\n[keys]\n'board.undo' = 'U'\n"
    path.write_text(mine, encoding="utf-8")
    code, out, err = run(capsys, "config", "init")
    assert (code, err) == (0, "")
    assert str(path) in out and "left as it is" in out
    assert "user.name and 1 key" in out and "--force" in out
    assert path.read_text(encoding="utf-8") == mine

    code, out, err = run(capsys, "config", "init", "--force")
    assert (code, err) == (0, "")
    kept = path.with_name("config.toml.bak")
    assert str(kept) in out
    assert kept.read_text(encoding="utf-8") == mine  # nothing of the rep's is lost
    assert tomllib.loads(path.read_text(encoding="utf-8"))["ui"]["theme"] == "pipeline-dark"
    run(capsys, "config", "init", "--force")
    assert path.with_name("config.toml.bak.1").exists() and kept.read_text() == mine


def test_config_init_on_a_broken_config_says_why_and_leaves_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = default_config_path()
    path.parent.mkdir(parents=True)
    path.write_text("[ui\n", encoding="utf-8")
    code, out, err = run(capsys, "config", "init")
    assert (code, err) == (0, "")
    assert "not valid TOML" in out and "--force" in out
    assert path.read_text(encoding="utf-8") == "[ui\n"


def test_config_init_on_a_folder_says_so_and_suggests_nothing_that_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`config init` on a folder exited 0, "Your config is already at ...; ... is a
    folder. `config init --force` replaces it", and --force then refused: is a folder."""
    folder = tmp_path / "config.toml"
    folder.mkdir()
    (folder / "kept").write_text("mine", encoding="utf-8")
    for force in ([], ["--force"]):
        code, out, err = run(capsys, "--config", str(folder), "config", "init", *force)
        line = assert_one_line_error(code, err)
        assert f"{folder} is a folder, not a config file" in line
        assert "--force" not in line and out == ""
    assert (folder / "kept").read_text(encoding="utf-8") == "mine"


def test_config_check_reports_key_conflicts_and_missing_themes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write(
        tmp_path / "config.toml",
        "[ui]\ntheme = 'nope'\n[keys]\n'board.move_on' = 'l'\n'board.fly' = 'x'\n",
    )
    code, out, err = run(capsys, "--config", str(config), "config", "check")
    assert code == 1
    assert "'l' is bound to both" in err
    assert "board.fly" in err
    assert "'nope' is not a theme" in err
    assert "board.move_on" in out and "Actions you can rebind" in out
    clean = write(tmp_path / "ok.toml", "[keys]\n'board.move_on' = 'L,shift+right'\n")
    code, out, err = run(capsys, "--config", str(clean), "config", "check")
    assert (code, err) == (0, "")
    assert "L,shift+right" in out


def test_a_broken_user_theme_is_a_warning_in_config_check(
    capsys: pytest.CaptureFixture[str],
) -> None:
    themes = default_config_path().parent / "themes"
    themes.mkdir(parents=True)
    write(themes / "broken.toml", "name = 'broken'\nprimary = 'not a colour'\n")
    code, _, err = run(capsys, "config", "check")
    assert code == 1 and "broken.toml" in err


# The state file --------------------------------------------------------------------------------


def test_the_state_file_is_private_whole_and_forgiving(tmp_path: Path) -> None:
    path = default_state_path()
    assert str(tmp_path) in str(path) and path.name == "state.toml"
    assert load_state(path) == AppState()  # none yet
    save_state(path, AppState(theme="pipeline-light", board_view=("my cards",)))
    assert load_state(path) == AppState(theme="pipeline-light", board_view=("my cards",))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    path.write_text("theme = 3\nboard_view = ['stale only', 'my cards']\n", encoding="utf-8")
    assert load_state(path) == AppState(board_view=("my cards",))
    path.write_text("[broken\n", encoding="utf-8")
    assert load_state(path) == AppState()


# [dates] --------------------------------------------------------------------------------------


def test_the_date_order_comes_from_the_config_else_the_locale(tmp_path: Path) -> None:
    us = {"LANG": "en_US.UTF-8"}
    assert load_config(environ=us).date_order is DateOrder.MDY
    assert load_config(environ={"LANG": "de_DE.UTF-8"}).date_order is DateOrder.DMY
    config = write(tmp_path / "config.toml", "[dates]\norder = 'DMY'\n")
    assert load_config(str(config), environ=us).date_order is DateOrder.DMY
    bad = write(tmp_path / "bad.toml", "[dates]\norder = 'ymd'\n")
    with pytest.raises(ConfigError, match=r"dates\.order must be"):
        load_config(str(bad))


# [keys] -----------------------------------------------------------------------------------------


def test_a_valid_keymap_has_no_problems() -> None:
    assert check_keymap({"board.move_on": "L,shift+right", "card.back": "escape,backspace"}) == []


def test_keymap_problems_are_each_one_sentence() -> None:
    problems = check_keymap(
        {
            "board.move_onn": "x",
            "board.move_on": "l",
            "board.undo": "ctrl+p",
            "board.new_card": "shift+rigth",
        }
    )
    text = "\n".join(problems)
    assert "'board.move_onn' is not an action" in text and "did you mean 'board.move_on'" in text
    assert "'l' is bound to both board.move_on and board.column_right" in text or (
        "'l' is bound to both board.column_right and board.move_on" in text
    )
    assert "ctrl+p" in text and "command palette" in text
    assert "'shift+rigth' is not a key name" in text
    assert len(problems) == 4
    assert all(p.endswith(".") and "\n" not in p for p in problems)


def test_the_keys_of_a_screens_list_can_be_rebound_and_clash_with_the_screens() -> None:
    assert check_keymap({"archived.down": "n", "standup.page_down": "space"}) == []
    [clash] = check_keymap({"archived.restore": "j"})
    assert "'j' is bound to both" in clash and "archived.down" in clash


def test_the_same_key_on_two_screens_is_not_a_conflict() -> None:
    assert check_keymap({"card.back": "q"}) == []


def test_printable_keys_on_a_typing_screen_are_reported() -> None:
    from textual.binding import Binding

    from pipeline_tui.ui.keys import KeyContext

    editor = KeyContext(
        "note editor", lambda: [Binding("ctrl+s", "save", "Save", id="note.save")], typing=True
    )
    problems = check_keymap({"note.save": "s"}, [editor])
    assert len(problems) == 1 and "typed into the text field" in problems[0]
    assert check_keymap({"note.save": "ctrl+w"}, [editor]) == []
