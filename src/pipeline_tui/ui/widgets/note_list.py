"""The research notes on a card, grouped by kind, newest first within each kind."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from pipeline_tui.domain.cards import NoteView
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.text import clean_text
from pipeline_tui.ui.styles import load_tcss

PREVIEW_LINES = 3
PREVIEW_CHARS = 400


class NoteList(OptionList):
    DEFAULT_CSS = load_tcss(__file__)

    notes: reactive[tuple[NoteView, ...]] = reactive((), always_update=True, init=False)

    def watch_notes(self, notes: tuple[NoteView, ...]) -> None:
        keep = self.highlighted_note
        self.clear_options()
        for kind in NoteKind:
            of_kind = [note for note in notes if note.kind is kind]
            if not of_kind:
                continue
            if self.option_count:
                self.add_option(None)  # a rule between kinds
            heading = Content.styled(f"{kind.label.upper()} ({len(of_kind)})", "bold $accent")
            self.add_option(Option(heading, id=f"kind-{kind.value}", disabled=True))
            self.add_options(Option(_preview(note), id=f"note-{note.id}") for note in of_kind)
        if not notes:
            empty = "Nothing written yet about their business. n starts a note."
            self.add_option(Option(Content.styled(empty, "italic $text-muted"), disabled=True))
        if keep is not None:
            self.select_note(keep.id)
        elif notes:
            self.action_first()

    @property
    def highlighted_note(self) -> NoteView | None:
        if self.highlighted is None:
            return None
        option_id = self.get_option_at_index(self.highlighted).id or ""
        if not option_id.startswith("note-"):
            return None
        note_id = int(option_id.removeprefix("note-"))
        return next((note for note in self.notes if note.id == note_id), None)

    def select_note(self, note_id: int) -> None:
        try:
            self.highlighted = self.get_option_index(f"note-{note_id}")
        except OptionDoesNotExist:
            if self.notes:
                self.action_first()


def _preview(note: NoteView) -> Content:
    """When it was written and the first lines of it; the full note opens with enter."""
    stamp = f"{note.updated_at.astimezone():%Y-%m-%d %H:%M}"
    if note.updated_at != note.created_at:
        stamp += " (edited)"
    body = clean_text(note.body[:PREVIEW_CHARS])
    lines = body.splitlines()[:PREVIEW_LINES]
    cut = len(note.body) > PREVIEW_CHARS or len(body.splitlines()) > PREVIEW_LINES
    text = "\n".join(lines) + (" …" if cut else "")
    return Content.assemble((stamp, "$text-muted"), "\n", text)
