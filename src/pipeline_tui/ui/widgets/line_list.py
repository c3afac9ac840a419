"""A list of lines where only some can be chosen (the stand-up's, the week's cards):
headings and figures are disabled options the cursor steps over.

Unlike a plain OptionList the cursor does not wrap round, and moving past the last
card scrolls on (up past the first, back to the top), so the lines around the cards
can be read from the keyboard.
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
