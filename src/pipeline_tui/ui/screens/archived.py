"""The archive: archived cards with their reason and date; `r` or enter restores one.

A restored card goes back to the top of the stage it left, as a change that `u` on the
board can undo. Archived cards stay out of the board's counts and out of search.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pipeline_tui.domain.cards import ArchivedCard
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import StoreError
from pipeline_tui.ui import text
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.widgets.key_footer import KeyFooter
from pipeline_tui.ui.widgets.screen_header import ScreenHeader


class ArchivedScreen(Screen[int | None]):
    """Dismisses with the id of the last card restored (for the board to focus), or None."""

    CSS_PATH = "archived.tcss"
    BINDINGS = [
        Binding("r", "restore", "Restore", tooltip="Restore the card to its stage"),
        Binding("escape", "back", "Back", tooltip="Back to the board"),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.cards: list[ArchivedCard] = []
        self.restored: int | None = None

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        yield Static(Content.styled("Loading…", "italic"), id="archived-empty")
        yield OptionList(id="archived")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Archived cards"
        self.query_one(OptionList).focus()
        self.load()

    @work(exclusive=True, group="archived-load")
    async def load(self) -> None:
        try:
            cards = await self.backend.run(self.backend.service.archived)
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.show(cards)

    def show(self, cards: list[ArchivedCard]) -> None:
        self.cards = cards
        options = self.query_one(OptionList)
        index = options.highlighted or 0
        options.clear_options()
        options.add_options(Option(_row(card), id=str(card.id)) for card in cards)
        if cards:
            options.highlighted = min(index, len(cards) - 1)
        empty = self.query_one("#archived-empty", Static)
        empty.update(
            Content.styled("Nothing archived. a on the board archives a card.", "italic")
            if not cards
            else Content.assemble(
                (f"{len(cards)} archived", "bold"),
                ("   r or enter restores the card to the top of its stage", "$text-muted"),
            )
        )
        self.sub_title = f"Archived cards · {len(cards)}"

    @on(OptionList.OptionSelected, "#archived")
    @work(group="db")
    async def action_restore(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is None or not self.cards:
            return
        card = self.cards[index]
        try:
            change = await self.backend.change(self.backend.service.restore_card, card.id)
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
        else:
            if change is not None:
                self.restored = card.id
                message = f"{clean_line(change.description)}. u on the board undoes it."
                self.notify(message, timeout=3, markup=False)
        self.load()

    def action_back(self) -> None:
        self.dismiss(self.restored)


def _row(card: ArchivedCard) -> Content:
    reason = card.reason.label if card.reason else "Archived"
    when = card.archived_at.astimezone().strftime("%Y-%m-%d")
    parts: list[Content | str | tuple[str, str]] = [
        (f"{when}  ", "$text-muted"),
        text.line(card.name, "bold"),
    ]
    if card.organisation:
        parts += ["  ", text.line(card.organisation, "$text-muted")]
    parts += [(f"  {card.stage.label} · {reason}", "$text-muted")]
    if card.note:
        parts += [("  ", ""), text.line(card.note, "italic")]
    return Content.assemble(*parts)
