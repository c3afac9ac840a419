"""Keys and what each does, on as many lines as the width needs."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget


class Answers(Widget):
    """The keys and what each answers ("d discard   escape never mind"), wrapped
    between answers, never inside one: at 80 columns "escape never" was left on one
    line and "mind" on the next, and at 60 the call queue's "m Meeting" on one line
    and "set" on the next. `lead` (a word such as "Outcome") goes first."""

    # A line is never wrapped again (an answer wider than a tiny terminal is cut), so
    # each line is one row, as get_content_height counts them.
    DEFAULT_CSS = """
    Answers {
        height: auto;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(
        self,
        answers: Sequence[tuple[str, str]],
        *,
        lead: Content | None = None,
        gap: str = "   ",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.gap = gap
        self.answers = [
            Content.assemble((key, "bold $accent"), f" {label}") for key, label in answers
        ]
        if lead is not None:
            self.answers.insert(0, lead)

    def _lines(self, width: int) -> list[Content]:
        lines: list[Content] = []
        for answer in self.answers:
            if lines and lines[-1].cell_length + len(self.gap) + answer.cell_length <= width:
                lines[-1] = Content.assemble(lines[-1], self.gap, answer)
            else:
                lines.append(answer)
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Content:
        return Content("\n").join(self._lines(self.content_region.width))
