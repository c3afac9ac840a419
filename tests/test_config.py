"""The config file: where it is, what a bad one says, init/path/check, writing back, [keys]."""

from __future__ import annotations

import re
import stat
import tomllib
from pathlib import Path

import pytest

from pipeline_tui.config import (
    ConfigError,
    default_config_path,
    load_config,
    save_setting,
)
from pipeline_tui.ui.keys import check_keymap
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


def test_unknown_keys_and_sections_are_warnings_not_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write(
        tmp_path / "config.toml",
        "[user]\nname = 'kim'\nnickname = 'k'\n[colours]\nx = 1\n",
    )
    code, out, err = run(capsys, "--config", str(config), "--db", str(tmp_path / "x.db"), "list")
    assert code == 0
    assert "user.nickname" in err and "[colours]" in err
    assert all(line.startswith("pipeline-tui: warning: ") for line in err.splitlines())
    assert "No cards yet" in out


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


def test_config_init_writes_a_starter_once(
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
    before = path.read_text(encoding="utf-8")
    code, out, err = run(capsys, "config", "init")
    line = assert_one_line_error(code, err)
    assert str(path) in line and "already exists" in line
    assert path.read_text(encoding="utf-8") == before


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


# Writing settings back ------------------------------------------------------------------------


def test_save_setting_keeps_every_other_key(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.toml",
        "# my notes\n[user]\nname = 'kim'\n[keys]\n'board.move_on' = 'L'\n[future]\nx = 1\n",
    )
    path.chmod(0o640)
    save_setting(path, "ui", "theme", "pipeline-light")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data == {
        "user": {"name": "kim"},
        "keys": {"board.move_on": "L"},
        "future": {"x": 1},
        "ui": {"theme": "pipeline-light"},
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_save_setting_creates_a_missing_file_and_refuses_a_broken_one(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    save_setting(path, "ui", "theme", "pipeline-ansi")
    assert load_config(str(path)).theme == "pipeline-ansi"
    broken = write(tmp_path / "broken.toml", "[ui\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        save_setting(broken, "ui", "theme", "x")
    assert broken.read_text(encoding="utf-8") == "[ui\n"


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
