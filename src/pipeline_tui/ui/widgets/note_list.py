"""The research notes on a card, one line each: the latest of every kind first, so all
of them show at once at 80x24, then the earlier ones, newest first within each kind."""

from __future__ import annotations

import re

from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive
from textual.widgets.option_list import Option, OptionDoesNotExist

from pipeline_tui.domain.cards import NoteView
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.text import clean_line
from pipeline_tui.ui import seams
from pipeline_tui.ui.styles import load_tcss
from pipeline_tui.ui.widgets.list_ends import StopsAtTheEnds

KIND_CELLS = len("OPPORTUNITY (99)  ")
"""The kind column: wide enough for the longest kind and a two-digit count."""
FIRST_LINE_CHARS = 300
"""Of a note's first line, more than this never fits a row (the line is cut with …)."""
_BLOCK_MARK = re.compile(r"^(?:#{1,6}\s+|>\s*|[-*+]\s+(?:\[[ xX]\]\s+)?)")
"""A Markdown heading, quote or list mark opening a line: the row shows what follows."""


class NoteList(StopsAtTheEnds, seams.SteadyOptionList):
    DEFAULT_CSS = load_tcss(__file__)
    # As in the board's columns, the week and the stand-up.
    BINDINGS = [
        Binding("k", "cursor_up", "Up", show=False),
        Binding("j", "cursor_down", "Down", show=False),
    ]

    notes: reactive[tuple[NoteView, ...]] = reactive(
        (), always_update=True, init=False, repaint=False
    )
    _listed: tuple[NoteView, ...] | None = None

    def watch_notes(self, notes: tuple[NoteView, ...]) -> None:
        # The card read again and found unchanged lists the same rows: listed again,
        # the list was laid out and drawn again, and the frame sent, for nothing.
        if notes == self._listed:
            # A list of notes always has one highlighted, as one made anew (a card
            # opened again takes the highlight away: CardScreen.reopen).
            if self.highlighted is None and notes:
                self.action_first()
            return
        self._listed = notes
        keep = self.highlighted_note
        self.clear_options()
        by_kind = _by_kind(notes)
        for kind, of_kind in by_kind.items():
            if of_kind:
                heading = f"{kind.label.upper()} ({len(of_kind)})"
                self.add_option(Option(_row(heading, of_kind[0]), id=f"note-{of_kind[0].id}"))
        earlier = [note for of_kind in by_kind.values() for note in of_kind[1:]]
        if earlier:
            self.add_option(None)  # a rule between the latest notes and the earlier ones
            rule = Content.styled(f"Earlier notes ({len(earlier)})", "bold $text-muted")
            self.add_option(Option(rule, id="earlier", disabled=True))
            self.add_options(
                Option(_row(note.kind.label, note), id=f"note-{note.id}") for note in earlier
            )
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


def _by_kind(notes: tuple[NoteView, ...]) -> dict[NoteKind, list[NoteView]]:
    # The store gives the notes newest first, so each kind's first is its latest.
    return {kind: [note for note in notes if note.kind is kind] for kind in NoteKind}


def first_highlighted(notes: tuple[NoteView, ...], note_id: int | None = None) -> NoteView | None:
    """The note a new list of `notes` highlights: `note_id`'s, else the first row's."""
    chosen = next((note for note in notes if note.id == note_id), None)
    if chosen is not None:
        return chosen
    return next((of_kind[0] for of_kind in _by_kind(notes).values() if of_kind), None)


def first_line(note: NoteView) -> str:
    """The note's first line with words in it: what the note is about, at a glance."""
    for line in note.body[:FIRST_LINE_CHARS].splitlines():
        if cleaned := _BLOCK_MARK.sub("", clean_line(line)):
            return cleaned
    return "(empty)"


def _row(label: str, note: NoteView) -> Content:
    """One line (the list does not wrap: see note_list.tcss); the note shows whole in
    the viewer beside the list, and opens with enter."""
    return Content.assemble(
        (f"{label:<{KIND_CELLS}}", "bold $accent"),
        (f"{note.updated_at.astimezone():%Y-%m-%d}  ", "$text-muted"),
        first_line(note),
    )
