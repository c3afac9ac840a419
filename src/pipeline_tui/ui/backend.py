"""How the UI reaches the store: off the UI thread, one call at a time, with undo history."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from pipeline_tui.domain.activity import DEFAULT_STALE_LIMITS
from pipeline_tui.domain.cards import Change, ChangeKind, Undone
from pipeline_tui.domain.limits import FieldError
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line
from pipeline_tui.domain.undo import UndoHistory
from pipeline_tui.store import StoreError
from pipeline_tui.ui.drafts import DraftKeeper

if TYPE_CHECKING:
    from pipeline_tui.store import CardPeek, PipelineService

P = ParamSpec("P")
T = TypeVar("T")

UndoOrRedo = Callable[..., Awaitable[Undone | None]]
"""Backend.undo_and_tell or Backend.redo_and_tell: (notify, card_id=None)."""

SHOWN_WAIT_S = 0.1
"""The longest a change shown on screen waits for its frame before it is saved anyway
(a screen closed meanwhile never draws it)."""


@dataclass
class _FollowUp:
    """What the next write through `backend` made by `task` is followed by (see
    Backend.followed_by); None once it has run, or once the block has ended."""

    backend: Backend
    task: asyncio.Task[Any] | None
    then: Callable[[], None] | None


_FOLLOW_UP: ContextVar[_FollowUp | None] = ContextVar("follow_up", default=None)


class Backend:
    """The service, a clock, and the changes this session can undo.

    Store calls can block on disk or network, so they run in a thread. One lock keeps
    them in the order the rep pressed the keys, and makes "save, then remember for
    undo" a single step, so a quick `u` always undoes the change just made.
    """

    def __init__(
        self,
        service: PipelineService,
        today: Callable[[], date] = date.today,
        stale_limits: Mapping[Stage, int] = DEFAULT_STALE_LIMITS,
        quitting: Callable[[], bool] = lambda: False,
    ) -> None:
        self.service = service
        self._quitting = quitting
        """Whether the app is being taken down: a call that ends then ends its caller as
        cancelled, once made (see run)."""
        self.today = today
        self.stale_limits = dict(stale_limits)
        self.history = UndoHistory()
        """What `u` can undo and `U` redo."""
        self.drafts = DraftKeeper(lambda: self.service)
        """The drafts of the editors open now."""
        self.known_revision: int | None = None
        """The board clock as far as this app has seen it: what its board was read at,
        moved on by each of its own writes. A clock ahead of it means someone else
        wrote."""
        self._written: int | None = None
        self._lock = asyncio.Lock()
        self.steps_handed_off_on: date | None = None
        """The day the board last handed off the cadence steps due (once a day is enough:
        steps come due by the day)."""

    @property
    def idle(self) -> bool:
        """No store call running or waiting its turn."""
        return not self._lock.locked()

    async def run(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """A read (or any call) in a thread, after the calls queued before it.

        A value the store refuses (too long for its field) is a StoreError like any
        other refusal: the screens show its sentence and keep what was typed.

        A call that ends while the app quits is made, and its caller ends as cancelled:
        what a screen would do with the answer finds its widgets going (any screen's
        read as the rep pressed q ended the app with a traceback)."""
        async with self._lock:
            try:
                task, cancelled = await _to_the_end(call, *args, **kwargs)
                if cancelled or self._quitting():
                    _ = task.exception()  # retrieved: nobody waits for it any more
                    raise asyncio.CancelledError
                return task.result()
            except FieldError as error:
                raise StoreError(str(error)) from None
            finally:
                self._count_own_write()

    async def change(
        self, call: Callable[P, Change | None], *args: P.args, **kwargs: P.kwargs
    ) -> Change | None:
        """A write that can be undone; None when it changed nothing."""
        async with self._lock:
            return await self._change_now(False, _itself, call, *args, **kwargs)

    async def kept(
        self,
        description: str,
        card_id: int,
        call: Callable[P, T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """A write `u` cannot take back (`description` names it, "The touchpoint with
        Ada"), which leaves the card's own fields as they were: `u` says so when it
        comes to it (ChangeKind.KEPT), and the card's older changes can still be."""
        result = await self.run(self._then_follow_up(call), *args, **kwargs)
        self.history.kept(card_id, description)
        return result

    async def change_within(
        self,
        change_of: Callable[[T], Change | None],
        call: Callable[P, T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """A write whose answer carries a change that can be undone (`change_of` picks
        it out): a call logged with the card's next step, say."""
        async with self._lock:
            return await self._change_now(False, change_of, call, *args, **kwargs)

    async def change_shown(
        self,
        shown: asyncio.Event,
        call: Callable[P, Change | None],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Change | None:
        """A change the screen already shows (a move, before the store confirms it): it
        takes its turn among the calls now, and its thread starts once `shown` is set
        (the frame that shows it is written), or after SHOWN_WAIT_S: the store's Python
        would otherwise take turns on the GIL with the drawing of that frame, and the
        frame would come out late.

        Shown is saved: a caller cancelled meanwhile (the app closing right after the
        key), while waiting for its turn or for the frame, still makes the write, then
        ends as cancelled."""
        cancelled = False
        while True:
            try:
                await self._lock.acquire()
                break
            except asyncio.CancelledError:
                cancelled = True
        try:
            if not cancelled:  # an app closing draws nothing more
                try:
                    await asyncio.wait_for(shown.wait(), SHOWN_WAIT_S)
                except TimeoutError:
                    pass
                except asyncio.CancelledError:
                    cancelled = True
            return await self._change_now(cancelled, _itself, call, *args, **kwargs)
        finally:
            self._lock.release()

    async def _change_now(
        self,
        cancelled: bool,
        change_of: Callable[[T], Change | None],
        call: Callable[P, T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """The write, under the lock; `cancelled`: the caller was cancelled before it."""
        try:
            task, cancelled_meanwhile = await _to_the_end(
                self._then_follow_up(call), *args, **kwargs
            )
            # Made is made: a change whose caller went away meanwhile can still be undone.
            if task.exception() is None and (change := change_of(task.result())) is not None:
                self.history.record(change)
            if cancelled or cancelled_meanwhile or self._quitting():
                raise asyncio.CancelledError
            return task.result()
        except FieldError as error:
            raise StoreError(str(error)) from None
        finally:
            self._count_own_write()

    @contextmanager
    def followed_by(self, follow_up: Callable[[], None]) -> Iterator[None]:
        """The first write the block's own task makes through this backend (change,
        change_within, change_shown, kept; reads are not writes) is followed by
        `follow_up` in the same turn of the store's thread, once it is made: nothing the
        session's end does comes between them. A screen's save goes through its opener's
        callback, which is where the write is made. A task started in the block (a
        reload) inherits the context, but its writes are not the save."""
        entry = _FollowUp(self, asyncio.current_task(), follow_up)
        token = _FOLLOW_UP.set(entry)
        try:
            yield
        finally:
            _FOLLOW_UP.reset(token)
            entry.then = None

    def _then_follow_up(self, call: Callable[P, T]) -> Callable[P, T]:
        """`call`, then, once it is made, what the caller's block asked its next write to
        be followed by (followed_by); `call` itself when there is nothing to follow."""
        entry = _FOLLOW_UP.get()
        if entry is None or entry.backend is not self or entry.task is not asyncio.current_task():
            return call

        def call_then_follow_up(*args: P.args, **kwargs: P.kwargs) -> T:
            result = call(*args, **kwargs)  # a refused write leaves it to the one that is made
            then, entry.then = entry.then, None
            if then is not None:  # (None: made already, or the block ended meanwhile)
                then()
            return result

        return call_then_follow_up

    def seen_revision(self, revision: int) -> None:
        """The board was read at this clock."""
        self.known_revision = revision

    def _count_own_write(self) -> None:
        """A write made just now through this backend is this app's own: the clock
        moving on by exactly one for it needs no reload. Runs under the lock, so no
        other call of this app came in between."""
        if not self.service_is_open():
            return
        written = self.service.written_revision()
        if written is None or written == self._written:
            return
        self._written = written
        if self.known_revision is not None and written == self.known_revision + 1:
            self.known_revision = written

    async def card_before_open(self, card_id: int) -> CardPeek | None:
        """The card as read from the file while the store is still opening (see
        store/deferred.py), or None. Not queued behind the calls waiting for the store:
        nothing this app asked to write is waiting there, or this would be None."""
        peek = getattr(self.service, "card_before_open", None)
        if peek is None or self.service_is_open():
            return None
        found: CardPeek | None = await asyncio.to_thread(peek, card_id)
        return found

    def service_is_open(self) -> bool:
        # A deferred service still opening has written nothing, and asking would wait.
        return bool(getattr(self.service, "is_open", True))

    async def undo(self, card_id: int | None = None) -> Undone | None:
        """Undo the newest change (the newest on `card_id`, if given); None when there
        is nothing left to undo. Refused (ConflictError) if the card was changed
        elsewhere since."""
        return await self._revert(self.history.next_undo, self.history.undone, card_id)

    async def redo(self, card_id: int | None = None) -> Undone | None:
        """Put back what the newest undo (on `card_id`, if given) took away."""
        return await self._revert(self.history.next_redo, self.history.redone, card_id)

    async def _revert(
        self,
        pick: Callable[[int | None], Change | None],
        done: Callable[[Change, Undone], None],
        card_id: int | None,
    ) -> Undone | None:
        async with self._lock:
            change = pick(card_id)
            if change is None:
                return None
            if change.kind is ChangeKind.KEPT:
                # Said once; u again goes on to the newest change it can take back
                # (past any more that cannot: three steps done in a row).
                self.history.refused(change)
                before = pick(card_id)
                while before is not None and before.kind is ChangeKind.KEPT:
                    self.history.refused(before)
                    before = pick(card_id)
                raise StoreError(
                    f"{change.description} cannot be undone; u again takes back: "
                    f"{clean_line(before.description)}."
                    if before is not None
                    else f"{change.description} cannot be undone, nor anything before it."
                )
            try:
                task, cancelled = await _to_the_end(self.service.revert, change)
                result = task.result()
            except StoreError:
                self.history.refused(change)
                raise
            finally:
                self._count_own_write()
            done(change, result)
            if cancelled or self._quitting():
                raise asyncio.CancelledError
            return result

    async def undo_and_tell(
        self, notify: Callable[..., object], card_id: int | None = None
    ) -> Undone | None:
        """Undo and say what happened (naming the card), through the screen's `notify`."""
        return await self._tell(
            self.undo, ("Undid", "Not undone", "Nothing to undo"), notify, card_id
        )

    async def redo_and_tell(
        self, notify: Callable[..., object], card_id: int | None = None
    ) -> Undone | None:
        """Redo and say what happened, through the screen's `notify`."""
        return await self._tell(
            self.redo, ("Redid", "Not redone", "Nothing to redo"), notify, card_id
        )

    async def _tell(
        self,
        step: Callable[[int | None], Awaitable[Undone | None]],
        words: tuple[str, str, str],
        notify: Callable[..., object],
        card_id: int | None,
    ) -> Undone | None:
        did, refused, nothing = words
        try:
            result = await step(card_id)
        except StoreError as error:
            notify(str(error), title=refused, severity="error", markup=False)
            return None
        if result is None:
            where = " on this card" if card_id is not None else ""
            notify(f"{nothing}{where}.", timeout=2)
        else:
            notify(f"{did}: {clean_line(result.description)}", timeout=4, markup=False)
        return result


def _itself(change: Change | None) -> Change | None:
    return change


async def _to_the_end(
    call: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> tuple[asyncio.Future[T], bool]:
    """`call` run in a thread until it ends, and whether the caller was cancelled
    meanwhile (a palette search replaced by the next key, a screen closed).

    A thread cannot be stopped. Were the lock let go at the cancel, the next call would
    run beside the one still going: two queries at once on one connection fail, and a
    write would miss its undo step. So the caller waits for the end either way."""
    task = asyncio.ensure_future(asyncio.to_thread(call, *args, **kwargs))
    cancelled = False
    while not task.done():
        try:
            await asyncio.wait([task])
        except asyncio.CancelledError:
            cancelled = True
    return task, cancelled
