"""Keeping what the rep types: each open editor's draft, written a moment after typing
and all at once when the process is told to end.

An editor screen gets a DraftRecorder from whoever opens it. The recorder reads the
editor's fields (`snapshot`: None when nothing is unsaved) a second after the first
change and writes them through the backend in a worker, so a key never waits for the
database. DraftKeeper knows every recorder open now, so a hang-up or a kill writes all
of them before the process goes (`flush`: on the UI thread, or on the end of session's
watchdog thread if that is stuck; first to a private file, then to the store, and the
file goes once the store has it all).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Collection, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, TextArea

from pipeline_tui.domain.drafts import Draft, DraftKey, Fields, pinned_fields
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import StoreError
from pipeline_tui.ui.date_order import date_order
from pipeline_tui.ui.key_order import KeyOrder

if TYPE_CHECKING:
    from pipeline_tui.store import PipelineService
    from pipeline_tui.ui.backend import Backend
    from pipeline_tui.ui.screens.draft_offer import DraftOfferScreen

DRAFT_DELAY_S = 1.0
"""How long after a change the draft is written: typing is at most this (plus one
write) ahead of the database."""
DRAFT_RETRY_S = 5.0
"""After a draft could not be written (the database out of reach): try again."""

Snapshot = Callable[[], Fields | None]

log = logging.getLogger(__name__)


@runtime_checkable
class Editing(Protocol):
    """A screen with text the rep may not have saved (asked about before quitting)."""

    def unsaved_work(self) -> str | None:
        """What is unsaved, in the rep's words ("the problem note on Kim Lee"), or None."""

    async def save_work(self) -> bool:
        """Save it; False (with the reason shown on the screen) if it could not be."""

    async def discard_work(self) -> None:
        """Throw it away, draft and all."""


UNSAVED_FOLDER = "unsaved"
"""Beside the state file: drafts that reached no database as a session ended."""


@dataclass(frozen=True)
class Written:
    """What came of a batch of draft writes (DraftKeeper.keep_drafts)."""

    files: list[Path]
    """Files now holding drafts of another session's that these replaced."""
    refused: list[DraftRecorder]
    """Recorders whose draft was not written: another session's is there, and no file
    could take it."""


SESSION_ENDED = "Typed in pipeline-tui and not saved when the session ended"
ANOTHER_SESSION = (
    "Typed in another pipeline-tui session of yours, and replaced by a draft of the same"
    " thing from this one"
)
"""Why a file of unsaved text was written: its first line says so."""


