"""The board at a glance in a small terminal: whole next actions, column titles that keep
their stage, a header and filter that never cover each other, toasts that never hide the
highlighted card."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from textual.app import App
from textual.screen import Screen

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui import seams
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.screens import board as board_screen
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.widgets import key_footer
from pipeline_tui.ui.widgets.card_list import CARD_HEIGHT, action_lines
from pipeline_tui.ui.widgets.key_footer import FooterKeys, KeyFooter
from tests.conftest import TODAY
from tests.pilot import focused_card_name, press, running, screen_text, type_text


def add(service: PipelineService, name: str, stage: Stage = Stage.LEAD, **fields: object) -> int:
    return service.add_card(CardDraft(name=name, **fields), stage).card_id  # type: ignore[arg-type]


def lines(app: PipelineApp) -> list[str]:
    return screen_text(app).splitlines()


# Tiles ---------------------------------------------------------------------------------------


async def test_a_tile_shows_the_whole_next_action_with_its_due_date(
    service: PipelineService,
) -> None:
    add(
        service,
        "Ada",
        organisation="Engines",
        next_action="Call about the trade show booth",
        next_action_due=TODAY - timedelta(days=2),
    )
    async with running(service, size=(80, 24)) as (app, _):
        shown = lines(app)
    # Lead column, 16 cells of text: the action on two lines, its due date beside the
    # organisation, marked late.
    assert "│▌ Ada" in shown[2]
    assert "Engines" in shown[3] and "!2d late" in shown[3]
    assert "→ Call about the" in shown[4]
    assert "│▌ trade show booth│" in shown[5]


def test_a_long_action_shows_its_first_two_lines_and_says_it_was_cut() -> None:
    assert action_lines("Send the proposal", 16) == ["→ Send the", "proposal"]
    assert action_lines("Send the pilot proposal to the whole board", 16) == [
        "→ Send the pilot",
        "proposal to the…",
    ]
    # A first word one cell too long beside the arrow goes against it, whole (60x20).
    assert action_lines("Onboarding check-in", 11) == ["→Onboarding", "check-in"]
    assert action_lines("Onboarding", 10) == ["→ Onboardi", "ng"]  # too long even so
    assert action_lines("", 16) == ["→"]


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_column_titles_keep_their_stage_in_every_view(
    service: PipelineService, size: tuple[int, int]
) -> None:
    for index in range(12):
        add(service, f"Lead {index}")
    add(service, "Pat", Stage.PROSPECT)
    add(service, "Cy", Stage.CLIENT)
    add(service, "Rae", Stage.REPEAT)
    async with running(service, size=size) as (app, pilot):
        await press(pilot, "slash")
        await type_text(pilot, "lead 1")
        titles = lines(app)[1]  # the filter is on the bottom row: the columns stay put
        for stage in ("Lead", "Pros", "Cl", "Rep"):
            assert stage in titles, titles
        assert "3/12" in titles  # the filter's count of the column's cards
        await press(pilot, "escape", "S")
        titles = lines(app)[1]
        for stage in ("Lead", "Pros", "Cl", "Rep"):
            assert stage in titles, titles


async def test_every_column_counts_all_its_cards_again_once_the_filter_is_cleared(
    service: PipelineService,
) -> None:
    # The matching cards on top: the cursor keeps its place when the filter goes.
    for index in range(8):
        add(service, f"{'Amy' if index < 3 else 'Zed'} Rep {index}", Stage.REPEAT)
    add(service, "Ada")
    async with running(service, size=(80, 24)) as (app, pilot):
        await press(pilot, "slash")
        await type_text(pilot, "zed")
        await press(pilot, "enter", "j")  # the filter kept; down its only column
        # The columns' bottom borders say where each cursor is in a long column.
        assert lines(app)[-2].rstrip().endswith("2/5 ─╯"), lines(app)[-2]
        await press(pilot, "slash", "escape")
        # The cursor stays on its card, now counted among all eight, not five.
        assert lines(app)[-2].rstrip().endswith("2/8 ─╯"), lines(app)[-2]


def cards_on_screen_not_yet_read(app: PipelineApp) -> list[int]:
    """The cards the board's columns show now that it has not read (drawn as "…")."""
    board = app.screen
    assert isinstance(board, BoardScreen)
    missing: list[int] = []
    for column in board.columns.values():
        cards = column.card_list
        first = cards.scroll_offset.y // CARD_HEIGHT
        missing += [i for i in cards.ids[first : first + cards.page_size()] if i not in cards.cache]
    return missing


