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

from pipeline_tui.ui import seams

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
    """The highlighted line is always on screen, or there is none: scrolled on past the
    cards (to read the figures under them, or the headings over them), the highlight
    goes once its card leaves the screen, so a key never acts on a card out of sight;
    j or k then take the first or last card on screen (or the nearest)."""

    def _step(self, direction: int) -> int | None:
        if self.highlighted is None:
            return self._nearest_on_screen(direction)
        index = self.highlighted + direction
        while 0 <= index < self.option_count:
            if not self.get_option_at_index(index).disabled:
                return index
            index += direction
        return None

    def _nearest_on_screen(self, direction: int) -> int | None:
        """With nothing highlighted: the first card from the top of the screen down
        (direction 1), or the last from its bottom up (-1)."""
        top = self.scroll_offset.y
        bottom = top + self.scrollable_content_region.height
        indexes = range(self.option_count)
        for index in indexes if direction > 0 else reversed(indexes):
            lines = seams.option_lines(self, index)
            if lines is None or self.get_option_at_index(index).disabled:
                continue
            first, height = lines
            if (first >= top) if direction > 0 else (first + height <= bottom):
                return index
        return None

    def _highlight_on_screen(self) -> bool:
        lines = seams.option_lines(self, self.highlighted) if self.highlighted is not None else None
        if lines is None:
            return False
        first, height = lines
        top = self.scroll_offset.y
        return first < top + self.scrollable_content_region.height and first + height > top

    def _scrolled_past(self) -> None:
        if not self._highlight_on_screen():
            self.highlighted = None

    def show_top(self) -> None:
        """Scroll to the list's first line; the highlight stays only if still in sight."""
        self.scroll_home(animate=False, immediate=True)
        self._scrolled_past()

    def action_cursor_down(self) -> None:
        index = self._step(1)
        if index is None:
            self.scroll_down(animate=False, immediate=True)
            self._scrolled_past()
        else:
            self.highlighted = index

    def action_cursor_up(self) -> None:
        index = self._step(-1)
        if index is None:
            self.show_top()  # the first heading comes back into view
        else:
            self.highlighted = index

    def action_last(self) -> None:
        super().action_last()
        self.scroll_end(animate=False, immediate=True)
        self.scroll_to_highlight()  # the end, as far as the card leaves in sight

    def action_first(self) -> None:
        super().action_first()
        self.scroll_home(animate=False, immediate=True)
        self.scroll_to_highlight()  # the top, as far as the card leaves in sight

    def action_page_down(self) -> None:
        before = self.highlighted
        super().action_page_down()  # type: ignore[no-untyped-call]
        if self.highlighted == before:
            page = self.scrollable_content_region.height
            self.scroll_to(y=self.scroll_offset.y + page, animate=False, immediate=True)
            self._scrolled_past()

    def action_page_up(self) -> None:
        before = self.highlighted
        super().action_page_up()  # type: ignore[no-untyped-call]
        if self.highlighted == before:
            page = self.scrollable_content_region.height
            self.scroll_to(y=self.scroll_offset.y - page, animate=False, immediate=True)
            self._scrolled_past()
