"""Hooks: a shell command per event ([hooks] in the config), run in the background.

Each run gets the event as JSON on stdin (and its name in $PIPELINE_TUI_EVENT), its
output is discarded (the board owns the terminal), and it is stopped after the time
limit. A hook that fails or hangs is reported once, through `report`; it never
blocks or breaks the change that fired it.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence

from pipeline_tui.domain.events import PipelineEvent
from pipeline_tui.domain.text import clean_line

EVENT_ENV = "PIPELINE_TUI_EVENT"
REPORTED_ERROR_CHARS = 200


class HookRunner:
    """Runs the hooks for committed events; subscribe it to a PipelineService.

    Hooks run one at a time, in the order their events happened (a "moved" post before
    its "new client" post), in one background thread; the change that fired them has
    long returned.
    """

    def __init__(
        self,
        commands: Mapping[str, str],
        timeout: float,
        report: Callable[[str], object],
    ) -> None:
        self.commands = dict(commands)
        self.timeout = timeout
        self.report = report
        self._reported: set[str] = set()
        self._queue: queue.Queue[tuple[str, str, bytes]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def __call__(self, events: Sequence[PipelineEvent]) -> None:
        for event in events:
            command = self.commands.get(event.name.value)
            if command:
                payload = json.dumps(event.as_json(), ensure_ascii=False).encode() + b"\n"
                self._queue.put((event.name.value, command, payload))
                self._start_thread()

    def _start_thread(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="hooks", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            name, command, payload = self._queue.get()
            try:
                self._run(name, command, payload)
            finally:
                self._queue.task_done()

    def _run(self, name: str, command: str, payload: bytes) -> None:
        try:
            process = subprocess.Popen(
                ["/bin/sh", "-c", command],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                # Its own process group, so a hook's children are stopped with it, and
                # ctrl+c in the terminal is the app's, not the hook's.
                start_new_session=True,
                env={**os.environ, EVENT_ENV: name},
            )
        except OSError as error:
            self._failed(name, f"could not be started ({error.strerror})")
            return
        try:
            _, errors = process.communicate(payload, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.communicate(timeout=1)  # a child that left the group keeps the pipe
            self._failed(name, f"ran for more than {self.timeout:g} s and was stopped")
            return
        if process.returncode != 0:
            said = errors.decode(errors="replace").strip().splitlines()
            detail = f": {clean_line(said[-1])[:REPORTED_ERROR_CHARS]}" if said else ""
            self._failed(name, f"failed (exit status {process.returncode}){detail}")

    def _failed(self, name: str, what: str) -> None:
        with self._lock:
            if name in self._reported:
                return
            self._reported.add(name)
        self.report(f"The {name} hook {what}; later failures of it are not reported.")

    def wait(self) -> None:
        """Wait for the hooks still to run; each is stopped at the time limit."""
        self._queue.join()
