"""A list screen that reads itself again when another session changes the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from textual.screen import Screen

from pipeline_tui.store import StoreError
from pipeline_tui.ui.backend import Backend


class OtherChanges:
    """The board clock (change_marker) as `screen` last read the database, looked at
    every few seconds while the screen is on top, and `reload` called once it has moved
    on: another session wrote (a teammate, the shell). Without it the stand-up and the
    archive showed what was there when they opened for as long as they stayed open, a
    card parked or restored elsewhere still listed. A new day is read again too: the
    week left open overnight said "today" of yesterday."""

    def __init__(self, screen: Screen[Any], backend: Backend, reload: Callable[[], object]) -> None:
        self.screen = screen
        self.backend = backend
        self.reload = reload
        self.read_at: int | None = None
        self.read_on: date | None = None

    def start(self, every: float) -> None:
        """Look every `every` seconds from now on (the screen's on_mount)."""
        self.screen.set_interval(every, self._look)

    async def reading(self) -> None:
        """The screen is about to read the database: the clock first, so a change made
        while it reads is read next time."""
        self.read_on = self.backend.today()
        self.read_at = await self.backend.run(self.backend.service.change_marker)

    def _look(self) -> None:
        self.screen.run_worker(self._compare(), group="other-changes", exclusive=True)

    async def _compare(self) -> None:
        if not self._idle():
            return
        try:
            marker = await self.backend.run(self.backend.service.change_marker)
        except StoreError:
            return  # the next read says what is wrong
        changed = marker != self.read_at or self.backend.today() != self.read_on
        if changed and self._idle():
            self.reload()

    def _idle(self) -> bool:
        """On top (no dialog or card over it), read once, and nothing of its own under way:
        a read holding the keys typed with it (a reload cancels it, and its keys went to
        the list before the one they were typed for: r then r restored the wrong card),
        a write (whose own change the clock shows; its read follows it). What is skipped
        is looked at again next time: the clock has not been read."""
        if not self.screen.is_active or self.read_at is None:
            return False
        return not any(
            worker.is_running and worker.node is self.screen and worker.group != "other-changes"
            for worker in self.screen.workers
        )