class DraftKeeper:
    """The recorders of the editors open now."""

    def __init__(self, service: Callable[[], PipelineService]) -> None:
        self._service = service
        self._open: list[DraftRecorder] = []
        self._lock = threading.Lock()  # the end of a session may flush from two threads
        self.writing = 0
        """Draft writes handed to workers and not yet done (counted on the UI thread):
        the end of the session keeps its file while there are any."""
        self._writes = threading.Lock()
        """Held for each draft write: a write checks, then writes, with no other between."""
        self.spill_folder: Path | None = None
        """Where the text flushed as the process ends also goes, in a file of its own
        until the database has it (`unsaved_files`); None: nowhere but the database."""

    def opened(self, recorder: DraftRecorder) -> None:
        if recorder not in self._open:
            self._open.append(recorder)

    def closed(self, recorder: DraftRecorder) -> None:
        if recorder in self._open:
            self._open.remove(recorder)

    @property
    def open(self) -> list[DraftRecorder]:
        return list(self._open)

    def flush(self, untyped: str = "") -> int:
        """Write every open editor's text now, in this thread, in one transaction; the
        number of drafts written. For the end of the process: a hang-up, a kill, a crash.
        `untyped` is what keys the session ended too soon to handle would have typed: it
        has no editor to go to, so it stays in a file (`spill_folder`)."""
        with self._lock:
            return self._flush(untyped)

    def keep_drafts(
        self,
        kept: list[tuple[DraftRecorder, int, Draft]],
        keep_theirs: Collection[DraftKey] = (),
    ) -> Written:
        """Keep each recorder's draft, written as its `turn`-th write, in the database,
        in this thread, in one transaction.

        A write older than one of the same recorder already written is dropped: a worker
        that ran late wrote an older text over the one the editor's close (or the end
        of the session) had just written. The store is told what each slot may hold of
        this session's own (`may_hold`): anything else there was kept by another
        session, and is written to a file of its own before it is replaced; if no file
        can be written it stays, and this draft is refused (`Written.refused`), as is a
        draft on a card that is gone. For the keys in `keep_theirs` another session's
        draft always stays, and this one is refused. Without a folder for such files
        (the demo) the slot is replaced, as ever."""
        files: list[Path] = []

        def keep_elsewhere(displaced: Draft) -> bool:
            if displaced.key in keep_theirs:
                return False
            path = self._spill([displaced], "", why=ANOTHER_SESSION)
            if path is not None:
                files.append(path)
            return path is not None

        with self._writes:
            # Not one of what a save made meanwhile holds (saved): a flush or a close
            # that read the editor before the save landed would keep it again.
            current = [
                (r, turn, draft)
                for r, turn, draft in kept
                if turn > r.landed and draft.fields != r.saved
            ]
            for recorder, _, draft in current:
                recorder.may_hold.append(dict(draft.fields))  # there even if this fails
            knew = None
            if self.spill_folder is not None:
                knew = {recorder.key: list(recorder.may_hold) for recorder, _, _ in current}
            refused = set(
                self._service().keep_drafts([d for _, _, d in current], knew, keep_elsewhere)
            )
            for recorder, turn, draft in current:
                if draft.key not in refused:
                    recorder.landed, recorder.may_hold = turn, [dict(draft.fields)]
        return Written(files, [r for r, _, d in current if d.key in refused])

    def has_place(self, key: DraftKey) -> bool:
        return self._service().draft_has_place(key)

    def saved(self, recorder: DraftRecorder, fields: Fields) -> None:
        """`fields`, what the recorder's editor held, were just saved (in the store's
        thread, right after the save): a draft of them, or of what this session wrote
        before them, goes (not another session's), and none of them is kept again (the
        end of the session's flush, the editor's close)."""
        with self._writes:
            recorder.saved = dict(fields)
            self._service().discard_draft_holding(recorder.key, [fields, *recorder.left_here])

    def remove_draft(self, recorder: DraftRecorder, turn: int) -> None:
        """Remove the recorder's draft, as its `turn`-th write (see keep_drafts): only
        what this session may have left there (`may_hold`). A draft another session of
        the rep's wrote into the slot since is that session's text: removed after this
        one's save, it was lost (its editor took it for written)."""
        with self._writes:
            if turn <= recorder.landed:
                return
            ours = recorder.left_here
            recorder.may_hold.append(None)
            if ours:
                self._service().discard_draft_holding(recorder.key, ours)
            recorder.landed, recorder.may_hold = turn, [None]

    def keep_in_a_file(self, kept: list[Draft]) -> Path | None:
        """Drafts the database would not take, in a file of their own (see spill_folder)."""
        return self._spill(kept, "")

    def _flush(self, untyped: str) -> int:
        kept: list[Draft] = []
        keeping: list[DraftRecorder] = []
        unchanged: set[DraftKey] = set()
        gone: list[DraftRecorder] = []
        for recorder in self._open:
            try:
                fields = recorder.read()
            except Exception:  # a half-closed screen: keep what the others hold
                log.exception("could not read an editor's text")
                continue
            if fields is None:
                # Emptied: its draft goes, also when the removal was still on its way.
                there = recorder.written is not None or recorder.on_its_way
                if there and not recorder.keeps_earlier:
                    gone.append(recorder)
            elif fields in (recorder.saved, recorder.settled_with):
                continue  # saved, or thrown away, as the session ended: no draft of it
            else:
                if fields == recorder.written and not recorder.on_its_way:
                    # Written already, and written again: the rep's other session, offered
                    # that draft, may have discarded it since, and this text was then
                    # nowhere. A draft that session kept there since (this one restored,
                    # and typed on) stays, and this text goes to the file.
                    unchanged.add(recorder.key)
                kept.append(recorder.draft_of(fields))
                keeping.append(recorder)
                recorder.keeps_earlier = False
        service = self._service()
        if kept or untyped:
            # First a file, then the database: a server that is down, frozen or locked
            # lost what was typed since the last draft, and a frozen one held the
            # process until it was killed, before anything else could be tried.
            spilled = self._spill(kept, untyped)
            refused: list[DraftRecorder] = []
            if kept:
                turns = [recorder.next_turn() for recorder in keeping]
                refused = self.keep_drafts(
                    list(zip(keeping, turns, kept, strict=True)), unchanged
                ).refused
            # A write still under way is older than this one and is dropped when it
            # comes (turns): once the database has these drafts the file goes, or the
            # next start says text is not in the database when it is.
            if spilled is not None and not untyped and not refused:
                spilled.unlink(missing_ok=True)
        for recorder in gone:  # only what this session left there (see remove_draft)
            if recorder.left_here:
                service.discard_draft_holding(recorder.key, recorder.left_here)
        for recorder in self._open:
            recorder.forget_pending()
        return len(kept)

    def _spill(self, kept: list[Draft], untyped: str, why: str = SESSION_ENDED) -> Path | None:
        """Write the drafts' text, and `untyped`, to a new private file in
        `spill_folder`; its path."""
        if self.spill_folder is None:
            return None
        try:
            self.spill_folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            stamp = datetime.now().astimezone()
            path, fd = self._new_file(stamp)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(spilled_text(kept, stamp, untyped, why))
                handle.flush()
                os.fsync(handle.fileno())
        except OSError:
            log.warning("the drafts could not be written to a file", exc_info=True)
            return None
        return path

    def _new_file(self, stamp: datetime) -> tuple[Path, int]:
        """A new private file, opened for writing, under a name no file had (two in one
        second, from two threads: a draft replaced, then the end of the session)."""
        assert self.spill_folder is not None
        name = f"unsaved-{stamp:%Y%m%d-%H%M%S}-{os.getpid()}"
        for number in range(1, 1000):
            path = self.spill_folder / (f"{name}.md" if number == 1 else f"{name}-{number}.md")
            try:
                return path, os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
        raise FileExistsError(path)


