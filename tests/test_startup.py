"""Start-up: the board's first cards, and the first card opened, come from a plain
sqlite3 read while the store opens.

What a rep notices: the board shows their real cards (and the real column sizes) at
once, keys work, a card opens with all its details, and anything they change before
the store has finished opening is saved once it has (and shown on the cards they open).
"""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import time, timedelta
from functools import partial
from pathlib import Path
from time import monotonic
from typing import cast

import psycopg
import pytest
from sqlalchemy import text
from textual.pilot import Pilot

from pipeline_tui.domain.cadence import default_cadences
from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.drafts import DraftKey, Editor
from pipeline_tui.domain.kinds import ArchiveReason
from pipeline_tui.domain.qualification import DEFAULT_CRITERIA, Answer, CriterionAnswer
from pipeline_tui.domain.schedule import ActivityKind
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.store import Database, PipelineService, open_database
from pipeline_tui.store.deferred import READS, DeferredService
from pipeline_tui.store.demo import seed_demo
from pipeline_tui.store.errors import StoreError
from pipeline_tui.store.peek import (
    CardPeek,
    Source,
    peek_board,
    peek_card,
    peek_source,
    sqlite_path,
)
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.key_order import HOLD_LIMIT_S
from pipeline_tui.ui.screens import board
from pipeline_tui.ui.screens.board import CARD_SCREEN, BoardScreen
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.widgets.card_list import CardList
from pipeline_tui.ui.widgets.note_list import NoteList
from pipeline_tui.ui.widgets.stage_column import StageColumn
from tests.conftest import NOW, TODAY
from tests.pilot import (
    WAIT_TIMEOUT_S,
    focused_card_name,
    notification_messages,
    painted,
    poll_until,
    press,
    running,
    screen_text,
    settle,
    wait_for,
)


@pytest.fixture
def demo_file(db_path: Path) -> Path:
    seed_demo_pipeline(str(db_path))
    return db_path


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_source(request: pytest.FixtureRequest, db_path: Path) -> tuple[str, Source]:
    """The demo pipeline on each backend: the --db target, and what a peek reads."""
    target = str(db_path if request.param == "sqlite" else request.getfixturevalue("pg_database"))
    seed_demo_pipeline(target)
    source = peek_source(target)
    assert source is not None
    return target, source


def seed_demo_pipeline(target: str) -> None:
    """The demo, and what else a board or card screen shows."""
    database = open_database(target)
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
        # What else a card screen shows: a step at a time of day, a draft, an archive.
        prospect = service.board()[Stage.PROSPECT][0]
        service.add_activity(
            prospect.id, ActivityKind.MEETING, "Demo [bold]", TODAY + timedelta(days=2), time(14)
        )
        service.keep_draft(
            DraftKey.on_card(Editor.CARD, prospect.id), {"name": "Half typed"}, 1, {"name": "x"}
        )
        service.archive_card(service.board()[Stage.PROSPECT][1].id, ArchiveReason.LOST, "budget")
        service.move_card(service.board()[Stage.PROSPECT][1].id, Stage.CLIENT)  # its cadence
    finally:
        database.close()


# The read itself ---------------------------------------------------------------------------


def test_the_first_cards_are_exactly_what_the_store_shows(
    demo_source: tuple[str, Source],
) -> None:
    target, source = demo_source
    database = open_database(target)
    try:
        board = PipelineService(database, "sam").board()
    finally:
        database.close()
    peek = peek_board(source, DEFAULT_CRITERIA, per_column=3, owner="sam")
    assert peek is not None
    for stage in STAGES:
        assert peek.columns[stage] == board[stage][:3]
        assert peek.counts[stage] == len(board[stage])
    assert not peek.complete
    # Scores, referral counts and last activity came through, not just names.
    assert any(card.qualified for card in peek.columns[Stage.LEAD])
    assert any(card.referrals for card in peek.columns[Stage.CLIENT])
    whole = peek_board(source, DEFAULT_CRITERIA, per_column=1000, owner="sam")
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


