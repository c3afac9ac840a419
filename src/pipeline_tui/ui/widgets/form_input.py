"""A one-line input for forms, compact so a whole form fits an 80x24 terminal.

Tabbing into a field never selects its text: a rep who tabs in and types adds to what
is there instead of typing over it. The cursor goes to the end, ready to add. (The
board's filter asks for the other way: "/" starts a new search, as in less or vim.)
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.geometry import Size
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)

    def on_mount(self) -> None:
        # Snapshot tests switch blinking off; a blinking cursor makes screenshots flaky.
        self.cursor_blink = bool(getattr(self.app, "cursor_blink", True))

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
        if len(event.text.splitlines()) < 2:
            return
        event.prevent_default()
        event.stop()
        self.replace(self.one_line(event.text), *self.selection)

    def on_focus(self, event: events.Focus) -> None:
        # The terminal window regaining focus leaves the cursor where the rep left it.
        if not event.from_app_focus and not self.select_on_focus:
            self.cursor_position = len(self.value)
