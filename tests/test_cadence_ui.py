"""The after-sale cadence on screen: a card moved to client shows where it is in its
cadence, done steps bring the next one, and the board hands off a step that waited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from textual.pilot import Pilot

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import Database, PipelineService, open_database
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.screens.next_action import NextActionScreen
from pipeline_tui.ui.screens.rhythm import RhythmScreen
from pipeline_tui.ui.screens.touchpoint import TouchpointScreen
from tests.conftest import NOW, TODAY
from tests.pilot import (
    burst,
    make_app,
    press,
    running,
    screen_text,
    settle,
    type_text,
    wait_for,
)
from tests.test_palette import listed

SnapCompare = Callable[..., bool]


async def test_moving_a_card_to_client_shows_its_cadence_on_the_card(
    service: PipelineService,
) -> None:
    card = service.add_card(CardDraft("Ada Lovelace"), Stage.PROSPECT).card_id
    async with running(service) as (app, pilot):
        await press(pilot, "l", "L")  # the prospect column, then on to client
        await settle(pilot)
        assert service.card(card).summary.stage is Stage.CLIENT
        await press(pilot, "enter")  # the card went, and focus with it
        assert isinstance(app.screen, CardScreen)
        shown = screen_text(app)
        assert "Client cadence step 1 of 3 (the next action)" in shown
        assert "check in after delivery · due 2026-11-30" in shown  # the next action

        # Done: the cadence's next step is scheduled at once, counted from today; the
        # question that follows would add one more of the rep's own.
        await press(pilot, "x")
        assert isinstance(app.screen, TouchpointScreen)
        await press(pilot, "enter", "enter")
        assert isinstance(app.screen, NextActionScreen)
        await press(pilot, "escape")
        await settle(pilot)
        summary = service.card(card).summary
        assert (summary.next_action, summary.next_action_due) == (
            "ask for a referral",
            TODAY + timedelta(days=23),
        )
        assert "Client cadence step 2 of 3 (the next action)" in screen_text(app)
        # Offered as the week's x and `pipeline-tui done` log it: a client's check-in.
        assert service.card(card).touchpoints[0].kind is TouchpointKind.FOLLOW_UP


async def test_the_board_shows_the_next_action_a_move_to_client_sets(
    service: PipelineService,
) -> None:
    # The board kept "no next action" on the card until it was opened and closed.
    service.add_card(CardDraft("Ada Lovelace"), Stage.PROSPECT)
    async with running(service) as (app, pilot):
        await press(pilot, "l", "L")
        column = screen_text(app)
        assert "→ check in after" in column  # the default client cadence's first step
        assert "no next action" not in column


async def test_the_board_drops_the_step_of_a_cadence_a_move_back_stops(
    service: PipelineService,
) -> None:
    """L to Client, then H back to Prospect: the card showed "check in after
    delivery" as a prospect's next action."""
    card = service.add_card(CardDraft("Ada Lovelace"), Stage.PROSPECT).card_id
    async with running(service) as (app, pilot):
        await press(pilot, "l", "L")
        assert "→ check in after" in screen_text(app)
        await press(pilot, "H")
        await wait_for(pilot, lambda: "no next action" in screen_text(app), "the step gone")
        assert "check in after" not in screen_text(app)
    assert service.card(card).summary.next_action == ""


async def test_the_reps_own_step_in_the_cadences_words_stays_shown_after_a_move_back(
    database: Database,
) -> None:
    """A prospect's own "check in after delivery", set before it became a client, is
    the rep's: the store keeps it as the card goes back, and the board, which showed
    the move as if the cadence's step had gone, reads the card again and shows it."""
    moments = [NOW]
    service = PipelineService(database, user="sam", clock=lambda: moments[0])
    draft = CardDraft("Ada Lovelace", next_action="check in after delivery", next_action_due=TODAY)
    card = service.add_card(draft, Stage.PROSPECT).card_id
    moments[0] = NOW + timedelta(hours=1)
    async with running(service) as (app, pilot):
        await press(pilot, "l", "L", "H")
        await wait_for(pilot, lambda: "→ check in after" in screen_text(app), "the step shown")
    assert service.card(card).summary.next_action == "check in after delivery"


