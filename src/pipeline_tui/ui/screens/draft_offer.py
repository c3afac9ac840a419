"""Offering a draft back: "Unsaved note from 09:12: r restore, d discard".

Shown over an editor that has a draft kept from before (the session dropped, the app
was killed, or the rep left it for later). Escape leaves the editor and keeps the draft.

Only keys typed once it shows answer it. Typed with the keys that opened the editor
("ni" and the note, in one read), "d" in "discount" discarded the draft and the rest
went into the editor ("iscount"). Those keys are text for the editor: kept
(`typed_ahead`), and typed into it once the rep has answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from pipeline_tui.domain.drafts import Draft
from pipeline_tui.domain.text import clean_line

PREVIEW_LINES = 6
RESTORE, DISCARD = "restore", "discard"


def when(moment: datetime | None, now: datetime | None = None) -> str:
    """ "09:12" today, "Tue 24 Nov 09:12" on another day, in the rep's time zone."""
    if moment is None:
        return "earlier"
    local = moment.astimezone()
    today = (now or datetime.now(local.tzinfo)).astimezone(local.tzinfo).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%a %d %b %H:%M}"


def preview(text: str, lines: int = PREVIEW_LINES) -> list[str]:
    """The first lines of a draft's text, each one line of plain text."""
    shown = [clean_line(line) for line in text.splitlines() if line.strip()][:lines]
    return shown or ["(empty)"]


class DraftOfferScreen(ModalScreen[str | None]):
    """Dismisses with RESTORE, DISCARD, or None (escape: leave, keeping the draft)."""

    CSS_PATH = "draft_offer.tcss"

    def __init__(self, draft: Draft, lines: Sequence[str], now: datetime | None = None) -> None:
        super().__init__()
        self.draft = draft
        self.lines = list(lines)
        self.now = now
        self.shown_at = Message().time  # the clock each key is stamped with as it is read
        self.typed_ahead = ""
        """Text typed before the offer showed, for the editor."""

    def compose(self) -> ComposeResult:
        label = self.draft.key.editor.label
        with Vertical(id="dialog"):
            yield Static(
                Content.assemble(
                    (f"Unsaved {label} from {when(self.draft.saved_at, self.now)}", "bold"),
                    ": ",
                    ("r", "bold $accent"),
                    " restore, ",
                    ("d", "bold $accent"),
                    " discard",
                ),
                id="question",
            )
            yield Static(Content("\n").join(Content(line) for line in self.lines), id="preview")
            yield Static(
                Content.assemble(("escape", "bold $accent"), " not now: it is kept for later"),
                id="choices",
            )

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if event.time < self.shown_at:
            if event.key == "enter":
                self.typed_ahead += "\n"
            elif event.key == "backspace":
                self.typed_ahead = self.typed_ahead[:-1]
            elif event.is_printable and event.character:
                self.typed_ahead += event.character
            return
        if event.key == "escape":
            self.dismiss(None)
        elif event.key == "r":
            self.dismiss(RESTORE)
        elif event.key == "d":
            self.dismiss(DISCARD)
