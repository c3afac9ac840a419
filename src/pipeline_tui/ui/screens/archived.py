"""The archive: archived cards with their reason and date. Enter opens one, read-only
(ui/screens/archived_card.py); `r`, here or there, restores it.

A restored card goes back to the top of the stage it left, as a change that `u` on the
board can undo. Archived cards stay out of the board's counts and out of search.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pipeline_tui.domain.cards import ArchivedCard
from pipeline_tui.domain.text import cell_width, clean_line, clip_cells
from pipeline_tui.store import StoreError
from pipeline_tui.ui import seams, text
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.key_order import hold_keys
from pipeline_tui.ui.screens.help import HelpScreen, KeyHelp
from pipeline_tui.ui.screens.other_changes import OtherChanges
from pipeline_tui.ui.widgets.choice_list import UNMARKED, ChoiceList
from pipeline_tui.ui.widgets.key_footer import KeyFooter
from pipeline_tui.ui.widgets.screen_header import ScreenHeader


class ArchivedList(ChoiceList):
    """The archived cards: ChoiceList's j and k, with ids that [keys] can rebind; the
    letters left free jump by the card's name."""

    BINDINGS = [
        Binding(
            "down,j", "cursor_down", "Down", show=False, tooltip="Next card", id="archived.down"
        ),
        Binding("up,k", "cursor_up", "Up", show=False, tooltip="Previous card", id="archived.up"),
    ]


JUMP_HELP = KeyHelp("a letter", "The next card whose name starts with it")


