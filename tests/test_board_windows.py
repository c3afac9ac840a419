"""Long columns: the board holds every card's id but reads the cards themselves a
window at a time, so what a rep sees and does must not depend on which cards have been
read. Driven as a rep drives it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from textual.app import App

from pipeline_tui.domain.cards import CardDraft, CardSummary
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import Database, PipelineService, open_database
from pipeline_tui.store.models import CardRow
from pipeline_tui.ui import seams
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.screens import board as board_screen
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.screens.card_form import CardFormScreen
from pipeline_tui.ui.widgets.card_list import CARD_HEIGHT, PLACEHOLDER, CardList
from tests.conftest import NOW
from tests.pilot import (
    burst,
    focused_card_name,
    make_app,
    poll_until,
    press,
    running,
    screen_text,
    settle,
    type_text,
    wait_for,
)

LONG = 3000


def fill(
    database: Database,
    stage: Stage,
    count: int,
    *,
    owner: str = "kim",
    prefix: str = "Card",
    days_ago: int = 0,
    first_position: int = 0,
) -> None:
    """`count` cards named "<prefix> 0000" onwards, top to bottom, in one transaction."""
    created = NOW - timedelta(days=days_ago)
    rows = [
        {
            "name": f"{prefix} {n:04d}",
            "stage": stage.value,
            "position": first_position + n,
            "owner": owner,
            "created_at": created,
            "updated_at": created,
        }
        for n in range(count)
    ]
    with database.write() as session:
        session.execute(insert(CardRow), rows)


def fill_with_a_kofi_every_50(database: Database, count: int) -> None:
    """A lead column of `count` cards whose every 50th, from the top, is "Kofi <place>
    · 0000": a filter for "kofi" shows cards spread over the whole column."""
    for start in range(0, count, 50):
        fill(database, Stage.LEAD, 1, prefix=f"Kofi {start:04d} ·", first_position=start)
        fill(database, Stage.LEAD, 49, first_position=start + 1)


def board_of(app: object) -> BoardScreen:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, BoardScreen)
    return screen


