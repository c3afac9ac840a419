"""Writing a research note: a Markdown text area; ctrl+s saves, escape leaves.

Nothing typed is lost: leaving with unsaved text asks first; what is typed is kept as a
draft (offered back when the note is opened again); and when someone else saved the
note meanwhile, the save is refused and their version is shown beside the rep's text,
which stays in the editor, to keep, take theirs, or put both together.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, TextArea

from pipeline_tui.domain.cards import Change, NoteView, SavedNote
from pipeline_tui.domain.drafts import Draft, DraftKey, Fields
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import ConflictError, NotFoundError, StoreError
from pipeline_tui.ui import seams
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.drafts import (
    DraftRecorder,
    kept_for_later,
    refuse_unseen_save,
    saving,
    type_ahead,
)
from pipeline_tui.ui.key_order import hold_keys, read_before
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.screens.draft_offer import DISCARD, RESTORE, DraftOfferScreen, preview, when
from pipeline_tui.ui.widgets.key_footer import KeyFooter
from pipeline_tui.ui.widgets.note_area import NoteArea
from pipeline_tui.ui.widgets.screen_header import ScreenHeader


class NoteEditorScreen(seams.FullScreen[None]):
    CSS_PATH = "note_editor.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the note", id="note.save"),
        Binding("escape", "leave", "Leave", tooltip="Leave (asks if unsaved)", id="note.leave"),
        # A priority binding: the text area's own ctrl+e (end of line) is also `end`.
        Binding(
            "ctrl+e",
            "external_editor",
            "Editor",
            tooltip="Edit in $EDITOR",
            id="note.editor",
            priority=True,
        ),
        Binding(
            "ctrl+t",
            "take_theirs",
            "Take theirs",
            tooltip="Use the version saved elsewhere (ctrl+z brings yours back)",
            id="note.take_theirs",
        ),
        Binding(
            "ctrl+b",
            "both",
            "Both",
            tooltip="The version saved elsewhere, then yours, to put together",
            id="note.both",
        ),
    ]

    def __init__(
        self,
        backend: Backend,
        card_id: int,
        card_name: str,
        kind: NoteKind,
        note: NoteView | None,
        recorder: DraftRecorder | None = None,
        *,
        text: str | None = None,
        theirs: NoteView | None = None,
        refused: str = "",
    ) -> None:
        """`text`, `theirs`, `refused`: the rep's text, whose save was refused
        (`refused` says why) because someone else saved `theirs` meanwhile (ctrl+e on
        the card): the editor opens with it, theirs beside it, to compare."""
        super().__init__()
        self.backend = backend
        self.card_id = card_id
        self.card_name = card_name
        self.kind = kind
        self.note = note
        """The note as last saved (None: a new note, not saved yet)."""
        self.saved_body = note.body if note else ""
        self.recorder = recorder
        self._offer: DraftOfferScreen | None = None
        self._editor_file: Path | None = None
        """The file the rep's own editor (ctrl+e) has the text in, while it runs."""
        self.theirs: NoteView | None = None
        """The version saved elsewhere, shown beside the rep's text after a conflict."""
        self._theirs_shown_at = 0.0
        """When `theirs` showed, on the clock each key is stamped with as it is read."""
        # Kept here, not queried: the text is read once more as the screen closes (an
        # ending app keeps it as a draft), when its widgets are already taken down.
        self.editor = NoteArea(self.saved_body if text is None else text, id="editor")
        self._refused = (theirs, refused) if theirs is not None else None

    @property
    def note_id(self) -> int | None:
        return self.note.id if self.note else None

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        yield Static(
            Content.assemble(
                (f"{self.kind.label} note", "bold $accent"),
                (f"  ·  {self.kind.meaning}  ·  ", "$text-muted"),
                (clean_line(self.card_name), "bold"),
            ),
            id="note-title",
        )
        with Horizontal(id="panes"):
            self.editor.cursor_blink = bool(getattr(self.app, "cursor_blink", True))
            yield self.editor
            with Vertical(id="theirs-pane"):
                yield Static(id="theirs-heading")
                yield TextArea("", soft_wrap=True, read_only=True, id="theirs")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "new note" if self.note is None else "editing"
        self.editor.focus()
        self.editor.move_cursor(self.editor.document.end)
        if self.recorder is not None:
            self.recorder.attach(self, self._draft_fields)
        if self._refused is not None:
            # The rep's text is the newest: it is kept as the draft (the rebase), and
            # no draft from before is offered over it.
            theirs, refused = self._refused
            self._show_theirs(theirs, "Saved elsewhere")
            self.notify(refused, title="Not saved", severity="warning", timeout=10, markup=False)
            return
        if self.recorder is not None:
            found = self.recorder.found
            if found is not None and found.get("body").strip() != self.saved_body.strip():
                self._offer = DraftOfferScreen(found, preview(found.get("body")))
                self._offer.keep_with_draft = partial(self._keep_with_draft, self.recorder, found)
                self.app.push_screen(self._offer, self._offer_answered)

    def on_unmount(self) -> None:
        if self.recorder is not None:
            self.recorder.close(emptied=not self.text.strip())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("take_theirs", "both"):
            return self.theirs is not None
        return True

    # Drafts ------------------------------------------------------------------------------

    def _draft_fields(self) -> Fields | None:
        text = self.text
        if self._editor_file is not None:
            from pipeline_tui.ui.external_editor import written_so_far

            # The session ending while the rep's own editor has the text (ctrl+e): what
            # it has written to its file so far, not what the note held before.
            written = written_so_far(self._editor_file)
            text = text if written is None else written
        if text.strip() == self.saved_body.strip():
            return None
        return {"body": text, "kind": self.kind.value}

    def _in_editor(self, path: Path | None) -> None:
        self._editor_file = path

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id == "editor" and self.recorder is not None:
            self.recorder.changed()

    async def _offer_answered(self, answer: str | None) -> None:
        offer = self._offer
        try:
            await self._answered(answer, offer)
        finally:
            if offer is not None:
                offer.release_keys()

    async def _answered(self, answer: str | None, offer: DraftOfferScreen | None) -> None:
        recorder = self.recorder
        if recorder is None or recorder.found is None:
            return
        found = recorder.found
        if answer == RESTORE:
            if self._put_back(recorder, found) and self.note is not None:
                # Saved since the draft was made (elsewhere, or here before a crash).
                self._show_theirs(self.note, "Saved since your draft")
        elif answer == DISCARD:
            await recorder.discard()
        else:
            typed = offer.typed_ahead if offer is not None else ""
            if typed.strip():
                # For later, with what was typed before the offer showed added to it:
                # the recorder, closing, keeps what the editor holds.
                self._put_back(recorder, found)
                self.editor.insert(typed)
            self.dismiss()  # for later: the draft stays
            kept_for_later(self, typed)
            return
        if offer is not None:
            type_ahead(self, offer, restored=answer == RESTORE)

    def _keep_with_draft(self, recorder: DraftRecorder, found: Draft, typed: str) -> None:
        """Text typed at the offer, after the draft in the editor (as escape leaves it)."""
        self._put_back(recorder, found)
        self.editor.move_cursor(self.editor.document.end)
        self.editor.insert(typed)

    def _put_back(self, recorder: DraftRecorder, found: Draft) -> bool:
        """The draft in the editor, as if typed there; whether the note was saved since
        it was typed (the drafts kept from now on say what it was typed against)."""
        recorder.keeps_earlier = False
        self._set_text(found.get("body"))
        older = self.note is not None and found.saved_since(self.note.version)
        if older:
            recorder.typed_against(found)
        return older

    # Editing -----------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.editor.text

    @property
    def unsaved(self) -> bool:
        return self.text.strip() != self.saved_body.strip()

    def _set_text(self, text: str) -> None:
        """Replace the editor's text as an edit, so ctrl+z brings the old text back."""
        editor = self.editor
        editor.replace(text, editor.document.start, editor.document.end)
        editor.move_cursor(editor.document.end)

    async def _save(self) -> bool:
        if self.theirs is not None and read_before(self, self._theirs_shown_at):
            # `r` and ctrl+s in one read (or escape then s, ctrl+q then s): the draft
            # restored showed the version saved since between the keys, and the save
            # went over a text the rep had not seen.
            refuse_unseen_save(self)
            return False
        body = self.text
        service = self.backend.service
        try:
            # Each save is one change `u` takes back (on the card: this card's last).
            with saving(self.recorder):  # its draft forgotten as the save lands
                if self.note is None:
                    saved = await self.backend.change_within(
                        saved_change, service.write_note, self.card_id, self.kind, body
                    )
                else:
                    version = self.theirs.version if self.theirs else self.note.version
                    saved = await self.backend.change_within(
                        saved_change, service.rewrite_note, self.note.id, body, None, version
                    )
        except ConflictError as error:
            await self._conflict(str(error))
            return False
        except NotFoundError:
            self.note = None
            self._hide_theirs()
            self.notify(
                "This note was deleted elsewhere; ctrl+s saves your text as a new note.",
                title="Not saved",
                severity="error",
                timeout=8,
            )
            return False
        except StoreError as error:
            self.notify(str(error), title="Not saved", severity="error", markup=False)
            return False
        note = saved.note
        self.note = note
        self.saved_body = body
        self._hide_theirs()
        self.sub_title = f"saved {note.updated_at.astimezone():%H:%M}"
        if self.recorder is not None:
            await self.recorder.discard()
            self.recorder.retarget(DraftKey.note(self.card_id, note.id, self.kind))
        return True

    async def _conflict(self, message: str) -> None:
        """Someone else saved the note meanwhile: theirs beside, the rep's text kept."""
        assert self.note is not None
        try:
            theirs = await self.backend.run(self.backend.service.note, self.note.id)
        except StoreError as error:
            self.notify(str(error), title="Not saved", severity="error", markup=False)
            return
        self._show_theirs(theirs, "Saved elsewhere")
        self.notify(message, title="Not saved", severity="warning", timeout=10, markup=False)

    def _show_theirs(self, theirs: NoteView, heading: str) -> None:
        self.theirs = theirs
        self._theirs_shown_at = Message().time
        self.query_one("#theirs-heading", Static).update(
            Content.assemble(
                (f"{heading} at {when(theirs.updated_at)}", "bold $warning"),
                ("\nctrl+s saves yours over it · ctrl+t takes it · ctrl+b both", "$text-muted"),
            )
        )
        self.query_one("#theirs", TextArea).load_text(theirs.body)
        self.add_class("-conflict")
        self.sub_title = "changed elsewhere: compare, then save"
        self.refresh_bindings()

    def _hide_theirs(self) -> None:
        self.theirs = None
        self.remove_class("-conflict")
        self.refresh_bindings()

    def action_take_theirs(self) -> None:
        if self.theirs is not None:
            self._set_text(self.theirs.body)

    def action_both(self) -> None:
        if self.theirs is not None:
            self._set_text(f"{self.theirs.body.rstrip()}\n\n{self.text.strip()}\n")

    def action_save(self) -> None:
        # Keys typed with ctrl+s act on the note as saved: an escape in the same read
        # asked about "unsaved changes" while the save was still on its way.
        self._save_now(hold_keys(self))

    @work(exclusive=True, group="note-save")
    async def _save_now(self, release_keys: Callable[[], None]) -> None:
        try:
            if self.unsaved or self.theirs is not None:
                await self._save()
            elif not self.text.strip():
                # A new note with nothing in it: ctrl+s did nothing and said nothing.
                self.notify("Nothing to save yet: the note is empty.", markup=False)
        finally:
            release_keys()

    def action_leave(self) -> None:
        if not self.unsaved:
            self.dismiss()
            return

        question = ChoiceScreen(
            "This note has unsaved changes.",
            [("s", "Save and leave", "save"), ("d", "Discard them", "discard")],
            careful={"discard"},
        )
        self.app.push_screen(question, self._leave_after)

    async def _leave_after(self, answer: str | None) -> None:
        if answer == "save" and await self._save():
            self.dismiss()
        elif answer == "discard":
            await self.discard_work()
            self.dismiss()

    def action_external_editor(self) -> None:
        """Open the text in $VISUAL/$EDITOR; what it holds on exit is saved."""
        from pipeline_tui.ui.external_editor import edit_in_editor, written_so_far

        editor = self.editor
        try:
            edited = edit_in_editor(self.app, editor.text, self._in_editor)
            if edited is None:
                # The editor failed, or was ended with the session (a hang-up ends it
                # too): what it wrote stays in the note, for its draft, not only in a
                # file the session's end would not read.
                written = written_so_far(self._editor_file)
                if written is not None and written != editor.text:
                    editor.load_text(written)
                    editor.move_cursor(editor.document.end)
                return
        finally:
            self._editor_file = None
        if edited == editor.text:
            return
        editor.load_text(edited)
        editor.move_cursor(editor.document.end)
        self.action_save()

    # Quitting with unsaved text (ui/drafts.py Editing) -----------------------------------

    def unsaved_work(self) -> str | None:
        if not self.unsaved:
            return None
        return f"the {self.kind.label.lower()} note on {clean_line(self.card_name)}"

    async def save_work(self) -> bool:
        return await self._save()

    async def discard_work(self) -> None:
        if self.recorder is not None:
            await self.recorder.discard()


def saved_change(saved: SavedNote) -> Change | None:
    """What undo takes back of a note's save (Backend.change_within)."""
    return saved.change
