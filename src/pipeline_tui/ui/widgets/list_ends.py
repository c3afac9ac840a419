"""A list whose cursor stops at its first and last lines, as the board's columns do."""

from __future__ import annotations

from textual.widgets import OptionList


class StopsAtTheEnds(OptionList):
    """Down on the last line (or up on the first) stays there. OptionList goes round to
    the other end: holding j to reach the last note started over at the first, without
    a sign."""

    def _enabled_at_end(self, last: bool) -> int | None:
        indexes = range(self.option_count)
        ordered = reversed(indexes) if last else iter(indexes)
        return next((n for n in ordered if not self.get_option_at_index(n).disabled), None)

    def action_cursor_down(self) -> None:
        if self.highlighted is not None and self.highlighted == self._enabled_at_end(last=True):
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.highlighted is not None and self.highlighted == self._enabled_at_end(last=False):
            return
        super().action_cursor_up()
