"""Helpers for driving the app as a rep would: keys in, screen text and database out.

    async with running(service, size=(80, 24)) as (app, pilot):
        await press(pilot, "n")            # a key, then wait for what it started
        await type_text(pilot, "Ada")      # characters into the focused field
        await tap(pilot, "L")              # a key that opens (or answers) a dialog
        await burst(pilot, *"jjjl")        # keys that arrive together, then wait
        await wait_for(pilot, lambda: "Ada" in screen_text(app), "the new card")

No helper waits a fixed time: each waits until the app has done what the keys started
(its messages, workers and store calls, a note's Markdown, held repaints, the repaint),
and fails with the screen in the message if that never happens. Only wait_for and
poll_until look again and again (every 20 and 10 ms), for timers to come due.
"""

from __future__ import annotations

import asyncio
import string
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from time import monotonic
from typing import Any

from textual import events
from textual.app import App
from textual.keys import key_to_character
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Markdown

from pipeline_tui.store import PipelineService
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.key_order import SEEING_S
from pipeline_tui.ui.keys import normalise_key
from pipeline_tui.ui.seams import (
    character_to_key,
    count_frames,
    draw_frames_only_when_read,
    notifications,
    repaints_held,
    screen_lines,
)
from pipeline_tui.ui.widgets.card_list import CardList
from tests.conftest import TODAY

SETTLE_TIMEOUT_S = 30.0
"""Longer than any store call in the suite; only a stuck app gets near it."""
WAIT_TIMEOUT_S = 10.0
HELD_REPAINT_POLL_S = 0.002
REFRESH_WAIT_S = 1.0
"""A repaint normally follows within milliseconds; this only bounds a screen closed
while a repaint was awaited on it."""


def make_app(service: PipelineService, **options: Any) -> PipelineApp:
    """The app as the tests run it: a fixed today (TODAY unless `today` is given), no
    cursor blink (a still screen),
    and frames rendered only when the test reads them (screen_text, a snapshot, a frame
    watcher): a headless frame is otherwise rendered for nobody."""
    options = {"today": lambda: TODAY, "cursor_blink": False, **options}
    app = PipelineApp(service, **options)
    draw_frames_only_when_read(app)
    return app


@asynccontextmanager
async def running(
    service_or_app: PipelineService | PipelineApp,
    size: tuple[int, int] = (80, 24),
    *,
    notifications: bool = False,
) -> AsyncIterator[tuple[PipelineApp, Pilot[None]]]:
    """The app (`make_app(service)`, or the app given) headless at `size`, its first
    screen loaded and painted. `notifications`: draw toasts, for tests that read them."""
    app = service_or_app if isinstance(service_or_app, PipelineApp) else make_app(service_or_app)
    async with app.run_test(size=size, notifications=notifications) as pilot:
        await settle(pilot)
        yield app, pilot


async def settle(pilot: Pilot[None], timeout: float = SETTLE_TIMEOUT_S) -> None:
    """Wait until everything the last keys started has finished and been painted: every
    widget has handled its messages, every worker (so every store call) has finished,
    and two rounds in a row leave the same screen. A worker that waits on a dialog never
    finishes: after keys that open one, use `tap`."""

    async def workers_done(app: PipelineApp) -> None:
        # A worker cancelled on the way (an exclusive one replaced by a newer call) is
        # finished too; one that failed ends the app, and the test with it.
        running = [worker.wait() for worker in app.workers if worker.is_running]
        await asyncio.gather(*running, return_exceptions=True)
        await _markdown_rendered(app)

    await _until_still(pilot, workers_done, timeout, "its workers to finish")


