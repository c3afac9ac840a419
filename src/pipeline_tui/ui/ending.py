"""The process told to end (hang-up, terminate, interrupt): what is typed is written first.

When a terminal or an SSH connection goes away the kernel sends SIGHUP, and Python's
default is to die on the spot. Textual installs no handler for it, and once the terminal
is gone its writer thread fails on the first write and the app's next frames can block
the main thread for good. So:

- the signal handler itself only takes note and wakes the event loop (running code
  there could re-enter whatever the main thread was doing: a lock held, a thread being
  started);
- the loop writes every open editor's text as a draft (its widgets live in that thread)
  and asks the app to exit;
- a watchdog thread, started beforehand, writes the drafts itself if the loop has not
  done so within a moment (the main thread is stuck), and ends the process if the app
  has not ended within a grace period.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from collections.abc import Callable

FLUSH_WAIT_S = 1.0
"""How long the watchdog waits for the event loop to write the drafts."""
EXIT_GRACE_S = 3.0
"""How long the app may then take to shut down before the process just ends."""
SIGNALS = (signal.SIGHUP, signal.SIGTERM, signal.SIGINT)

log = logging.getLogger(__name__)


class SessionEnd:
    """Keeps the drafts (`flush`) and ends the app (`exit`, with the exit status) when
    one of SIGNALS arrives. `install()` from the main thread, `attach_loop()` once the
    event loop runs."""

    def __init__(self, flush: Callable[[], object], exit: Callable[[int], object]) -> None:
        self._flush = flush
        self._exit = exit
        self._loop: asyncio.AbstractEventLoop | None = None
        self._signalled = threading.Event()
        self._flushed = threading.Event()
        self._flush_lock = threading.Lock()
        self.code = 0

    def install(self) -> None:
        for signum in SIGNALS:
            signal.signal(signum, self._on_signal)
        threading.Thread(target=self._watch, name="session-end", daemon=True).start()

    def attach_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def _on_signal(self, signum: int, _frame: object) -> None:
        if self._signalled.is_set():
            return
        self.code = 128 + signum
        self._signalled.set()
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._end_in_loop)

    def _end_in_loop(self) -> None:
        self.flush()
        self._exit(self.code)

    def flush(self) -> None:
        """Write the drafts once (from whichever thread gets here first)."""
        with self._flush_lock:
            if self._flushed.is_set():
                return
            try:
                self._flush()
            except Exception:
                log.exception("drafts could not be written as the session ended")
            finally:
                self._flushed.set()

    def _watch(self) -> None:
        self._signalled.wait()
        if not self._flushed.wait(FLUSH_WAIT_S):
            # The loop did not get to it: the main thread is stuck (a dead terminal).
            # The editors' text is read from here; it is not changing any more.
            self.flush()
        threading.Event().wait(EXIT_GRACE_S)
        os._exit(self.code)
