"""A section of the card screen (details, qualification, touchpoints...): its heading,
then what it says, drawn by one widget."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widget import Widget

from pipeline_tui.ui.hanging import Hanging


class CardSection(Widget):
    """Hidden while it has nothing to say (no heading). The heading's look is the
    `card-section--heading` component (card.tcss), so it follows the focus."""

    DEFAULT_CSS = "CardSection { height: auto; }"
    COMPONENT_CLASSES = {"card-section--heading"}

    def __init__(self, id: str) -> None:
        super().__init__(id=id)
        self.heading = ""
        self.body = Content("")
        self.indent: int | list[int] = 0

    def show(self, heading: str, body: Content, indent: int | Sequence[int] = 0) -> None:
        """`indent`: the cells of the body's label column ("2026-12-03  " before a
        touchpoint), one for every line or one a line; what wraps goes under the words
        after it, not back to the left edge under the labels."""
        self.display = bool(heading)
        indent = indent if isinstance(indent, int) else list(indent)
        # Content's == compares the text only: a due date turned late keeps its words.
        if heading != self.heading or not body.is_same(self.body) or indent != self.indent:
            self.heading, self.body, self.indent = heading, body, indent
            self.refresh(layout=True)

    def render(self) -> Hanging:
        heading = Content(self.heading).stylize(self.get_visual_style("card-section--heading"))
        indent = self.indent if isinstance(self.indent, int) else [0, *self.indent]
        return Hanging(Content("\n").join([heading, self.body]), indent)
