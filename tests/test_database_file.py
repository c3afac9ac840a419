"""The SQLite file changing under a running app: deleted, or an older copy moved over it
(`mv backup.db pipeline.db`, done by another program). The app notices before it writes,
writes nothing more, says so in one sentence, and keeps what the rep typed on screen."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, StoreError, database, open_database
from pipeline_tui.store.database import DatabaseReplacedError
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.screens.card_form import CardFormScreen
from pipeline_tui.ui.screens.note_editor import NoteEditorScreen
from pipeline_tui.ui.screens.touchpoint import TouchpointScreen
from tests.conftest import NOW
from tests.pilot import make_app, notification_messages, press, settle, tap, type_text


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Path, PipelineService]]:
    path = tmp_path / "pipeline.db"
    database = open_database(str(path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    service.add_card(CardDraft("Ann", organisation="Acme"))
    yield path, service
    database.close()


def _names(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM card ORDER BY id")]


def _copy(source: Path, target: Path) -> None:
    """A backup as `pipeline-tui backup` makes one (SQLite's online backup)."""
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)


def _integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def test_a_deleted_file_stops_every_write_with_one_sentence(
    live: tuple[Path, PipelineService],
) -> None:
    path, service = live
    ann = service.cards()[0].id
    path.unlink()
    for write in (
        lambda: service.add_card(CardDraft("Ben")),
        lambda: service.add_note(ann, NoteKind.GENERAL, "Their quotes take a week"),
        lambda: service.move_card(ann, Stage.PROSPECT),
    ):
        with pytest.raises(DatabaseReplacedError) as caught:
            write()
        message = str(caught.value)
        sentence = message.replace(str(path), "the file")
        assert sentence.count(".") == 1 and sentence.endswith(".") and "\n" not in sentence
        assert f"{path} was deleted while pipeline-tui had it open" in message
        assert "nothing more is saved" in message
    assert not path.exists()


def test_a_deleted_write_ahead_log_stops_every_write_and_keeps_its_changes(
    live: tuple[Path, PipelineService], tmp_path: Path
) -> None:
    """The log deleted under the app (`rm pipeline.db-wal`, or a program that closed the
    file believing it was the last to have it open): the app's connections would go on
    committing into the deleted log, which nothing ever reads again. Ann's card is in
    that log, not yet in the file."""
    path, service = live
    log = Path(f"{path}-wal")
    log.unlink()
    ann = service.cards()[0].id
    writes: list[Callable[[], object]] = [
        lambda: service.add_card(CardDraft("Ben")),
        lambda: service.move_card(ann, Stage.PROSPECT),
    ]
    for write in writes:
        with pytest.raises(DatabaseReplacedError) as caught:
            write()
        message = str(caught.value)
        (kept,) = tmp_path.glob("pipeline.db-wal.*.set-aside")
        sentence = message
        for name, shown in ((kept, "the copy"), (log, "the log"), (path, "the file")):
            sentence = sentence.replace(str(name), shown)
        assert sentence == (
            "the log was deleted while pipeline-tui had it open, so nothing more is saved "
            "to the file (a copy of the log is in the copy); copy what you typed "
            "elsewhere and restart pipeline-tui."
        )
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # private, as the file is
    # The copy holds what the deleted log held: beside a copy of the file as it was
    # then (it still is: nothing else wrote to it), SQLite reads it in. The file is
    # read as bytes, not through SQLite, and after the app's last write.
    recovered = tmp_path / "recovered.db"
    _copy_file(path, recovered)
    _copy_file(kept, Path(f"{recovered}-wal"))
    assert _names(recovered) == ["Ann"]
    assert _integrity(recovered) == "ok"
    # The app's last connection, closing, folds the deleted log back into the file: a
    # restart finds Ann, and not Ben, whose save was refused.
    service.database.close()
    assert _names(path) == ["Ann"]
    assert _integrity(path) == "ok"