class ArchivedScreen(seams.FullScreen[int | None]):
    """Dismisses with the id of the last card restored (for the board to focus), or None."""

    CSS_PATH = "archived.tcss"
    POLL_SECONDS = 3.0
    """How often it looks for changes made elsewhere (another rep, the shell)."""
    BINDINGS = [
        # Ahead of the list's own enter (select), so the footer shows it; the list's
        # select opens the card too, for a rep who rebinds this key.
        Binding(
            "enter",
            "open_card",
            "Open",
            tooltip="Open the card, read-only",
            id="archived.open",
            priority=True,
        ),
        Binding(
            "r",
            "restore",
            "Restore",
            tooltip="Restore the card to the top of its stage",
            id="archived.restore",
        ),
        Binding("escape", "back", "Back", tooltip="Back to the board", id="archived.back"),
        Binding("question_mark", "help", "Keys", tooltip="Show these keys", id="archived.help"),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.cards: list[ArchivedCard] = []
        self.names: dict[str, str] = {}
        self.restored: int | None = None
        self.rows_width = 0
        """The width the rows were cut to."""
        self.other_changes = OtherChanges(self, backend, self.load)

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        yield Static(Content.styled("Loading…", "italic"), id="archived-empty")
        # A letter jumps by the card's name (each row starts with the day it was archived).
        yield ArchivedList(id="archived", jump_text=self._name_of)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Archived cards"
        self.query_one(OptionList).focus()
        # "A" then enter or r typed at once: the keys wait for the cards they act on.
        self.load(release_keys=hold_keys(self))
        self.other_changes.start(self.POLL_SECONDS)

    @work(exclusive=True, group="archived-load")
    async def load(self, release_keys: Callable[[], None] | None = None) -> None:
        try:
            await self.other_changes.reading()
            cards = await self.backend.run(self.backend.service.archived)
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        else:
            self.show(cards)
        finally:
            if release_keys is not None:
                release_keys()

    def show(self, cards: list[ArchivedCard]) -> None:
        before = [card.id for card in self.cards]
        self.cards = cards
        self.names = {str(card.id): card.name for card in cards}
        options = self.query_one(OptionList)
        index = _keep_place(before, options.highlighted or 0, [card.id for card in cards])
        options.clear_options()
        width = self.rows_width = self._row_width()
        options.add_options(Option(_row(card, width), id=str(card.id)) for card in cards)
        if cards:
            options.highlighted = index
        empty = self.query_one("#archived-empty", Static)
        empty.update(
            Content.styled("Nothing archived. a on the board archives a card.", "italic")
            if not cards
            else Content.assemble(
                (f"{len(cards)} archived", "bold"),
                ("   enter opens a card, r restores it to the top of its stage", "$text-muted"),
            )
        )
        self.sub_title = f"Archived cards · {len(cards)}"

    def _row_width(self) -> int:
        """The cells a row has: the list's width less the choice mark before each row."""
        options = self.query_one(OptionList)
        width = options.scrollable_content_region.width or self.app.size.width - 2
        return width - cell_width(UNMARKED)

    def on_resize(self) -> None:
        # The rows are cut to the list's width: cut them again once it has its new one.
        self.call_after_refresh(self._fit_rows)

    def _fit_rows(self) -> None:
        options = self.query_one(OptionList)
        width = self._row_width()
        if width == self.rows_width:
            return
        self.rows_width = width
        for index, card in enumerate(self.cards):
            if index < options.option_count:
                options.replace_option_prompt_at_index(index, _row(card, width))

    def _name_of(self, option: Option) -> str:
        return self.names.get(option.id or "", "")

    def _highlighted(self) -> ArchivedCard | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not self.cards:
            return None
        return self.cards[index]

    @on(OptionList.OptionSelected, "#archived")
    def action_open_card(self) -> None:
        from pipeline_tui.ui.screens.archived_card import ArchivedCardScreen

        card = self._highlighted()
        if card is None:
            return

        def back(restore: bool | None) -> None:
            if restore:
                self.restore(card, hold_keys(self))

        self.app.push_screen(ArchivedCardScreen(self.backend, card), back)

    def action_restore(self) -> None:
        card = self._highlighted()
        if card is not None:
            # Keys typed with the r (r, down, r) act on the list as it is once the card
            # has gone from it, not on the rows it showed before.
            self.restore(card, hold_keys(self))

    @work(group="db")
    async def restore(self, card: ArchivedCard, release_keys: Callable[[], None]) -> None:
        """Restore `card`, then read the list again; `release_keys` once it shows."""
        try:
            change = await self.backend.change(self.backend.service.restore_card, card.id)
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
        except BaseException:  # cancelled with the screen: nothing will read the list
            release_keys()
            raise
        else:
            if change is not None:
                self.restored = card.id
                message = f"{clean_line(change.description)}. u on the board undoes it."
                self.notify(message, timeout=3, markup=False)
        self.load(release_keys=release_keys)

    def action_back(self) -> None:
        self.dismiss(self.restored)

    def action_help(self) -> None:
        bindings = [*ArchivedList.BINDINGS, *self.BINDINGS]
        self.app.push_screen(HelpScreen("Archive keys", bindings, extra=[JUMP_HELP]))


def _keep_place(before: list[int], index: int, after: list[int]) -> int:
    """Where the cursor goes in the list `after`, once it was at `index` in `before`:
    on the same card if it is still listed, else (restored, say) on the card that took
    its place, the next one below it still listed, or failing that the one above."""
    if not after:
        return 0
    if 0 <= index < len(before):
        rows = {card: row for row, card in enumerate(after)}
        for card in [*before[index:], *reversed(before[:index])]:
            if card in rows:
                return rows[card]
    return min(index, len(after) - 1)


NAME_MIN_CELLS = 10
"""The least of a long name a row keeps, however little room there is."""
ORG_MIN_CELLS = 4
NOTE_WANTED_CELLS = 14
NOTE_MIN_CELLS = 5


def _row(card: ArchivedCard, width: int) -> Content:
    """One line: the day, the name, the organisation, the stage and reason, then the note.
    The stage and reason always show; the name comes next, whole while the row has room
    for it and the note's first word or so (archived names are often told apart by their
    end: "Lara Silva 00134"), else cut with "…"; the organisation and the note share
    what is left (the list ends a long row with "…")."""
    reason = card.reason.label if card.reason else "Archived"
    when = card.archived_at.astimezone().strftime("%Y-%m-%d")
    tail = f"  {card.stage.label} · {reason}"
    name, org, note = clean_line(card.name), clean_line(card.organisation), clean_line(card.note)
    room = width - cell_width(when) - 2 - cell_width(tail)
    # The name leaves a glimpse of the note at least (its first word or so).
    note_least = NOTE_MIN_CELLS + 2 if note else 0
    note_wanted = min(cell_width(note) + 2, NOTE_WANTED_CELLS) if note else 0
    name = clip_cells(name, min(max(room - note_least, NAME_MIN_CELLS), max(room, 1)))
    rest = room - cell_width(name)
    # The organisation: what the note leaves, up to half the rest (and the note's "…").
    org_room = rest - 2
    if note:
        org_room = max(rest - 2 - note_wanted, min((rest - 2) // 2, rest - 2 - note_least))
    parts: list[Content | str | tuple[str, str]] = [
        (f"{when}  ", "$text-muted"),
        text.line(name, "bold"),
    ]
    if org and org_room >= ORG_MIN_CELLS:
        parts += ["  ", text.line(clip_cells(org, org_room), "$text-muted")]
    parts += [(tail, "$text-muted")]
    if note:
        parts += [("  ", ""), text.line(note, "italic")]
    return Content.assemble(*parts)