def saving(recorder: DraftRecorder | None) -> AbstractContextManager[None]:
    """The block of an editor's save (DraftRecorder.saving); an editor that keeps no
    draft has none to forget."""
    return recorder.saving() if recorder is not None else nullcontext()


def spilled_text(
    kept: list[Draft], when: datetime, untyped: str = "", why: str = SESSION_ENDED
) -> str:
    """The drafts as a rep reads them back: what was being written (and why it is in a
    file), then each field; then the keys typed last, which the session ended too soon
    to handle."""
    parts = [f"{why} ({when:%Y-%m-%d %H:%M}).\n"]
    for draft in kept:
        key = draft.key
        where = f" on card {key.card_id}" if key.card_id is not None else ""
        about = f" ({key.subject})" if key.subject else ""
        parts.append(f"\n## {key.editor.value}{where}{about}\n")
        for name, value in draft.fields.items():
            if value.strip():
                parts.append(f"\n{name}:\n{value}\n")
    if untyped:
        parts.append(
            "\n## The last keys typed, which the session ended before it could handle"
            " (keys that type nothing in angle brackets)\n\n"
            f"{untyped}\n"
        )
    return "".join(parts)


def unsaved_files(folder: Path) -> list[Path]:
    """The files of text that reached no database as earlier sessions ended."""
    try:
        return sorted(folder.glob("unsaved-*.md"))
    except OSError:
        return []


class DraftContext(Protocol):
    """What a draft keeps besides the fields its editor shows: where the editor was
    opened (the column a new card was started in). Kept with the fields, shown in the
    offer, and taken back with the draft."""

    def fields(self) -> Fields:
        """The fields to keep with the editor's, as the editor stands now."""

    def preview(self, kept: Fields) -> list[str]:
        """Lines for the offer of a draft with these fields (none: nothing to say)."""

    def restore(self, kept: Fields) -> None:
        """The draft with these fields is back in the editor."""


