"""Writing a research note: a Markdown text area; ctrl+s saves, escape leaves.

Leaving with unsaved text always asks first, so nothing typed is lost by a stray key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static, TextArea

from pipeline_tui.domain.cards import NoteView
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import StoreError
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.widgets.key_footer import KeyFooter
from pipeline_tui.ui.widgets.note_area import NoteArea
from pipeline_tui.ui.widgets.screen_header import ScreenHeader

SaveNote = Callable[[str], Awaitable[NoteView]]


class NoteEditorScreen(Screen[None]):
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
    ]

    def __init__(self, card_name: str, kind: NoteKind, body: str, save: SaveNote) -> None:
        super().__init__()
        self.card_name = card_name
        self.kind = kind
        self.saved_body = body
        self.save_note = save

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
        editor = NoteArea(self.saved_body, id="editor")
        editor.cursor_blink = bool(getattr(self.app, "cursor_blink", True))
        yield editor
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "new note" if not self.saved_body else "editing"
        editor = self.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    @property
    def unsaved(self) -> bool:
        return self.text.strip() != self.saved_body.strip()

    async def _save(self) -> bool:
        body = self.text
        try:
            note = await self.save_note(body)
        except StoreError as error:
            self.notify(str(error), title="Not saved", severity="error", markup=False)
            return False
        self.saved_body = body
        self.sub_title = f"saved {note.updated_at.astimezone():%H:%M}"
        return True

    @work(exclusive=True, group="note-save")
    async def action_save(self) -> None:
        if self.unsaved:
            await self._save()

    def action_leave(self) -> None:
        if not self.unsaved:
            self.dismiss()
            return

        question = ChoiceScreen(
            "This note has unsaved changes.",
            [("s", "Save and leave", "save"), ("d", "Discard them", "discard")],
        )
        self.app.push_screen(question, self._leave_after)

    async def _leave_after(self, answer: str | None) -> None:
        if answer == "discard" or (answer == "save" and await self._save()):
            self.dismiss()

    def action_external_editor(self) -> None:
        """Open the text in $VISUAL/$EDITOR; what it holds on exit is saved."""
        from pipeline_tui.ui.external_editor import edit_in_editor

        editor = self.query_one(TextArea)
        edited = edit_in_editor(self.app, editor.text)
        if edited is None or edited == editor.text:
            return
        editor.load_text(edited)
        editor.move_cursor(editor.document.end)
        self.action_save()
