"""The UI's way to the store: one call at a time, even when a caller is cancelled.

A palette search is cancelled by the next key while its query still runs in a thread;
a thread cannot be stopped. Letting the next call start beside it made a search fail
now and then (two queries at once on one connection) and left the palette empty."""

from __future__ import annotations

import asyncio
import threading

from pipeline_tui.domain.cards import CardDraft, Change
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.backend import Backend


async def _blocked_call(backend: Backend, gate: threading.Event, started: threading.Event):  # type: ignore[no-untyped-def]
    def slow() -> str:
        started.set()
        gate.wait(5)
        return "slow"

    return await backend.run(slow)


async def test_a_cancelled_call_keeps_the_next_one_waiting_until_its_thread_ends(
    service: PipelineService,
) -> None:
    backend = Backend(service)
    gate, started = threading.Event(), threading.Event()
    first = asyncio.ensure_future(_blocked_call(backend, gate, started))
    await asyncio.to_thread(started.wait, 5)
    first.cancel()
    order: list[str] = []

    def second() -> str:
        order.append("second")
        return "second"

    queued = asyncio.ensure_future(backend.run(second))
    await asyncio.sleep(0.05)  # a window for the second call to start too soon in
    assert order == []  # the first call's thread still runs: the second waits
    gate.set()
    assert await queued == "second"
    assert first.cancelled()


async def test_a_change_whose_caller_was_cancelled_can_still_be_undone(
    service: PipelineService,
) -> None:
    backend = Backend(service)
    card_id = service.add_card(CardDraft("Ada"), Stage.LEAD).card_id
    gate, started = threading.Event(), threading.Event()

    def move() -> Change | None:
        started.set()
        gate.wait(5)
        return service.move_card(card_id, Stage.PROSPECT)

    moving = asyncio.ensure_future(backend.change(move))
    assert await asyncio.to_thread(started.wait, 5), "the move's thread never started"
    moving.cancel()
    gate.set()
    await asyncio.gather(moving, return_exceptions=True)
    assert service.summary(card_id).stage is Stage.PROSPECT  # type: ignore[union-attr]
    undone = await backend.undo()
    assert undone is not None
    assert service.summary(card_id).stage is Stage.LEAD  # type: ignore[union-attr]
