"""A PipelineService that finishes opening in the background.

The board can show its first cards (store/peek.py) before SQLAlchemy is even imported.
This stands in for the service meanwhile: every method call waits, in the thread that
makes it, until the real service is open, then runs there. The UI makes its store
calls from worker threads, so it never blocks; a key pressed early is answered as soon
as the store is ready. A card opened meanwhile is read from the file directly
(card_before_open), unless the UI has asked for anything but reads: what it asked
would not be in the file yet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pipeline_tui.domain.cadence import Cadence, default_cadences
from pipeline_tui.domain.stages import Stage

if TYPE_CHECKING:
    from pipeline_tui.store.peek import CardPeek
    from pipeline_tui.store.service import PipelineService

READS = frozenset(
    {
        "activities",
        "agenda",
        "archived",
        "board",
        "board_ids",
        "board_totals",
        "board_view",
        "brief",
        "call_queue",
        "call_session",
        "call_sessions",
        "card",
        "change_marker",
        "draft",
        "drafts_of_card",
        "find_card",
        "insight",
        "likely_duplicates",
        "matching_card_ids",
        "matching_cards",
        "note",
        "plan_capture",
        "qualification",
        "search",
        "summaries",
        "summary",
        "written_revision",
        # A write, but the board's own on its first read of the day, not the rep's:
        # a card read before it lands shows the pipeline as another instance's write
        # a moment later would find it.
        "hand_off_due_steps",
    }
)
"""PipelineService's methods that write nothing the rep asked for (a test checks each)."""


class DeferredService:
    """Opens the service with `open_service` in a thread, started by `start()` or by
    the first call. `user` and `cadences` are known from the config and answer at once."""

    def __init__(
        self,
        open_service: Callable[[], PipelineService],
        *,
        user: str,
        cadences: Mapping[Stage, Cadence] | None = None,
        peek_card: Callable[[int], CardPeek | None] | None = None,
    ) -> None:
        self.user = user
        self.cadences = dict(cadences if cadences is not None else default_cadences())
        """As the service will have them (from the config): the board shows a move's
        cadence step at once, before the store is open."""
        self._open_service = open_service
        self._peek_card = peek_card
        self._asked_to_write = False
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

    def card_before_open(self, card_id: int) -> CardPeek | None:
        """The card, the rep's drafts on it and the board clock, read straight from the
        file (store/peek.py) while the store is still opening, so that the first card
        opened does not wait for it; None once it is open, when the file cannot be
        read so, or once anything but a read has been asked for."""
        if self._peek_card is None or self._asked_to_write or self.is_open:
            return None
        return self._peek_card(card_id)

    @property
    def database(self) -> Any:
        self._asked_to_write = True  # whatever it is used for
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
        # Asked for, not made: the call itself waits for the store.
        if name not in READS:
            self._asked_to_write = True

        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(self.wait(), name)(*args, **kwargs)

        call.__name__ = name
        return call