async def test_with_a_next_action_of_the_reps_own_the_step_waits_named_in_full(
    service: PipelineService,
) -> None:
    card = service.add_card(
        CardDraft("Ada Lovelace", next_action="Send the invoice", next_action_due=TODAY),
        Stage.PROSPECT,
    ).card_id
    service.move_card(card, Stage.CLIENT)
    async with running(service) as (app, pilot):
        await press(pilot, "l", "l", "enter")
        shown = screen_text(app)
        assert "Send the invoice" in shown
        assert "Client cadence step 1 of 3, check in after delivery, due 30 Nov" in shown


async def test_moving_on_from_the_palette_keeps_the_reps_own_later_next_action(
    service: PipelineService,
) -> None:
    own = ("My own step", TODAY + timedelta(days=20))  # after the first step's day 7
    card = service.add_card(
        CardDraft("Ada Lovelace", next_action=own[0], next_action_due=own[1]), Stage.PROSPECT
    ).card_id
    async with running(service) as (app, pilot):
        await press(pilot, "l")  # the prospect column
        await press(pilot, "ctrl+p")
        await type_text(pilot, "Move on to the next stage")
        await wait_for(
            pilot,
            lambda: any("Move on to the next stage" in line for line in listed(app)),
            "the palette to offer the move",
        )
        await press(pilot, "enter")
        await settle(pilot)
        summary = service.card(card).summary
        assert summary.stage is Stage.CLIENT
        assert (summary.next_action, summary.next_action_due) == own
        await press(pilot, "l")  # the client column
        shown = screen_text(app)
        assert "My own step" in shown
        assert "check in after" not in shown


async def test_the_board_hands_off_a_step_that_waited_on_its_day(
    service: PipelineService,
) -> None:
    earlier = PipelineService(service.database, "sam", clock=lambda: NOW - timedelta(days=8))
    card = earlier.add_card(CardDraft("Ada Lovelace"), Stage.PROSPECT).card_id
    earlier.move_card(card, Stage.CLIENT)
    # The rep cleared the step then; it came due yesterday.
    earlier.set_next_action(card, "", None, earlier.card(card).version)
    async with running(service) as (app, pilot):
        summary = service.card(card).summary
        assert summary.next_action == "check in after delivery"
        assert summary.next_action_due == TODAY - timedelta(days=1)
        await press(pilot, "l", "l")
        assert "check in after" in screen_text(app)


async def open_keep_in_touch(app: PipelineApp, pilot: Pilot[None]) -> RhythmScreen:
    """From the board, the client's card, then the palette's Keep in touch every N days."""
    await press(pilot, "l", "l", "enter", "ctrl+p")
    await type_text(pilot, "keep in touch")
    await settle(pilot)
    await press(pilot, "enter")
    assert isinstance(app.screen, RhythmScreen)
    return app.screen


async def test_the_palette_on_a_card_sets_how_often_to_keep_in_touch(
    service: PipelineService,
) -> None:
    card = service.add_card(CardDraft("Ada Lovelace"), Stage.CLIENT).card_id
    async with running(service) as (app, pilot):
        dialog = await open_keep_in_touch(app, pilot)
        assert "the stage's 30 days" in screen_text(app)
        await type_text(pilot, "often")
        await press(pilot, "enter")
        assert isinstance(app.screen, RhythmScreen)  # refused, the dialog stays
        assert "'often' is not a number of days" in screen_text(app)
        dialog.days.value = ""
        await type_text(pilot, "400")
        await press(pilot, "enter")
        assert "Keep in touch every 1 to 365 days; 400 is not a rhythm." in screen_text(app)
        dialog.days.value = ""
        await type_text(pilot, "21")
        assert "stale after 21 days without contact" in screen_text(app)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, CardScreen)
        assert service.card(card).summary.rhythm_days == 21
        assert "keep in touch every 21 days" in screen_text(app)

        await press(pilot, "u")  # undo, as any change to the card
        await settle(pilot)
        assert service.card(card).summary.rhythm_days is None
        assert "keep in touch" not in screen_text(app)


