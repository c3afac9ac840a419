"""Lines that wrap under their text, not at the left edge.

A stand-up or agenda line is a label column ("! 2d late", "today") and then the card;
wrapped by the list at a narrow terminal, the rest of a long next action went back to
the first column, under the labels, where it read as a line of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual


class Hanging(Visual):
    """`content` (lines split on "\\n"), each line's wrapped part indented `indent`
    cells, at whatever width it is drawn. `indent` may be one a line: a card's stage
    history hangs a move under the move and the move's note under the note."""

    def __init__(self, content: Content, indent: int | Sequence[int]) -> None:
        self.content = content
        # From the plain text: Content.split, for every line of a long stand-up, was
        # most of the time it took to open.
        plain_lines = content.plain.split("\n")
        self._height = len(plain_lines)
        indents = [indent] * self._height if isinstance(indent, int) else list(indent)
        self.indents = (indents + [0] * self._height)[: self._height]  # a line left out: 0
        self._widest = max(map(cell_len, plain_lines))
        self._wrapped: tuple[int, Content] | None = None

    def at(self, width: int) -> Content:
        """The content wrapped to `width`, ready to draw."""
        if self._widest <= width:  # most lines, most of the time: nothing to wrap
            return self.content
        if self._wrapped is not None and self._wrapped[0] == width:
            return self._wrapped[1]
        if width - max(self.indents) < 8:  # too narrow for an indent to help
            shown = self.content
        else:
            lines: list[Content] = []
            for n, line in enumerate(self.content.split("\n")):
                indent = self.indents[n]
                first, *rest = line.wrap(width) or [line]
                lines.append(first)
                if rest:
                    cut = len(first.plain)
                    while cut < len(line.plain) and line.plain[cut] == " ":
                        cut += 1
                    margin = Content(" " * indent)
                    lines += [margin + part for part in line[cut:].wrap(width - indent)]
            shown = Content("\n").join(lines)
        self._wrapped = (width, shown)
        return shown

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.at(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.content.get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        if self._widest <= width:
            return self._height
        return self.at(width).get_height(rules, width)
