"""How the UI reaches the store: off the UI thread, one call at a time, with undo history."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from pipeline_tui.domain.activity import DEFAULT_STALE_LIMITS
from pipeline_tui.domain.cards import Change, Undone
from pipeline_tui.domain.limits import FieldError
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import StoreError

if TYPE_CHECKING:
    from pipeline_tui.store import PipelineService

P = ParamSpec("P")
T = TypeVar("T")

UNDO_LEVELS = 100


class Backend:
    """The service, a clock, and the changes this session can undo.

    Store calls can block on disk or network, so they run in a thread. One lock keeps
    them in the order the rep pressed the keys, and makes "save, then remember for
    undo" a single step, so a quick `u` always undoes the change just made.
    """

    def __init__(
        self,
        service: PipelineService,
        today: Callable[[], date] = date.today,
        stale_limits: Mapping[Stage, int] = DEFAULT_STALE_LIMITS,
    ) -> None:
        self.service = service
        self.today = today
        self.stale_limits = dict(stale_limits)
        self.undo_history: list[Change] = []
        self.known_revision: int | None = None
        """The board clock as far as this app has seen it: what its board was read at,
        moved on by each of its own writes. A clock ahead of it means someone else
        wrote."""
        self._written: int | None = None
        self._lock = asyncio.Lock()

    async def run(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """A read (or any call) in a thread, after the calls queued before it.

        A value the store refuses (too long for its field) is a StoreError like any
        other refusal: the screens show its sentence and keep what was typed."""
        async with self._lock:
            try:
                return await asyncio.to_thread(call, *args, **kwargs)
            except FieldError as error:
                raise StoreError(str(error)) from None
            finally:
                self._count_own_write()

    async def change(
        self, call: Callable[P, Change | None], *args: P.args, **kwargs: P.kwargs
    ) -> Change | None:
        """A write that can be undone; None when it changed nothing."""
        async with self._lock:
            try:
                change = await asyncio.to_thread(call, *args, **kwargs)
            except FieldError as error:
                raise StoreError(str(error)) from None
            finally:
                self._count_own_write()
            if change is not None:
                self.undo_history.append(change)
                del self.undo_history[:-UNDO_LEVELS]
            return change

    def seen_revision(self, revision: int) -> None:
        """The board was read at this clock."""
        self.known_revision = revision

    def _count_own_write(self) -> None:
        """A write made just now through this backend is this app's own: the clock
        moving on by exactly one for it needs no reload. Runs under the lock, so no
        other call of this app came in between."""
        if not self.service_is_open():
            return
        written = self.service.written_revision()
        if written is None or written == self._written:
            return
        self._written = written
        if self.known_revision is not None and written == self.known_revision + 1:
            self.known_revision = written

    def service_is_open(self) -> bool:
        # A deferred service still opening has written nothing, and asking would wait.
        return bool(getattr(self.service, "is_open", True))

    async def undo(self) -> Undone | None:
        """Undo the newest change; None when there is nothing left to undo.

        An undo is itself a save, so the card's version moves on; the next older change
        to the same card is re-based onto that version so it can be undone in turn.
        """
        async with self._lock:
            if not self.undo_history:
                return None
            change = self.undo_history.pop()
            try:
                undone = await asyncio.to_thread(self.service.undo, change)
            finally:
                self._count_own_write()
            if undone.version is not None:
                for index in range(len(self.undo_history) - 1, -1, -1):
                    older = self.undo_history[index]
                    if older.card_id == change.card_id:
                        self.undo_history[index] = replace(older, version_after=undone.version)
                        break
            return undone

    async def undo_and_tell(self, notify: Callable[..., object]) -> Undone | None:
        """Undo the newest change and say what happened, through the screen's `notify`."""
        try:
            undone = await self.undo()
        except StoreError as error:
            notify(str(error), severity="error", markup=False)
            return None
        if undone is None:
            notify("Nothing to undo.", timeout=2)
        else:
            notify(clean_line(undone.description), timeout=3, markup=False)
        return undone