def test_a_card_read_before_the_store_opens_is_exactly_what_the_store_shows(
    demo_source: tuple[str, Source],
) -> None:
    target, source = demo_source
    database = open_database(target)
    try:
        service = PipelineService(database, "sam")
        with database.read() as session:
            ids = list(session.execute(text("SELECT id FROM card ORDER BY id")).scalars())
        assert len(ids) > 40
        cadences = default_cadences()
        for card_id in ids:  # archived ones too
            peeked = peek_card(source, card_id, DEFAULT_CRITERIA, "sam", cadences)
            assert peeked is not None, card_id
            assert peeked.card == service.card(card_id)
            assert peeked.drafts == service.drafts_of_card(card_id)
            assert peeked.revision == service.change_marker()
        shown = [service.card(card_id) for card_id in ids]
        assert any(card.archived_at for card in shown)
        assert any(card.qualification and card.qualification.answers for card in shown)
        assert any(card.referred_by for card in shown) and any(card.referrals for card in shown)
        assert any(a.due_time for card in shown for a in card.activities)
        assert any(card.cadence for card in shown)
        assert any(card.notes for card in shown) and any(card.touchpoints for card in shown)
        assert any(service.drafts_of_card(card_id) for card_id in ids)
    finally:
        database.close()


def test_a_card_the_file_cannot_give_is_left_to_the_store(demo_file: Path) -> None:
    read = partial(peek_card, criteria=DEFAULT_CRITERIA, owner="sam", cadences={})
    assert read(demo_file, 10_000) is None, "no such card: the store says so in its words"
    with sqlite3.connect(demo_file) as connection:
        connection.execute("UPDATE research_note SET kind = 'from-a-newer-release'")
    assert read(demo_file, 1) is None, "a value this release cannot read"
    assert read(demo_file.with_name("missing.db"), 1) is None


def test_only_plain_sqlite_files_are_read_this_way(tmp_path: Path) -> None:
    assert sqlite_path(str(tmp_path / "p.db")) == tmp_path / "p.db"
    assert sqlite_path(f"sqlite:///{tmp_path}/p.db") == tmp_path / "p.db"
    assert sqlite_path("~/p.db") == Path.home() / "p.db"
    for target in ("sqlite://", ":memory:", "postgresql://u@h/db", "sqlite:///p.db?mode=ro"):
        assert sqlite_path(target) is None, target


def test_postgresql_is_read_with_its_url_as_libpq_takes_it(tmp_path: Path) -> None:
    assert peek_source(str(tmp_path / "p.db")) == tmp_path / "p.db"
    for target in (
        "postgresql://sam:pw@db.example:5433/pipeline?sslmode=require",
        "postgresql+psycopg://sam:pw@db.example:5433/pipeline?sslmode=require",
        "postgres://sam:pw@db.example:5433/pipeline?sslmode=require",
    ):
        assert peek_source(target) == "postgresql://sam:pw@db.example:5433/pipeline?sslmode=require"
    for target in ("mysql://u@h/db", "sqlite://", "postgresql+asyncpg://u@h/db"):
        assert peek_source(target) is None, target


def test_a_postgresql_read_steps_aside_for_anything_unusual(pg_database: str) -> None:
    seed_demo_pipeline(pg_database)
    source = peek_source(pg_database)
    assert isinstance(source, str)
    assert peek_board(source, DEFAULT_CRITERIA, 10) is not None
    read_card = partial(peek_card, criteria=DEFAULT_CRITERIA, owner="sam", cadences={})
    assert read_card(source, 1) is not None
    # No server there: the store then says so in its own words.
    assert peek_board("postgresql://sam@127.0.0.1:9/pipeline", DEFAULT_CRITERIA, 10) is None
    with psycopg.connect(source, autocommit=True) as connection:
        connection.execute("UPDATE research_note SET kind = 'from-a-newer-release'")
        assert read_card(source, 1) is None, "a value this release cannot read"
        # An older schema: the normal path migrates it (and says what it did) first.
        (head,) = connection.execute("SELECT version_num FROM alembic_version").fetchone() or ("",)
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
        try:
            assert peek_board(source, DEFAULT_CRITERIA, 10) is None
        finally:
            connection.execute("UPDATE alembic_version SET version_num = %s", (head,))


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


def test_only_what_reads_lets_a_card_be_read_from_the_file() -> None:
    # A card opened before the store opens is read from the file (store/peek.py) only
    # while nothing but reads has been asked: a write asked for is not in the file yet.
    for name in READS - {"hand_off_due_steps"}:
        source = inspect.getsource(getattr(PipelineService, name))
        assert "_write(" not in source and "write()" not in source, name
    opened = threading.Event()
    read = cast("CardPeek", object())
    deferred = DeferredService(
        lambda: opened.wait(10) and None,  # type: ignore[arg-type, return-value]
        user="sam",
        peek_card=lambda card_id: read,
    )
    assert deferred.card_before_open(7) is read
    _ = deferred.change_marker, deferred.drafts_of_card  # reads, asked
    assert deferred.card_before_open(7) is read
    _ = deferred.move_card  # a write, asked (and waiting for the store)
    assert deferred.card_before_open(7) is None
    opened.set()


