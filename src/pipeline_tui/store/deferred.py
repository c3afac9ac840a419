"""A PipelineService that finishes opening in the background.

The board can show its first cards (store/peek.py) before SQLAlchemy is even imported.
This stands in for the service meanwhile: every method call waits, in the thread that
makes it, until the real service is open, then runs there. The UI makes its store
calls from worker threads, so it never blocks; a key pressed early is answered as soon
as the store is ready.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline_tui.store.service import PipelineService


class DeferredService:
    """Opens the service with `open_service` in a thread, started by `start()` or by
    the first call. `user` is known from the config and answers at once."""

    def __init__(self, open_service: Callable[[], PipelineService], *, user: str) -> None:
        self.user = user
        self._open_service = open_service
        self._service: PipelineService | None = None
        self._error: BaseException | None = None
        self._ready = threading.Event()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._open, name="open-store", daemon=True)
                self._thread.start()

    def _open(self) -> None:
        try:
            self._service = self._open_service()
        except BaseException as error:  # re-raised in every caller, as a call would
            self._error = error
        finally:
            self._ready.set()

    @property
    def is_open(self) -> bool:
        return self._ready.is_set() and self._service is not None

    def wait(self) -> PipelineService:
        """The real service, once open (blocks the calling thread until then)."""
        self.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        assert self._service is not None
        return self._service

    @property
    def database(self) -> Any:
        return self.wait().database

    def clock(self) -> datetime:
        return self.wait().clock() if self.is_open else datetime.now(UTC)

    def close(self) -> None:
        """Close the database if it was opened (waiting for an open in progress)."""
        if self._thread is None:
            return
        self._ready.wait()
        if self._service is not None:
            self._service.database.close()

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(self.wait(), name)(*args, **kwargs)

        call.__name__ = name
        return call