def count_placeholders_drawn(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one for each line drawn as a card not read yet ("…")."""
    drawn: list[int] = []
    placeholder_line = CardList._placeholder_line

    def counting(self: CardList, *args: Any) -> Any:
        drawn.append(1)
        return placeholder_line(self, *args)

    monkeypatch.setattr(CardList, "_placeholder_line", counting)
    return drawn


def placeholders_shown(text: str) -> bool:
    # A card not read yet is its gutter and the placeholder mark alone.
    return f"  {PLACEHOLDER} " in text or f"▌ {PLACEHOLDER} " in text


def _count_reads(service: PipelineService, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many cards each read of cards (`summaries`, or the filter's search with the
    cards it shows first) read, in order."""
    read: list[int] = []
    summaries = service.summaries
    matching_cards = service.matching_cards

    def counted(card_ids: Iterable[int]) -> dict[int, CardSummary]:
        found = summaries(card_ids)
        read.append(len(found))
        return found

    def counted_with_search(
        query: str, shown: Callable[[set[int]], Iterable[int]]
    ) -> tuple[set[int], dict[int, CardSummary]]:
        ids, found = matching_cards(query, shown)
        read.append(len(found))
        return ids, found

    monkeypatch.setattr(service, "summaries", counted)
    monkeypatch.setattr(service, "matching_cards", counted_with_search)
    return read


def _when_shown(monkeypatch: pytest.MonkeyPatch, record: Callable[[], object]) -> None:
    """Call `record` as each held frame is let go (seams.hold_repaints), just before."""
    hold = seams.hold_repaints

    def recording(app: App[object], limit_s: float) -> Callable[[], None]:
        release = hold(app, limit_s)

        def record_then_release() -> None:
            record()
            release()

        return record_then_release

    monkeypatch.setattr(seams, "hold_repaints", recording)


@pytest.fixture
def long_leads(service: PipelineService) -> PipelineService:
    fill(service.database, Stage.LEAD, LONG)
    return service


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_the_board_opens_with_every_card_on_screen_read_in_one_go(
    long_leads: PipelineService, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """The board's first read is asked for before the columns are laid out; it reads
    as many cards as the terminal could show. One card a column, it showed placeholders
    and then drew each column again as its cards came, a frame a column."""
    unread_drawn = count_placeholders_drawn(monkeypatch)
    app = make_app(long_leads)
    frames: list[object] = []
    async with app.run_test(size=size) as pilot:
        seams.watch_frames(app, frames.append)
        await settle(pilot)
        text = screen_text(app)
        assert "Card 0000" in text and not placeholders_shown(text)
        last_on_screen = (size[1] - 4) // CARD_HEIGHT - 1  # header, borders, footer
        assert f"Card {last_on_screen:04d}" in text
    assert not unread_drawn, f"{len(unread_drawn)} lines drawn as cards not read yet"
    assert len(frames) <= 2, f"{len(frames)} frames to open the board"


async def test_G_shows_the_last_card_of_a_long_column(
    long_leads: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = _count_reads(long_leads, monkeypatch)
    async with running(long_leads, (120, 40)) as (app, pilot):
        assert "Card 0000" in screen_text(app)
        await press(pilot, "G")
        text = screen_text(app)
        assert f"Card {LONG - 1:04d}" in text
        assert f"{LONG}/{LONG}" in text
        assert not placeholders_shown(text)
        assert focused_card_name(app) == f"Card {LONG - 1:04d}"
        # Re-reading the board (here: an undone reorder) keeps the moved card
        # highlighted and reads the cards around it, not the thousands above it.
        read.clear()
        await press(pilot, "K", "u")
        assert focused_card_name(app) == f"Card {LONG - 1:04d}"
        assert sum(read) < 300, read
        await press(pilot, "g")
        assert "Card 0000" in screen_text(app)
        assert focused_card_name(app) == "Card 0000"


@pytest.mark.parametrize(
    ("key", "shown"),
    [("enter", "card 3000"), ("L", "Qualify Card 2999"), ("a", "Archive Card 2999")],
)
async def test_a_key_typed_with_G_acts_on_the_last_card_before_it_is_read(
    long_leads: PipelineService, key: str, shown: str
) -> None:
    # G lands on a card not read yet; before, a key that acts on the highlighted card,
    # typed with it, did nothing at all. (L from the lead column asks for qualification.)
    async with running(long_leads, (120, 40)) as (app, pilot):
        await burst(pilot, "G", key, dialog=key != "enter")
        await wait_for(pilot, lambda: shown in screen_text(app), shown, dialog=key != "enter")
        assert not isinstance(app.screen, BoardScreen)


async def test_page_down_through_a_long_column_shows_real_cards_in_a_bounded_cache(
    long_leads: PipelineService,
) -> None:
    async with running(long_leads, (120, 60)) as (app, pilot):
        board = board_of(app)
        board.model.cache.limit = 300  # far fewer than the column holds
        lead = app.screen.query_one("#cards-lead", CardList)
        pages = 0
        while lead.cursor < LONG - 1:
            await burst(pilot, *["pagedown"] * 10)  # held down
            pages += 10
            text = screen_text(app)
            assert not placeholders_shown(text), f"placeholders after {pages} pages"
            assert f"Card {lead.cursor:04d}" in text
            assert focused_card_name(app) == f"Card {lead.cursor:04d}"
            assert len(board.model.cache) <= board.model.cache.limit
        await press(pilot, *["pageup"] * 3, "k", "k")
        assert focused_card_name(app) == f"Card {lead.cursor:04d}"
        assert not placeholders_shown(screen_text(app))
        assert len(board.model.cache) <= board.model.cache.limit


async def test_a_move_on_a_long_board_is_shown_and_saved(service: PipelineService) -> None:
    fill(service.database, Stage.PROSPECT, LONG)
    async with running(service, (120, 40)) as (app, pilot):
        await press(pilot, "l", "pagedown", "pagedown", "j")
        name = focused_card_name(app)
        assert name is not None and name != "Card 0000"
        await press(pilot, "L")
        assert focused_card_name(app) == name
        text = screen_text(app)
        assert "Client · 1" in text and f"Prospect · {LONG - 1}" in text
        assert [card.name for card in service.board()[Stage.CLIENT]] == [name]
        await press(pilot, "H")
        assert focused_card_name(app) == name
        assert f"Prospect · {LONG}" in screen_text(app)
        assert service.board()[Stage.PROSPECT][0].name == name


async def test_filter_mine_and_stale_on_a_board_larger_than_the_cache(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(database, Stage.LEAD, LONG)
    fill(database, Stage.LEAD, 3, owner="sam", prefix="Mine", first_position=LONG)
    fill(database, Stage.LEAD, 2, prefix="Quiet", days_ago=40, first_position=LONG + 3)
    service = PipelineService(database, "sam", clock=lambda: NOW)
    read = _count_reads(service, monkeypatch)
    total = LONG + 5
    async with running(service, (120, 40)) as (app, pilot):
        board = board_of(app)
        board.model.cache.limit = 200  # a fifteenth of the board
        assert "2 stale" in str(board.sub_title)

        await press(pilot, "slash")
        await type_text(pilot, "2999")
        await settle(pilot)
        text = screen_text(app)
        assert "Card 2999" in text and f"Lead · 1/{total}" in text
        assert "Card 0000" not in text
        await press(pilot, "escape")
        # Every card again, still on the one the filter found, and it is on screen.
        assert focused_card_name(app) == "Card 2999"
        text = screen_text(app)
        assert "Card 2999" in text and f"Lead · {total}" in text

        await press(pilot, "m")
        text = screen_text(app)
        assert "Mine 0000" in text and "Mine 0002" in text and "Card 0000" not in text
        assert f"Lead · 3/{total}" in text
        await press(pilot, "m", "S")
        text = screen_text(app)
        assert "Quiet 0000" in text and "Quiet 0001" in text and "Card 0000" not in text
        assert f"Lead · 2/{total}" in text
        # Back to every card, the highlight (a quiet card at the bottom) is kept: the
        # cards around it are read, not the three thousand between the top and it.
        read.clear()
        await press(pilot, "S")
        assert sum(read) < 300, read
        await press(pilot, "G")
        assert focused_card_name(app) == "Quiet 0001"
        assert len(board.model.cache) <= board.model.cache.limit


async def test_a_filter_key_waits_for_the_cards_on_screen_and_reads_ahead_after_its_frame(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Deep in a long column, so that the board has not read them before the filter.
    fill(service.database, Stage.LEAD, LONG)
    fill(service.database, Stage.LEAD, 100, prefix="Kofi", first_position=LONG)
    read = _count_reads(service, monkeypatch)
    # The held frame goes when its cards are read; a time limit would hide a bug here.
    monkeypatch.setattr(board_screen, "FILTER_HOLD_S", 60.0)
    read_when_shown: list[int] = []
    _when_shown(monkeypatch, lambda: read_when_shown.append(sum(read)))
    async with running(service, (80, 24)) as (app, pilot):
        board = board_of(app)
        lead = app.screen.query_one("#cards-lead", CardList)
        page = lead.page_size()
        await press(pilot, "slash")
        read.clear()
        # Waited for here without a look at the screen, which would draw the held frame
        # (and ask for the cards it shows as "…").
        await pilot.press("k")
        next_pages = lead.ids[: 3 * page]
        await poll_until(
            lambda: read_when_shown and all(card_id in board.model.cache for card_id in next_pages),
            "the key's frame, then the pages below it read",
        )
        # The key's frame waited for the cards it shows, read with the search in one
        # call to the store, not for the pages below them (each read in the store's
        # thread slows the frame drawn meanwhile)...
        assert read_when_shown == [page] and read[0] == page, (read_when_shown, read, page)
        # ...which are read once it is written.
        assert all(card_id in board.model.cache for card_id in next_pages)
        text = screen_text(app)
        assert "Kofi 0000" in text and "Card" not in text
        assert not placeholders_shown(text)
        await press(pilot, "enter", "pagedown", "pagedown")
        text = screen_text(app)
        assert focused_card_name(app) == f"Kofi {lead.cursor:04d}" and lead.cursor >= page
        assert not placeholders_shown(text)


@pytest.mark.parametrize("keys_before", [(), ("pagedown",) * 4, ("G",)], ids=["top", "down", "end"])
async def test_a_filter_key_is_one_call_to_the_store_before_its_frame(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch, keys_before: tuple[str, ...]
) -> None:
    # The search and the cards it brings on screen, in one call: a second call after
    # the search, for the cards, was a third of the wait before the key showed. From
    # wherever the rep is in a long column: the list keeps its place, or the cursor's.
    fill_with_a_kofi_every_50(service.database, LONG)
    monkeypatch.setattr(board_screen, "FILTER_HOLD_S", 60.0)
    calls: list[str] = []
    run = Backend.run

    async def recorded(self: Backend, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        calls.append(call.__name__)
        return await run(self, call, *args, **kwargs)

    monkeypatch.setattr(Backend, "run", recorded)
    calls_when_shown: list[list[str]] = []
    _when_shown(monkeypatch, lambda: calls_when_shown.append(list(calls)))
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, *keys_before, "slash")
        await settle(pilot)
        calls.clear()
        await pilot.press("k")
        await wait_for(pilot, lambda: bool(calls_when_shown), "the key's frame")
        assert calls_when_shown == [["matching_cards"]]
        text = screen_text(app)
        assert "Kofi" in text and not placeholders_shown(text)


async def test_a_filter_that_finds_nothing_leaves_the_rep_where_they_were(
    long_leads: PipelineService,
) -> None:
    async with running(long_leads, (80, 24)) as (app, pilot):
        await press(pilot, "pagedown", "pagedown", "pagedown", "j")
        here = focused_card_name(app)
        assert here is not None and here != "Card 0000"
        await press(pilot, "slash")
        await type_text(pilot, "zzqq")
        assert "No card matches" in screen_text(app)
        await press(pilot, "escape")
        assert focused_card_name(app) == here


async def test_a_reload_while_filtering_shows_the_filtered_cards_read(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The store reads the cards around each list's place in its whole column; the
    # filtered list shows cards spread over it, which a reload (another instance's
    # write, seen by the poll) must read with the board, or draw as "…".
    fill_with_a_kofi_every_50(service.database, LONG)
    monkeypatch.setattr(board_screen, "FILTER_HOLD_S", 60.0)
    unread_drawn = count_placeholders_drawn(monkeypatch)
    async with running(service, (80, 24)) as (app, pilot):
        board = board_of(app)
        await press(pilot, "slash")
        await type_text(pilot, "kofi")
        await press(pilot, "enter", "j")
        assert focused_card_name(app) == "Kofi 0050 · 0000"
        unread_drawn.clear()
        # Waited for without a look at the screen, whose placeholders would ask for the
        # cards themselves.
        await board.reload(keep_highlight=True).wait()
        await poll_until(lambda: not board.model.cache.pending, "the cards asked for read")
        await poll_until(lambda: not seams.repaints_held(app), "the repaints let go")
        assert unread_drawn == []
        text = screen_text(app)
        assert "Kofi 0100" in text and not placeholders_shown(text)
        assert focused_card_name(app) == "Kofi 0050 · 0000"


@pytest.mark.parametrize("meanwhile", ["escape", "typed"])
async def test_a_filter_changed_while_the_board_is_read_draws_no_unread_card(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch, meanwhile: str
) -> None:
    # The reload read the cards of the filter as it was; loading them empties the
    # cache, which also held what the new filter asked for.
    fill_with_a_kofi_every_50(service.database, 600)
    monkeypatch.setattr(board_screen, "FILTER_HOLD_S", 60.0)
    unread_drawn = count_placeholders_drawn(monkeypatch)
    reading, go_on = threading.Event(), threading.Event()
    board_view = service.board_view

    def held_board_view(*args: Any, **kwargs: Any) -> Any:
        reading.set()
        go_on.wait(10)
        return board_view(*args, **kwargs)

    async with running(service, (80, 24)) as (app, pilot):
        board = board_of(app)
        await press(pilot, "slash")
        await type_text(pilot, "kofi")
        monkeypatch.setattr(service, "board_view", held_board_view)
        reload = board.reload(keep_highlight=True)
        await poll_until(reading.is_set, "the board's read to start")
        unread_drawn.clear()
        # Pilot's own press: the suite's helpers would wait for the held read.
        keys = ["escape"] if meanwhile == "escape" else ["space", "0", "0", "5", "0"]
        await pilot.press(*keys)
        go_on.set()
        await reload.wait()
        await settle(pilot)
        assert unread_drawn == []
        text = screen_text(app)
        assert not placeholders_shown(text)
        if meanwhile == "escape":
            assert board.model.filter_ids is None and "Lead · 600" in text
        else:
            assert "Kofi 0050" in text and "Kofi 0100" not in text


async def test_a_filtered_column_that_shrinks_under_the_list_draws_no_unread_card(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At the end of a long filtered column, another rep renames most of its cards: the
    # reload reads the column's new last page, where the list now is.
    monkeypatch.setattr(BoardScreen, "POLL_SECONDS", 0.1)
    database = open_database(str(db_path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    fill_with_a_kofi_every_50(database, 600)
    unread_drawn = count_placeholders_drawn(monkeypatch)
    async with running(service, (80, 24)) as (app, pilot):
        board = board_of(app)
        await press(pilot, "slash")
        await type_text(pilot, "kofi")
        await press(pilot, "enter", "G")
        assert focused_card_name(app) == "Kofi 0550 · 0000"
        other = PipelineService(open_database(str(db_path)), "ana", clock=lambda: NOW)
        for card in other.cards(Stage.LEAD):
            if card.name.startswith("Kofi") and not card.name.startswith(
                ("Kofi 0000", "Kofi 0050")
            ):
                other.update_card(card.id, CardDraft(name="Kwame" + card.name[4:]), card.version)
        other.close()
        unread_drawn.clear()
        await wait_for(
            pilot,
            lambda: board.model.filter_ids is not None and len(board.model.filter_ids) == 2,
            "the filter to let go of the renamed cards",
        )
        assert unread_drawn == []
        text = screen_text(app)
        assert "Kofi 0000" in text and "Kofi 0050" in text and not placeholders_shown(text)
    database.close()


@pytest.mark.parametrize("view", ["S", "N"])
async def test_leaving_the_stale_or_nurturing_view_goes_back_to_the_card_the_rep_was_on(
    service: PipelineService, view: str
) -> None:
    """The view takes the highlighted card away (it is not stale, not parked), and
    the highlight went to the column's first card; leaving the view left it there,
    so `e` typed with the keys edited another card."""
    fill(service.database, Stage.LEAD, 2, prefix="Old", days_ago=60)
    fill(service.database, Stage.LEAD, 3, prefix="New", first_position=2)
    async with running(service, (120, 40)) as (app, pilot):
        await press(pilot, "j", "j", "j")
        assert focused_card_name(app) == "New 0001"
        await press(pilot, view)
        assert focused_card_name(app) != "New 0001"
        await press(pilot, view)
        assert focused_card_name(app) == "New 0001"
        await burst(pilot, view, view, "e", dialog=True)
        await wait_for(
            pilot, lambda: isinstance(app.screen, CardFormScreen), "the edit form", dialog=True
        )
        assert "Edit New 0001" in screen_text(app)
