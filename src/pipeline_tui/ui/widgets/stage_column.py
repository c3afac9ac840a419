"""A board column: the stage's name and count in the border, its cards inside."""

from __future__ import annotations

from array import array
from typing import Self

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Region
from textual.reactive import reactive

from pipeline_tui.domain.stages import Stage
from pipeline_tui.ui.styles import load_tcss
from pipeline_tui.ui.widgets.card_list import CARD_HEIGHT, CardList, SummaryCache


class StageColumn(Vertical):
    DEFAULT_CSS = load_tcss(__file__)

    ids: reactive[array[int]] = reactive(lambda: array("q"), always_update=True, init=False)
    """The ids of the cards the column shows, top first."""
    total: reactive[int | None] = reactive(None, init=False)
    """How many cards the stage has when a filter shows only some of them."""
    stage_size: reactive[int | None] = reactive(None, init=False)
    """How many cards the stage has while only the top ones are loaded (start-up)."""

    def __init__(self, stage: Stage, cache: SummaryCache | None = None) -> None:
        super().__init__(id=f"column-{stage.value}")
        self.stage = stage
        self.card_list = CardList(stage, cache, id=f"cards-{stage.value}")
        self._bottom_border_only = False

    def compose(self) -> ComposeResult:
        yield self.card_list

    def on_mount(self) -> None:
        self._update_title()

    # The focused column is marked with a class rather than `:focus-within`: Textual
    # restyles every descendant of a `:focus-within` node on each focus change, and the
    # card list's restyle was most of the cost of an h/l keystroke. Nothing inside the
    # column is styled by the column's classes (see stage_column.tcss), so restyling
    # the column alone is enough.

    def on_descendant_focus(self) -> None:
        self.add_class("-focused")

    def on_descendant_blur(self) -> None:
        self.remove_class("-focused")

    def update_node_styles(self, animate: bool = True) -> None:
        self.app.stylesheet.update_nodes([self], animate=animate)

    def watch_ids(self, ids: array[int]) -> None:
        self.card_list.ids = ids
        self._update_title()

    def watch_total(self) -> None:
        self._update_title()

    def watch_stage_size(self) -> None:
        self._update_title()

    @property
    def size_shown(self) -> int:
        """The count the title gives: every card of the stage the board shows."""
        return len(self.ids) if self.stage_size is None else self.stage_size

    def on_resize(self) -> None:
        self._update_title()

    def on_click(self, event: events.Click) -> None:
        # A click on the column's border or title works in that column.
        if event.widget is self:
            self.card_list.focus(scroll_visible=False)

    def on_card_list_highlighted(self, event: CardList.Highlighted) -> None:
        # Where the cursor is in a long column, in place of a scrollbar that would
        # take a whole character from every card on a narrow terminal.
        count = self.size_shown
        fits = self.card_list.scrollable_content_region.height // CARD_HEIGHT
        # The card itself may not be read yet; its place in the column is known.
        show = count > fits and bool(self.card_list.ids)
        position = f"{self.card_list.cursor + 1}/{count}" if show else ""
        if position != self.border_subtitle:
            # It changes with every j/k: repaint the bottom border, not the column.
            self._bottom_border_only = True
            try:
                self.border_subtitle = position
            finally:
                self._bottom_border_only = False

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if self._bottom_border_only and not regions:
            gutter = self.styles.gutter
            width, height = self.outer_size
            regions = (Region(-gutter.left, height - 1 - gutter.top, width, 1),)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _update_title(self) -> None:
        # Stage labels are ours, never user text, so markup cannot sneak in here.
        shown = self.size_shown
        count = str(shown) if self.total is None else f"{shown}/{self.total}"
        label, short = self.stage.label, self.stage.short_label
        # The border keeps two cells each side of the title; the count matters most.
        for title in (f"{label} · {count}", f"{short} · {count}", f"{short}·{count}", count):
            if len(title) <= self.size.width - 4:
                break
        self.border_title = title