async def painted(pilot: Pilot[None]) -> None:
    """Wait until every widget has handled its messages and the screen has repainted,
    without waiting for workers: for what shows while the store is still opening."""

    async def nothing(app: PipelineApp) -> None:
        return None

    await _until_still(pilot, nothing, SETTLE_TIMEOUT_S, "the screen to repaint")


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type `text` into the focused field as a quick typist (or an SSH connection)
    delivers it: one key event per character, one after another, then wait for what
    they started (a filter's search, say)."""
    app = _app(pilot)
    for character in text:
        _post_key(app, "space" if character == " " else normalise_key(character), character)
    await _until_still(pilot, _store_calls_done, SETTLE_TIMEOUT_S, "what the typing started")


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Press keys, letting the store catch up after each, as a person's pace would."""
    app = _app(pilot)
    for key in keys:
        _post_key(app, key)
        await app.animator.wait_until_complete()
        await settle(pilot)


async def burst(pilot: Pilot[None], *keys: str, dialog: bool = False) -> None:
    """Keys that arrive together (held down, or in one read over SSH), then wait for
    what they started. `dialog`: they leave a dialog open, which a worker waits on
    (see `tap`), so only the store calls are waited for."""
    app = _app(pilot)
    for key in keys:
        _post_key(app, key)
    if dialog:
        await _until_still(pilot, _store_calls_done, SETTLE_TIMEOUT_S, "what the keys started")
    else:
        await settle(pilot)


async def look(pilot: Pilot[None]) -> None:
    """The rep reads what the screen shows before answering it: a save sooner than
    key_order.SEEING_S after a comparison showed is taken as typed before it."""
    await pilot.pause(SEEING_S)


async def tap(pilot: Pilot[None], *keys: str, opens: type[Screen[Any]] | None = None) -> None:
    """Press keys that open a dialog or answer one. A worker waits on the dialog, so
    unlike `press` this waits only for the store calls the key started (and what they
    lead to, such as the dialog opening), not for every worker to finish. `opens`: the
    dialog the keys open after several store calls in a row (`x`: the step logged, the
    list read again, then the next step asked for), waited for by name; between two
    of the calls the screen can look still for a round on a busy machine."""

    for key in keys:
        # Pilot.press, not _post_key: its pauses let the worker the key starts (the one
        # waiting on the dialog) make its first store call before that is waited for.
        await pilot.press(key)
        await _until_still(pilot, _store_calls_done, SETTLE_TIMEOUT_S, "its store calls")
    if opens is not None:
        app = _app(pilot)
        await wait_for(
            pilot, lambda: isinstance(app.screen, opens), f"{opens.__name__} to open", dialog=True
        )


async def wait_for(
    pilot: Pilot[None],
    condition: Callable[[], object],
    what: str,
    timeout: float = WAIT_TIMEOUT_S,
    *,
    dialog: bool = False,
) -> None:
    """Wait until `condition()` is true, for something the app does in its own time
    (a poll, a search); fail after `timeout` seconds, saying `what` did not happen.
    `dialog`: a worker waits on a dialog meanwhile (see `tap`), so only the store
    calls are waited for."""
    deadline = monotonic() + timeout
    while True:
        if dialog:
            await _until_still(pilot, _store_calls_done, SETTLE_TIMEOUT_S, what)
        else:
            await settle(pilot)
        if condition():
            return
        if monotonic() > deadline:
            raise AssertionError(
                f"waited {timeout:g}s for {what}; the screen shows:\n{screen_text(_app(pilot))}"
            )
        await asyncio.sleep(0.02)  # for a timer to come due; then look again


async def poll_until(
    condition: Callable[[], object], what: str, timeout: float = WAIT_TIMEOUT_S
) -> None:
    """Wait until `condition()` is true, looking every 10 ms and waiting for nothing
    else: for a test that holds a frame or a store call on purpose (settling would wait
    for it), an app that has ended, or an app other than the pipeline's."""
    deadline = monotonic() + timeout
    while not condition():
        if monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g}s for {what}")
        await asyncio.sleep(0.01)


def screen_text(app: PipelineApp) -> str:
    """What the terminal shows right now, as plain text."""
    return "\n".join(screen_lines(app.screen))


def focused_card_name(app: PipelineApp) -> str | None:
    focused = app.focused
    assert isinstance(focused, CardList), f"focus is on {focused!r}, not a card list"
    card = focused.highlighted
    return card.name if card else None


# Waiting -------------------------------------------------------------------------------


def _nothing() -> None:
    return None


async def _markdown_rendered(app: PipelineApp) -> None:
    """Wait until every Markdown widget on the screen has rendered its text. Markdown
    parses in a thread and then mounts its blocks, outside any message or worker the
    other waits see; it holds its lock meanwhile."""
    for markdown in app.screen.query(Markdown):
        async with markdown.lock:
            pass


async def _answers_settled(app: PipelineApp) -> None:
    """Wait for a dialog's answer held to see what follows it (a draft offer's "d")."""
    while any(getattr(screen, "answer_pending", False) for screen in app.screen_stack):
        await asyncio.sleep(0.01)


async def _store_calls_done(app: PipelineApp) -> None:
    # Store calls run one at a time, in the order they were made (ui/backend.py): this
    # one returns once every call made before it has.
    await app.backend.run(_nothing)


async def _messages_handled(app: PipelineApp) -> None:
    """Wait until every widget of the screen that had messages waiting has handled them.
    Pilot.pause waits for every widget, messages or not, with a callback to each: with
    a hundred widgets on a screen, that was a sixth of the CPU of a test."""
    await asyncio.sleep(0)
    at_work = [
        pump for pump in (app, *app.screen.walk_children(with_self=True)) if pump.message_queue_size
    ]
    waiting = len(at_work)
    done = asyncio.Event()

    def handled() -> None:
        nonlocal waiting
        waiting -= 1
        if not waiting:
            done.set()

    for pump in at_work:
        if not pump.call_later(handled):  # closing: it handles nothing more
            handled()
    while waiting and app.is_running:  # an app that failed handles nothing more either
        with suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), REFRESH_WAIT_S)