@pytest.mark.parametrize("typed", ["none", "None", "NONE", ""])
async def test_none_in_the_keep_in_touch_dialog_goes_back_to_the_stage_s_limit(
    service: PipelineService, typed: str
) -> None:
    """As the README says (and `pipeline-tui rhythm ann none` did): the dialog refused it."""
    card = service.add_card(CardDraft("Ada Lovelace"), Stage.CLIENT).card_id
    service.set_rhythm(card, 21)
    async with running(service) as (app, pilot):
        dialog = await open_keep_in_touch(app, pilot)
        dialog.days.value = ""
        await type_text(pilot, typed)
        assert "no rhythm: stale after the stage's 30 days" in screen_text(app)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, CardScreen)
    assert service.card(card).summary.rhythm_days is None


async def test_a_rhythm_typed_in_the_dialog_replaces_the_cards_rhythm(
    service: PipelineService,
) -> None:
    """The dialog opened on a rhythm of 3 with the cursor after it, and "14" saved 314."""
    card = service.add_card(CardDraft("Ada Lovelace"), Stage.CLIENT).card_id
    service.set_rhythm(card, 3)
    async with running(service) as (app, pilot):
        await open_keep_in_touch(app, pilot)
        await type_text(pilot, "14")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, CardScreen)
    assert service.card(card).summary.rhythm_days == 14


async def test_a_rhythm_of_100000_days_is_named_whole_in_the_dialog(
    service: PipelineService,
) -> None:
    card = service.add_card(CardDraft("Ada Lovelace"), Stage.CLIENT).card_id
    async with running(service) as (app, pilot):
        await open_keep_in_touch(app, pilot)
        await type_text(pilot, "100000")
        await press(pilot, "enter")
        assert isinstance(app.screen, RhythmScreen)
        assert "Keep in touch every 1 to 365 days; 100000 is not a rhythm." in screen_text(app)
    assert service.card(card).summary.rhythm_days is None


def cadence_card() -> PipelineService:
    service = PipelineService(open_database("sqlite://"), user="sam", clock=lambda: NOW)
    card = service.add_card(
        CardDraft("Eve Stone", organisation="Stone & Sons", email="eve@stone.example"),
        Stage.PROSPECT,
    ).card_id
    service.move_card(card, Stage.CLIENT)
    service.complete_next_action(
        card, TouchpointKind.MEETING, TODAY, "Delivered", service.card(card).version
    )
    service.set_rhythm(card, 21)
    return service


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_card_screen_with_a_cadence(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    async def open_card(pilot: Any) -> None:
        await settle(pilot)
        await press(pilot, "l", "l", "enter")
        await settle(pilot)

    assert snap_compare(make_app(cadence_card()), terminal_size=size, run_before=open_card)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_keep_in_touch_dialog(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    async def open_dialog(pilot: Any) -> None:
        await settle(pilot)
        await press(pilot, "l", "l", "enter")
        await settle(pilot)
        pilot.app.screen.action_keep_in_touch()  # as the palette's command runs it
        await settle(pilot)

    assert snap_compare(make_app(cadence_card()), terminal_size=size, run_before=open_dialog)


async def test_a_key_typed_with_the_rhythms_enter_is_not_added_to_the_days(
    service: PipelineService,
) -> None:
    """Over SSH "14", enter and "2" arrive in one read: the "2" went into the field
    before enter was read, and 142 days were saved."""
    card = service.add_card(CardDraft("Ada Lovelace"), Stage.CLIENT).card_id
    async with running(service) as (app, pilot):
        await press(pilot, "l", "l", "enter", "ctrl+p")
        await type_text(pilot, "keep in touch")
        await press(pilot, "enter")
        assert isinstance(app.screen, RhythmScreen)
        await burst(pilot, "1", "4", "enter", "2")
        assert isinstance(app.screen, CardScreen)
        assert "keep in touch every 14 days" in screen_text(app)
    assert service.card(card).summary.rhythm_days == 14
