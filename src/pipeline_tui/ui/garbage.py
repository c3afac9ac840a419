"""Full garbage collections run between keys, not in the middle of one.

Much of what the app allocates after start-up is in reference cycles: every widget's
line cache holds Textual Strips, which can cache themselves, and a refilled card
screen's widgets point at their parents. Only the cyclic collector frees that, and its
full pass walks everything start-up did not freeze: 10-100 ms at 160x45, every 5-15 s of
brisk keys. Python starts one when its counters say so, in the middle of whatever key is
being handled, and that key's frame comes that much later.

So once the board is painted, Python's own full collection is a fallback
(`FALLBACK_GEN2_THRESHOLD`), and the app runs one when it is due (`DUE_AFTER`) just after
a frame: once every key typed has been handed on and handled (KeyOrder), the work it
started is done, the screen has been painted, the terminal has been sent all of it, and
there has been no further input. The rep is looking at that frame; the next key rarely
comes within the collection, and when it does it waits no longer than it would have
anyway. A worker still running then (a card read ahead) is held up instead, out of the
rep's sight.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

DUE_AFTER = 10
"""Middle-generation collections since the last full one: Python's own count (Python
also waits for enough new long-lived objects, so it may run one less often)."""
FALLBACK_GEN2_THRESHOLD = 40
"""Python's own full collection, for input that never leaves a moment between keys."""
WRITE_POLL_S = 0.003
"""A frame drawn is handed to the driver's writer thread, which needs the interpreter to
send it as fast as the terminal reads it (tens of milliseconds for a whole board over
SSH): the collection would hold the end of the frame. It looks this often whether the
thread has sent everything."""
BUSY_POLL_S = 0.02
BUSY_LIMIT_S = 0.5
"""Work a key started (a store call, repaints held until a screen is gone) is waited for,
as its frame is the key's too, and so is a frame still being sent; for this long at most
(an import is not waited for, nor a terminal that stopped reading)."""
ASK_LOST_S = 1.0
"""A wait for the screen to be idle that has not ended by then is taken as lost: the
screen it waited on was closed before it was idle again."""

Callback = Callable[[], object]


class CollectBetweenKeys:
    """Runs the full garbage collection, when it is due, once a key's frame is out.

    The command line calls `start()` once garbage collection is on after start-up, and
    `stop()` at the end. The app calls `attach()` with its ways to wait, `input_arrived()`
    for every key, paste and mouse event from the terminal, and `keys_handled()` each
    time KeyOrder has handed on every waiting key."""

    def __init__(
        self,
        *,
        counts: Callable[[], tuple[int, int, int]] = gc.get_count,
        collect: Callable[[], object] = gc.collect,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.counts = counts
        self.collect = collect
        self.clock = clock
        self.collections = 0
        """Full collections run between keys so far."""
        self._thresholds: tuple[int, int, int] | None = None
        self._after_refresh: Callable[[Callback], object] | None = None
        self._later: Callable[[float, Callback], object] = lambda _delay, _callback: None
        self._keys_waiting: Callable[[], bool] = lambda: False
        self._busy: Callable[[], bool] = lambda: False
        self._sending: Callable[[], bool] = lambda: False
        self._busy_since: float | None = None
        self._asked_at: float | None = None
        self._input_since_drawn = False

    def start(self) -> None:
        if self._thresholds is None:
            self._thresholds = gc.get_threshold()
            young, middle, _ = self._thresholds
            gc.set_threshold(young, middle, FALLBACK_GEN2_THRESHOLD)

    def stop(self) -> None:
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None

    def attach(
        self,
        after_refresh: Callable[[Callback], object],
        later: Callable[[float, Callback], object],
        keys_waiting: Callable[[], bool],
        busy: Callable[[], bool],
        sending: Callable[[], bool] = lambda: False,
    ) -> None:
        """`after_refresh(f)` calls f once the screen is idle and painted, `later(s, f)`
        in s seconds; `keys_waiting()` says whether typed keys wait their turn, `busy()`
        whether work the keys started is still to show, `sending()` whether the
        terminal has yet to be sent some of what was painted."""
        self._after_refresh, self._later = after_refresh, later
        self._keys_waiting, self._busy, self._sending = keys_waiting, busy, sending

    def input_arrived(self, key: bool) -> None:
        """A key (or paste) waits for `keys_handled`; a mouse event's frame is waited
        for at once."""
        self._input_since_drawn = True
        self._busy_since = None  # its own work is waited for afresh
        if not key:
            self._ask()

    def keys_handled(self) -> None:
        self._ask()

    def _ask(self) -> None:
        if self._thresholds is None or self._after_refresh is None:
            return  # before the first paint
        now = self.clock()
        if self._asked_at is not None and now - self._asked_at < ASK_LOST_S:
            return  # already waiting for the frame
        self._asked_at = now
        self._after_refresh(self._drawn)

    def _drawn(self) -> None:
        self._asked_at = self.clock()
        self._input_since_drawn = False
        self._later(WRITE_POLL_S, self._written)

    def _written(self) -> None:
        self._asked_at = None
        # Not while something else has paused collection (Textual can, to scroll).
        if not gc.isenabled() or self.counts()[2] < DUE_AFTER:
            return
        if self._keys_waiting():
            return  # keys_handled asks again once they are
        if self._input_since_drawn:
            self._ask()  # its frame first
            return
        now = self.clock()
        working = self._busy()
        if working or self._sending():
            if self._busy_since is None:
                self._busy_since = now
            if now - self._busy_since < BUSY_LIMIT_S:
                self._asked_at = now
                if working:  # its frame is still to come
                    self._later(BUSY_POLL_S, self._ask_again)
                else:
                    self._later(WRITE_POLL_S, self._written)
                return
        self._busy_since = None
        self.collect()
        self.collections += 1

    def _ask_again(self) -> None:
        self._asked_at = None
        self._ask()
