"""Key help (`?`): made from the screen's own bindings, so it is never out of date.

It fits the terminal without scrolling: one column when there is room, two side by
side at 80 columns, and, where even two do not fit, pages that space and backspace
(or page down and page up) turn, the page's number in the title.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from pipeline_tui.domain.text import cell_width, clip_cells, wrap_cells
from pipeline_tui.ui import seams

PALETTE_HELP = "Find any card, note or key"
COLUMN_GAP = 3
KEYS_MAX_CELLS = 12
"""A key column wider than this (many keys rebound onto one action) wraps its text."""
# The dialog's border and padding, and the two lines under the keys (a blank and how
# to close it), around the table.
FRAME_CELLS = 4
FRAME_LINES = 4


@dataclass(frozen=True)
class KeyHelp:
    keys: str
    what: str


class HelpScreen(seams.Dialog[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close"),
        Binding("space,pagedown,right", "page(1)", "Next page", show=False),
        Binding("backspace,pageup,left", "page(-1)", "Previous page", show=False),
    ]

    def __init__(
        self, title: str, bindings: Iterable[BindingType], extra: Iterable[KeyHelp] = ()
    ) -> None:
        """`extra`: keys no binding names (a letter that jumps), listed after them."""
        super().__init__()
        self.help_title = title
        self.bindings = [b for b in bindings if isinstance(b, Binding)]
        self.extra = list(extra)
        self.page = 0
        self.pages: list[Content] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(id="keys")
            yield Static(id="close")

    def on_mount(self) -> None:
        self._lay_out()

    def on_resize(self) -> None:
        self._lay_out()

    def entries(self) -> list[KeyHelp]:
        """Every key of the screen, then the palette's, which works everywhere."""
        shown = [
            KeyHelp(
                " ".join(
                    self.app.get_key_display(Binding(key, "")) for key in binding.key.split(",")
                ),
                binding.tooltip or binding.description,
            )
            for binding in self.bindings
            if binding.tooltip or binding.description  # not an inner one, such as enter in a field
        ]
        palette = Binding(self.app.COMMAND_PALETTE_BINDING, "")
        return [*shown, *self.extra, KeyHelp(self.app.get_key_display(palette), PALETTE_HELP)]

    def _lay_out(self) -> None:
        width, height = self.size
        if not width or not height:
            return
        self.pages = lay_out(self.entries(), width - FRAME_CELLS, height - FRAME_LINES)
        self.page = min(self.page, len(self.pages) - 1)
        self._show_page()

    def _show_page(self) -> None:
        dialog = self.query_one("#dialog")
        many = len(self.pages) > 1
        number = f" ({self.page + 1} of {len(self.pages)})" if many else ""
        dialog.border_title = Content(self.help_title + number)
        self.query_one("#keys", Static).update(self.pages[self.page])
        self.query_one("#close", Static).update(close_line(many, self.size.width - FRAME_CELLS))

    def action_page(self, step: int) -> None:
        page = max(0, min(len(self.pages) - 1, self.page + step))
        if page != self.page:
            self.page = page
            self._show_page()


def close_line(pages: bool, width: int) -> Content:
    """How to close the help (and turn its pages): in words that fit `width` cells, the
    shorter ones only where the longer do not."""
    forms: list[list[str | tuple[str, str]]] = [
        [("escape", "bold"), " or ", ("?", "bold"), " closes this"],
        [("escape", "bold"), " or ", ("?", "bold"), " closes"],
        [("escape", "bold"), " closes"],
    ]
    if pages:
        turns: list[list[str | tuple[str, str]]] = [
            ["   ", ("space", "bold"), " next page   ", ("backspace", "bold"), " back"],
            ["   ", ("space", "bold"), " next   ", ("backspace", "bold"), " back"],
            ["  ", ("space", "bold"), " next  ", ("backspace", "bold"), " back"],
        ]
        forms = [close + turn for close, turn in zip(forms, turns, strict=True)]
    lines = [Content.assemble(*form) for form in forms]
    return next((line for line in lines if line.cell_length <= width), lines[-1])


def lay_out(entries: list[KeyHelp], width: int, height: int) -> list[Content]:
    """The entries as pages of `height` lines at most: one column when they all fit in
    it, else two side by side (each entry's text wrapped to its column), else as many
    pages of two columns as it takes."""
    keys_width = min(KEYS_MAX_CELLS, max(cell_width(entry.keys) for entry in entries))
    one = [_entry_lines(entry, keys_width, width) for entry in entries]
    if sum(len(lines) for lines in one) <= height:
        return [_join([line for lines in one for line in lines])]
    column = max(keys_width + 8, (width - COLUMN_GAP) // 2)
    pending = [_entry_lines(entry, keys_width, column) for entry in entries]
    total = sum(len(lines) for lines in pending)
    # Two even columns when they fit on one page, else full ones page after page.
    fill = (total + 1) // 2 if total <= 2 * height else height
    columns: list[list[Content]] = []
    while pending:
        lines: list[Content] = []
        while pending and (not lines or len(lines) + len(pending[0]) <= fill):
            lines += pending.pop(0)
        columns.append(lines)
    pages = []
    for index in range(0, len(columns), 2):
        left = columns[index]
        right = columns[index + 1] if index + 1 < len(columns) else []
        rows = [
            Content.assemble(
                left[row] if row < len(left) else "",
                " " * (column - (left[row].cell_length if row < len(left) else 0) + COLUMN_GAP),
                right[row] if row < len(right) else "",
            )
            for row in range(max(len(left), len(right)))
        ]
        pages.append(_join(rows))
    return pages


def _entry_lines(entry: KeyHelp, keys_width: int, width: int) -> list[Content]:
    """One key's lines: its keys right-aligned, then what it does, wrapped beside them."""
    keys = clip_cells(entry.keys, keys_width)
    text_width = max(1, width - keys_width - 2)
    texts = wrap_cells(entry.what, text_width) or [""]
    indent = " " * (keys_width + 2)
    first = Content.assemble(
        (" " * (keys_width - cell_width(keys)) + keys, "bold $accent"), "  ", texts[0]
    )
    return [first, *(Content(indent + text) for text in texts[1:])]


def _join(lines: list[Content]) -> Content:
    return Content("\n").join(lines)
