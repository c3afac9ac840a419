"""A section of the card screen (details, qualification, touchpoints...): its heading,
then what it says, drawn by one widget."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget


class CardSection(Widget):
    """Hidden while it has nothing to say (no heading). The heading's look is the
    `card-section--heading` component (card.tcss), so it follows the focus."""

    DEFAULT_CSS = "CardSection { height: auto; }"
    COMPONENT_CLASSES = {"card-section--heading"}

    def __init__(self, id: str) -> None:
        super().__init__(id=id)
        self.heading = ""
        self.body = Content("")

    def show(self, heading: str, body: Content) -> None:
        self.display = bool(heading)
        # Content's == compares the text only: a due date turned late keeps its words.
        if heading != self.heading or not body.is_same(self.body):
            self.heading, self.body = heading, body
            self.refresh(layout=True)

    def render(self) -> Content:
        heading = Content(self.heading).stylize(self.get_visual_style("card-section--heading"))
        return Content("\n").join([heading, self.body])
