"""Text from the config, theme files and other reps' rows is sanitised where it comes
in, and laid-out text is measured in terminal cells: wide (CJK) and zero-width
characters never push a column, and invisible fillers are gone.

The raw-bytes checks run the real program in a pseudo-terminal and on pipes."""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from pipeline_tui.config import load_config
from pipeline_tui.domain.cards import CardDraft, CardFormError
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import (
    cell_width,
    clean_line,
    clean_text,
    clip_cells,
    pad_cells,
    wrap_cells,
)
from pipeline_tui.standup_report import as_text
from pipeline_tui.store import PipelineService, open_database
from pipeline_tui.store.standup import load_standup
from pipeline_tui.ui.keys import check_keymap
from pipeline_tui.ui.themes import load_themes
from tests.conftest import NOW, TODAY
from tests.pilot import make_app, screen_text, settle
from tests.test_cli import run
from tests.test_hostile_terminal import _read_until_quiet

FILLERS = "\u115f\u1160\u3164\uffa0"
# As written in a TOML file (raw control characters are not valid TOML; escapes are).
OSC52 = "\\u001b]52;c;SGVsbG8gY2xpcGJvYXJk\\u0007"
OSC0 = "\\u001b]0;owned\\u0007"
RAW_OSC52 = "\x1b]52;c;SGVsbG8gY2xpcGJvYXJk\x07"
RAW_OSC0 = "\x1b]0;owned\x07"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# The sanitiser and cell widths ----------------------------------------------------------


@pytest.mark.parametrize("filler", list(FILLERS))
def test_invisible_fillers_are_removed(filler: str) -> None:
    assert clean_line(filler * 12 + "Ann") == "Ann"
    assert clean_text(f"a{filler}b\nc") == "ab\nc"
    with pytest.raises(CardFormError, match="needs a name"):
        CardDraft(filler * 12).cleaned()


def test_the_sanitiser_keeps_real_text() -> None:
    for text in ("山田太郎", "한국어 이름", "José Müller", "👩‍👩‍👧 family", "नमस्ते", "🇬🇧 UK"):
        assert clean_line(text) == text
    assert clean_line("soft\u00adhyphen and cgj\u034f") == "softhyphen and cgj"


@pytest.mark.parametrize(
    ("text", "cells"),
    [("Ann", 3), ("山田太郎", 8), ("e\u0301", 1), ("👍", 2), ("a\u200db", 2), ("", 0), ("ｱ", 1)],
)
def test_cell_width_is_what_a_terminal_gives(text: str, cells: int) -> None:
    assert cell_width(text) == cells


def test_clipping_padding_and_wrapping_count_cells() -> None:
    assert clip_cells("山田太郎", 5) == "山田…"
    assert pad_cells("山田", 6) == "山田  " and cell_width(pad_cells("山田太郎様", 6)) == 6
    lines = wrap_cells("株式会社ソニー 見積書を送る " * 6, 30, "  due  ", "       ")
    assert all(cell_width(line) <= 30 for line in lines) and len(lines) > 3
    assert "".join(wrap_cells("漢" * 50, 11)).replace(" ", "") == "漢" * 50


# Laid out in cells ------------------------------------------------------------------------

CJK = ["山田太郎", "株式会社ソニーグループ", "佐藤花子", "한국전력공사 영업부"]


def _cjk_pipeline(service: PipelineService) -> None:
    for n, name in enumerate(CJK):
        card = service.add_card(
            CardDraft(
                name=name * 3,
                organisation=CJK[(n + 1) % len(CJK)] * 2,
                next_action="見積書を送る、そして電話で確認する" * 2,
                next_action_due=TODAY - timedelta(days=n),
                owner=CJK[(n + 2) % len(CJK)],
            ),
            Stage.LEAD,
        ).card_id
        service.add_touchpoint(card, TouchpointKind.CALL, TODAY - timedelta(days=40), "会議")


