"""Bytes on the wire: what one keystroke costs a rep on a slow SSH link.

The real `pipeline-tui` runs in a pseudo-terminal of WIDTH x HEIGHT that this module
owns (as sshd would own it). Once the board is drawn and the output has gone quiet, a
key is written to the terminal and every byte the app writes back is counted until
the output is quiet again. Each key is undone by its opposite (k after j, H after L)
so every sample starts from the same board; the median of the samples is reported.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 160, 45
QUIET_S = 0.3
"""No output for this long means the app has finished drawing."""
LAUNCH_TIMEOUT_S = 60.0
KEY_TIMEOUT_S = 10.0

KEYS = {
    "focus down (j)": (b"j", b"k"),
    "move card on (L)": (b"L", b"H"),
}
"""What is measured: the key, and the key that puts the board back."""
SETUP = {"move card on (L)": (b"l", b"h")}
"""Keys before and after a measurement: L is measured on a prospect, since L on a lead
first asks for its qualification."""


class _Terminal:
    def __init__(self, database: Path, env: Mapping[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
        child_env = {
            **env,
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "COLUMNS": str(WIDTH),
            "LINES": str(HEIGHT),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipeline_tui", "--db", str(database)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=child_env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)

    def drain(self, timeout: float, first_byte_timeout: float | None = None) -> int:
        """Read until the output has been quiet for QUIET_S; the number of bytes read."""
        total = 0
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        wait_first = first_byte_timeout
        while time.monotonic() < deadline:
            quiet_for = wait_first if total == 0 and wait_first is not None else QUIET_S
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the app exited
                    break
                if not chunk:
                    break
                total += len(chunk)
                last = time.monotonic()
                self._answer_queries(chunk)
            elif time.monotonic() - last >= quiet_for:
                return total
        if self.process.poll() is not None:
            raise RuntimeError(f"pipeline-tui exited with {self.process.returncode}")
        return total

    def _answer_queries(self, chunk: bytes) -> None:
        # A real terminal answers a cursor-position query; without it Textual waits.
        if b"\x1b[6n" in chunk:
            os.write(self.master, b"\x1b[1;1R")

    def send(self, key: bytes) -> None:
        os.write(self.master, key)

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        os.close(self.master)


def measure(database: Path, env: Mapping[str, str], reps: int) -> dict[str, Any]:
    """Median bytes written for each key in KEYS, plus what the first full draw cost."""
    terminal = _Terminal(database, env)
    try:
        first_draw = terminal.drain(LAUNCH_TIMEOUT_S, first_byte_timeout=LAUNCH_TIMEOUT_S)
        # The first draw can settle in more than one burst (the board loads in a worker).
        first_draw += terminal.drain(LAUNCH_TIMEOUT_S, first_byte_timeout=1.0)
        keys: dict[str, Any] = {}
        for name, (key, undo) in KEYS.items():
            samples: list[int] = []
            before, after = SETUP.get(name, (b"", b""))
            if before:
                terminal.send(before)
                terminal.drain(KEY_TIMEOUT_S, first_byte_timeout=2.0)
            for _ in range(reps):
                terminal.send(key)
                samples.append(terminal.drain(KEY_TIMEOUT_S, first_byte_timeout=2.0))
                terminal.send(undo)
                terminal.drain(KEY_TIMEOUT_S, first_byte_timeout=2.0)
            if after:
                terminal.send(after)
                terminal.drain(KEY_TIMEOUT_S, first_byte_timeout=2.0)
            keys[name] = {
                "median_bytes": int(statistics.median(samples)),
                "max_bytes": max(samples),
                "samples": samples,
            }
        return {"size": f"{WIDTH}x{HEIGHT}", "first_draw_bytes": first_draw, "keys": keys}
    finally:
        terminal.close()
