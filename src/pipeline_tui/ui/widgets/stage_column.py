"""A board column: the stage's name and count in the border, its cards inside."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive

from pipeline_tui.domain.cards import CardSummary
from pipeline_tui.domain.stages import Stage
from pipeline_tui.ui.styles import load_tcss
from pipeline_tui.ui.widgets.card_list import CARD_HEIGHT, CardList


class StageColumn(Vertical):
    DEFAULT_CSS = load_tcss(__file__)

    cards: reactive[tuple[CardSummary, ...]] = reactive((), always_update=True, init=False)
    total: reactive[int | None] = reactive(None, init=False)
    """How many cards the stage has when a filter shows only some of them."""

    def __init__(self, stage: Stage) -> None:
        super().__init__(id=f"column-{stage.value}")
        self.stage = stage
        self.card_list = CardList(stage, id=f"cards-{stage.value}")

    def compose(self) -> ComposeResult:
        yield self.card_list

    def on_mount(self) -> None:
        self._update_title()

    def watch_cards(self, cards: tuple[CardSummary, ...]) -> None:
        self.card_list.cards = cards
        self._update_title()

    def watch_total(self) -> None:
        self._update_title()

    def on_resize(self) -> None:
        self._update_title()

    def on_click(self, event: events.Click) -> None:
        # A click on the column's border or title works in that column.
        if event.widget is self:
            self.card_list.focus(scroll_visible=False)

    def on_card_list_highlighted(self, event: CardList.Highlighted) -> None:
        # Where the cursor is in a long column, in place of a scrollbar that would
        # take a whole character from every card on a narrow terminal.
        count = len(self.cards)
        fits = self.card_list.scrollable_content_region.height // CARD_HEIGHT
        show = count > fits and event.card is not None
        self.border_subtitle = f"{self.card_list.cursor + 1}/{count}" if show else ""

    def _update_title(self) -> None:
        # Stage labels are ours, never user text, so markup cannot sneak in here.
        count = str(len(self.cards)) if self.total is None else f"{len(self.cards)}/{self.total}"
        title = f"{self.stage.label} · {count}"
        if len(title) + 6 > self.size.width:
            title = f"{self.stage.short_label} · {count}"
        self.border_title = title
