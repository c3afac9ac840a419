"""Full garbage collections run between keys, not in the middle of one.

Much of what the app allocates after start-up is in reference cycles: every widget's
line cache holds Textual Strips, which cache themselves, and a refilled card screen's
widgets point at their parents. Only the cyclic collector frees that, and its full pass
walks everything start-up did not freeze: 10-100 ms at 160x45, every 5-15 s of brisk
keys. Python starts one when its counters say so, in the middle of whatever key is being
handled, and that key's frame comes that much later.

So once the board is painted, Python's own full collection is kept for keys that never
leave a moment between them (`EVERY_GEN1_OF_BRISK_KEYS`), and the app runs it when it is
due (`DUE_AFTER`: as often as Python would) just after a key's frame is out. The rep is
looking at that frame; the next key rarely comes within the collection, and when it does
it waits no longer than it would have anyway. A worker still running then (a store
write, a card read ahead) is held up by it instead, out of the rep's sight.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

DUE_AFTER = 10
"""Middle-generation collections since the last full one: Python's own cadence."""
EVERY_GEN1_OF_BRISK_KEYS = 40
"""Python's own full collection, for keys that never leave a moment between them."""
WRITTEN_AFTER_S = 0.005
"""A frame drawn is handed to the driver's writer thread, which needs the interpreter to
write it: the collection waits this long more, or it would hold the frame back."""


class CollectBetweenKeys:
    """When a key's frame is out, runs the full garbage collection if it is due.

    The app calls `typed()` on every input event; when that returns True, `drawn()` once
    the screen is idle again and `written()` `WRITTEN_AFTER_S` later (and again from
    `drawn()` if that returns True). `start()` once garbage collection is on after
    start-up."""

    def __init__(
        self,
        *,
        counts: Callable[[], tuple[int, int, int]] = gc.get_count,
        collect: Callable[[], object] = gc.collect,
    ) -> None:
        self.counts = counts
        self.collect = collect
        self.collections = 0
        """Full collections run between keys so far."""
        self._thresholds: tuple[int, int, int] | None = None
        self._asked = False
        self._inputs = 0
        self._inputs_drawn = 0

    def start(self) -> None:
        if self._thresholds is None:
            self._thresholds = gc.get_threshold()
            young, middle, _ = self._thresholds
            gc.set_threshold(young, middle, EVERY_GEN1_OF_BRISK_KEYS)

    def stop(self) -> None:
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None

    def typed(self) -> bool:
        """True when the app should call `drawn()` once this input's frame is drawn
        (False while it already will)."""
        self._inputs += 1
        if self._thresholds is None or self._asked:
            return False
        self._asked = True
        return True

    def drawn(self) -> None:
        self._inputs_drawn = self._inputs

    def written(self, keys_waiting: bool) -> bool:
        """Collect now if it is due. True: another key came since the frame was drawn,
        or typed keys are `keys_waiting` their turn, so call `drawn()` again once the
        next frame is drawn."""
        if keys_waiting or self._inputs != self._inputs_drawn:
            return True
        self._asked = False
        # gc is off before the first paint, and while Textual scrolls smoothly.
        if gc.isenabled() and self.counts()[2] >= DUE_AFTER:
            self.collect()
            self.collections += 1
        return False
