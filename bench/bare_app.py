"""The floor: a bare Textual app doing what the board does, run as `python -m bench.bare_app`.

Two lists side by side (j/k move the highlight, h/l move focus between the lists), a
field `/` opens and escape closes, and enter pushing a second screen that escape pops.
No header or footer, no borders or scrollbars (a focus change repaints only the
highlighted lines, as the board's columns do), no data: what Textual 8 itself costs
for the same keys in the same terminal.

`python -m bench.bare_app --store PATH` is the floor of the stack instead: the same app,
which also opens the SQLite file PATH through SQLAlchemy's ORM in a thread as it starts
(as the board opens its store), and whose second screen shows a card's name read
through it. No app on Textual and SQLAlchemy shows a card's details sooner, or in less
memory: the launch and memory budgets are judged against `bare` (Textual alone), and
this row says how much of what is left above it is the stack's.
"""

from __future__ import annotations

import asyncio
import sys
import threading

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static

ITEMS = 200
ITEM_PATTERN = r"Item \d{4}"
"""What a list item looks like on screen (the bench waits for one at launch)."""
DETAILS_TEXT = "Details of item"
"""What the second screen shows (the bench waits for it after enter)."""


class Items(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def on_mount(self) -> None:
        self.highlighted = 0  # as the board highlights its first card


class Details(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, item: str) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        yield Static(f"{DETAILS_TEXT} {self.item}")


class BareApp(App[None]):
    AUTO_FOCUS = "Items"
    CSS = """
    #filter { display: none; }
    #filter.-open { display: block; }
    Items { width: 1fr; height: 1fr; border: none; scrollbar-size-vertical: 0; }
    Items:focus { border: none; }
    """
    BINDINGS = [
        Binding("h", "app.focus_previous", "Left", show=False),
        Binding("l", "app.focus_next", "Right", show=False),
        Binding("slash", "open_filter", "Filter"),
        Binding("escape", "close_filter", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter", id="filter")
        with Horizontal():
            for side in "AB":
                yield Items(*(f"Item {n:04d} {side}" for n in range(1, ITEMS + 1)))

    def __init__(self, store: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.first_card: str | None = None
        self._opened = threading.Event()

    def on_mount(self) -> None:
        if self.store is not None:
            threading.Thread(target=self._open_store, daemon=True).start()

    def _open_store(self) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.orm import Session

        with Session(create_engine(f"sqlite:///{self.store}")) as session:
            self.first_card = session.execute(text("SELECT name FROM card LIMIT 1")).scalar()
        self._opened.set()

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        item = str(event.option.prompt)
        if self.store is not None:
            await asyncio.to_thread(self._opened.wait)
            item = f"{item} ({self.first_card})"
        self.push_screen(Details(item))

    def action_open_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.add_class("-open")
        field.focus()

    def action_close_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.value = ""
        field.remove_class("-open")
        self.query(Items).first().focus()


if __name__ == "__main__":
    BareApp(sys.argv[2] if sys.argv[1:2] == ["--store"] else None).run()
