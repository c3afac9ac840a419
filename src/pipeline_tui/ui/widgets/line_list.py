"""A list of lines where only some can be chosen (the stand-up's, the week's cards):
headings and figures are disabled options the cursor steps over.

Unlike a plain OptionList the cursor does not wrap round, and moving past the last
card scrolls on (up past the first, back to the top), so the lines around the cards
can be read from the keyboard. The last (end, G) and first (home, g) cards show the
list's end and top with them, and page down past the last card scrolls a page: the
week's days with nothing due after its last card were out of reach at 80x24.

A long section lists its first SECTION_LINES cards, then a "more" line saying how many
more there are; enter on it lists them all (`Sections`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

SECTION_LINES = 100
"""Cards a section lists before its "more" line. The rep reads the top of each; at
10,000 cards the stand-up's sections held 11,700 lines, and building them all was 250
ms of the 650-700 before the stand-up showed."""
MORE = "more-"
"""The id of a section's "more" line is this and the section's name."""

T = TypeVar("T")


class Sections:
    """The sections of a list the rep opened (enter on their "more" line), for as long as
    its screen is open; what each of a list's sections shows."""

    def __init__(self) -> None:
        self.opened: set[str] = set()

    def first(self, section: str, items: Sequence[T]) -> Sequence[T]:
        """The items `section` lists: the first SECTION_LINES, or all once opened."""
        return items if section in self.opened else items[:SECTION_LINES]

    def more(self, section: str, items: Sequence[object], indent: int) -> list[Option]:
        """The line after the items `first` leaves out, if it leaves any out."""
        hidden = len(items) - SECTION_LINES
        if hidden <= 0 or section in self.opened:
            return []
        note = f"{'':<{indent}}… {hidden:,} more: enter lists them"
        return [Option(Content.styled(note, "italic $text-muted"), id=MORE + section)]

    @staticmethod
    def more_line(option: Option | None) -> str | None:
        """The section whose "more" line `option` is (None: not one)."""
        if option is None or option.id is None or not option.id.startswith(MORE):
            return None
        return option.id.removeprefix(MORE)


class LineList(OptionList):
    def _step(self, direction: int) -> int | None:
        start = self.highlighted if self.highlighted is not None else -1
        index = start + direction
        while 0 <= index < self.option_count:
            if not self.get_option_at_index(index).disabled:
                return index
            index += direction
        return None

    def action_cursor_down(self) -> None:
        index = self._step(1)
        if index is None:
            self.scroll_down(animate=False)
        else:
            self.highlighted = index

    def action_cursor_up(self) -> None:
        index = self._step(-1)
        if index is None:
            self.scroll_home(animate=False)  # the first heading comes back into view
        else:
            self.highlighted = index

    def action_last(self) -> None:
        super().action_last()
        self.scroll_end(animate=False, immediate=True)

    def action_first(self) -> None:
        super().action_first()
        self.scroll_home(animate=False, immediate=True)

    def action_page_down(self) -> None:
        before = self.highlighted
        super().action_page_down()  # type: ignore[no-untyped-call]
        if self.highlighted == before:
            self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        before = self.highlighted
        super().action_page_up()  # type: ignore[no-untyped-call]
        if self.highlighted == before:
            self.scroll_page_up(animate=False)
