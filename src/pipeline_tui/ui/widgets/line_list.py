"""A list of lines where only some can be chosen (the stand-up's, the week's cards):
headings and figures are disabled options the cursor steps over.

Unlike a plain OptionList the cursor does not wrap round, and moving past the last
card scrolls on (up past the first, back to the top), so the lines around the cards
can be read from the keyboard. The last (end, G) and first (home, g) cards show the
list's end and top with them, and page down past the last card scrolls a page: the
week's days with nothing due after its last card were out of reach at 80x24.
"""

from __future__ import annotations

from textual.widgets import OptionList


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
