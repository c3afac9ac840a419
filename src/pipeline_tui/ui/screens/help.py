"""Key help (`?`): made from the screen's own bindings, so it is never out of date."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, title: str, bindings: Iterable[BindingType]) -> None:
        super().__init__()
        self.help_title = title
        self.bindings = [b for b in bindings if isinstance(b, Binding)]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog") as dialog:
            dialog.border_title = self.help_title
            yield Static(self._keys_table(), id="keys")
            yield Static(
                Content.assemble(("escape", "bold"), " or ", ("?", "bold"), " closes this"),
                id="close",
            )

    def _keys_table(self) -> Content:
        rows: list[Content] = []
        for binding in self.bindings:
            keys = " ".join(
                self.app.get_key_display(Binding(key, "")) for key in binding.key.split(",")
            )
            what = binding.tooltip or binding.description
            rows.append(Content.assemble((f"{keys:>10}", "bold $accent"), "  ", what))
        return Content("\n").join(rows)
