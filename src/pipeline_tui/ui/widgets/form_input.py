"""A one-line input for forms, compact so a whole form fits an 80x24 terminal."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input


class FormInput(Input):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(*args, **kwargs)

    def on_mount(self) -> None:
        # Snapshot tests switch blinking off; a blinking cursor makes screenshots flaky.
        self.cursor_blink = bool(getattr(self.app, "cursor_blink", True))
