"""A one-line input for forms, compact so a whole form fits an 80x24 terminal.

Tabbing into a field never selects its text: a rep who tabs in and types adds to what
is there instead of typing over it. The cursor goes to the end, ready to add. (The
board's filter asks for the other way: "/" starts a new search, as in less or vim.)

A field can open with a proposal (`proposal=True`): the step a call suggests, the step
planned, its date. Text typed before the rep could see the field (in the same burst as
the key that opened the dialog, or within key_order.SEEING_S of its first frame)
replaces the proposal: "Follow up on LinkedIn replyRing her mobile" or "2026-12-08fri"
is nobody's next step. A field that `continues` its proposal takes text typed ahead
that starts with a space as an addition (" and the deck": the step was on the card
the rep pressed the key on). Once seen, the field adds to what it shows as any other
does; text the rep typed, or a draft brought back, is never replaced this way.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input


class FormInput(Input):
    # Input is 100% of its container wide: in a row after its label, the label's width
    # of it lies past the row's end, cut off, and a long text scrolls its end and the
    # cursor into that unseen part. A field takes what its row leaves (alone in a
    # column, the whole width).
    DEFAULT_CSS = "FormInput { width: 1fr; }"

    # Input sets its virtual size (the text's width) on every key typed, and in
    # Widget that is a layout reactive: each key laid out the whole screen, about a
    # millisecond of every letter typed in the board's filter. The field's own place
    # does not depend on its text, and its scrolling reads virtual_size itself.
    # (An Input sized to its text, width: auto, still asks for its layout itself.)
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(
        self,
        value: str | None = None,
        *args: Any,
        proposal: bool = False,
        continues: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("compact", True)
        kwargs.setdefault("select_on_focus", False)
        super().__init__(value, *args, **kwargs)
        self.proposal: str | None = value if proposal and value else None
        """The text proposed, which keys typed before it showed replace."""
        self.continues = continues
        """Text typed ahead starting with a space adds to the proposal."""
        self.shown_at: float | None = None
        """When the field was first on screen (a Message.time); None before."""

    def on_mount(self) -> None:
        # Snapshot tests switch blinking off; a blinking cursor makes screenshots flaky.
        self.cursor_blink = bool(getattr(self.app, "cursor_blink", True))
        if self.proposal is not None:
            self.call_after_refresh(self._shown)

    def _shown(self) -> None:
        self.shown_at = Message().time

    def on_key(self, event: events.Key) -> None:
        # Runs before Input's own handler, which types the key over a selection.
        if event.is_printable and event.character is not None:
            self.typing(event.character, event.time)
        elif self._unseen_proposal(event.time):
            # A key that moves or edits ("f", ctrl+a, "Urgent: "): the rep is working on
            # the proposal they expected, and what they type next goes where they put it.
            self.proposal = None

    def typing(self, text: str, typed_at: float) -> None:
        """`text`, typed (or pasted) at `typed_at`, is about to go in over the
        selection: over a proposal the rep could not have seen, the whole of it."""
        if not text or not self._unseen_proposal(typed_at):
            return
        if self.continues and text.startswith(" "):
            self.proposal = None
        else:
            self.select_all()

    def _unseen_proposal(self, typed_at: float) -> bool:
        """Whether the field still holds its proposal, and a key typed at `typed_at`
        came before the rep could have seen it."""
        if self.proposal is None or self.value != self.proposal:
            return False
        from pipeline_tui.ui.key_order import SEEING_S  # (key_order imports this module)

        return self.shown_at is None or typed_at < self.shown_at + SEEING_S

    @staticmethod
    def one_line(pasted: str) -> str:
        """What a paste puts in a field: one line as it is, several joined."""
        lines = pasted.splitlines()
        if len(lines) < 2:
            return next(iter(lines), "")
        return " ".join(line.strip() for line in lines if line.strip())

    def on_paste(self, event: events.Paste) -> None:
        # Input keeps a paste's first line only: "Kim Lee" of "Kim Lee\nLee Bakery",
        # the rest dropped without a word. A field is one line: the lines join, and the
        # rep sees all that was pasted, to keep or cut.
        # (Textual calls Input's own handler after this one unless prevented.)
        self.typing(event.text, event.time)
        if len(event.text.splitlines()) < 2:
            return
        event.prevent_default()
        event.stop()
        self.replace(self.one_line(event.text), *self.selection)

    def on_focus(self, event: events.Focus) -> None:
        # The terminal window regaining focus leaves the cursor where the rep left it.
        if not event.from_app_focus and not self.select_on_focus:
            self.cursor_position = len(self.value)