class DraftRecorder:
    """One editor's draft: `found` is the draft kept from before (offered back when the
    editor opens), `base_version` the version of the card or note being edited,
    `base` what the editor showed of it before the rep typed (kept with the draft, so
    a draft restored after someone else saved the card can be merged field by field),
    and `context` what the draft keeps besides the editor's fields."""

    def __init__(
        self,
        backend: Backend,
        key: DraftKey,
        found: Draft | None = None,
        base_version: int | None = None,
    ) -> None:
        self.backend = backend
        self.key = key
        self.found = found
        self.base_version = base_version
        self.context: DraftContext | None = None
        self.base: Fields = {}
        self.written: Mapping[str, str] | None = dict(found.fields) if found else None
        """The fields as last written to the database (None: no draft there)."""
        self.turn = 0
        """How many writes (or removals) of this draft have been started."""
        self.landed = 0
        """The turn of the newest of them that reached the database."""
        self.may_hold: list[Mapping[str, str] | None] = [self.written]
        """What the draft's slot may hold of this session's own: the last draft known
        written (or removed), and those tried since (a write that failed may have
        landed). Anything else there was kept by another session."""
        self.keeps_earlier = found is not None
        """The draft stored is still the one from before, neither taken back into the
        editor nor replaced by what was typed since. An editor with nothing unsaved (the
        rep has not answered the offer yet) is then no reason to remove it."""
        self._screen: Screen[Any] | None = None
        self._snapshot: Snapshot | None = None
        self._timer: Timer | None = None
        self._closed = False
        self.nowhere = False
        """Its card is gone: the database takes no draft of it (see _store)."""
        self.settled_with: Fields | None = None
        """What the editor held when it was last saved or thrown away (discard), until
        the rep types: neither its close nor the end of the session keeps a draft of
        just that."""
        self.saved: Mapping[str, str] | None = None
        """What a save made from this editor holds (set in the store's thread as it
        lands, see saving): a draft of just that is never kept."""

    def attach(self, screen: Screen[Any], snapshot: Snapshot, base: Fields | None = None) -> None:
        """Start recording `screen`'s fields, as `snapshot` reads them; `base`: what the
        screen shows before the rep types, if it is to be kept with the draft."""
        self._screen = screen
        self._snapshot = snapshot
        self.base = dict(base or {})
        self._closed = False
        self.backend.drafts.opened(self)

    @property
    def left_here(self) -> list[Mapping[str, str]]:
        """The drafts this session may have left in the slot (may_hold), to remove: a
        draft another session wrote there since is that session's text."""
        return [held for held in self.may_hold if held is not None]

    def saving(self) -> AbstractContextManager[None]:
        """A block that saves what the editor holds now: the save's write is followed, in
        the same turn of the store's thread, by forgetting the draft of it
        (DraftKeeper.saved). A save the session's end cut short once it was made (the
        app quit while it ran, before the editor could forget its draft) left the draft
        of the text it had saved, which the editor offered back, to be saved twice."""
        fields = self.read()
        if fields is None:
            return nullcontext()
        keeper = self.backend.drafts

        def forget() -> None:
            try:
                keeper.saved(self, fields)
            except StoreError:
                # The save is made: "not saved" would have the rep save it twice. The
                # draft is forgotten after the save, as before (discard).
                log.warning("a saved editor's draft could not be removed", exc_info=True)

        return self.backend.followed_by(forget)

    def draft_of(self, fields: Fields) -> Draft:
        """`fields` as the draft to keep: typed against this version, over this base."""
        return Draft(self.key, dict(fields), None, self.base_version, dict(self.base))

    def read(self) -> Fields | None:
        fields = self._snapshot() if self._snapshot is not None else None
        if fields is None or self.context is None:
            return fields
        return {**self.context.fields(), **fields}

    def changed(self) -> None:
        """The rep typed: the draft is written within DRAFT_DELAY_S."""
        self.settled_with = None
        if self._closed or self.nowhere or self._screen is None or self._timer is not None:
            return
        self._timer = self._screen.set_timer(DRAFT_DELAY_S, self._write, name="draft")

    def forget_pending(self) -> None:
        """Everything is written (flush): no timer is left to write it again."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._snapshot is not None:
            fields = self.read()  # as flushed: with what the draft keeps besides
            self.written = dict(fields) if fields is not None else None

    def _write(self) -> None:
        self._timer = None
        if self._closed or self.nowhere:
            return
        fields = self.read()
        if fields == self.written or (fields is None and self.keeps_earlier):
            return
        self.written = dict(fields) if fields is not None else None
        self.keeps_earlier = False
        if self._screen is not None:
            # On the app, not the screen: closing the screen must not cancel a write.
            self.backend.drafts.writing += 1
            self._screen.app.run_worker(self._store(fields, self.next_turn()), group="drafts")

    @property
    def pending(self) -> bool:
        """A write of the draft is due: typed since, or to be tried again."""
        return self._timer is not None

    def next_turn(self) -> int:
        self.turn += 1
        return self.turn

    @property
    def on_its_way(self) -> bool:
        """A write was handed to the store and has not landed: it waits its turn behind
        other store calls, in a worker the end of the session cancels. `written` already
        says what it holds, so the end took that text for written (a session stopped
        with kill -TSTP between the two, then hung up, lost the note)."""
        return self.turn > self.landed

    async def _store(self, fields: Fields | None, turn: int) -> None:
        keeper = self.backend.drafts
        try:
            if fields is None:
                await self.backend.run(keeper.remove_draft, self, turn)
            else:
                written = await self.backend.run(
                    keeper.keep_drafts, [(self, turn, self.draft_of(fields))]
                )
                self._kept_elsewhere(written.files)
                if written.refused:
                    if not await self.backend.run(keeper.has_place, self.key):
                        # Its card was taken away by another session's undo: no write
                        # will take it, so none is tried again; the editor's close, or
                        # the session's end, keeps the text in a file.
                        self.nowhere = True
                        self.written = None
                        return
                    raise StoreError("another session's draft is there and no file takes it")
        except StoreError:
            # Tried again in a while, as well as with the next change and at the end: a
            # server back after an outage had the text only once the rep typed again.
            self.written = None
            log.warning("a draft could not be kept", exc_info=True)
            if not self._closed and self._screen is not None and self._timer is None:
                self._timer = self._screen.set_timer(DRAFT_RETRY_S, self._write, name="draft-retry")
        finally:
            keeper.writing -= 1

    async def _remove(self) -> None:
        """No draft any more: removed from the database (in a worker)."""
        await self.backend.run(self.backend.drafts.remove_draft, self, self.next_turn())

    def _kept_elsewhere(self, files: list[Path]) -> None:
        """Another session's draft of this, replaced by this one's, is in a file: the
        rep is told where."""
        if files and self._screen is not None:
            self._screen.app.notify(
                f"Another session of yours had kept a different draft of this; it is in "
                f"{files[0]}.",
                title="Draft kept in a file",
                severity="warning",
                timeout=15,
                markup=False,
            )

    def typed_against(self, found: Draft) -> None:
        """The draft restored was typed against an older version than the editor shows:
        the drafts kept from now on say so too, until the rep saves. Kept as typed
        against the newer one (a hang-up just after `r`, before the rep had seen it),
        the next restore showed no comparison and its save went over the newer one."""
        self.base_version = found.base_version
        self.base = dict(found.base)

    async def discard(self) -> None:
        """The text was saved or thrown away: no draft any more (until the next change)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        try:
            self.settled_with = self.read()
        except Exception:  # a half-closed screen: nothing to compare with
            log.exception("could not read an editor's text")
        self.found = None
        self.written = None
        self.keeps_earlier = False
        try:
            await self._remove()
        except StoreError:
            log.warning("a draft could not be removed", exc_info=True)

    def close(self, *, emptied: bool = False) -> None:
        """The editor is gone: stop recording. A draft written stays, for next time; text
        typed since that the rep neither saved nor threw away (the app is ending) is
        written now, in this thread. `emptied`: the rep took all the text out, so the
        draft this recorder wrote goes (not when a read finds nothing for another
        reason: ctrl+e's file gone once its editor exited)."""
        if self._closed:
            return
        self._closed = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.backend.drafts.closed(self)
        try:
            fields = self.read()
            if fields is not None and fields == self.settled_with:
                return  # saved or thrown away since the rep last typed: nothing to keep
            if emptied and fields is None and self.written is not None and not self.keeps_earlier:
                # Emptied by the rep and left within DRAFT_DELAY_S: the draft of the
                # text they took out went on being offered back.
                self.backend.drafts.remove_draft(self, self.next_turn())
                self.written = None
            elif fields is not None and fields != self.written:
                keeper = self.backend.drafts
                written = keeper.keep_drafts([(self, self.next_turn(), self.draft_of(fields))])
                self._kept_elsewhere(written.files)
                if written.refused:
                    keeper.keep_in_a_file([self.draft_of(fields)])
                self.written = dict(fields)
                self.keeps_earlier = False
        except Exception:  # closing must not fail; the flush at the end tries again
            log.warning("a draft could not be kept on closing", exc_info=True)

    def retarget(self, key: DraftKey) -> None:
        """The editor now edits something else (a new note, once saved, has an id)."""
        self.key = key
        self.may_hold = [None]
        self.landed = self.turn  # writes under the old key say nothing of the new one