_PUNCTUATION = {character_to_key(character): character for character in string.punctuation}


def paste(pilot: Pilot[None], text: str, *, after: Sequence[str] = ()) -> None:
    """`text` pasted, as the terminal sends a bracketed paste, in one read with the keys
    `after` typed before it; nothing is waited for."""
    app = _app(pilot)
    for key in after:
        _post_key(app, key)
    event = events.Paste(text)
    event.set_sender(app)
    app.post_message(event)


def _post_key(app: PipelineApp, key: str, character: str | None = None) -> None:
    """The key as Pilot.press sends it (a name such as "enter", or a character; the
    character it types, if not given, is the one Pilot would give), without Pilot's wait
    for every widget: the helpers wait for what the key started."""
    if len(key) == 1 and not key.isalnum():
        key = character_to_key(key)
    if character is None:
        character = key_to_character(key) or _PUNCTUATION.get(key)
    event = events.Key(key, character)
    event.set_sender(app)
    app.post_message(event)


def _app(pilot: Pilot[None]) -> PipelineApp:
    app = pilot.app
    assert isinstance(app, PipelineApp), f"{app!r} is not the pipeline app"
    return app


def _looks(app: PipelineApp) -> tuple[object, ...]:
    """What a test can see: the screens, the focus, the running workers, and how many
    frames have been drawn (rendering the whole screen's text instead, every round of
    every wait, was about a tenth of the CPU of a test that drives the app)."""
    running = frozenset(worker for worker in app.workers if worker.is_running)
    return (tuple(app.screen_stack), app.focused, running, _frames_drawn(app))


_frame_counts: weakref.WeakKeyDictionary[PipelineApp, list[int]] = weakref.WeakKeyDictionary()


def _frames_drawn(app: PipelineApp) -> int:
    """The frames the app has drawn since a wait first looked at it; -1 that first time."""
    count = _frame_counts.get(app)
    if count is None:
        count = _frame_counts[app] = [0]

        def drawn(frame: object) -> None:
            count[0] += 1

        count_frames(app, drawn)  # for the app's whole life
        return -1
    return count[0]


async def _repaints_released(app: PipelineApp) -> None:
    """Wait while the app holds its repaints (a popped screen being removed, cards
    being read for a filter): the screen does not change meanwhile, yet is not still.
    Every hold ends on its own within a fraction of a second."""
    while repaints_held(app) and app.is_running:
        await asyncio.sleep(HELD_REPAINT_POLL_S)


async def _refreshed(app: PipelineApp) -> bool:
    """Wait until the current screen has handled its messages and repainted; whether
    it did. While the app holds its repaints (a note's blocks being mounted in a
    Markdown batch, say) the screen calls back without drawing anything."""
    repainted = asyncio.Event()
    drawn = True

    def called_back() -> None:
        nonlocal drawn
        drawn = not repaints_held(app)
        repainted.set()

    # A screen closed before it painted again never calls back: the next round looks.
    if app.screen.call_after_refresh(called_back):
        with suppress(TimeoutError):
            await asyncio.wait_for(repainted.wait(), REFRESH_WAIT_S)
    return drawn


async def _until_still(
    pilot: Pilot[None],
    wait_for_work: Callable[[PipelineApp], Awaitable[None]],
    timeout: float,
    what: str,
) -> None:
    """Rounds of: let every widget handle its messages, wait for the work, wait for the
    repaint; until a round changes nothing a test can see."""
    app = _app(pilot)
    before: tuple[object, ...] | None = None
    try:
        async with asyncio.timeout(timeout):
            while app.is_running:
                await _messages_handled(app)
                await wait_for_work(app)
                if not app.is_running:
                    return
                await _repaints_released(app)
                await _answers_settled(app)
                drawn = await _refreshed(app)
                now = _looks(app)
                # A key waiting its turn, or in flight, may change nothing for a round
                # (a busy machine); it is still to come.
                if now == before and drawn and app.key_order.idle:
                    return
                before = now
    except TimeoutError:
        raise AssertionError(
            f"the app was still busy after {timeout:g}s waiting for {what}; "
            f"the screen shows:\n{screen_text(app)}"
        ) from None


def notification_messages(app: App[Any]) -> list[str]:
    """The text of the toasts the app is showing (or has just shown)."""
    return [notification.message for notification in notifications(app)]
