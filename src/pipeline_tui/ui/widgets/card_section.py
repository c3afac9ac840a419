"""A section of the card screen (details, qualification, touchpoints...): its heading,
then what it says, drawn by one widget."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding
from textual.content import Content
from textual.geometry import Region
from textual.widget import Widget

from pipeline_tui.domain.cards import TouchpointView
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
        return self._drawn(self.body)

    def _drawn(self, body: Content) -> Hanging:
        """The heading, then `body`, each line's wrapped part under its label column."""
        heading = Content(self.heading).stylize(self.get_visual_style("card-section--heading"))
        indent = self.indent if isinstance(self.indent, int) else [0, *self.indent]
        return Hanging(Content("\n").join([heading, body]), indent)


class TouchpointSection(CardSection, can_focus=True):
    """The card's touchpoints, with a cursor while it has the focus (`3` gives it): `j`
    and `k` move it, and the card screen's `d` deletes the touchpoint under it (one
    logged on the wrong card, or for a call that never happened, stayed for good once
    the session that logged it had ended). Unfocused it reads as the other sections."""

    COMPONENT_CLASSES = {"card-section--heading", "touchpoint-section--cursor"}
    BINDINGS = [
        Binding("j,down", "cursor(1)", "Down", show=False),
        Binding("k,up", "cursor(-1)", "Up", show=False),
    ]

    def __init__(self, id: str) -> None:
        super().__init__(id=id)
        self.card_id: int | None = None
        self.touchpoints: tuple[TouchpointView, ...] = ()
        self.rows: list[Content] = []
        self.cursor = 0

    def show_touchpoints(
        self,
        card_id: int,
        heading: str,
        touchpoints: tuple[TouchpointView, ...],
        rows: list[Content],
        empty: Content,
        indent: int,
    ) -> None:
        """Card `card_id`'s touchpoints. `rows`: one a touchpoint, as shown; `empty`: what
        the section says with none."""
        ids = [t.id for t in touchpoints]
        moved = ids != [t.id for t in self.touchpoints]
        if card_id != self.card_id:
            # Another card (the screen is built once and shows each card opened): its
            # newest first. Left where it was on the card before, `3d` deleted a
            # touchpoint the rep had never seen highlighted on this one.
            self.card_id, self.cursor = card_id, 0
        elif moved:
            # On the same touchpoint when one is added above it; the one under the cursor
            # deleted (here or elsewhere), on the one that took its place: the cursor
            # jumping to the top made the next d delete the newest, unseen.
            kept = self.highlighted
            if kept is not None and kept.id in ids:
                self.cursor = ids.index(kept.id)
        self.touchpoints, self.rows = touchpoints, rows
        self.cursor = min(self.cursor, max(0, len(rows) - 1))
        self.show(heading, Content("\n").join(rows) if rows else empty, indent)
        self.refresh()
        if moved and self.has_focus:
            self.call_after_refresh(self._cursor_into_view)

    @property
    def highlighted(self) -> TouchpointView | None:
        """The touchpoint under the cursor (None when there is none)."""
        return self.touchpoints[self.cursor] if self.touchpoints else None

    def action_cursor(self, step: int) -> None:
        moved = max(0, min(len(self.rows) - 1, self.cursor + step))
        if moved != self.cursor:
            self.cursor = moved
            self.refresh()
            self._cursor_into_view()

    def _cursor_into_view(self) -> None:
        """The pane scrolls to the cursor's lines (a long summary wraps)."""
        container = self.parent
        if not isinstance(container, Widget) or not self.rows:
            return
        width = max(1, self.content_region.width)
        indent = self.indent if isinstance(self.indent, int) else 0

        def height(rows: list[Content]) -> int:
            if not rows:
                return 0
            return len(Hanging(Content("\n").join(rows), indent).at(width).plain.split("\n"))

        top = 1 + height(self.rows[: self.cursor])  # under the heading
        lines = height([self.rows[self.cursor]])
        region = Region(0, self.virtual_region.y + top, width, lines)
        container.scroll_to_region(region, animate=False, immediate=True)

    def on_focus(self) -> None:
        self.refresh()
        self.call_after_refresh(self._cursor_into_view)

    def keep_cursor_in_view(self) -> None:
        """The terminal was resized: the pane may have scrolled the cursor out of sight,
        and `d` then deleted a touchpoint the rep could not see."""
        if self.has_focus:
            self.call_after_refresh(self._cursor_into_view)

    def on_blur(self) -> None:
        self.refresh()

    def render(self) -> Hanging:
        if not (self.has_focus and self.rows):
            return super().render()
        rows = list(self.rows)
        cursor = self.get_visual_style("touchpoint-section--cursor")
        rows[self.cursor] = rows[self.cursor].stylize(cursor)
        return self._drawn(Content("\n").join(rows))
