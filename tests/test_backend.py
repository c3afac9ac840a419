"""The UI's way to the store: one call at a time, even when a caller is cancelled.

A palette search is cancelled by the next key while its query still runs in a thread;
a thread cannot be stopped. Letting the next call start beside it made a search fail
now and then (two queries at once on one connection) and left the palette empty.

A call that ends while the app quits is made, and its caller ends there: any screen's
read that came back as the rep pressed q went on to show itself in widgets being taken
down, and the app ended with a traceback."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from pipeline_tui.domain.cards import CardDraft, Change
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.backend import Backend
from tests.pilot import running
from tests.test_agenda_screen import seed_week


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


async def test_a_write_ending_as_the_app_quits_is_made_and_its_caller_ends_there(
    service: PipelineService,
) -> None:
    quitting = threading.Event()
    backend = Backend(service, quitting=quitting.is_set)
    card_id = service.add_card(CardDraft("Ada"), Stage.LEAD).card_id

    def move() -> Change | None:
        quitting.set()  # q pressed while the write runs
        return service.move_card(card_id, Stage.PROSPECT)

    with pytest.raises(asyncio.CancelledError):
        await backend.change(move)
    assert service.summary(card_id).stage is Stage.PROSPECT  # type: ignore[union-attr]
    with pytest.raises(asyncio.CancelledError):
        await backend.run(service.summary, card_id)
    assert backend.history.next_undo() is not None  # made is made


@pytest.mark.parametrize(
    ("key", "read"),
    [
        ("w", "agenda"),
        ("s", "standup"),
        ("i", "insight"),
        ("c", "call_queue"),
        ("A", "archived"),
        ("enter", "card"),
        ("e", "card"),
    ],
)
async def test_a_read_ending_as_the_app_quits_ends_without_a_traceback(
    service: PipelineService, key: str, read: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen opened, q pressed while it reads: the read comes back while the app is
    taken down. (It came back among the screen's widgets being removed in about one run
    in twenty, and the test failed with the app's NoMatches or ScreenStackError.)"""
    seed_week(service)
    async with running(service) as (app, pilot):
        slow_read = getattr(service, read)

        def read_until_the_app_quits(*args: Any, **kwargs: Any) -> Any:
            while app.is_running:
                time.sleep(0.0005)
            return slow_read(*args, **kwargs)

        monkeypatch.setattr(service, read, read_until_the_app_quits)
        await pilot.press(key)
        await pilot.pause()


async def test_keys_held_for_a_read_let_go_after_the_app_quit(service: PipelineService) -> None:
    async with running(service) as (app, _):
        release = app.hold_keys()
    release()  # raised ScreenStackError: no screen to hand the keys to


async def test_a_filter_search_ending_as_the_app_quits_ends_without_a_traceback(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/` and a letter, q while the search runs: its `finally` asked the filter field of
    a board taken down meanwhile, and the app ended with NoMatches."""
    service.add_card(CardDraft("Ada"), Stage.LEAD)
    async with running(service) as (app, pilot):
        board = app.screen
        search = service.matching_cards

        def search_until_the_board_is_gone(*args: Any, **kwargs: Any) -> Any:
            deadline = time.monotonic() + 5
            while board.is_attached and time.monotonic() < deadline:
                time.sleep(0.001)
            return search(*args, **kwargs)

        monkeypatch.setattr(service, "matching_cards", search_until_the_board_is_gone)
        await pilot.press("slash", "a")
        await pilot.pause()


async def test_a_save_is_followed_in_its_own_store_turn_and_only_once_it_is_made(
    service: PipelineService,
) -> None:
    """A form's save goes through its opener's callback, which may read first and may
    be refused: what follows the save (forgetting its draft) comes right after the
    write that is made, in the store's thread, and after nothing else."""
    backend = Backend(service)
    store_thread = threading.get_ident()
    followed: list[tuple[str, bool]] = []
    turns: list[str] = []

    def follow_up() -> None:
        followed.append((turns[-1], threading.get_ident() != store_thread))

    def refused(*_: Any) -> Change | None:
        turns.append("refused")
        raise RuntimeError("the database is locked")

    def add(name: str) -> Change | None:
        turns.append(name)
        return service.add_card(CardDraft(name), Stage.LEAD)

    with backend.followed_by(follow_up):
        await backend.run(lambda: turns.append("read"))
        with pytest.raises(RuntimeError):
            await backend.change(refused)
        assert followed == []
        await backend.change(add, "Ada")
        await backend.change(add, "Ben")
    await backend.change(add, "Cy")
    assert followed == [("Ada", True)]
    assert turns == ["read", "refused", "Ada", "Ben", "Cy"]


async def test_a_write_of_a_task_started_in_a_save_is_not_the_save(
    service: PipelineService,
) -> None:
    """A task started while a save is under way (a reload, say) inherits its context:
    its write, made first or after the save's block ended, must not take what follows
    the save (forgetting the draft before the save is made loses it if the save fails)."""
    backend = Backend(service)
    followed: list[str] = []
    turns: list[str] = []

    def add(name: str) -> Change | None:
        turns.append(name)
        return service.add_card(CardDraft(name), Stage.LEAD)

    gate = asyncio.Event()

    async def elsewhere(name: str) -> None:
        await gate.wait()
        await backend.change(add, name)

    with backend.followed_by(lambda: followed.append(turns[-1])):
        first = asyncio.ensure_future(backend.change(add, "Other"))
        later = asyncio.ensure_future(elsewhere("Later"))
        await first
        await backend.change(add, "Save")
    gate.set()
    await later
    assert turns == ["Other", "Save", "Later"]
    assert followed == ["Save"]