async def find_draft(backend: Backend, key: DraftKey) -> Draft | None:
    """The rep's draft for an editor about to open (None if none, or unreadable: the
    editor opens all the same)."""
    try:
        return await backend.run(backend.service.draft, key)
    except StoreError:
        log.warning("drafts could not be read", exc_info=True)
        return None


async def recorder_for(
    backend: Backend, key: DraftKey, base_version: int | None = None
) -> DraftRecorder:
    """A recorder for an editor about to open, with the draft kept from before."""
    return DraftRecorder(backend, key, await find_draft(backend, key), base_version)


def offer_draft(
    screen: Screen[Any],
    recorder: DraftRecorder,
    shows: Fields,
    restore: Callable[[Fields], None],
    preview_of: Callable[[Fields], list[str]],
    saved_since: Callable[[Draft], None] | None = None,
) -> None:
    """On an editor's mount: offer the draft kept from before back, if it says anything
    the editor does not show already (`shows`). Restoring fills the editor with it, its
    dates as the days they meant when it was kept (pinned_fields); discarding forgets
    it; escape leaves the editor and keeps it for later.

    A draft typed against an older version than the editor shows (the card was saved
    since, elsewhere or from the shell) is restored as a save against that version
    would be: `saved_since` is called with it once it is in the editor, to merge in
    what was saved since and show the rep what both changed. It is never saved over
    the newer version unseen."""
    from pipeline_tui.ui.screens.draft_offer import DISCARD, RESTORE, DraftOfferScreen

    found = recorder.found
    context = recorder.context
    if context is not None:
        shows = {**context.fields(), **shows}
    if found is None or all(found.get(name) == shows.get(name, "") for name in found.fields):
        return

    # Its dates as the days they meant when it was kept, not read again against today.
    fields = pinned_fields(found, recorder.backend.today(), date_order(screen.app))
    lines = preview_of(fields)
    if context is not None:
        lines = [*context.preview(fields), *lines]
    offer = DraftOfferScreen(found, lines)

    def put_back() -> bool:
        """The draft in the editor, as if typed there; whether it was typed against an
        older version than the editor shows (the drafts kept from now on say so too)."""
        recorder.keeps_earlier = False
        restore(fields)
        if context is not None:
            context.restore(fields)
        older = found.saved_since(recorder.base_version)
        if older:
            recorder.typed_against(found)
        return older

    def keep_with_draft(typed: str) -> None:
        put_back()
        _type_text_at_end(screen.focused, typed)

    offer.keep_with_draft = keep_with_draft

    async def answered(answer: str | None) -> None:
        try:
            if answer == RESTORE:
                if put_back() and saved_since is not None:
                    saved_since(found)
                # What the rep types next goes after the text restored, as in the note
                # editor: the cursor stayed where the field's old text ended ("Ben Ode"
                # restored as "Ben Ode VIP", then " Ltd", saved "Ben Ode Ltd VIP").
                focused = screen.focused
                if isinstance(focused, Input):
                    focused.cursor_position = len(focused.value)
            elif answer == DISCARD:
                await recorder.discard()
            else:
                typed = offer.typed_ahead
                if typed.strip():
                    # Kept with the draft, as if restored and typed after it: the
                    # editor, closing, keeps what it holds (DraftRecorder.close).
                    put_back()
                    _type_text_at_end(screen.focused, typed)
                screen.dismiss()
                kept_for_later(screen, typed)
                return
            type_ahead(screen, offer, restored=answer == RESTORE)
        finally:
            offer.release_keys()

    screen.app.push_screen(offer, answered)


