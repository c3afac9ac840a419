"""A board column: the stage's name and count in the border, its cards inside."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Region
from textual.reactive import reactive
from textual.widget import Widget

from pipeline_tui.domain.board import SummaryCache
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import cell_width
from pipeline_tui.ui import seams
from pipeline_tui.ui.styles import load_tcss
from pipeline_tui.ui.widgets.card_list import CARD_HEIGHT, CardList

FOCUS_MARK = "▸ "


class StageColumn(Vertical):
    DEFAULT_CSS = load_tcss(__file__)
    COMPONENT_CLASSES = {"stage-column--focused-title"}

    # None of these repaints the column itself: the card list draws the cards, and a
    # new count repaints just the title's border line (see _update_title).
    ids: reactive[array[int]] = reactive(
        lambda: array("q"), always_update=True, init=False, repaint=False
    )
    """The ids of the cards the column shows, top first."""
    total: reactive[int | None] = reactive(None, init=False, repaint=False)
    """How many cards the stage has when a filter shows only some of them."""
    stage_size: reactive[int | None] = reactive(None, init=False, repaint=False)
    """How many cards the stage has while only the top ones are loaded (start-up)."""
    value: reactive[str] = reactive("", init=False, repaint=False)
    """The stage's total value as the title shows it ("€12.5k"); empty: none."""

    def __init__(self, stage: Stage, cache: SummaryCache | None = None) -> None:
        super().__init__(id=f"column-{stage.value}")
        self.stage = stage
        self.card_list = CardList(stage, cache, id=f"cards-{stage.value}")
        self._focused = False
        self._title: str | None = None
        self._repaint_only: str | None = None
        """While set, a whole-column refresh repaints just the "top" or "bottom" line."""
        self._counted = False
        """Whether the board has given the column its cards: until then the title
        gives no count, as "Lead · 0" over a board being read is not true."""

    def compose(self) -> ComposeResult:
        yield self.card_list

    def on_mount(self) -> None:
        self._update_title()
        # Watched as they change, not when the list's Highlighted message or the focus
        # events reach the column: those arrive after the screen has drawn the cards,
        # so every j/k and h/l drew a second frame, a tick later, for the border line.
        self.watch(self.card_list, "cursor", self._show_position, init=False)
        self.watch(self.screen, "focused", self._show_focus, init=False)

    # The focused column is marked in its title, not with a class or `:focus-within`.
    # Any style change makes Textual restyle and re-render the whole column (and, for
    # `:focus-within`, everything inside it); at 10,000 cards that was most of the cost
    # of an h/l keystroke. A new title repaints one border line.

    def _show_focus(self, focused: Widget | None) -> None:
        self._focused = focused is self.card_list
        self._update_title()

    def watch_ids(self, ids: array[int]) -> None:
        self._counted = True
        self.card_list.ids = ids
        self._show_more_below()
        self._update_title()
        # A new count with the cursor on the same card sends no Highlighted message:
        # a cleared filter left "1/5" under a column of eight.
        self._show_position()

    def watch_total(self) -> None:
        self._update_title()

    def watch_stage_size(self) -> None:
        self._show_more_below()
        self._update_title()

    def _show_more_below(self) -> None:
        self.card_list.more_below = self.stage_size is not None and self.stage_size > len(self.ids)

    def watch_value(self) -> None:
        self._update_title()

    @property
    def size_shown(self) -> int | None:
        """The count the title gives: every card of the stage the board shows; None
        before the board has been read."""
        if not self._counted:
            return None
        return len(self.ids) if self.stage_size is None else self.stage_size

    def on_resize(self) -> None:
        self._update_title()
        self._show_position()  # the cards read before the first layout

    def on_click(self, event: events.Click) -> None:
        # A click on the column's border or title works in that column.
        if event.widget is self:
            self.card_list.focus(scroll_visible=False)

    def on_card_list_highlighted(self) -> None:
        # The cursor's place with a count that has changed (cards read, a filter).
        self._show_position()

    def _show_position(self) -> None:
        # Where the cursor is in a long column, in place of a scrollbar that would
        # take a whole character from every card on a narrow terminal.
        if not self.card_list.size.height:
            return  # not laid out yet: how many cards fit is not known
        count = self.size_shown
        if count is None:
            return
        fits = self.card_list.scrollable_content_region.height // CARD_HEIGHT
        # The card itself may not be read yet; its place in the column is known.
        show = count > fits and bool(self.card_list.ids)
        position = f"{self.card_list.cursor + 1}/{count}" if show else ""
        if position != self.border_subtitle:
            # It changes with every j/k: repaint the bottom border, not the column.
            with self._repainting_only("bottom"):
                self.border_subtitle = position

    @contextmanager
    def _repainting_only(self, part: str) -> Iterator[None]:
        self._repaint_only = part
        try:
            yield
        finally:
            self._repaint_only = None

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if self._repaint_only and seams.refresh_is_whole_widget(regions, layout):
            # Dirty regions are relative to the content area, inside the border.
            gutter = self.styles.gutter
            width, height = self.outer_size
            line = height - 1 if self._repaint_only == "bottom" else 0
            regions = (Region(-gutter.left, line - gutter.top, width, 1),)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _update_title(self) -> None:
        # Stage labels are ours, never user text, so markup cannot sneak in here.
        title = column_title(
            self.stage, self.size_shown, self.total, self._focused, self.size.width - 4, self.value
        )
        if title == self._title:
            return
        self._title = title
        content = Content(title)
        if self._focused:
            content = content.stylize(self.get_visual_style("stage-column--focused-title"))
        with self._repainting_only("top"):
            self.border_title = content


ABBREVIATIONS = {
    Stage.LEAD: "Lead",
    Stage.PROSPECT: "Pros",
    Stage.CLIENT: "Clnt",
    Stage.REPEAT: "Rep",
}
"""The stage's name where its short label does not fit (a 60-column terminal)."""


def column_title(
    stage: Stage,
    shown: int | None,
    total: int | None,
    focused: bool,
    room: int,
    value: str = "",
) -> str:
    """A column's title in `room` cells: its stage always (abbreviated when it must be),
    then the count of cards shown, then the stage's whole count ("12/4000" under a
    filter), then the stage's total value ("€12.5k"), the first to go when room is
    short; a focused column's mark, as a symbol as well as the colour, for monochrome
    terminals and NO_COLOR. `shown` None: not counted yet, the stage's name alone."""
    if shown is None:
        counts = []
    elif total is None:
        counts = [str(shown)]
    else:
        counts = [f"{shown}/{total}", str(shown)]
    names = (stage.label, stage.short_label, ABBREVIATIONS[stage])
    marks = (FOCUS_MARK, FOCUS_MARK.strip()) if focused else ("",)
    # Spaced out while a whole name fits; an abbreviation is always tight.
    named = [(name, " · ") for name in names[:2]] + [(name, "·") for name in names]
    # The value, while the stage's whole (or short) name still fits beside it.
    valued = [
        name + separator + count + separator + value
        for count in counts[:1]
        for name, separator in named[:4]
        if value
    ]
    texts = valued + [name + separator + count for count in counts for name, separator in named]
    if not counts:
        texts += names[:2]
    texts += [ABBREVIATIONS[stage], ABBREVIATIONS[stage][0]]
    # The border keeps two cells each side of the title.
    fitting = (mark + text for text in texts for mark in marks if cell_width(mark + text) <= room)
    return next(fitting, marks[-1] + ABBREVIATIONS[stage][0])
