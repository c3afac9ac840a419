"""After `n` on the card screen: one key picks what kind of note to write.

Text typed straight after `n` with no kind key first ("nNeed a new van") starts a
General note with it: each letter was dropped with a bell until one happened to be a
kind key ("a"), which picked that kind, and the note read " new van"."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.ui import seams
from pipeline_tui.ui.key_order import KeyOrder


class NoteKindScreen(seams.Dialog[NoteKind | None]):
    CSS_PATH = "note_kind.tcss"

    def compose(self) -> ComposeResult:
        rows = [
            Content.assemble(
                (f" {kind.key} ", "bold $accent"),
                (f" {kind.label:<12}", "bold"),
                (kind.meaning, "$text-muted"),
            )
            for kind in NoteKind
        ]
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "New research note: what kind?"
            yield Static(Content("\n").join(rows))
            yield Static(Content.assemble(("escape", "bold"), " cancel"), id="keys")

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if event.key == "escape":
            self.dismiss(None)
            return
        for kind in NoteKind:
            if event.key == kind.key:
                self.dismiss(kind)
                return
        order = getattr(self.app, "key_order", None)
        # A letter or digit: the start of words ("?" or "-" alone is no sentence).
        if event.character and event.character.isalnum() and isinstance(order, KeyOrder):
            # This key again, into the note's editor once it opens (it holds the keys).
            order.replay([(event.key, event.character, lambda: True)], typed_by=event.time)
            self.dismiss(NoteKind.GENERAL)
            return
        self.app.bell()