def refuse_unseen_save(screen: Screen[Any]) -> None:
    """Say why a save was refused: its key was read before the version saved since was
    shown beside the rep's (see key_order.read_before), so it would go over that
    version unseen."""
    screen.notify(
        "It was saved elsewhere since your draft; the save typed before that showed did "
        "not go over it. Compare, then save.",
        title="Not saved",
        severity="warning",
        timeout=10,
    )


def kept_for_later(screen: Screen[Any], text: str) -> None:
    """Escape at the offer leaves the editor, the draft kept for later with the text
    typed before the offer showed added to it: the rep is told. (It was only shown,
    and gone once the notice was.)"""
    if text.strip():
        screen.app.notify(
            f"Kept with the draft for later (typed with the offer): {clean_line(text)}",
            timeout=10,
            markup=False,
        )


def type_ahead(screen: Screen[Any], offer: DraftOfferScreen, *, restored: bool) -> None:
    """The keys typed before a draft's offer showed (`offer.keys_ahead`), handed on to
    the editor now as the keys they were, from the end of the field focused: a tab
    moves to the next field, a backspace takes back a character.

    Enter does what it would have done where it lands, except in a restored draft:
    there the fields hold the draft with the keys added after it, a form the rep never
    saw, so an enter that would save it (anywhere but a note's text) is not handed on,
    nor anything typed after it (meant for whatever the save would have shown). The
    rep is told, and the form stays open to look at. After a discard the editor is as
    it would have been with no draft, so enter saves as the rep meant it to."""
    keys = offer.keys_ahead
    if not keys:
        return
    field = screen.focused
    if isinstance(field, TextArea):
        field.move_cursor(field.document.end)
        if restored:  # after the draft's text, apart from it
            field.insert(_apart(field.text, offer.typed_ahead, "\n"))
    elif isinstance(field, Input):
        field.cursor_position = len(field.value)
        if restored:
            field.insert_text_at_cursor(_apart(field.value, offer.typed_ahead, " "))
    order = getattr(screen.app, "key_order", None)
    if not isinstance(order, KeyOrder):  # an app without one: the text, in this field
        _type_text(field, offer.typed_ahead)
        return
    replay = _Replay(screen, keys, restored)
    order.replay(
        [
            (key, character, partial(replay.admit, index))
            for index, (key, character) in enumerate(keys)
        ],
        # Typed before the editor's fields could be seen, or over the offer that
        # covered them: "f", "Ring her", then d, replaces the step the dialog proposed.
        typed_by=offer.shown_at,
    )


