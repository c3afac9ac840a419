"""Keystroke latency, in-process: the real app under App.run_test on a benchmark database.

Pilot.press() sleeps at least 20 ms per key while it waits for the CPU to go idle, so it
cannot time anything below that. Here each key is posted as the terminal driver would
post it, and the clock stops once the key's effect is complete: the expected state is
reached, no worker (store call, board reload) is still running, every widget has
drained its message queue, and the screen has been laid out and rendered (forced, as
Pilot.pause() forces it). Textual paints on a 60 Hz timer, so what a rep sees can come
up to one frame interval later than this; that pacing is the framework's and the same
for every key, so it is left out of the figure.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual import events
from textual.pilot import Pilot

from bench import search
from pipeline_tui.cli import freeze_for_good
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.garbage import CollectBetweenKeys
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.widgets.card_list import CardList

TIMEOUT_S = 30.0
SIZE = (120, 40)


@dataclass
class Samples:
    """Latencies in seconds for one kind of keystroke."""

    key: str
    seconds: list[float] = field(default_factory=list)


def _busy(app: PipelineApp) -> bool:
    """Anything still to do: a running worker, or a message waiting in any queue."""
    if any(worker.is_running for worker in app.workers):
        return True
    screen = app.screen
    return any(not node._message_queue.empty() for node in (app, screen, *screen.walk_children()))


async def _quiet(pilot: Pilot[None], done: Callable[[], bool]) -> None:
    """Wait (without sleeping) until `done()` holds and nothing is left to process.

    A key's work can outlive the key's own handler (a footer recomposed after a focus
    change, a board reloaded after a save), so "quiet" is checked across every widget
    of the screen until two rounds in a row find nothing pending.
    """
    app = pilot.app
    deadline = time.perf_counter() + TIMEOUT_S
    quiet_rounds = 0
    while quiet_rounds < 2:
        await pilot._wait_for_screen()
        # A worker replaced by a newer one (exclusive) ends cancelled: done all the same.
        running = [worker.wait() for worker in app.workers if worker.is_running]
        await asyncio.gather(*running, return_exceptions=True)
        await asyncio.sleep(0)
        if done() and not _busy(app):  # type: ignore[arg-type]
            quiet_rounds += 1
        else:
            quiet_rounds = 0
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not settle after a key press")
    app.screen._on_timer_update()  # lay out and render what changed, now
    await pilot._wait_for_screen()


def _post_key(app: PipelineApp, key: str) -> None:
    """A key event as App._press_keys builds it, without the idle sleeps around it."""
    char = {"enter": "\r", "escape": "\x1b", "slash": "/"}.get(key, key if len(key) == 1 else None)
    event = events.Key(key, char)
    event.set_sender(app)
    app.post_message(event)


async def timed_key(pilot: Pilot[None], key: str, done: Callable[[], bool]) -> float:
    started = time.perf_counter()
    _post_key(pilot.app, key)  # type: ignore[arg-type]
    await _quiet(pilot, done)
    return time.perf_counter() - started


def _focused_list(app: PipelineApp) -> CardList:
    focused = app.focused
    assert isinstance(focused, CardList), f"focus is on {focused!r}"
    return focused


async def measure(
    service: PipelineService, reps: int, open_reps: int
) -> tuple[dict[str, Samples], dict[str, list[float] | None]]:
    """Every keystroke kind, `reps` times each (`open_reps` for opening a card; one more
    of each is a warm-up), and the in-app search measurements (None until they exist)."""
    # As the command line runs it: what lives as long as the app is frozen once the
    # board is in, and again once the card screen kept for enter is built; full garbage
    # collections run between keys from the first paint on.
    between_keys = CollectBetweenKeys()
    app = PipelineApp(
        service,
        cursor_blink=False,
        on_first_paint=between_keys.start,
        on_board_loaded=freeze_for_good,
        on_card_screen_kept=freeze_for_good,
        between_keys=between_keys,
    )
    results: dict[str, Samples] = {}

    warmed: set[str] = set()

    def record(label: str, key: str, seconds: float) -> None:
        if label not in warmed:  # the first of each kind fills caches; not counted
            warmed.add(label)
            return
        results.setdefault(label, Samples(key)).seconds.append(seconds)

    try:
        async with app.run_test(size=SIZE) as pilot:
            board = app.screen
            assert isinstance(board, BoardScreen)
            # Usable: every column's ids and the header's totals read, the cards on screen too.
            await _quiet(
                pilot,
                lambda: (
                    board.model.complete
                    and bool(board.columns[Stage.LEAD].ids)
                    and not board.model.cache.pending
                ),
            )
            # Start a few cards down a full column, so j and k both have somewhere to go.
            for _ in range(3):
                await timed_key(pilot, "j", lambda: True)

            for _ in range(reps + 1):
                # The measuring machinery itself: a key nothing is bound to.
                record("no-op key (floor)", "f24", await timed_key(pilot, "f24", lambda: True))
                for key, step in (("j", 1), ("k", -1)):
                    cards = _focused_list(app)
                    target = cards.cursor + step

                    def at_target(cards: CardList = cards, target: int = target) -> bool:
                        return cards.cursor == target

                    seconds = await timed_key(pilot, key, at_target)
                    record(f"focus {'down' if step > 0 else 'up'} ({key})", key, seconds)
                for key, step in (("l", 1), ("h", -1)):
                    before = _focused_list(app)

                    def moved_on(before: CardList = before) -> bool:
                        return app.focused is not before and isinstance(app.focused, CardList)

                    seconds = await timed_key(pilot, key, moved_on)
                    record(f"focus {'right' if step > 0 else 'left'} ({key})", key, seconds)

            # Moves are timed from the prospect column: L on a lead opens its qualification
            # checklist first (a dialog the rep answers), which is not what this measures.
            await timed_key(pilot, "l", lambda: _focused_list(app).stage is Stage.PROSPECT)
            for _ in range(reps + 1):
                for key in ("L", "H"):
                    card = _focused_list(app).highlighted
                    assert card is not None
                    card_id, stage = card.id, card.stage

                    def moved(card_id: int = card_id, stage: Any = stage) -> bool:
                        focused = app.focused
                        return (
                            isinstance(focused, CardList)
                            and focused.stage is not stage
                            and focused.highlighted is not None
                            and focused.highlighted.id == card_id
                        )

                    label = "move card on (L)" if key == "L" else "move card back (H)"
                    record(label, key, await timed_key(pilot, key, moved))

            for _ in range(open_reps + 1):
                card = _focused_list(app).highlighted
                assert card is not None
                card_id = card.id

                def opened(card_id: int = card_id) -> bool:
                    screen = app.screen
                    return isinstance(screen, CardScreen) and str(screen.sub_title).endswith(
                        f"card {card_id}"
                    )

                record("open card (enter)", "enter", await timed_key(pilot, "enter", opened))
                record(
                    "back to board (escape)",
                    "escape",
                    await timed_key(pilot, "escape", lambda: app.screen is board),
                )

            searched = await search.measure_in_app(pilot)
    finally:
        between_keys.stop()
    return results, searched
