"""A line that stays one line: its middle gives way, not its ends.

A card's open activities are one line each under the card's glance ("Next  Call  Call
the CFO · due 2026-11-24 (tomorrow)"), so at 80x24 every one of them is in view; a long
step's words are cut short with "…", and its due day, which says what to do first, stays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

from pipeline_tui.ui.hanging import Hanging

FEWEST_WORDS = 4
"""Cells the middle keeps, "…" among them, before the end gives way instead."""


class OneLine(Visual):
    """`head`, `middle` and `tail` on one line at any width: the middle is cut short
    (ending in "…") to keep the head and the tail whole; where they leave the middle
    too few cells, `short_head` stands for the head; narrower still, the line is cut
    at its end."""

    def __init__(
        self, head: Content, middle: Content, tail: Content, short_head: Content | None = None
    ) -> None:
        self.head = head
        self.middle = middle
        self.tail = tail
        self.short_head = short_head
        self.whole = head + middle + tail
        self._shown: tuple[int, Content] | None = None

    def at(self, width: int) -> Content:
        """The line as drawn `width` cells wide."""
        if self.whole.cell_length <= width:
            return self.whole
        if self._shown is not None and self._shown[0] == width:
            return self._shown[1]
        heads = [self.head] if self.short_head is None else [self.head, self.short_head]
        for head in heads:
            room = width - head.cell_length - self.tail.cell_length
            if room >= FEWEST_WORDS:
                shown = head + self.middle.truncate(room, ellipsis=True) + self.tail
                break
        else:
            shown = self.whole.truncate(max(width, 0), ellipsis=True)
        self._shown = (width, shown)
        return shown

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.at(width).render_strips(width, 1, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.whole.cell_length

    def get_minimal_width(self, rules: RulesMap) -> int:
        return min(self.whole.cell_length, self.head.cell_length + FEWEST_WORDS)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 1


class WholeWhileTheyFit:
    """Whether a list's lines are shown whole (wrapped) at a width: while all of them
    wrapped fit in `lines()` lines; decided once for all of them, so they never mix."""

    def __init__(self, wrapped: Sequence[Hanging], lines: Callable[[], int]) -> None:
        self.wrapped = wrapped
        self.lines = lines
        self._decided: tuple[int, int, bool] | None = None

    def at(self, width: int) -> bool:
        lines = self.lines()
        if self._decided is not None and self._decided[:2] == (width, lines):
            return self._decided[2]
        whole = sum(line.get_height({}, width) for line in self.wrapped) <= lines
        self._decided = (width, lines, whole)
        return whole


class WholeOrOneLine(Visual):
    """A line of a list shown `whole` (wrapped) or as `cut` (one line), as `fit` says
    for the whole list at the width it is drawn."""

    def __init__(self, whole: Hanging, cut: OneLine, fit: WholeWhileTheyFit) -> None:
        self.whole = whole
        self.cut = cut
        self.fit = fit

    def _shown(self, width: int) -> Visual:
        return self.whole if self.fit.at(width) else self.cut

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self._shown(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.whole.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.cut.get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self._shown(width).get_height(rules, width)