READ_AND_CLOSE = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("SELECT count(*) FROM card").fetchall()
connection.close()
"""


def test_a_log_removed_by_a_program_that_believed_it_was_the_last_stops_writes(
    live: tuple[Path, PipelineService],
) -> None:
    """How a log gets deleted under the app: this process opening the file other than
    through SQLite and closing it drops every lock SQLite holds on the file (POSIX), so
    the next program to close it believes it is the last, and removes the log. Its
    changes and the app's would then go to two different logs."""
    path, service = live
    with path.open("rb"):
        pass
    subprocess.run([sys.executable, "-c", READ_AND_CLOSE, str(path)], check=True)
    assert not Path(f"{path}-wal").exists()
    with pytest.raises(DatabaseReplacedError, match="-wal was deleted while"):
        service.add_card(CardDraft("Ben"))
    service.database.close()
    assert _names(path) == ["Ann"]
    assert _integrity(path) == "ok"


def test_a_log_checkpointed_and_removed_as_the_last_program_leaves_is_no_loss(
    tmp_path: Path,
) -> None:
    """SQLite removes the log itself when the last connection closes: an app that opens
    the file after that (a new log) writes on; so does one that outlives another app."""
    path = tmp_path / "pipeline.db"
    first = open_database(str(path))
    PipelineService(first, "sam").add_card(CardDraft("Ann"))
    first.close()
    assert not Path(f"{path}-wal").exists()
    second = open_database(str(path))
    try:
        service = PipelineService(second, "kim")
        other = open_database(str(path))
        PipelineService(other, "lee").add_card(CardDraft("Lee's card"))
        other.close()
        service.add_card(CardDraft("Ben"))
    finally:
        second.close()
    assert _names(path) == ["Ann", "Lee's card", "Ben"]


