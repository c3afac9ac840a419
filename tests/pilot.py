"""Helpers for driving the app as a rep would: keys in, screen text and database out."""

from __future__ import annotations

from textual.pilot import Pilot

from pipeline_tui.store import PipelineService
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.widgets.card_list import CardList
from tests.conftest import TODAY


def make_app(service: PipelineService) -> PipelineApp:
    return PipelineApp(service, today=lambda: TODAY, cursor_blink=False)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every store call started by the last keys has finished and painted."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*text)


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Press keys, letting the store catch up after each, as a person's pace would."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def tap(pilot: Pilot[None], *keys: str) -> None:
    """Press keys while a dialog is open: a worker is waiting on it, so unlike `press`
    this does not wait for the workers to finish."""
    for key in keys:
        await pilot.press(key)
        for _ in range(3):
            await pilot.pause(0.02)


def screen_text(app: PipelineApp) -> str:
    """What the terminal shows right now, as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def focused_card_name(app: PipelineApp) -> str | None:
    focused = app.focused
    assert isinstance(focused, CardList), f"focus is on {focused!r}, not a card list"
    card = focused.highlighted
    return card.name if card else None