def test_the_text_stand_up_fits_80_cells_with_cjk_names(service: PipelineService) -> None:
    _cjk_pipeline(service)
    report = load_standup(service.database, TODAY, since=TODAY - timedelta(days=3))
    text = as_text(report)
    assert "山田太郎" in text
    widths = [cell_width(line) for line in text.splitlines()]
    assert max(widths) <= 80, [line for line in text.splitlines() if cell_width(line) > 80]


def test_the_cli_table_lines_up_in_cells(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    for name in ("Ann Okafor", "山田太郎", "株式会社ソニーグループ営業本部の佐藤花子さま"):
        assert (
            run(capsys, "--db", db_url, "add", name, "--next", "Call 山田", "--org", name)[0] == 0
        )
    code, out, _ = run(capsys, "--db", db_url, "list")
    assert code == 0
    rows = out.splitlines()
    header = rows[0]
    column = cell_width(header[: header.index("NEXT ACTION")])
    for row in rows[1:]:
        start = row.index("Call")
        assert cell_width(row[:start]) == column, row


async def test_a_filler_name_from_another_rep_does_not_shift_its_row(
    service: PipelineService, db_path: Path
) -> None:
    """A row written by an older release or another tool, fillers and all: what the
    board draws measures the same to a terminal as to Textual, line by line."""
    service.add_card(CardDraft("Plain"), Stage.PROSPECT)
    card = service.add_card(CardDraft("Placeholder", organisation="Org"), Stage.LEAD).card_id
    with closing(sqlite3.connect(db_path)) as connection:
        connection.execute(
            "UPDATE card SET name = ?, organisation = ? WHERE id = ?",
            ("\u3164" * 12 + "Ghost", "\u115f" * 6 + "山田商事", card),
        )
        connection.commit()
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Ghost" in text and "山田商事" in text and "Plain" in text
        assert not any(ch in text for ch in FILLERS)
        for line in text.splitlines():
            assert cell_width(line) == 80, line


# Config and themes: sanitised where they come in ------------------------------------------


def test_config_text_is_sanitised_where_it_is_read(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[user]\nname = "sam{OSC0}"\n'
        f'["evil{OSC52}"]\nx = 1\n'
        f'[ui]\n"key{OSC0}" = 1\n'
        f'[keys]\n"board.{OSC52}" = "L"\n"board.move_on" = "M{OSC0}"\n',
        encoding="utf-8",
    )
    loaded = load_config(str(config))
    assert loaded.user_name == "sam"
    texts = [*loaded.warnings, *loaded.keys, *loaded.keys.values(), *check_keymap(loaded.keys)]
    assert len(loaded.warnings) == 2
    for text in texts:
        assert not CONTROL.search(text), repr(text)
    assert "evil" in loaded.warnings[0] and "key" in loaded.warnings[1]


def test_theme_names_and_warnings_are_sanitised(tmp_path: Path) -> None:
    (tmp_path / f"bad{RAW_OSC0}.toml").write_text("not toml [", encoding="utf-8")
    (tmp_path / "named.toml").write_text(
        f'name = "dark{OSC52}\u202eside"\nprimary = "#336699"\n', encoding="utf-8"
    )
    themes, warnings = load_themes([tmp_path])
    assert [theme.name for theme in themes] == ["darkside"]
    assert len(warnings) == 1 and not CONTROL.search(warnings[0])


def test_a_theme_nested_too_deep_is_skipped_with_a_warning(tmp_path: Path) -> None:
    # tomllib recurses into nested lists: a RecursionError went up as a traceback.
    (tmp_path / "deep.toml").write_text("x = " + "[" * 100_000 + "]" * 100_000, "utf-8")
    (tmp_path / "fine.toml").write_text('name = "fine"\nprimary = "#336699"\n', "utf-8")
    themes, warnings = load_themes([tmp_path])
    assert [theme.name for theme in themes] == ["fine"]
    assert warnings == ["Theme deep.toml was skipped: it nests too deep to read"]


def test_a_hostile_user_name_never_reaches_a_teammate_through_export(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[user]\nname = "sam{OSC52}{OSC0}\\u009b2J"\n', encoding="utf-8")
    database = tmp_path / "team.db"
    env = {**os.environ, "PIPELINE_TUI_CONFIG": str(config), "PIPELINE_TUI_DB": str(database)}
    script = [sys.executable, "-m", "pipeline_tui"]
    added = subprocess.run([*script, "add", "Ann"], capture_output=True, env=env, timeout=60)
    assert added.returncode == 0 and added.stderr == b""
    exported = subprocess.run([*script, "export"], capture_output=True, env=env, timeout=60)
    listed = subprocess.run([*script, "list"], capture_output=True, env=env, timeout=60)
    for output in (exported.stdout, exported.stderr, listed.stdout, listed.stderr):
        assert b"\x1b" not in output and b"\x07" not in output and b"\xc2\x9b" not in output
    cards = json.loads(exported.stdout)["cards"]
    assert cards[0]["owner"] == "sam" and cards[0]["history"][0]["by"] == "sam"


# In a real terminal --------------------------------------------------------------------------

WIDTH, HEIGHT = 120, 36


def test_config_warnings_and_other_reps_rows_never_reach_the_terminal_as_control(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[user]\nname = "kim"\n["x{OSC52}"]\na = 1\n[keys]\n"board.{OSC0}" = "z"\n',
        encoding="utf-8",
    )
    themes = tmp_path / "themes"
    themes.mkdir()
    (themes / f"t{RAW_OSC0}.toml").write_text("broken [", encoding="utf-8")
    db_path = tmp_path / "team.db"
    database = open_database(str(db_path))
    service = PipelineService(database, "kim", clock=lambda: NOW)
    card = service.add_card(CardDraft("Placeholder")).card_id
    database.close()
    # Another rep's rows, as an older release stored them: raw.
    with closing(sqlite3.connect(db_path)) as connection:
        connection.execute(
            "UPDATE card SET name = ?, owner = ?, next_action = ? WHERE id = ?",
            (f"Ann{RAW_OSC52}", f"sam{RAW_OSC0}", "\u3164" * 12 + f"call{RAW_OSC52}", card),
        )
        connection.execute("UPDATE stage_event SET by = ?", (f"sam{RAW_OSC0}",))
        connection.commit()

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLUMNS": str(WIDTH),
        "LINES": str(HEIGHT),
        "HOME": str(tmp_path),
        "PIPELINE_TUI_CONFIG": str(config),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline_tui", "--db", str(db_path)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    try:
        screen = _read_until_quiet(master, quiet=1.0, limit=30)
        for key in (b"\r", b"\x1b", b"s", b"\x1b"):  # the card (history: by), the stand-up
            os.write(master, key)
            screen += _read_until_quiet(master, quiet=0.5, limit=10)
        assert process.poll() is None, "the app ended"
        os.write(master, b"q")
        process.wait(timeout=15)
        screen += _read_until_quiet(master, quiet=0.2, limit=2)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        os.close(master)
    assert process.returncode == 0
    own = re.sub(rb"\x1b\]22;[a-z-]*\x07", b"", screen)  # Textual's pointer shape
    for forbidden in (b"]52;", b"SGVsbG8", b"]0;owned", b"\x07", "\u3164".encode()):
        assert forbidden not in own, forbidden
    for readable in (b"Ann", b"sam", b"call"):
        assert readable in screen, readable


def test_bytes_that_were_not_utf8_become_the_characters_they_meant() -> None:
    # As Python decodes them (surrogateescape): a Latin-1 é, a Windows-1252 euro sign,
    # a byte Windows-1252 leaves undefined, and a lone surrogate from elsewhere.
    latin = b"Ren\xe9 \x80 \x81".decode("utf-8", errors="surrogateescape")
    assert clean_line(latin) == "René € \ufffd"
    assert clean_text(latin + "\n\ud83d") == "René € \ufffd\n\ufffd"
    assert clean_line("Ren\u00e9 stays") == "René stays"
