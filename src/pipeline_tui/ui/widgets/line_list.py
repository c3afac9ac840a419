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

from collections.abc import Iterable, Sequence
from typing import TypeVar

from textual.content import Content
from textual.scrollbar import ScrollDown, ScrollTo, ScrollUp
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
    cards (to read the figures under them, or the headings over them, with j, k, the
    page keys or the wheel), the highlight goes once its card's first line leaves the
    screen, so a key never acts on a card out of sight; j or k then take the first or
    last card on screen (or the nearest). A resize keeps the highlighted line in sight,
    and lines read again while nothing is highlighted keep the view where it was."""

    def set_lines(self, options: Iterable[Option]) -> bool:
        """The list's lines replaced; whether the caller is to place the cursor (not
        while the rep reads past the cards: the view stays, nothing highlighted)."""
        reading = self.highlighted is None and self.option_count > 0
        top = self.scroll_offset.y
        self.set_options(options)
        # set_options scrolls to the top: the view goes back where it was (the caller's
        # highlight then scrolls only if its line is out of sight).
        self.scroll_to(y=top, animate=False, immediate=True)
        return not reading

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        if highlighted is None and self.is_attached:
            # Textual says nothing of a highlight gone: the footer's keys that act on
            # the highlighted card (x, f, z, enter) are to show as unusable now.
            self.screen.refresh_bindings()

    def on_resize(self) -> None:
        # Lines wrap again at the new width, after this: then the card goes back in sight.
        self.call_after_refresh(self.scroll_to_highlight)

    def on_mouse_scroll_down(self) -> None:
        self.call_after_refresh(self._scrolled_past)  # once the wheel has scrolled

    def on_mouse_scroll_up(self) -> None:
        self.call_after_refresh(self._scrolled_past)

    # The scrollbar: a click on its track pages as the page keys do; its thumb dragged
    # scrolls at once (Textual's own handler animates), then lets go of a card gone.

    def on_scroll_up(self, message: ScrollUp) -> None:
        message.prevent_default()
        message.stop()
        self._page(-1)

    def on_scroll_down(self, message: ScrollDown) -> None:
        message.prevent_default()
        message.stop()
        self._page(1)

    def on_scroll_to(self, message: ScrollTo) -> None:
        message.prevent_default()
        message.stop()
        self.scroll_to(message.x, message.y, animate=False, immediate=True)
        self._scrolled_past()

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
        (direction 1), or the last from its bottom up (-1). From the line at that edge,
        not the list's ends: the stand-up can list 12,000 lines."""
        top = self.scroll_offset.y
        # The screen's bottom, or the list's last line if it ends above it.
        bottom = min(top + self.scrollable_content_region.height, self.virtual_size.height)
        index = seams.option_at_line(self, top if direction > 0 else bottom - 1)
        if index is None:
            return None
        while 0 <= index < self.option_count:
            lines = seams.option_lines(self, index)
            if lines is not None and not self.get_option_at_index(index).disabled:
                first, _ = lines
                if (first >= top) if direction > 0 else (first < bottom):
                    return index
            index += direction
        return None

    def _highlight_on_screen(self) -> bool:
        """Whether the highlighted card's first line (its name) is on screen."""
        lines = seams.option_lines(self, self.highlighted) if self.highlighted is not None else None
        if lines is None:
            return False
        first, _ = lines
        top = self.scroll_offset.y
        return top <= first < top + self.scrollable_content_region.height

    def _scrolled_past(self) -> None:
        if self.highlighted is not None and not self._highlight_on_screen():
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
        self._page(1)

    def action_page_up(self) -> None:
        self._page(-1)

    def _page(self, direction: int) -> None:
        """A page on (or back), the cursor on the first card of the new page, or, at the
        list's end (or top), on the furthest card in sight, if that is on from (or back
        before) the one it was on; none, the highlight stays while in sight. Textual's
        own paging went to the list's far end from no highlight."""
        page = self.scrollable_content_region.height
        before = self.scroll_offset.y
        self.scroll_to(y=before + direction * page, animate=False, immediate=True)
        top = self.scroll_offset.y
        current = self.highlighted
        # A whole page on: its first card; stopped by the list's end (or top): the
        # furthest card in sight, as far as a page goes.
        whole = abs(top - before) >= page
        found = self._nearest_on_screen(1 if whole else -direction)
        lines = seams.option_lines(self, found) if found is not None else None
        in_sight = lines is not None and top <= lines[0] < top + page
        moves_on = current is None or (found is not None and (found - current) * direction > 0)
        if found is not None and in_sight and moves_on:
            self.highlighted = found
        else:
            self._scrolled_past()
