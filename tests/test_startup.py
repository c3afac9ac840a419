"""Start-up: the board's first cards come from a plain sqlite3 read while the store opens.

What a rep notices: the board shows their real cards (and the real column sizes) at
once, keys work, and anything they change before the store has finished opening is
saved once it has.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.qualification import DEFAULT_CRITERIA, Answer, CriterionAnswer
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.store import Database, PipelineService, open_database
from pipeline_tui.store.deferred import DeferredService
from pipeline_tui.store.demo import seed_demo
from pipeline_tui.store.peek import peek_board, sqlite_path
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.widgets.card_list import CardList
from pipeline_tui.ui.widgets.stage_column import StageColumn
from tests.conftest import NOW, TODAY
from tests.pilot import painted, press, screen_text, settle, wait_for


@pytest.fixture
def demo_file(db_path: Path) -> Path:
    database = open_database(str(db_path))
    try:
        seed_demo(database, TODAY, user="sam")
        service = PipelineService(database, "sam", clock=lambda: NOW)
        lead = service.board()[Stage.LEAD][0]
        service.save_qualification(
            lead.id,
            {
                DEFAULT_CRITERIA[0]: CriterionAnswer(Answer.YES, ""),
                DEFAULT_CRITERIA[1]: CriterionAnswer(Answer.NO, "too small"),
            },
        )
        client = service.board()[Stage.CLIENT][0]
        service.refer(client.id, CardDraft(name="Referred Ria"), TODAY)
    finally:
        database.close()
    return db_path


# The read itself ---------------------------------------------------------------------------


def test_the_first_cards_are_exactly_what_the_store_shows(demo_file: Path) -> None:
    database = open_database(str(demo_file))
    try:
        board = PipelineService(database, "sam").board()
    finally:
        database.close()
    peek = peek_board(demo_file, DEFAULT_CRITERIA, per_column=3)
    assert peek is not None
    for stage in STAGES:
        assert peek.columns[stage] == board[stage][:3]
        assert peek.counts[stage] == len(board[stage])
    assert not peek.complete
    # Scores, referral counts and last activity came through, not just names.
    assert any(card.qualified for card in peek.columns[Stage.LEAD])
    assert any(card.referrals for card in peek.columns[Stage.CLIENT])
    whole = peek_board(demo_file, DEFAULT_CRITERIA, per_column=1000)
    assert whole is not None and whole.complete
    assert whole.columns == board


def test_the_read_steps_aside_for_anything_unusual(demo_file: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here.db"
    assert peek_board(missing, DEFAULT_CRITERIA, 10) is None
    assert not missing.exists(), "the read must never create the database file"

    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("just some text, not a database\n" * 20)
    assert peek_board(not_sqlite, DEFAULT_CRITERIA, 10) is None

    # An older schema: the normal path migrates it (with a backup) first.
    with sqlite3.connect(demo_file) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
    assert peek_board(demo_file, DEFAULT_CRITERIA, 10) is None


def test_only_plain_sqlite_files_are_read_this_way(tmp_path: Path) -> None:
    assert sqlite_path(str(tmp_path / "p.db")) == tmp_path / "p.db"
    assert sqlite_path(f"sqlite:///{tmp_path}/p.db") == tmp_path / "p.db"
    assert sqlite_path("~/p.db") == Path.home() / "p.db"
    for target in ("sqlite://", ":memory:", "postgresql://u@h/db", "sqlite:///p.db?mode=ro"):
        assert sqlite_path(target) is None, target


def test_the_command_line_reads_no_sqlalchemy_before_the_board_shows() -> None:
    # The whole point of the early read: importing what the board's first paint needs
    # must not pull in SQLAlchemy (about as slow to import as Textual itself), nor what
    # only the subcommands use.
    code = (
        "import sys, pipeline_tui.cli as cli, pipeline_tui.ui.app, pipeline_tui.store.peek;"
        "import pipeline_tui.store.deferred;"
        "cli.parse_args(['--db', 'p.db']);"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ("
        "'sqlalchemy', 'alembic', 'json', 'csv')"
        " or m in ('pipeline_tui.domain.importing', 'pipeline_tui.domain.standup',"
        " 'pipeline_tui.standup_report')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# The board while the store opens -------------------------------------------------------------


def _app_opening_slowly(path: Path, gate: threading.Event) -> tuple[PipelineApp, DeferredService]:
    opened: list[Database] = []

    def open_service() -> PipelineService:
        gate.wait(10)
        database = open_database(str(path))
        opened.append(database)
        return PipelineService(database, "sam", clock=lambda: NOW)

    deferred = DeferredService(open_service, user="sam")
    first = peek_board(path, DEFAULT_CRITERIA, per_column=2)
    app = PipelineApp(
        deferred,  # type: ignore[arg-type]
        today=lambda: TODAY,
        cursor_blink=False,
        first_board=first,
    )
    return app, deferred


async def test_the_board_shows_and_answers_keys_before_the_store_has_opened(
    demo_file: Path,
) -> None:
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await painted(pilot)
            assert not deferred.is_open
            shown = screen_text(app)
            assert "Amara Okafor" in shown
            # Whole column sizes, though only the first two cards of each are read.
            assert "Lead · 12" in shown, shown
            lead = app.screen.query_one("#cards-lead", CardList)
            assert len(lead.ids) == 2
            await pilot.press("j")
            assert lead.cursor == 1

            gate.set()
            await settle(pilot)
            await settle(pilot)
            assert deferred.is_open
            assert len(lead.ids) == 12
            assert lead.cursor == 1, "the highlight stays where the rep put it"
            assert "overdue" in str(app.screen.sub_title)
    finally:
        gate.set()
        deferred.close()


async def test_a_move_made_before_the_store_opened_is_saved_when_it_opens(
    demo_file: Path,
) -> None:
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await painted(pilot)
            await pilot.press("l")  # the prospect column: L there needs no checklist
            prospect = app.screen.query_one("#cards-prospect", CardList)
            card = prospect.highlighted
            assert card is not None
            await pilot.press("L")
            await painted(pilot)
            assert not deferred.is_open
            client = app.screen.query_one("#cards-client", CardList)
            assert card.id in client.ids, "shown at once"
            gate.set()
            await settle(pilot)
            await settle(pilot)
    finally:
        gate.set()
        deferred.close()
    database = open_database(str(demo_file))
    try:
        with database.read() as session:
            stage = session.execute(
                text("SELECT stage FROM card WHERE id = :id"), {"id": card.id}
            ).scalar_one()
    finally:
        database.close()
    assert stage == Stage.CLIENT.value


async def test_a_big_column_keeps_its_whole_count_in_an_80_column_board(demo_file: Path) -> None:
    # 80 columns give each stage 20 cells; "Prospect · 2999" does not fit, and a rep
    # should see the full count rather than "Prospect · 29…".
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await painted(pilot)
            column = app.screen.query_one("#column-prospect", StageColumn)
            column.stage_size = 2999
            await painted(pilot)
            assert "Prospect·2999" in screen_text(app)
            # Focused, its mark gives up its space before the column its name.
            await pilot.press("l")
            assert "▸Prospect·2999" in screen_text(app)
            column.stage_size = 9
            await painted(pilot)
            assert "Prospect · 9" in screen_text(app)
    finally:
        gate.set()
        deferred.close()


async def test_the_command_line_hears_when_the_board_is_first_painted(demo_file: Path) -> None:
    # The command line pauses garbage collection until then (cli._run_app).
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate)
    first_paints: list[str] = []
    app.on_first_paint = lambda: first_paints.append(screen_text(app))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await painted(pilot)
            assert len(first_paints) == 1
            assert "Amara Okafor" in first_paints[0], "called once the cards were on screen"
    finally:
        gate.set()
        deferred.close()


async def test_the_command_line_hears_once_when_every_card_is_in(demo_file: Path) -> None:
    # The command line then freezes what start-up built (cli.freeze_for_good).
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate)
    loaded: list[int] = []
    app.on_board_loaded = lambda: loaded.append(
        len(app.screen.query_one("#cards-lead", CardList).ids)
    )
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await painted(pilot)
            assert loaded == [], "only the top of each column is in before the store opens"
            gate.set()
            await settle(pilot)
            await settle(pilot)
            assert loaded == [12]
            prospects = app.screen.query_one("#cards-prospect", CardList)
            before = len(prospects.ids)
            await pilot.press("l", "L")  # a move reloads the board: not start-up any more
            await settle(pilot)
            assert len(prospects.ids) == before - 1
            assert loaded == [12]
    finally:
        gate.set()
        deferred.close()


@pytest.mark.parametrize("enter_at_once", [False, True])
async def test_the_command_line_hears_once_when_the_card_screen_kept_for_enter_is_built(
    demo_file: Path, enter_at_once: bool
) -> None:
    # It lives as long as the app: the command line freezes it too (freeze_for_good).
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate)
    heard: list[str] = []
    app.on_board_loaded = lambda: heard.append("board")
    app.on_card_screen_kept = lambda: heard.append("card screen")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await painted(pilot)
            gate.set()
            if enter_at_once:  # before the board builds it: built on the key, and kept
                await pilot.press("enter")
            await wait_for(pilot, lambda: "card screen" in heard, "the card screen built")
            assert heard.count("board") == 1
            for _ in range(2):
                await press(pilot, "enter", "escape", "j")
            assert heard.count("card screen") == 1, heard
    finally:
        gate.set()
        deferred.close()


@pytest.mark.parametrize(("width", "expected"), [(80, "-narrow"), (99, "-narrow"), (100, "-wide")])
async def test_the_board_starts_with_the_width_class_textual_would_give_it(
    demo_file: Path, width: int, expected: str
) -> None:
    # Given before the first resize, so that resize restyles nothing (PipelineApp.on_mount).
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate)
    try:
        async with app.run_test(size=(width, 40)) as pilot:
            await painted(pilot)
            assert app.width_class(width) == expected
            classes = app.screen.classes & {"-narrow", "-wide"}
            assert classes == {expected}
            await pilot.resize_terminal(120 if width < 100 else 80, 40)
            await painted(pilot)
            assert app.screen.classes & {"-narrow", "-wide"} == {
                "-wide" if width < 100 else "-narrow"
            }, "Textual still moves it as the terminal is resized"
    finally:
        gate.set()
        deferred.close()
