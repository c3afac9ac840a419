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

The kernel sends the hang-up to the session's leader. When that is not the app (`make
run`, a wrapper script), the leader may keep it to itself: GNU make waits for its child
and the app never hears of it, while the dead terminal makes Textual's input thread
spin. So a second thread looks at the terminal now and then, and a terminal that
answers with an I/O error counts as a hang-up.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import threading
from collections.abc import Awaitable, Callable

FLUSH_WAIT_S = 1.0
"""How long the watchdog waits for the event loop to write the drafts."""
EXIT_GRACE_S = 3.0
"""How long the app may then take to shut down before the process just ends."""
SIGNALS = (signal.SIGHUP, signal.SIGTERM, signal.SIGINT)
TERMINAL_CHECK_S = 1.0
"""How often the terminal is looked at, for a hang-up no signal told of."""
GONE = (errno.EIO, errno.ENXIO, errno.EBADF, errno.ENOTTY)
"""What a terminal that went away answers."""

log = logging.getLogger(__name__)


def terminal_gone(terminal: int) -> bool:
    """Whether the terminal on file descriptor `terminal` has gone away (hung up)."""
    try:
        os.get_terminal_size(terminal)
    except OSError as error:
        return error.errno in GONE
    return False


class SessionEnd:
    """Keeps the drafts (`flush`) and ends the app (`exit`, with the exit status) when
    one of SIGNALS arrives. `install()` from the main thread, `attach_loop()` once the
    event loop runs."""

    def __init__(
        self,
        flush: Callable[[], object],
        exit: Callable[[int], object],
        last_keys: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self._flush = flush
        self._exit = exit
        self._last_keys = last_keys
        """Run in the loop before the drafts are written: keys read but not handled yet.
        Within FLUSH_WAIT_S, or the watchdog writes the drafts without them."""
        self._ending: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._signalled = threading.Event()
        self._flushed = threading.Event()
        self._flush_lock = threading.Lock()
        self.code = 0

    def install(self, terminal: int | None = None) -> None:
        """Handle SIGNALS; with `terminal` (a file descriptor of a terminal), also count
        that terminal going away as a hang-up."""
        for signum in SIGNALS:
            signal.signal(signum, self._on_signal)
        threading.Thread(target=self._watch, name="session-end", daemon=True).start()
        if terminal is not None and os.isatty(terminal):
            threading.Thread(
                target=self._watch_terminal, args=(terminal,), name="terminal-gone", daemon=True
            ).start()

    def _watch_terminal(self, terminal: int) -> None:
        while not self._signalled.wait(TERMINAL_CHECK_S):
            if terminal_gone(terminal):
                log.info("the terminal went away without a hang-up signal")
                self._on_signal(signal.SIGHUP, None)
                return

    @property
    def hung_up(self) -> bool:
        """The session ended with its terminal: nothing can be drawn on it any more."""
        return self.code == 128 + signal.SIGHUP

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
        if self._last_keys is None:
            self.flush()
            self._exit(self.code)
            return
        self._ending = asyncio.ensure_future(self._end_after_last_keys(self._last_keys))

    async def _end_after_last_keys(self, last_keys: Callable[[], Awaitable[object]]) -> None:
        try:
            await last_keys()
        except Exception:
            log.exception("the last keys could not be typed as the session ended")
        finally:
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
