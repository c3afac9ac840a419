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
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence

from pipeline_tui.domain.events import PipelineEvent

EVENT_ENV = "PIPELINE_TUI_EVENT"
REPORTED_ERROR_CHARS = 200


class HookRunner:
    """Starts the hooks for committed events; subscribe it to a PipelineService."""

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
        self._lock = threading.Lock()
        self._watchers: list[threading.Thread] = []

    def __call__(self, events: Sequence[PipelineEvent]) -> None:
        for event in events:
            command = self.commands.get(event.name.value)
            if command:
                payload = json.dumps(event.as_json(), ensure_ascii=False).encode() + b"\n"
                self._start(event.name.value, command, payload)

    def _start(self, name: str, command: str, payload: bytes) -> None:
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
        watcher = threading.Thread(
            target=self._watch, args=(name, process, payload), name=f"hook-{name}", daemon=True
        )
        with self._lock:
            self._watchers = [w for w in self._watchers if w.is_alive()]
            self._watchers.append(watcher)
        watcher.start()

    def _watch(self, name: str, process: subprocess.Popen[bytes], payload: bytes) -> None:
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
            detail = f": {said[-1][:REPORTED_ERROR_CHARS]}" if said else ""
            self._failed(name, f"failed (exit status {process.returncode}){detail}")

    def _failed(self, name: str, what: str) -> None:
        with self._lock:
            if name in self._reported:
                return
            self._reported.add(name)
        self.report(f"The {name} hook {what}; later failures of it are not reported.")

    def wait(self) -> None:
        """Wait for the hooks still running; none runs past the time limit."""
        with self._lock:
            watchers = list(self._watchers)
        for watcher in watchers:
            watcher.join()