# The board while the store opens -------------------------------------------------------------


def _app_opening_slowly(
    path: Path, gate: threading.Event, *, read_cards: bool = False
) -> tuple[PipelineApp, DeferredService]:
    """The app as the command line starts it on an SQLite file, its store opening once
    `gate` is set (`read_cards`: a card opened meanwhile is read from the file)."""
    opened: list[Database] = []

    def open_service() -> PipelineService:
        gate.wait(10)
        database = open_database(str(path))
        opened.append(database)
        return PipelineService(database, "sam", clock=lambda: NOW)

    peek = partial(
        peek_card, path, criteria=DEFAULT_CRITERIA, owner="sam", cadences=default_cadences()
    )
    deferred = DeferredService(open_service, user="sam", peek_card=peek if read_cards else None)
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


@pytest.mark.parametrize("cards", [True, False], ids=["demo", "empty"])
async def test_a_board_still_being_read_claims_no_cards_and_no_counts(
    db_path: Path, cards: bool
) -> None:
    """No first cards from the file (the demo, a database being upgraded, a peek that
    stepped aside): the columns are drawn while the store opens, and must not say the
    rep has no cards until the store has said so."""
    if cards:
        seed_demo_pipeline(str(db_path))
    else:
        open_database(str(db_path)).close()
    gate = threading.Event()
    app, deferred = _app_opening_slowly(db_path, gate)
    app.first_board = None
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await painted(pilot)
            assert not deferred.is_open
            shown = screen_text(app)
            assert "No cards" not in shown, shown
            assert "· 0" not in shown, shown
            for title in ("Lead", "Prospect", "Client", "Rep/Ref"):
                assert f"{title} ─" in shown, shown
            # Nor once a view key, or the filter typed and cleared, shows the board again.
            await pilot.press("S", "S", "slash", "x", "escape")
            await painted(pilot)
            shown = screen_text(app)
            for claim in ("No card", "· 0", "0 cards", "pipeline is empty"):
                assert claim not in shown, shown

            gate.set()
            await settle(pilot)
            shown = screen_text(app)
            if cards:
                assert "Lead · 12" in shown, shown
                assert "Amara Okafor" in shown, shown
            else:
                assert "Lead · 0" in shown, shown
                assert shown.count("No cards yet.") == 4, shown
    finally:
        gate.set()
        deferred.close()