class _AtNine(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _AtNine:
        return cls(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_a_second_deleted_log_in_the_same_second_gets_a_copy_of_its_own(
    live: tuple[Path, PipelineService], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another app's copy (or the old file's log set aside) of the same second is never
    written over, nor removed."""
    path, service = live
    monkeypatch.setattr(database, "datetime", _AtNine)
    theirs = tmp_path / "pipeline.db-wal.20261207T090000Z.set-aside"
    theirs.write_bytes(b"theirs")
    Path(f"{path}-wal").unlink()
    with pytest.raises(DatabaseReplacedError) as caught:
        service.add_card(CardDraft("Ben"))
    ours = tmp_path / "pipeline.db-wal.20261207T090000Z-2.set-aside"
    assert f"(a copy of the log is in {ours})" in str(caught.value)
    assert theirs.read_bytes() == b"theirs" and ours.stat().st_size > 0


def _copy_file(source: Path, target: Path) -> None:
    target.write_bytes(source.read_bytes())


MOVE_OVER = """
import shutil, sys
shutil.move(sys.argv[1], sys.argv[2])  # another program: mv old.db pipeline.db
"""


def test_an_older_copy_moved_over_the_file_is_never_written_to(
    live: tuple[Path, PipelineService], tmp_path: Path
) -> None:
    path, service = live
    older = tmp_path / "older.db"
    _copy(path, older)
    service.add_card(CardDraft("Ben"))  # in the live file only
    subprocess.run([sys.executable, "-c", MOVE_OVER, str(older), str(path)], check=True)
    with pytest.raises(DatabaseReplacedError, match="was replaced by another file"):
        service.add_card(CardDraft("Cy"))
    with pytest.raises(DatabaseReplacedError):  # and it stays refused
        service.add_note(service.cards()[0].id, NoteKind.GENERAL, "note")
    # The file now in place is the older copy, whole and undamaged: the old file's
    # write-ahead log (holding Ben) was set aside, not read into it.
    assert _names(path) == ["Ann"]
    assert _integrity(path) == "ok"
    set_aside = list(tmp_path.glob("pipeline.db-wal.*.set-aside"))
    assert len(set_aside) == 1 and set_aside[0].stat().st_size > 0


def test_the_same_file_replaced_by_itself_in_place_is_still_that_file(
    live: tuple[Path, PipelineService],
) -> None:
    """Writing through the file (not replacing it) is no replacement: a rename of the
    folder, say, or another pipeline-tui writing to it."""
    path, service = live
    other = open_database(str(path))
    try:
        PipelineService(other, "kim").add_card(CardDraft("Kim's card"))
    finally:
        other.close()
    service.add_card(CardDraft("Ben"))
    assert _names(path) == ["Ann", "Kim's card", "Ben"]


def test_a_deleted_file_is_one_sentence_from_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The command line opens the file afresh each time: a deleted file is simply a new,
    empty database there, never an error; only a running app notices the change."""
    from tests.test_cli import run

    path = tmp_path / "p.db"
    assert run(capsys, "--db", str(path), "add", "Ann")[0] == 0
    path.unlink()
    assert run(capsys, "--db", str(path), "add", "Ben")[0] == 0
    assert _names(path) == ["Ben"]


# The app keeps what was typed ----------------------------------------------------------------


@pytest.mark.parametrize("gone", ["pipeline.db", "pipeline.db-wal"])
async def test_the_card_form_stays_open_with_the_text_when_the_file_is_gone(
    live: tuple[Path, PipelineService], gone: str
) -> None:
    path, service = live
    app = make_app(service)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        form = app.screen
        assert isinstance(form, CardFormScreen)
        await type_text(pilot, "Ben Okafor")
        path.with_name(gone).unlink()
        await press(pilot, "ctrl+s")
        assert app.screen is form
        assert form.query_one("#name").value == "Ben Okafor"  # type: ignore[attr-defined]
        hint = str(form.query_one("#name-hint").render())
        assert f"{path.with_name(gone)} was deleted while pipeline-tui had it open" in hint
    # (With the log deleted, the file is unreadable to others while any connection of
    # this process has it open: SQLite's shared index still counts the deleted log's
    # pages. The store tests above read it once the store is closed.)
    assert gone != "pipeline.db" or not path.exists()


async def test_the_note_editor_keeps_the_note_when_the_file_was_replaced(
    live: tuple[Path, PipelineService], tmp_path: Path
) -> None:
    path, service = live
    older = tmp_path / "older.db"
    _copy(path, older)
    app = make_app(service)
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        await press(pilot, "n")
        await tap(pilot, "p")
        editor = app.screen
        assert isinstance(editor, NoteEditorScreen)
        await type_text(pilot, "Quotes take a week")
        os.replace(older, path)
        await press(pilot, "ctrl+s")
        assert app.screen is editor
        assert editor.text == "Quotes take a week"
        messages = notification_messages(app)
        assert any("was replaced by another file" in m for m in messages), messages
        # Leaving still asks: the text is not saved anywhere.
        await press(pilot, "escape")
        assert app.screen is not editor and app.screen_stack[-2] is editor
    assert _names(path) == ["Ann"]
    assert _integrity(path) == "ok"


def test_a_store_error_is_what_the_screens_catch() -> None:
    assert issubclass(DatabaseReplacedError, StoreError)


async def test_a_touchpoint_not_saved_comes_back_with_what_was_written(
    live: tuple[Path, PipelineService],
) -> None:
    path, service = live
    app = make_app(service)
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "t")
        assert isinstance(app.screen, TouchpointScreen)
        await press(pilot, "tab", "tab")
        await type_text(pilot, "Talked pricing")
        path.unlink()
        await press(pilot, "enter")
        dialog = app.screen
        assert isinstance(dialog, TouchpointScreen), notification_messages(app)
        assert dialog.query_one("#summary", Input).value == "Talked pricing"
        error = str(dialog.query_one("#error", Static).render())
        assert "was deleted while pipeline-tui had it open" in error
