"""Full garbage collections run between keys, once a key's frame is out (ui/garbage.py)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator

import pytest
from textual.drivers.linux_driver import LinuxDriver

from pipeline_tui.ui import seams
from pipeline_tui.ui.garbage import (
    ASK_LOST_S,
    BUSY_LIMIT_S,
    DUE_AFTER,
    FALLBACK_GEN2_THRESHOLD,
    CollectBetweenKeys,
)
from tests.pilot import burst, focused_card_name, make_app, running, wait_for
from tests.test_snapshots import demo_service


@pytest.fixture
def started() -> Iterator[list[CollectBetweenKeys]]:
    """Collectors started in the test, stopped after it (they set gc's thresholds)."""
    collectors: list[CollectBetweenKeys] = []
    yield collectors
    for collector in reversed(collectors):
        collector.stop()


def collector_due(
    started: list[CollectBetweenKeys], due: bool, clock: Callable[[], float] = lambda: 0.0
) -> tuple[CollectBetweenKeys, list[str]]:
    """A started collector that finds a collection `due` (or not), and what it collected."""
    middle_collections = DUE_AFTER if due else DUE_AFTER - 1
    collected: list[str] = []
    collector = CollectBetweenKeys(
        counts=lambda: (0, 0, middle_collections),
        collect=lambda: collected.append("collected"),
        clock=clock,
    )
    collector.start()
    started.append(collector)
    return collector, collected


class FakeApp:
    """The app's ways to wait, run when the test says."""

    def __init__(self) -> None:
        self.idle: list[Callable[[], object]] = []
        self.timers: list[Callable[[], object]] = []
        self.keys_waiting = False
        self.busy = False
        self.sending = False

    def attach(self, collector: CollectBetweenKeys) -> None:
        collector.attach(
            lambda f: self.idle.append(f),
            lambda _s, f: self.timers.append(f),
            keys_waiting=lambda: self.keys_waiting,
            busy=lambda: self.busy,
            sending=lambda: self.sending,
        )

    def run(self) -> None:
        """The screen goes idle, then the timers fire."""
        while self.idle or self.timers:
            for queue in (self.idle, self.timers):
                while queue:
                    queue.pop(0)()


def attached(
    started: list[CollectBetweenKeys], clock: Callable[[], float] = lambda: 0.0
) -> tuple[CollectBetweenKeys, list[str], FakeApp]:
    """A started collector with a collection due, attached to a FakeApp."""
    collector, collected = collector_due(started, due=True, clock=clock)
    app = FakeApp()
    app.attach(collector)
    return collector, collected, app


async def test_a_due_collection_waits_for_the_last_frame_of_a_burst(
    started: list[CollectBetweenKeys],
) -> None:
    collector, _ = collector_due(started, due=True)
    app = make_app(demo_service(), between_keys=collector)
    seen: list[tuple[str | None, int]] = []
    async with running(app) as (app, pilot):
        first = focused_card_name(app)
        with seams.frames_written(app) as frames:
            collector.collect = lambda: seen.append((focused_card_name(app), len(frames)))
            await burst(pilot, "j", "j", "j")
            await wait_for(pilot, lambda: seen, "the collection")
        assert focused_card_name(app) not in (first, None)
        # Once, for the three keys read together, after the frame that shows all three.
        assert seen == [(focused_card_name(app), len(frames))]
        assert frames, "the keys were painted"
        assert collector.collections == 1


async def test_keys_collect_nothing_when_no_collection_is_due(
    started: list[CollectBetweenKeys],
) -> None:
    collector, collected = collector_due(started, due=False)
    checked: list[int] = []
    counts = collector.counts

    def counts_noted() -> tuple[int, int, int]:
        checked.append(1)
        return counts()

    collector.counts = counts_noted
    async with running(make_app(demo_service(), between_keys=collector)) as (app, pilot):
        first = focused_card_name(app)
        await burst(pilot, "j")
        await wait_for(pilot, lambda: checked, "the check after the first key's frame")
        await burst(pilot, "l")
        await wait_for(pilot, lambda: len(checked) >= 2, "the check after the second")
        assert focused_card_name(app) != first
        assert collected == []


def test_python_runs_its_own_full_collection_only_as_a_fallback_while_started() -> None:
    before = gc.get_threshold()
    collector = CollectBetweenKeys()
    collector.start()
    try:
        assert gc.get_threshold() == (before[0], before[1], FALLBACK_GEN2_THRESHOLD)
    finally:
        collector.stop()
    assert gc.get_threshold() == before


def test_nothing_is_asked_of_the_app_before_the_first_paint() -> None:
    collector = CollectBetweenKeys(counts=lambda: (0, 0, DUE_AFTER))
    app = FakeApp()
    app.attach(collector)
    collector.input_arrived(key=False)
    collector.keys_handled()
    assert app.idle == []


def test_a_key_typed_before_the_frame_is_written_is_waited_for(
    started: list[CollectBetweenKeys],
) -> None:
    collector, collected, app = attached(started)
    collector.input_arrived(key=True)
    assert app.idle == [], "a key waits until KeyOrder has handled it"
    collector.keys_handled()
    app.idle.pop()()  # its frame is drawn
    collector.input_arrived(key=True)  # another key, before the timer
    app.keys_waiting = True
    app.timers.pop()()
    assert collected == [] and app.idle == [], "KeyOrder says when that key is handled"
    app.keys_waiting = False
    collector.keys_handled()
    app.run()
    assert collected == ["collected"]


def test_a_mouse_event_since_the_frame_waits_for_its_own_frame(
    started: list[CollectBetweenKeys],
) -> None:
    collector, collected, app = attached(started)
    collector.input_arrived(key=False)
    app.idle.pop()()
    collector.input_arrived(key=False)
    assert app.idle == [], "already waiting"
    app.timers.pop()()
    assert collected == [] and len(app.idle) == 1, "asked again, for the new frame"
    app.run()
    assert collected == ["collected"]


def test_work_a_key_started_is_waited_for_but_not_for_long(
    started: list[CollectBetweenKeys],
) -> None:
    now = [0.0]
    collector, collected, app = attached(started, clock=lambda: now[0])
    app.busy = True  # a store call the key started, or its repaints held
    collector.keys_handled()
    app.idle.pop()()
    app.timers.pop()()
    assert collected == [] and len(app.timers) == 1, "asked again a moment later"
    app.busy = False
    app.run()
    assert collected == ["collected"]
    app.busy = True  # an import, say: not waited for
    collector.keys_handled()
    for _ in range(2):
        app.idle.pop()()
        app.timers.pop()()
        assert collected == ["collected"]
        now[0] += BUSY_LIMIT_S / 2
        app.timers.pop()()  # asks again
    app.run()
    assert collected == ["collected", "collected"]


def test_a_key_typed_during_a_wait_on_work_is_waited_for_afresh(
    started: list[CollectBetweenKeys],
) -> None:
    now = [0.0]
    collector, collected, app = attached(started, clock=lambda: now[0])
    app.busy = True
    collector.keys_handled()
    app.idle.pop()()
    app.timers.pop()()  # waiting on work since 0
    now[0] += BUSY_LIMIT_S * 0.9
    collector.input_arrived(key=True)  # a key, and its own store call
    app.timers.pop()()  # asks again
    app.idle.pop()()
    now[0] += BUSY_LIMIT_S * 0.2
    app.timers.pop()()
    assert collected == [], "the new key's work has its own wait"
    app.busy = False
    app.run()
    assert collected == ["collected"]


def test_a_frame_still_being_sent_to_the_terminal_is_waited_for_but_not_for_long(
    started: list[CollectBetweenKeys],
) -> None:
    now = [0.0]
    collector, collected, app = attached(started, clock=lambda: now[0])
    app.sending = True  # a whole board, to a terminal that reads it slowly
    collector.keys_handled()
    app.idle.pop()()
    app.timers.pop()()
    assert collected == [], "the collection would hold the rest of the frame"
    assert app.idle == [] and app.timers == [collector._written], "looks again, no new frame"
    app.sending = False
    app.run()
    assert collected == ["collected"]
    app.sending = True  # a terminal that stopped reading: not waited for
    collector.keys_handled()
    app.idle.pop()()
    for _ in range(3):
        app.timers.pop()()
        now[0] += BUSY_LIMIT_S / 2
    app.run()
    assert collected == ["collected", "collected"]


async def test_the_app_waits_for_its_frame_to_be_sent_before_collecting(
    started: list[CollectBetweenKeys], monkeypatch: pytest.MonkeyPatch
) -> None:
    sending = [True]
    monkeypatch.setattr(seams, "output_unflushed", lambda _app: sending[0])
    collector, collected = collector_due(started, due=True)
    async with running(make_app(demo_service(), between_keys=collector)) as (_, pilot):
        await burst(pilot, "j")
        await pilot.pause(BUSY_LIMIT_S / 4)  # a window in which nothing may be collected
        assert collected == [], "collected while the frame was still being sent"
        sending[0] = False
        await wait_for(pilot, lambda: collected, "the collection once the frame is sent")


def test_the_app_counts_what_its_terminal_has_been_sent() -> None:
    app = make_app(demo_service())
    assert app.driver_class is seams.terminal_driver(LinuxDriver) is not LinuxDriver


def test_a_wait_lost_with_its_screen_is_given_up(started: list[CollectBetweenKeys]) -> None:
    now = [0.0]
    collector, collected, app = attached(started, clock=lambda: now[0])
    collector.keys_handled()
    app.idle.clear()  # the screen was closed before it was idle again
    collector.keys_handled()
    assert app.idle == [], "still waiting"
    now[0] += ASK_LOST_S
    collector.keys_handled()
    app.run()
    assert collected == ["collected"]


def test_nothing_is_collected_while_garbage_collection_is_paused(
    started: list[CollectBetweenKeys],
) -> None:
    collector, collected, app = attached(started)
    gc.disable()
    try:
        collector.keys_handled()
        app.run()
    finally:
        gc.enable()
    assert collected == []
