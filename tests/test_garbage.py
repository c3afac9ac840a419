"""Full garbage collections run between keys, once a key's frame is out (ui/garbage.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from pipeline_tui.ui.garbage import (
    DUE_AFTER,
    EVERY_GEN1_OF_BRISK_KEYS,
    CollectBetweenKeys,
)
from tests.pilot import burst, focused_card_name, make_app, running, screen_text, wait_for
from tests.test_snapshots import demo_service


class Counts:
    """gc.get_count as the test sets it: the third number is what makes a collection due."""

    def __init__(self, middle_collections: int) -> None:
        self.value = (0, 0, middle_collections)

    def __call__(self) -> tuple[int, int, int]:
        return self.value


@pytest.fixture
def started() -> Iterator[list[CollectBetweenKeys]]:
    """Collectors started in the test, stopped after it (they set gc's thresholds)."""
    collectors: list[CollectBetweenKeys] = []
    yield collectors
    for collector in collectors:
        collector.stop()


def collector_due(started: list[CollectBetweenKeys], due: bool) -> CollectBetweenKeys:
    counts = Counts(DUE_AFTER if due else DUE_AFTER - 1)
    collector = CollectBetweenKeys(counts=counts, collect=lambda: None)
    collector.start()
    started.append(collector)
    return collector


async def test_a_due_collection_waits_until_the_keys_frame_is_out(
    started: list[CollectBetweenKeys],
) -> None:
    collector = collector_due(started, due=True)
    seen: list[tuple[str | None, str]] = []
    app = make_app(demo_service(), between_keys=collector)
    collector.collect = lambda: seen.append((focused_card_name(app), screen_text(app)))
    async with running(app) as (app, pilot):
        first = focused_card_name(app)
        await burst(pilot, "j", "j", "j")
        await wait_for(pilot, lambda: bool(seen), "the collection")
        assert focused_card_name(app) != first
        # Once, for the three keys read together, with all they did on screen.
        assert seen == [(focused_card_name(app), screen_text(app))]
        assert collector.collections == 1


async def test_keys_collect_nothing_when_no_collection_is_due(
    started: list[CollectBetweenKeys],
) -> None:
    collector = collector_due(started, due=False)
    collected: list[str] = []
    collector.collect = lambda: collected.append("collected")
    asked: list[bool] = []
    written = collector.written

    def written_noted(keys_waiting: bool) -> bool:
        asked.append(written(keys_waiting))
        return asked[-1]

    collector.written = written_noted  # type: ignore[method-assign]
    async with running(make_app(demo_service(), between_keys=collector)) as (app, pilot):
        first = focused_card_name(app)
        await burst(pilot, "j")
        await wait_for(pilot, lambda: asked, "the app to ask once the frame was out")
        await burst(pilot, "l")
        await wait_for(pilot, lambda: len(asked) == 2, "the app to ask again")
        assert focused_card_name(app) != first
        assert collected == []


def test_python_runs_its_own_full_collection_more_rarely_while_started() -> None:
    before = gc.get_threshold()
    collector = CollectBetweenKeys()
    assert not collector.typed(), "nothing is asked of the app before the first paint"
    collector.start()
    try:
        assert gc.get_threshold() == (before[0], before[1], EVERY_GEN1_OF_BRISK_KEYS)
        assert collector.typed()
        assert not collector.typed(), "asked once until the frame is out"
        collector.drawn()
        assert not collector.written(keys_waiting=False)
        assert collector.typed()
    finally:
        collector.stop()
    assert gc.get_threshold() == before


def test_nothing_is_collected_while_garbage_collection_is_paused(
    started: list[CollectBetweenKeys],
) -> None:
    # Off before the first paint (cli._run_app), and while Textual scrolls smoothly.
    collector = collector_due(started, due=True)
    collected: list[str] = []
    collector.collect = lambda: collected.append("collected")
    collector.typed()
    collector.drawn()
    gc.disable()
    try:
        collector.written(keys_waiting=False)
    finally:
        gc.enable()
    assert collected == []
    collector.typed()
    collector.drawn()
    collector.written(keys_waiting=False)
    assert collected == ["collected"]


def test_a_key_typed_before_the_frame_is_written_is_waited_for(
    started: list[CollectBetweenKeys],
) -> None:
    collector = collector_due(started, due=True)
    collected: list[str] = []
    collector.collect = lambda: collected.append("collected")
    assert collector.typed()
    collector.drawn()
    assert not collector.typed(), "the app is already asked"
    assert collector.written(keys_waiting=False), "the next key's frame first"
    collector.drawn()
    assert collector.written(keys_waiting=True), "keys read together: the last one's frame"
    assert collected == []
    collector.drawn()
    assert not collector.written(keys_waiting=False)
    assert collected == ["collected"]