class _Replay:
    """Which keys typed ahead still go, each as its turn comes (see type_ahead)."""

    def __init__(
        self, screen: Screen[Any], keys: list[tuple[str, str | None]], restored: bool
    ) -> None:
        self.screen = screen
        self.keys = list(keys)
        self.restored = restored
        self.stopped = False

    def admit(self, index: int) -> bool:
        if self.stopped:
            return False
        key = self.keys[index][0]
        if key == "enter" and self.restored and not isinstance(self.screen.app.focused, TextArea):
            self.stopped = True
            self._tell(index)
            return False
        return True

    def _tell(self, index: int) -> None:
        from pipeline_tui.ui.screens.draft_offer import typed_text

        rest = typed_text(self.keys[index + 1 :])
        after = f" Not typed (after that enter): {clean_line(rest)}" if rest.strip() else ""
        self.screen.app.notify(
            "Your draft is back with what you typed before the offer showed; the enter "
            f"typed then did not save it. Check it, then enter saves.{after}",
            severity="warning",
            timeout=10,
            markup=False,
        )


def _type_text_at_end(field: Widget | None, text: str) -> None:
    """`text` after what `field` holds (a draft put back), apart from it: typed at the
    offer, it was the rep's own words, and "againFollow-up call" read as neither."""
    if isinstance(field, TextArea):
        field.move_cursor(field.document.end)
        held = field.text
        gap = "\n"
    elif isinstance(field, Input):
        field.cursor_position = len(field.value)
        held = field.value
        gap = " "
    else:
        return
    _type_text(field, _apart(held, text, gap) + text)


def _apart(held: str, typed: str, gap: str) -> str:
    """What goes between a draft's text and words typed after it: `gap` where both
    meet as words ("Send the quote" and "Follow-up call"), nothing before a space or
    punctuation (", by Friday")."""
    if held and not held[-1].isspace() and typed[:1].isalnum():
        return gap
    return ""


def _type_text(field: Widget | None, text: str) -> None:
    if isinstance(field, TextArea):
        field.insert(text)
    elif isinstance(field, Input):
        field.insert_text_at_cursor(text.replace("\n", " "))


def labelled(fields: Fields, labels: Mapping[str, str]) -> list[str]:
    """A draft's non-empty fields as "Label: value" lines, for the offer's preview."""
    lines = [
        f"{label}: {clean_line(fields[name])}"
        for name, label in labels.items()
        if fields.get(name, "").strip()
    ]
    return lines or ["(empty)"]
