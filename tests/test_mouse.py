"""The mouse is never needed, but a rep who clicks gets what they would expect."""

from __future__ import annotations

import pytest

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.widgets.card_list import CARD_HEIGHT, CardList
from tests.pilot import focused_card_name, press, running, screen_text, settle


@pytest.fixture
def board(service: PipelineService) -> PipelineService:
    service.add_card(CardDraft(name="Ada", organisation="Engines"), Stage.LEAD)
    service.add_card(CardDraft(name="Grace", organisation="Navy"), Stage.PROSPECT)
    service.add_card(CardDraft(name="Hopper", organisation="Cobol"), Stage.PROSPECT)
    service.add_card(CardDraft(name="Linus", organisation="Kernels"), Stage.CLIENT)
    return service


def second_card(selector: str) -> tuple[str, tuple[int, int]]:
    return selector, (3, CARD_HEIGHT)


async def test_a_click_focuses_a_card_and_a_second_click_opens_it(board: PipelineService) -> None:
    async with running(board) as (app, pilot):
        prospects = app.screen.query_one("#cards-prospect", CardList)
        first_prospect = prospects.highlighted
        assert first_prospect is not None
        await pilot.click("#cards-prospect", offset=(3, CARD_HEIGHT))
        await settle(pilot)
        assert app.focused is prospects
        assert isinstance(app.screen, BoardScreen), "the first click only focuses"
        assert focused_card_name(app) != first_prospect.name
        clicked = focused_card_name(app)
        await pilot.click("#cards-prospect", offset=(3, CARD_HEIGHT))
        await settle(pilot)
        assert isinstance(app.screen, CardScreen)
        assert clicked is not None and clicked in screen_text(app)
        await press(pilot, "escape")
        assert isinstance(app.screen, BoardScreen)
        assert focused_card_name(app) == clicked


async def test_a_click_on_the_highlighted_card_of_another_column_only_focuses_it(
    board: PipelineService,
) -> None:
    async with running(board) as (app, pilot):
        # Grace's card has the cursor in its column, but the highlight is not showing.
        await pilot.click("#cards-client", offset=(3, 0))
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert focused_card_name(app) == "Linus"


async def test_a_double_click_opens_a_card(board: PipelineService) -> None:
    async with running(board) as (app, pilot):
        await pilot.double_click("#cards-client", offset=(3, 1))
        await settle(pilot)
        assert isinstance(app.screen, CardScreen)
        assert "Linus" in screen_text(app)


async def test_clicking_a_column_border_or_empty_space_focuses_that_column(
    board: PipelineService,
) -> None:
    async with running(board) as (app, pilot):
        await pilot.click("#column-client", offset=(4, 0))  # the title in the border
        await settle(pilot)
        assert app.focused is app.screen.query_one("#cards-client", CardList)
        await pilot.click("#cards-repeat", offset=(3, 10))  # below the (absent) cards
        await settle(pilot)
        assert app.focused is app.screen.query_one("#cards-repeat", CardList)
        assert isinstance(app.screen, BoardScreen)
        # Keys carry on from where the mouse left focus.
        await press(pilot, "h")
        assert focused_card_name(app) == "Linus"


async def test_clicking_around_every_screen_breaks_nothing(board: PipelineService) -> None:
    spots = [(0, 0), (40, 12), (79, 23), (10, 5), (70, 2)]
    async with running(board) as (app, pilot):
        for keys in (["enter"], ["s"], ["question_mark"], ["n"]):
            await press(pilot, *keys)
            screen = app.screen
            for spot in spots:
                await pilot.click(offset=spot)
                await settle(pilot)
            assert app.return_code is None
            # Whatever the clicks did, the keyboard still gets back to the board.
            for _ in range(4):
                if isinstance(app.screen, BoardScreen):
                    break
                await press(pilot, "escape")
            assert isinstance(app.screen, BoardScreen), f"stuck on {screen!r}"
        await press(pilot, "l")
        assert isinstance(app.focused, CardList)
