"""A pseudo-terminal the bench owns, as a rep's terminal emulator (or sshd) would.

A program runs on the slave side of a pty of a given size; the bench writes keys to
the master side and reads, with a timestamp, every byte the program writes back.

When a frame is done
--------------------
Textual 8.2.8's LinuxDriver asks the terminal whether it supports synchronized output
(DECRQM ``ESC[?2026$p``) once at start-up. This terminal answers that it does
(``ESC[?2026;2$y``), as current xterm-compatible terminals do, and from then on
``App._display`` writes every frame between ``ESC[?2026h`` and ``ESC[?2026l`` (a
terminal shows nothing of a frame until the closing marker). So a frame is done when
its ``ESC[?2026l`` has arrived, and the rule for "the frame a key causes" is:

    every frame whose first byte arrives before the output has been quiet for
    QUIET_S seconds (after the key's expected effect, if it has one, is on screen)
    belongs to the key; the key is done at the arrival of the closing marker of the
    last of them.

A key can cause several frames (the cursor moves at once, a footer or scrollbar is
repainted a tick later, a worker's result arrives); all of them count. Textual paints
at most every 1/60 s and its own timers (cursor blink: 0.5 s, restarted by each key)
are slower than QUIET_S, so unrelated frames rarely fall inside the window; a board
reload that happens to land in it counts against the key, as the rep would see it.

Keys are written as a terminal would write them. Textual also asks for the kitty
keyboard protocol (``ESC[>25u``); a terminal that speaks it sends escape as
``ESC[27u``, and one that does not sends a lone ``ESC`` that Textual holds for
ESCDELAY (100 ms by default) to tell it from the start of a sequence. Both are
measured (see KEY_BYTES in bench/pty_run.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SYNC_START = b"\x1b[?2026h"
SYNC_END = b"\x1b[?2026l"
QUIET_S = 0.15
"""No byte written for this long after a key's last frame: the key's work is over."""

_SYNC_QUERY = b"\x1b[?2026$p"
_SYNC_ANSWER = b"\x1b[?2026;2$y"  # DECRPM: mode 2026 known, currently reset
_CURSOR_QUERY = b"\x1b[6n"

# Escape sequences, to leave only what is drawn: CSI (cursor moves become line breaks,
# so text from different places does not run together), OSC, and two-byte escapes.
_CURSOR_MOVE = re.compile(rb"\x1b\[[0-9;]*[Hf]|\r\n|\n")
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


def drawn_text(data: bytes) -> str:
    """The characters written in `data`, one line per cursor move."""
    return _ESCAPES.sub(b"", _CURSOR_MOVE.sub(b"\n", data)).decode("utf-8", "replace")


@dataclass
class Outcome:
    """What one key (or a launch) caused on the terminal."""

    first_byte_s: float | None  # from the key written to the first byte back
    shown_s: float | None  # ... to the end of the frame where the expected text showed
    done_s: float  # ... to the end of the last frame it caused
    bytes: int  # written back, until the output went quiet
    frames: int
    timed_out: bool = False


@dataclass
class Terminal:
    """One program in a pty of `width` x `height`."""

    argv: Sequence[str]
    width: int
    height: int
    env: Mapping[str, str]
    cwd: Path | None = None
    process: subprocess.Popen[bytes] = field(init=False)
    master: int = field(init=False)
    started: float = field(init=False)
    other_bytes: int = field(init=False, default=0)
    _buffer: bytearray = field(init=False, default_factory=bytearray)
    _arrivals: list[tuple[int, float]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.height, self.width, 0, 0))
        child_env = {
            **self.env,
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "COLUMNS": str(self.width),
            "LINES": str(self.height),
        }
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            list(self.argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=child_env,
            cwd=self.cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)

    # Reading ----------------------------------------------------------------------------

    def read_available(self, now: float) -> int:
        """Read what is waiting (the caller knows there is something); bytes read."""
        try:
            chunk = os.read(self.master, 1 << 16)
        except OSError:  # EIO: the program closed the terminal
            chunk = b""
        if not chunk:
            if self.process.poll() is None:
                return 0
            raise RuntimeError(
                f"{' '.join(self.argv)} exited with {self.process.returncode}: "
                f"{drawn_text(bytes(self._buffer[-3000:]))}"
            )
        self._arrivals.append((len(self._buffer) + len(chunk), now))
        self._buffer += chunk
        # A real terminal answers these; Textual waits for the first.
        if _SYNC_QUERY in chunk:
            os.write(self.master, _SYNC_ANSWER)
        if _CURSOR_QUERY in chunk:
            os.write(self.master, b"\x1b[1;1R")
        return len(chunk)

    def mark(self) -> None:
        """Forget what has been read: the next wait starts from here."""
        self._buffer.clear()
        self._arrivals.clear()

    def _arrival(self, offset: int) -> float:
        """When the byte at `offset` (since mark) arrived."""
        for end, at in self._arrivals:
            if offset < end:
                return at
        return self._arrivals[-1][1]

    # Keys -------------------------------------------------------------------------------

    def send(self, key: bytes) -> float:
        self.mark()
        sent = time.perf_counter()
        os.write(self.master, key)
        return sent

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        with contextlib.suppress(OSError):
            os.close(self.master)

    def cpu_s(self) -> float:
        """The program's processor time so far, user and system, all its threads."""
        with open(f"/proc/{self.process.pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_kib(self) -> int:
        """The program's peak resident memory so far (VmHWM)."""
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmHWM in /proc status")

    # Waiting ----------------------------------------------------------------------------

    def frames_since_mark(self) -> list[tuple[int, int]]:
        """(start, end) byte offsets of each complete frame read since the mark."""
        data = bytes(self._buffer)
        frames = []
        at = 0
        while True:
            start = data.find(SYNC_START, at)
            if start < 0:
                break
            end = data.find(SYNC_END, start)
            if end < 0:
                break
            frames.append((start, end + len(SYNC_END)))
            at = end + len(SYNC_END)
        return frames

    def in_frame(self) -> bool:
        data = bytes(self._buffer)
        return data.rfind(SYNC_START) > data.rfind(SYNC_END)

    def wait(
        self,
        since: float,
        shows: Callable[[str], bool] | None,
        timeout: float,
        others: Sequence[Terminal] = (),
        quiet_s: float = QUIET_S,
    ) -> Outcome:
        """Read until the frames that `shows` waits for are done and the output is quiet.

        `since` is when the key was written (or the program spawned). `shows` is given
        the text drawn since the mark, up to the end of each complete frame, and says
        whether the expected effect is on screen; None expects no particular text.
        Other terminals are read meanwhile so their programs never block on a full pty.
        """
        masters = {self.master: self, **{t.master: t for t in others}}
        deadline = since + timeout
        shown_at: float | None = None
        checked_frames = 0
        last_byte = since
        while True:
            now = time.perf_counter()
            if shown_at is None and shows is not None:
                frames = self.frames_since_mark()
                for _, end in frames[checked_frames:]:
                    if shows(drawn_text(bytes(self._buffer[:end]))):
                        shown_at = self._arrival(end - 1)
                        break
                checked_frames = len(frames)
            satisfied = shows is None or shown_at is not None
            if satisfied and self._buffer and now - last_byte >= quiet_s and not self.in_frame():
                break
            if now >= deadline:
                return self._outcome(since, shown_at, timed_out=True)
            wait = min(deadline - now, quiet_s if satisfied else 0.05)
            ready, _, _ = select.select(list(masters), [], [], max(0.0, wait))
            now = time.perf_counter()
            for fd in ready:
                terminal = masters[fd]
                count = terminal.read_available(now)
                if terminal is self:
                    if count:
                        last_byte = now
                else:  # kept until that terminal's next key (send() forgets it)
                    terminal.other_bytes += count
        return self._outcome(since, shown_at)

    def _outcome(self, since: float, shown_at: float | None, timed_out: bool = False) -> Outcome:
        frames = self.frames_since_mark()
        if frames:
            done = self._arrival(frames[-1][1] - 1)
        elif self._arrivals:  # no synchronized output: the last byte
            done = self._arrivals[-1][1]
        else:
            done = since
        first = self._arrivals[0][1] - since if self._arrivals else None
        return Outcome(
            first_byte_s=first,
            shown_s=None if shown_at is None else shown_at - since,
            done_s=done - since,
            bytes=len(self._buffer),
            frames=len(frames),
            timed_out=timed_out,
        )


def settle(terminals: Sequence[Terminal], quiet_s: float = 0.3, timeout: float = 30.0) -> None:
    """Read every terminal until all have been quiet for `quiet_s`."""
    masters = {t.master: t for t in terminals}
    last = time.perf_counter()
    deadline = last + timeout
    while True:
        now = time.perf_counter()
        if now - last >= quiet_s or now >= deadline:
            break
        ready, _, _ = select.select(list(masters), [], [], quiet_s)
        now = time.perf_counter()
        for fd in ready:
            if masters[fd].read_available(now):
                last = now
    for terminal in terminals:
        terminal.mark()