async def test_a_first_read_that_fails_says_so_in_the_columns_and_is_tried_again(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The columns said "No cards yet" under "Lead · 0" after a failed first read, and
    the poll never read the board again: it waited for a first read to compare with."""
    service.add_card(CardDraft("Ann Lee", "Acme"), Stage.LEAD)
    read, change_marker = service.board_view, service.change_marker
    locked = True

    reads = 0

    def unless_locked(call: Callable[..., object]) -> Callable[..., object]:
        def maybe(*args: object, **kwargs: object) -> object:
            nonlocal reads
            reads += call is read
            if locked:
                raise StoreError("the database is locked")
            return call(*args, **kwargs)

        return maybe

    monkeypatch.setattr(service, "board_view", unless_locked(read))
    monkeypatch.setattr(service, "change_marker", unless_locked(change_marker))
    monkeypatch.setattr(BoardScreen, "POLL_SECONDS", 0.1)
    monkeypatch.setattr(board, "READ_AGAIN_AT_MOST_S", 0.8)
    async with running(service, (80, 24), notifications=True) as (app, pilot):
        shown = screen_text(app)
        assert "No cards" not in shown and "· 0" not in shown, shown
        assert "Not read yet:" in shown, shown
        # The store answers the poll but the board read still fails: read again less
        # and less often, and the error said once, not a toast every 3 seconds.
        monkeypatch.setattr(service, "change_marker", change_marker)
        tries = reads
        # A window of 16 polls, whose reads must come less and less often: after 0.1,
        # 0.2, 0.4 and 0.8 s.
        await asyncio.sleep(1.6)
        await settle(pilot)
        assert reads - tries <= 5, reads - tries
        said = [m for m in notification_messages(app) if "the database is locked" in m]
        assert len(said) == 1, said
        # A read the rep asks for (a view shown, then the board again) says it again.
        await press(pilot, "S", "S")
        said = [m for m in notification_messages(app) if "the database is locked" in m]
        assert len(said) == 3, said
        locked = False
        await wait_for(pilot, lambda: "Ann Lee" in screen_text(app), "the board read again")
        assert "Lead · 1" in screen_text(app)
        assert "Not read yet" not in screen_text(app)


@pytest.mark.parametrize("key", ["u", "U"])
async def test_keys_typed_after_u_while_the_store_opens_are_not_held_for_it(
    demo_file: Path, key: str
) -> None:
    """`u` or `U` on the board before the store has opened: nothing to take back yet, and
    the keys after it go on at once. They were held until the store opened, up to the
    hold's limit, though the board they act on was already shown."""
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await painted(pilot)
            lead = app.screen.query_one("#cards-lead", CardList)
            await pilot.press(key, "j")
            # Well within the hold's limit: the store never opens meanwhile.
            await poll_until(lambda: lead.cursor == 1, "the j", HOLD_LIMIT_S / 2)
            assert not deferred.is_open
    finally:
        gate.set()
        deferred.close()


async def test_a_filter_typed_ahead_moves_through_every_card_it_finds(
    demo_file: Path,
) -> None:
    # Typed before the whole board is read: the filter must find its cards in whole
    # columns, not among the first two of each, and the keys after its enter move
    # through all of them. Before, "jj" stopped at the one match among the first two
    # leads, and the whole board then showed that card third: an `a` archived it.
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await painted(pilot)
            for key in ("slash", "d", "e", "enter", "j", "j"):
                await pilot.press(key)
            assert not deferred.is_open
            gate.set()
            await settle(pilot)
            await settle(pilot)
            lead = app.screen.query_one("#cards-lead", CardList)
            # de: Amara Okafor (Brightwater Dental), Chloé Martin (Atelier Lumen),
            # Dev Patel, Farid Haddad (Cedar Clinics), Ines Duarte, in the lead column.
            assert len(lead.ids) == 5
            assert focused_card_name(app) == "Dev Patel" and lead.cursor == 2
    finally:
        gate.set()
        deferred.close()


@pytest.mark.parametrize(
    ("keys", "cursor"),
    [(("G",), 11), (("end", "k"), 10), (("j", "j", "j"), 3), (("j", "k"), 0)],
)
async def test_keys_typed_ahead_past_the_first_cards_land_in_the_whole_column(
    demo_file: Path, keys: tuple[str, ...], cursor: int
) -> None:
    # Only the first two leads of twelve are read while the store opens. Before, G went
    # to the second lead and stayed there once the whole column showed: an enter typed
    # with it opened that card, not the last. The keys behind it wait their turn.
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await painted(pilot)
            for key in keys:
                await pilot.press(key)
            assert not deferred.is_open
            gate.set()
            await settle(pilot)
            await settle(pilot)
            lead = app.screen.query_one("#cards-lead", CardList)
            assert len(lead.ids) == 12
            assert lead.cursor == cursor
            last = lead.cache.peek(lead.ids[cursor])
            assert last is not None and focused_card_name(app) == last.name
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
    # Given as the screen is built, so that the first resize restyles nothing
    # (seams.start_at_the_terminals_size).
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate)
    try:
        async with app.run_test(size=(width, 40)) as pilot:
            await painted(pilot)
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


async def _shown(pilot: Pilot[None], condition: Callable[[], object], what: str) -> None:
    """Wait until `condition()`, looking at each frame, not for the store calls (they
    wait for the store to open)."""
    deadline = monotonic() + WAIT_TIMEOUT_S
    while not condition():
        if monotonic() > deadline:
            shows = screen_text(cast("PipelineApp", pilot.app))
            raise AssertionError(f"never shown: {what}; the screen shows:\n{shows}")
        await painted(pilot)
        await asyncio.sleep(0.01)


async def test_a_card_opened_before_the_store_opens_shows_everything_at_once(
    demo_file: Path,
) -> None:
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate, read_cards=True)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await painted(pilot)
            await pilot.press("j")  # past the new referral, to a lead with notes and a checklist
            lead = app.screen.query_one("#cards-lead", CardList).highlighted
            assert lead is not None and lead.name == "Amara Okafor"
            await pilot.press("enter")
            await _shown(pilot, lambda: f"card {lead.id}" in screen_text(app), "the card")
            assert not deferred.is_open
            shown = screen_text(app)
            database = open_database(str(demo_file))
            try:
                card = PipelineService(database, "sam").card(lead.id)
            finally:
                database.close()
            assert card.email and card.email in shown
            assert card.notes and any(note.body in shown for note in card.notes)
            assert card.summary.next_action and card.summary.next_action in shown
            assert "qualified 1/4" in shown and "too small" in shown  # its checklist
            gate.set()
            await settle(pilot)
            assert deferred.is_open
            await press(pilot, "escape")
            assert "Amara Okafor" in screen_text(app)
    finally:
        gate.set()
        deferred.close()