async def test_the_filtered_cards_are_read_before_the_board_shows_them(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Deep in their columns, so that the board has not read them at start: a filter
    # brings them to the top.
    for stage in STAGES:
        for index in range(5):
            add(service, f"Kofi {index}", stage)
        for index in range(40):
            add(service, f"Other {index}", stage)
    # The held frame goes when the cards are read; a time limit would hide a bug here.
    monkeypatch.setattr(board_screen, "FILTER_HOLD_S", 60.0)
    shown_missing: list[list[int]] = []
    hold = seams.hold_repaints

    def recording(app: App[object], limit_s: float) -> Callable[[], None]:
        release = hold(app, limit_s)

        def record_then_release() -> None:
            if isinstance(app.screen, BoardScreen):
                shown_missing.append(cards_on_screen_not_yet_read(app))  # type: ignore[arg-type]
            release()

        return record_then_release

    monkeypatch.setattr(seams, "hold_repaints", recording)
    async with running(service, size=(80, 24)) as (app, pilot):
        await press(pilot, "slash")
        await type_text(pilot, "kofi")
        assert "Kofi 4" in screen_text(app) and "Other" not in screen_text(app)
        await press(pilot, "escape")
        assert "Other 39" in screen_text(app)
        # Every frame the filter held (each key typed, the clearing) showed whole cards,
        # not "…" filled in a frame later, column by column.
        assert len(shown_missing) >= 2
        assert all(missing == [] for missing in shown_missing), shown_missing


async def test_the_footer_is_not_read_again_for_the_filter_it_gives_its_row_to(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(service, "Ada Okafor")
    reads: list[str] = []
    read_keys = key_footer.footer_keys

    def counting(screen: Screen[object]) -> FooterKeys:
        reads.append(type(screen).__name__)
        return read_keys(screen)

    async with running(service, size=(80, 24)) as (app, pilot):
        monkeypatch.setattr(key_footer, "footer_keys", counting)
        await press(pilot, "slash")
        await type_text(pilot, "ada")
        # Behind the filter the footer's keys are not read as the focus moves.
        assert reads == []
        await press(pilot, "escape")
        # The keys the board had before `/` are back on the bottom row with the whole
        # board, in one frame.
        assert "/ Filter" in lines(app)[-1], lines(app)[-1]
        await press(pilot, "slash", "escape", "slash")
        assert not app.screen.query_one(KeyFooter).display
        await press(pilot, "escape")
        assert "/ Filter" in lines(app)[-1], lines(app)[-1]


async def test_the_header_and_the_filter_never_cover_each_other(
    service: PipelineService,
) -> None:
    add(service, "Ada")
    add(service, "Ben", owner="lee")
    async with running(service, size=(80, 24)) as (app, pilot):
        await press(pilot, "m", "S", "slash")
        await type_text(pilot, "ad")
        shown = lines(app)
        header, filter_line = shown[0], shown[-1]
        assert "2 cards" in header and "my cards" in header and "stale only" in header
        # In the footer's place: what it is, what was typed, how it goes.
        assert filter_line.split() == ["/", "ad", "esc", "clears"]
        assert shown[1].startswith("╭─") and "Lead" in shown[1]  # the columns stay put


async def test_a_toast_never_covers_the_highlighted_card(service: PipelineService) -> None:
    for index in range(8, 0, -1):
        add(
            service, f"Card {index}", next_action=f"Step {index} of the plan", next_action_due=TODAY
        )
    async with running(service, size=(80, 24), notifications=True) as (app, pilot):
        await press(pilot, "j", "j", "j", "j")  # the fifth card: the column scrolls
        assert focused_card_name(app) == "Card 5"
        await press(pilot, "m", "m")  # two toasts at once
        shown = lines(app)
        assert "Only your cards" in shown[-2] or "Only your cards" in shown[-1]
        assert "Everyone's cards" in shown[-1]
        highlighted = [line for line in shown if line.startswith("│▌")]
        assert len(highlighted) == 4, shown
        assert "Card 5" in highlighted[0] and "today" in highlighted[1]
        assert "Step 5 of the" in highlighted[2] and "plan" in highlighted[3]