@pytest.mark.parametrize("key", ["u", "U"])
async def test_keys_typed_after_u_on_a_card_while_the_store_opens_are_not_held_for_it(
    demo_file: Path, key: str
) -> None:
    """`u` or `U` on a card opened before the store has: nothing of this card's to take
    back yet, and the keys after it go on at once. They were held until the store
    opened, up to the hold's limit, on a card already shown."""
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate, read_cards=True)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await painted(pilot)
            await pilot.press("j")  # a lead with notes
            lead = app.screen.query_one("#cards-lead", CardList).highlighted
            assert lead is not None
            await pilot.press("enter")
            await _shown(pilot, lambda: f"card {lead.id}" in screen_text(app), "the card")
            notes = app.screen.query_one(NoteList)
            assert notes.option_count > 1 and notes.highlighted == 0
            await pilot.press(key, "j")
            # Well within the hold's limit: the store never opens meanwhile.
            await poll_until(lambda: notes.highlighted == 1, "the j", HOLD_LIMIT_S / 2)
            assert not deferred.is_open
    finally:
        gate.set()
        deferred.close()


async def test_a_card_opened_after_a_move_made_before_the_store_opened_shows_the_move(
    demo_file: Path,
) -> None:
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate, read_cards=True)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await painted(pilot)
            await pilot.press("l")  # the prospect column: L there needs no checklist
            prospect = app.screen.query_one("#cards-prospect", CardList)
            card = prospect.highlighted
            assert card is not None
            await pilot.press("L")  # the highlight goes with the card
            client = app.screen.query_one("#cards-client", CardList)
            await _shown(pilot, lambda: client.highlighted_id == card.id, "on the moved card")
            assert app.screen.focused is client
            await pilot.press("enter")
            await painted(pilot)
            assert not deferred.is_open
            assert f"card {card.id}" not in screen_text(app), "read before its move is saved"
            gate.set()
            await wait_for(pilot, lambda: f"card {card.id}" in screen_text(app), "the card")
            assert f"Client · card {card.id}" in str(app.screen.sub_title)
    finally:
        gate.set()
        deferred.close()


async def test_the_store_opens_once_the_card_screen_is_built(demo_file: Path) -> None:
    # Importing SQLAlchemy beside the card screen's import and build made the rep's first
    # enter come out about half as fast (the two take turns on the interpreter): the
    # store waits for it.
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate, read_cards=True)
    started = deferred.start
    card_screen_built: list[bool] = []

    def start() -> None:
        card_screen_built.append(app.is_screen_installed(CARD_SCREEN))
        started()

    deferred.start = start  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await _shown(pilot, lambda: card_screen_built, "the store asked to open")
            assert card_screen_built[0]
    finally:
        gate.set()
        deferred.close()


async def test_once_the_store_opens_the_card_rested_on_is_filled_ahead(demo_file: Path) -> None:
    # The card screen is built before the store opens (above); the card the rep rests
    # on is still filled ahead once it has, so their enter only checks the board clock.
    gate = threading.Event()
    app, deferred = _app_opening_slowly(demo_file, gate, read_cards=True)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await _shown(pilot, lambda: app.is_screen_installed(CARD_SCREEN), "card screen")
            kept = app.get_screen(CARD_SCREEN)
            assert isinstance(kept, CardScreen)
            lead = app.screen.query_one("#cards-lead", CardList).highlighted
            assert lead is not None and kept.ready_for(lead.id, TODAY) is None
            gate.set()
            await wait_for(
                pilot, lambda: kept.ready_for(lead.id, TODAY) is not None, "filled ahead"
            )
    finally:
        gate.set()
        deferred.close()


def test_the_cadences_answer_before_the_store_opens() -> None:
    # L on a prospect before the store had opened ended the program: the board asked
    # the stand-in service for its cadences, and got a store call instead.
    def never_opens() -> PipelineService:
        raise AssertionError("nothing opens the store to read the cadences")

    cadences = {Stage.CLIENT: default_cadences()[Stage.CLIENT]}
    deferred = DeferredService(never_opens, user="sam", cadences=cadences)
    assert deferred.cadences == cadences
    assert not deferred.is_open
