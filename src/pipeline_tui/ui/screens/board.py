"""The board: four stage columns; the rep's home screen.

What the board shows (each column's ids, the header's figures, the views and a move
shown before the store confirms it) is a BoardModel (domain/board.py); this screen
renders it, reads the store for it in workers and turns keys into commands.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from array import array
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import date
from functools import partial
from time import monotonic
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.events import DescendantFocus, ScreenResume
from textual.message import Message
from textual.timer import Timer
from textual.widget import AwaitMount
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerError

from pipeline_tui.domain.board import (
    BoardModel,
    cursor_when_filtered,
    filtered,
    shown_when_filtered,
)
from pipeline_tui.domain.cadence import first_step, is_step_of, leaves_cadences
from pipeline_tui.domain.cards import CardDraft, CardFormError, CardSummary, Change
from pipeline_tui.domain.drafts import NEW_CARD_STAGE, DraftKey, Editor, Fields, new_card_stage
from pipeline_tui.domain.kinds import ArchiveReason
from pipeline_tui.domain.lookup import why_alike
from pipeline_tui.domain.qualification import QUALIFIED_STAGES, checked_on_the_way
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import BoardPeek, StoreError
from pipeline_tui.ui import seams
from pipeline_tui.ui.backend import Backend, UndoOrRedo
from pipeline_tui.ui.drafts import DraftRecorder, recorder_for
from pipeline_tui.ui.key_order import SUBMIT_AT_ONCE, SubmitsAtOnce, hold_keys, nothing_held
from pipeline_tui.ui.money import currency
from pipeline_tui.ui.widgets.card_list import CARD_HEIGHT, CardList
from pipeline_tui.ui.widgets.form_input import FormInput
from pipeline_tui.ui.widgets.key_footer import KeyFooter
from pipeline_tui.ui.widgets.screen_header import ScreenHeader
from pipeline_tui.ui.widgets.stage_column import StageColumn

if TYPE_CHECKING:
    from pipeline_tui.ui.screens.card import CardScreen
    from pipeline_tui.ui.screens.card_form import CardFormScreen

EMPTY_HINT = Content.assemble(
    ("Your pipeline is empty. ", "bold"),
    "Press ",
    ("n", "bold $accent"),
    " to add your first lead, or quit and run ",
    ("pipeline-tui --demo", "bold $accent"),
    " to explore a sample pipeline.",
)

READ_AGAIN_AT_MOST_S = 60.0
"""After a failed board read the poll reads again at its next look, then waits twice as
long after each failure in a row, up to this."""
NOT_READ = ("Not read yet:", "the store did not answer.", "It is read again once it does.")
"""What each column says when the board's first read failed (never "No cards yet")."""

MOVE_GROUP = Binding.Group("Move", compact=True)
"""H and L side by side in the footer, under one word."""

REMEMBERED_VIEW = "my cards"
"""The view the next start opens with when the rep left the board showing it; "stale
only" is a quick look, not a way of working, so it is not remembered."""
FILTER_HOLD_S = 0.1
"""How long a key typed in the filter waits, unseen, for the cards it filters."""
CARD_HOLD_S = 0.3
"""How long an opening card screen may go undrawn while its parts are mounted."""
FILTER_KEYS = Content.assemble(("esc", "bold $accent"), (" clears ", "$text-muted"))
"""Beside the filter's text: how the board comes back whole."""
READY_AFTER_S = 0.1
"""How long the highlight rests on a card before the card screen is filled with it,
unseen, so that enter has only to show it. Keys typed quicker than this (a held j)
set nothing off."""
READY_GROUP = "ready-card"
"""The workers that fill the card screen ahead."""
READY_WAIT_S = 2.0
"""How long a rest waits for a busy store before it readies nothing."""
READY_SLOW_S = 0.25
READY_PAUSE_S = 30.0
"""A store that took longer than READY_SLOW_S to read a card, or refused, is not asked
for cards the rep has not opened for READY_PAUSE_S: its calls wait in line, and the
rep's own saves would wait behind them."""
CARD_SCREEN = "card"
"""The name the board's card screen is installed under: kept when closed, for the next
card."""

# The other screens are imported when first opened, not with the board: the board's
# first paint is what a rep waits for at start-up.


class BoardScreen(SubmitsAtOnce, seams.FullScreen[None]):
    CSS_PATH = "board.tcss"
    # The first column, as on_mount does, not the first focusable widget: that is the
    # hidden filter, which was focused, styled and blurred again as the board opened.
    AUTO_FOCUS = "CardList"
    POLL_SECONDS = 3.0
    """How often the board looks for changes made by other app instances."""

    class Loaded(Message):
        """The board holds every card's id for the first time (start-up is over)."""

    class CardScreenImported(Message):
        """The card screen's modules are imported: time to build the card screen."""

    class CardScreenKept(Message):
        """The card screen the board keeps for enter is built: it lives as long as the
        board does."""

    class ViewChanged(Message):
        """The rep changed the board's view; `remembered` is what the next start shows."""

        def __init__(self, remembered: tuple[str, ...]) -> None:
            super().__init__()
            self.remembered = remembered

    # In the footer's order: the most used first. WIDE_ONLY_KEYS are left out of it
    # below 100 columns (see KeyFooter); `?` and the palette list every key.
    BINDINGS = [
        SUBMIT_AT_ONCE,  # enter in the filter, its only field
        Binding("enter", "open_card", "Open", tooltip="Open the card", id="board.open_card"),
        Binding("n", "new_card", "New", tooltip="New card in this column", id="board.new_card"),
        Binding(
            "f",
            "next_action",
            "Next",
            tooltip="Next action and its due date",
            id="board.next_action",
        ),
        Binding(
            "t",
            "touchpoint",
            "Log",
            tooltip="Log a touchpoint",
            id="board.touchpoint",
        ),
        Binding(
            "H",
            "move(-1)",
            "Move",
            tooltip="Move the card back a stage",
            id="board.move_back",
            group=MOVE_GROUP,
        ),
        Binding(
            "L",
            "move(1)",
            "Move",
            tooltip="Move on to the next stage",
            id="board.move_on",
            group=MOVE_GROUP,
        ),
        # A priority binding runs as the key arrives, before the keys queued behind it
        # are handed to the focused widget: see action_filter.
        Binding(
            "slash",
            "filter",
            "Filter",
            tooltip="Filter the board as you type",
            id="board.filter",
            priority=True,
        ),
        Binding(
            "s",
            "standup",
            "Stand-up",
            tooltip="Stand-up: due, moved, stale",
            id="board.standup",
        ),
        Binding("u", "undo", "Undo", tooltip="Undo (again for more)", id="board.undo"),
        Binding(
            "U",
            "redo",
            "Redo",
            show=False,
            tooltip="Redo what undo took back",
            id="board.redo",
        ),
        Binding("e", "edit_card", "Edit", tooltip="Edit the card", id="board.edit_card"),
        Binding(
            "a",
            "archive_card",
            "Archive",
            tooltip="Archive the card (say why)",
            id="board.archive_card",
        ),
        Binding("question_mark", "help", "Keys", tooltip="Show these keys", id="board.help"),
        Binding("q", "app.quit", "Quit", tooltip="Quit (all is saved already)", id="board.quit"),
        Binding(
            "left,h",
            "focus_column(-1)",
            "Column left",
            show=False,
            tooltip="Column to the left",
            id="board.column_left",
        ),
        Binding(
            "right,l",
            "focus_column(1)",
            "Column right",
            show=False,
            tooltip="Column to the right",
            id="board.column_right",
        ),
        Binding(
            "K",
            "reorder(-1)",
            "Reorder up",
            show=False,
            tooltip="Move the card up its column",
            id="board.reorder_up",
        ),
        Binding(
            "J",
            "reorder(1)",
            "Reorder down",
            show=False,
            tooltip="Move it down its column",
            id="board.reorder_down",
        ),
        Binding(
            "escape",
            "clear_filter",
            "Clear filter",
            show=False,
            tooltip="Clear the filter",
            id="board.clear_filter",
        ),
        Binding(
            "Q",
            "qualify",
            "Qualify",
            show=False,
            tooltip="Qualification checklist",
            id="board.qualify",
        ),
        Binding(
            "r",
            "refer",
            "Referral",
            show=False,
            tooltip="A lead this client referred",
            id="board.refer",
        ),
        Binding(
            "m",
            "toggle_mine",
            "Mine",
            show=False,
            tooltip="Show only my cards / all",
            id="board.my_cards",
        ),
        Binding(
            "S",
            "toggle_stale",
            "Stale",
            show=False,
            tooltip="Show only stale cards / all",
            id="board.stale_only",
        ),
        Binding(
            "N",
            "toggle_nurturing",
            "Nurturing",
            show=False,
            tooltip="Parked leads (not yet) / all",
            id="board.nurturing",
        ),
        Binding(
            "b",
            "bring_back",
            "Back now",
            show=False,
            tooltip="Bring a parked lead back now",
            id="board.bring_back",
        ),
        Binding(
            "A",
            "archived",
            "Archived",
            show=False,
            tooltip="Archived cards: see, restore",
            id="board.archived",
        ),
        Binding(
            "c",
            "call_queue",
            "Calls",
            show=False,
            tooltip="Call queue: today's calls",
            id="board.call_queue",
        ),
        Binding(
            "w",
            "week",
            "Week",
            show=False,
            tooltip="The week: due, by day",
            id="board.week",
        ),
        Binding(
            "i",
            "insight",
            "Insight",
            show=False,
            tooltip="Insight: wins and referrals",
            id="board.insight",
        ),
    ]
    WIDE_ONLY_KEYS = frozenset({"board.undo", "board.edit_card", "board.archive_card"})

    def __init__(
        self, backend: Backend, first: BoardPeek | None = None, view: Sequence[str] = ()
    ) -> None:
        """`first`: the top of each column, read at start-up while the store opens.
        `view`: the view remembered from the last run ("my cards")."""
        super().__init__()
        self.backend = backend
        self.model = BoardModel(backend.service.user)
        self.model.mine_only = REMEMBERED_VIEW in view
        if self.model.mine_only:
            first = None  # everyone's top cards: the store reads the rep's own
        self.columns = {stage: StageColumn(stage, self.model.cache) for stage in STAGES}
        self.first = first
        self.last_list = self.columns[Stage.LEAD].card_list
        self._filter_hold: Callable[[], None] | None = None
        self._held_for_cards: list[tuple[set[int], Callable[[], None]]] = []
        """Held repaints (`_release_once_read`), each with the cards it waits for."""
        self._card_screen: CardScreen | None = None
        self._card_screen_built: AwaitMount | None = None
        self._ready_timer: Timer | None = None
        self._rest_began = 0.0
        self._readying: tuple[int, Worker[None]] | None = None
        self._opening: Worker[None] | None = None
        self._rest_waits_for_card_screen = False
        """The board's first cards came from the file, and the rest is read once the
        card screen is built (on_mount)."""
        self._before_filter: int | None = None
        """The card highlighted when the filter was opened."""
        self._first_read = asyncio.Event()
        """Set once the first read of the whole board has ended (done, or failed)."""
        self._ready_paused_until = 0.0
        self._failed_reads = 0
        """Board reads failed in a row: the poll waits longer after each."""
        self._shown_on: date | None = None
        """The day the board was last shown for (overdue, stale, parked leads back)."""
        self._read_again_after = 0.0
        self._read_error: str | None = None
        """The last failed read's error, said once, not again at every try."""

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        # In the footer's row while the board is filtered: what it is and how it goes,
        # while typing and once enter has gone back to the cards.
        with Horizontal(id="filter-row"):
            yield Static("/", id="filter-prompt")
            yield FormInput(
                placeholder="filter: name, organisation, tag or note words",
                id="filter",
                select_on_focus=True,
            )
            yield Static(FILTER_KEYS, id="filter-keys")
        yield Static(EMPTY_HINT, id="empty-hint")
        with Horizontal(id="columns"):
            yield from self.columns.values()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.columns[Stage.LEAD].card_list.focus()
        # As the filter's text changes, not when its Changed message arrives: by then
        # the screen has drawn the typed key.
        self.watch(self.query_one("#filter", Input), "value", self._hold_for_filter, init=False)
        if self.first is not None:
            first, self.first = self.first, None
            self.model.start_with(
                first.columns, first.counts, self.backend.today(), self.backend.stale_limits
            )
            self.show_board()
            # Once these are on screen, one thing at a time, as each competes for the
            # CPU with the rep's first key: the card screen (import, then build), then
            # the store. A key that needs the store opens it at once.
            self._rest_waits_for_card_screen = True
            self.call_after_refresh(_import_card_screen_meanwhile, self)
        else:
            self.reload()
        self.set_interval(self.POLL_SECONDS, self._watch_for_other_changes)

    def _then_the_rest(self) -> None:
        if self._rest_waits_for_card_screen:
            self._rest_waits_for_card_screen = False
            self._load_the_rest()

    @work(group="load-the-rest")
    async def _load_the_rest(self) -> None:
        """The whole board, once the card screen is built. A card the rep opened
        meanwhile (read from the file, store/deferred.py) is shown first."""
        opening = self._opening
        if opening is not None and not opening.is_finished:
            with suppress(WorkerError):
                await opening.wait()
        self.app.call_after_refresh(self.reload, keep_highlight=True)

    @work(group="poll", exclusive=True)
    async def _watch_for_other_changes(self) -> None:
        """Show what another rep (another SSH session) changed, without a keypress."""
        known = self.backend.known_revision
        if not self.is_current or (known is None and not self.model.out_of_date):
            return  # on another screen, or the board is still being read
        if self._failed_reads and monotonic() < self._read_again_after:
            return  # the last read failed: the store is given time
        if self._shown_on is not None and self.backend.today() != self._shown_on:
            # A board left open overnight (in tmux over SSH) kept yesterday: a lead parked
            # until today stayed away, and nothing turned overdue.
            self.reload(self.focused_list.highlighted_id, by_poll=True)
            return
        try:
            revision = await self.backend.run(self.backend.service.change_marker)
        except StoreError:
            return  # a reload or the next save will say what is wrong
        if revision != self.backend.known_revision or self.model.out_of_date:
            self.reload(self.focused_list.highlighted_id, by_poll=True)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # Focus events arrive after the keys that moved focus, and after any keys behind
        # them: "lhlh" could end with the event of the "l" arriving last. Only the list
        # that still has focus is the one the rep works in.
        if isinstance(event.widget, CardList) and event.widget is self.focused:
            self.last_list = event.widget
            self._ready_soon()

    @on(CardList.PastTheRead)
    @work(group="past-the-read")
    async def _once_whole_column(self, event: CardList.PastTheRead) -> None:
        try:
            await self._whole_board()
            event.go_on()
        finally:
            event.release()

    def on_card_list_highlighted(self) -> None:
        self._ready_soon()

    def on_screen_resume(self, _: ScreenResume) -> None:
        self._ready_soon()

    # Reading ---------------------------------------------------------------------------

    @property
    def focused_list(self) -> CardList:
        """The column the rep is working in (the last one focused, if the filter has focus)."""
        return self.last_list

    @property
    def highlighted(self) -> CardSummary | None:
        return self.focused_list.highlighted

    @work(group="board", exclusive=True)
    async def reload(
        self,
        focus_card: int | None = None,
        *,
        keep_highlight: bool = False,
        place: tuple[CardList, int] | None = None,
        by_poll: bool = False,
    ) -> None:
        """Read the board's ids and totals and the cards on screen, and show them,
        keeping focus on `focus_card` (keep_highlight: on whichever card is highlighted
        when they arrive). If the rep has moved on since `place` (by default, where the
        cursor is now), the highlight stays where they moved it."""
        model = self.model
        generation = model.generation
        place = place or self._place()
        lists = [column.card_list for column in self.columns.values()]
        page = max(card_list.page_size() for card_list in lists)
        tops = {cards.stage: cards.scroll_offset.y // CARD_HEIGHT for cards in lists}
        # Another rep's change may add or take away matches: the filter is asked again,
        # with the board, and the cards read are those the filtered lists show.
        filter_query = self._filter_query()
        wanted = focus_card if focus_card is not None else self.focused_list.highlighted_id
        await self._hand_off_due_steps()
        try:
            view = await self.backend.run(
                self.backend.service.board_view,
                self.backend.today(),
                stale_limits=self.backend.stale_limits,
                mine_only=model.mine_only,
                stale_only=model.stale_only,
                nurturing=model.nurturing,
                tops=tops,
                page=page,
                focus_card=wanted,
                filter_query=filter_query,
            )
        except StoreError as error:
            model.out_of_date = True  # read again once the store answers (the poll)
            self._failed_reads += 1
            doubled = self.POLL_SECONDS * 2 ** min(self._failed_reads - 1, 16)
            # Half a poll early: the poll due just then is not missed by a hair.
            wait = min(READ_AGAIN_AT_MOST_S, doubled) - self.POLL_SECONDS / 2
            self._read_again_after = monotonic() + wait
            if not model.known:
                for column in self.columns.values():
                    column.card_list.empty_hint = NOT_READ
            # The poll's tries say an error once; a read the rep asked for says it again.
            if str(error) != self._read_error or not by_poll:
                self._read_error = str(error)
                self.notify(
                    str(error), title="Could not load the board", severity="error", markup=False
                )
            self._first_read.set()  # what waited for it goes on with what there is
            return
        self._failed_reads, self._read_error = 0, None
        if generation != model.generation:
            # Changed here while loading: this copy may predate that change.
            self.reload(focus_card, keep_highlight=keep_highlight, place=place)
            return
        if self._place() != place:
            focus_card = self.focused_list.highlighted_id
        elif keep_highlight and (highlighted := self.focused_list.highlighted_id) is not None:
            focus_card = highlighted
        self.backend.seen_revision(view.revision)
        seen = self.focused_list.highlighted_id  # the card the rep has highlighted now
        held = None
        if self._filter_query() == filter_query:
            model.filter_ids = view.filter_ids
        else:
            # The filter was opened, cleared or typed in meanwhile: the cards read are
            # not those its lists show now, and loading empties the cache.
            held = seams.hold_repaints(self.app, FILTER_HOLD_S)
        if model.load(view.ids, view.totals, view.cards.values()):
            self._first_read.set()
            self.post_message(self.Loaded())
            self._mention_unsaved_new_card()
            if self._card_screen is None:
                _import_card_screen_meanwhile(self)
            else:  # built at launch, before the store opened: nothing was readied then
                self._ready_soon()
        if focus_card is None or model.stage_of(focus_card) is None:
            # Nothing asked for, or what was is off the board (an undone restore or add,
            # another rep's archive): the highlight stays on the rep's card, wherever it
            # is now, not on whichever card took its place in the column.
            focus_card = seen
        self.show_board(focus_card)
        if held is not None:
            self._release_once_read(held)

    async def _hand_off_due_steps(self) -> None:
        """On the board's first read of a day, the cadence steps due that waited for a
        free next action become next actions (before the read, so it shows them)."""
        today = self.backend.today()
        if self.backend.steps_handed_off_on == today:
            return
        self.backend.steps_handed_off_on = today
        with suppress(StoreError):  # the read just after says what is wrong
            await self.backend.run(self.backend.service.hand_off_due_steps, today)

    @work(group="drafts")
    async def _mention_unsaved_new_card(self) -> None:
        """A new card half typed when the last session ended has no tile to mark."""
        from pipeline_tui.ui.screens.draft_offer import when

        try:
            draft = await self.backend.run(self.backend.service.draft, DraftKey.new_card())
        except StoreError:
            return
        if draft is not None:
            name = clean_line(draft.get("name")) or "no name yet"
            stage = new_card_stage(draft.fields)
            if stage is not None:
                name = f"{name}, {stage.label}"
            self.notify(
                f"Unsaved new card ({name}) from {when(draft.saved_at)}: n gets it back.",
                timeout=8,
                markup=False,
            )

    def on_card_list_wanted(self, event: CardList.Wanted) -> None:
        self._fetch([event.card_list], event.ids)

    @work(group="fetch")
    async def _fetch(self, card_lists: list[CardList], card_ids: list[int]) -> None:
        """Read the cards lists are about to show, and show them."""
        epoch = self.model.cache_epoch
        try:
            try:
                cards = await self.backend.run(self.backend.service.summaries, card_ids)
            except StoreError:
                cards = {}
            if not self.model.fetched(cards, card_ids, epoch):
                return  # the board was reloaded meanwhile, with newer copies
            for card_list in card_lists:
                card_list.show_fetched(cards)
            if len(cards) < len(card_ids) and self.model.complete:
                # Some are gone (archived in another session): the board has moved on.
                self.reload(keep_highlight=True)
        finally:
            self._cards_read()

    def _release_once_read(self, release: Callable[[], None]) -> None:
        """Let the held repaints go once the cards the columns show now are read, so
        that they come in the same frame as the change that shows them (a key typed in
        the filter, the filter cleared) instead of column by column after it. The hold
        has its own time limit: a slow store never keeps the change out of sight."""
        # Now, not at each list's next idle, and in one read for all the columns. Only
        # the cards on screen: each list reads ahead once the frame is written
        # (CardList.watch_ids).
        lists = [column.card_list for column in self.columns.values()]
        unread = {card_id for card_list in lists for card_id in card_list.unread_on_screen()}
        pending = self.model.cache.pending
        missing = [card_id for card_id in unread if card_id not in pending]
        if missing:
            pending.update(missing)
            self._fetch(lists, missing)
        self._held_for_cards.append((unread, release))
        self._cards_read()

    def _card_for(self, action: Callable[[], object]) -> CardSummary | None:
        """The highlighted card, for a key that acts on it. One not read yet (G then
        enter, typed at once: the last card is a placeholder until read) is read first,
        the keys after it waiting, and `action` is then run again."""
        card_list = self.focused_list
        card = card_list.highlighted
        if card is None and (card_id := card_list.highlighted_id) is not None:
            self._act_once_read(card_list, card_id, action, hold_keys(self))
        return card

    @work(group="act-once-read")
    async def _act_once_read(
        self,
        card_list: CardList,
        card_id: int,
        action: Callable[[], object],
        release_keys: Callable[[], None],
    ) -> None:
        try:
            epoch = self.model.cache_epoch
            try:
                cards = await self.backend.run(self.backend.service.summaries, [card_id])
            except StoreError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            if self.model.fetched(cards, [card_id], epoch):
                card_list.show_fetched(cards)
            # Still the card the key was for, and read (not archived meanwhile).
            if (
                card_list is self.focused_list
                and card_list.highlighted_id == card_id
                and card_list.highlighted is not None
            ):
                action()
        finally:
            release_keys()

    def _cards_read(self) -> None:
        """Let go the holds whose cards are read (or failed to be)."""
        held, self._held_for_cards = self._held_for_cards, []
        for cards, release in held:
            if cards.isdisjoint(self.model.cache.pending):
                release()
            else:
                self._held_for_cards.append((cards, release))

    @work(group="board", exclusive=True)
    async def refresh_card(
        self, card_id: int, release_keys: Callable[[], None] = nothing_held
    ) -> None:
        """Re-read one card (back from its screen) instead of the whole board; the keys
        held meanwhile (`release_keys`) go once it is shown."""
        generation = self.model.generation
        place = self._place()
        reloading = False
        try:
            try:
                card = await self.backend.run(self.backend.service.summary, card_id)
            except StoreError:
                card = None
            before = self.model.cache.peek(card_id)
            if (
                card is None
                or generation != self.model.generation
                # Filtered, the card may no longer match (its step, name or note
                # changed), or match now: the filter is asked again with the board.
                or self.model.filter_ids is not None
                or not self.model.refreshed(card, self.backend.today(), self.backend.stale_limits)
            ):
                self._release_once_shown(self.reload(card_id, place=place), release_keys)
                reloading = True
                return
            if card != before:  # most often the rep only looked: nothing to draw again
                self.columns[card.stage].card_list.show_fetched({card.id})
                self._show_totals()
            if self._place() == place:  # the rep has not moved on meanwhile
                self.focus_card(card_id, card.stage)
        finally:
            if not reloading:
                release_keys()

    def _place(self) -> tuple[CardList, int]:
        """Where the rep is: the column they work in and its cursor."""
        return self.focused_list, self.focused_list.cursor

    def show_board(self, focus_card: int | None = None) -> None:
        today = self.backend.today()
        self._shown_on = today
        for column in self.columns.values():
            column.card_list.today = today
            column.card_list.stale_limits = self.backend.stale_limits
        self._show_stages(*STAGES)
        self._show_totals()
        if focus_card is not None:
            self.focus_card(focus_card)

    def _show_totals(self) -> None:
        """The header: cards, overdue and stale (these two once the store has counted)."""
        self.sub_title = self.model.header()
        # The hint's own display, not a class on the screen: that restyles the board.
        self.query_one("#empty-hint").display = self.model.known and not self.model.figures[0]

    def focus_card(self, card_id: int, stage: Stage | None = None) -> None:
        """Put the cursor on the card and focus its column (`stage`: where to look first)."""
        columns = list(self.columns.values())
        if stage is not None:
            columns.insert(0, self.columns[stage])
        # A reload while the rep types in the filter moves the cursor, not the keys.
        typing = self.filtering and self.focused is self.query_one("#filter", Input)
        for column in columns:
            index = column.card_list.index_of(card_id)
            if index is not None:
                column.card_list.cursor = index
                if not typing:
                    self.set_focus(column.card_list, scroll_visible=False)
                # Now, not when the focus event comes up a few messages later: a key
                # handed on before it (L then L) must act in this column, on this card.
                self.last_list = column.card_list
                return

    # Keys ------------------------------------------------------------------------------

    def action_focus_column(self, step: int) -> None:
        current = self.focused_list
        index = STAGES.index(current.stage) + step
        if not 0 <= index < len(STAGES):
            return
        target = self.columns[STAGES[index]].card_list
        # Land on the card at the same height on screen, as the eye expects.
        row = current.cursor - current.scroll_offset.y // CARD_HEIGHT
        target.cursor = target.scroll_offset.y // CARD_HEIGHT + max(0, row)
        # Not target.focus(), which repaints the whole list before focusing it; the
        # list repaints its highlighted card itself.
        self.set_focus(target, scroll_visible=False)
        # Focus events arrive later; a quick second key must already start from here.
        self.last_list = target

    def _parked_here(self) -> bool:
        """In the nurturing view a card is moved or reordered once it is back (b)."""
        if self.model.nurturing:
            self.notify("A parked card stays put: b brings it back first.", timeout=3)
        return self.model.nurturing

    def action_move(self, step: int) -> None:
        card = self._card_for(partial(self.action_move, step))
        if card is None or self._parked_here():
            return
        to_stage = card.stage.next() if step > 0 else card.stage.previous()
        if to_stage is None:
            where = "last" if step > 0 else "first"
            self.notify(f"Already in the {where} stage.", severity="warning", timeout=2)
            return
        if checked_on_the_way(card.stage, to_stage):
            self._qualify_then_move(card)
            return
        self._move_now(card, to_stage)

    def _move_now(self, card: CardSummary, to_stage: Stage, note: str = "") -> None:
        # Shown at once, saved in the background: the store puts the card at the top of
        # its new column as the model does, so the board needs no reload afterwards.
        # If the store refuses (or cannot be reached) the move is taken back at once.
        today, limits = self.backend.today(), self.backend.stale_limits
        # A stage's cadence gives a card with nothing to do its first step as it comes
        # in (the store's part of the move): shown in the move's own frame.
        cadences = self.backend.service.cadences
        step = None if card.next_action else first_step(cadences, to_stage, today)
        moved = card
        if step is not None:
            moved = replace(card, next_action=step[0], next_action_due=step[1])
        # Taken back out of a cadence, the card loses the step it gave (the store's
        # part): shown at once when the next action is in a step's words. Only the
        # store knows whether it was the step or the rep's own in the same words; when
        # it says otherwise the card is read again (guessed_drop).
        guessed_drop = leaves_cadences(card.stage, to_stage) and is_step_of(
            cadences, card.stage, card.next_action
        )
        if guessed_drop:
            moved = replace(card, next_action="", next_action_due=None)
        index = self.model.move(moved, to_stage, today, limits)
        self._show_stages(card.stage, to_stage)
        self._show_totals()
        self.focus_card(card.id, to_stage)

        def take_back() -> None:
            self.model.take_back_move(card, to_stage, index, today, limits)
            self._show_stages(card.stage, to_stage)
            self._show_totals()
            self.focus_card(card.id, card.stage)

        self.save(
            self.backend.service.move_card,
            card.id,
            to_stage,
            note,
            reload=False,
            revert=take_back,
            shown=self._drawn(to_stage),
            read_again=lambda change: change.step_dropped != guessed_drop,
        )

    @work(group="db")
    async def _qualify_then_move(self, card: CardSummary) -> None:
        """Lead to prospect: the checklist first if incomplete; a failing lead is asked about."""
        from pipeline_tui.ui import flows

        outcome, release_keys = await flows.qualify_for_prospect(
            self, self.backend, card.id, card.name
        )
        # Keys typed after the checklist's ctrl+s (or a park's enter) act on the board
        # once it shows the card moved, or its new score, or the lead parked and gone.
        try:
            if outcome is None:
                self.refresh_card(card.id)  # the score may have changed if it did not move
                await self._board_read()
                return
            current = self.model.cache.peek(card.id)
            if (
                current is None
                or current.stage is not Stage.LEAD
                or card.id not in self.model.ids[card.stage]
            ):
                self.reload(card.id)
                await self._board_read()
                return
            self._move_now(replace(current, qualified=outcome.met), Stage.PROSPECT, outcome.note)
        finally:
            release_keys()

    def action_reorder(self, step: int) -> None:
        card = self._card_for(partial(self.action_reorder, step))
        if card is None or self._parked_here():
            return
        if self.model.hides_neighbours():
            self.notify(
                f"J and K move a card past its neighbour in the whole column, which this "
                f"view may hide: {self._key_showing_every_card()} first.",
                timeout=4,
            )
            return
        card_list = self.focused_list
        places = self.model.reorder(card, step, card_list.cursor)
        if places is None:
            return
        self._show_stages(card.stage)
        self.focus_card(card.id, card.stage)

        def take_back() -> None:
            if self.model.take_back_reorder(card, places):
                self._show_stages(card.stage)
                self.focus_card(card.id, card.stage)

        self.save(
            self.backend.service.reorder_card,
            card.id,
            step,
            reload=self.model.needs_store_order,
            revert=take_back,
            shown=self._drawn(card.stage),
        )

    def _key_showing_every_card(self) -> str:
        if self.model.filter_ids is not None:
            return "escape clears the filter"
        return "m shows everyone's cards" if self.model.mine_only else "S shows every card"

    async def show_saved(self, card_id: int) -> None:
        """Reload and show the board focused on a card just saved from a form, before the
        form closes: the keys typed after it act on the board with the card in place."""
        with suppress(WorkerError):  # a newer reload took over: it shows the card as well
            await self.reload(card_id).wait()
        filtered = self.model.filter_ids
        if filtered is not None and card_id not in filtered:
            # Saved, and off the board the rep sees: only the column's count moved.
            self.notify(
                "Saved; the filter hides the card (escape in the filter shows every card).",
                timeout=5,
            )

    def _take_off_board(self, card: CardSummary) -> None:
        """Show a card archived here gone from its column at once (the cursor stays put)."""
        self.model.take_off(card)
        self._show_stages(card.stage)
        self._show_totals()

    def _show_stages(
        self,
        *stages: Stage,
        filtered: Mapping[Stage, array[int]] | None = None,
        refiltered: bool = False,
    ) -> None:
        """Redraw only the given columns from the model (after a change made here);
        `filtered`: columns the filter's matches were picked out of already;
        `refiltered`: the filter's text changed, and each cursor goes where
        cursor_when_filtered says."""
        if not self.model.known:
            return  # nothing read to show (a view key or the filter before the first read)
        for stage in stages:
            shown = self.model.column(stage, (filtered or {}).get(stage))
            column = self.columns[stage]
            highlighted = column.card_list.highlighted_id if refiltered else None
            column.stage_size = shown.stage_size
            column.total = shown.total
            value = self.model.value(stage)
            column.value = currency(self.app).short(value) if value else ""
            column.card_list.empty_hint = shown.empty_hint
            column.ids = shown.ids
            if refiltered and shown.ids:
                column.card_list.cursor = cursor_when_filtered(shown.ids, highlighted)

    def action_new_card(self) -> None:
        # A new card has no id yet: its draft is the rep's one new-card draft, whichever
        # column the form was opened in. The draft keeps that column: the card goes
        # where the form is opened now, or, its draft restored, where it was started.
        place = _NewCardPlace(self.focused_list.stage)

        async def add(draft: CardDraft, version: int | None) -> None:
            change = await self.backend.change(self.backend.service.add_card, draft, place.stage)
            if change is not None:
                await self.show_saved(change.card_id)
                self._mention_alike(draft, change.card_id)

        def open_form(recorder: DraftRecorder) -> None:
            from pipeline_tui.ui.screens.card_form import CardFormScreen

            form = CardFormScreen(place.title, None, add, self.backend.today, recorder=recorder)
            place.form = form
            recorder.context = place
            self.app.push_screen(form)

        self._open_with_draft(DraftKey.new_card(), None, open_form, hold_keys(self))

    @work(group="alike", exit_on_error=False)
    async def _mention_alike(self, draft: CardDraft, card_id: int) -> None:
        """A new card that looks like one already there (as `add` on the command line
        and import judge it) is added all the same, as the rep asked, and said, with
        the key that takes it back: the rep may not know the other is there."""
        try:
            matches = await self.backend.run(self.backend.service.likely_duplicates, draft)
        except StoreError:
            return  # the card is added; the next read says what is wrong
        alike = [match for match in matches if match.id != card_id]
        if not alike:
            return
        first = alike[0]
        where = "archived" if first.archived else first.stage.label
        self.notify(
            f"Added {clean_line(draft.name)}, but {clean_line(first.name)} (card {first.id}, "
            f"{where}) has {why_alike(draft.email, first)}: u takes the new card back.",
            title="Already there?",
            severity="warning",
            timeout=10,
            markup=False,
        )

    @work(group="db")
    async def _open_with_draft(
        self,
        key: DraftKey,
        base_version: int | None,
        open_screen: Callable[[DraftRecorder], None],
        release_keys: Callable[[], None],
    ) -> None:
        """Find the editor's draft, then open it; keys typed meanwhile wait for it."""
        try:
            open_screen(await recorder_for(self.backend, key, base_version))
        finally:
            release_keys()

    def action_edit_card(self) -> None:
        card = self._card_for(self.action_edit_card)
        if card is not None:
            # The card is the one highlighted now; keys typed after `e` wait for its form.
            self._edit_card(card, hold_keys(self))

    @work(group="db")
    async def _edit_card(self, card: CardSummary, release_keys: Callable[[], None]) -> None:
        from pipeline_tui.ui.screens.card_form import CardFormScreen

        try:
            try:
                detail = await self.backend.run(self.backend.service.card, card.id)
            except StoreError as error:
                self.notify(str(error), severity="error", markup=False)
                self.reload()
                return
            if detail.archived_at is not None:  # in another session, since the last poll
                name = clean_line(detail.summary.name)
                self.notify(f"{name} was archived meanwhile; A shows the archive.", markup=False)
                self.reload()
                return
            key = DraftKey.on_card(Editor.CARD, card.id)
            recorder = await recorder_for(self.backend, key, detail.version)

            async def update(draft: CardDraft, version: int | None) -> None:
                assert version is not None
                change = await self.backend.change(
                    self.backend.service.update_card, card.id, draft, version
                )
                if change is not None:
                    await self.show_saved(change.card_id)

            async def read_card() -> tuple[CardDraft, int]:
                saved = await self.backend.run(self.backend.service.card, card.id)
                return saved.draft, saved.version

            title = f"Edit {clean_line(detail.summary.name)}"
            form = CardFormScreen(
                title,
                detail.draft,
                update,
                self.backend.today,
                detail.version,
                recorder=recorder,
                read_card=read_card,
            )
            self.app.push_screen(form, self._refresh_after(card.id))
        finally:
            release_keys()

    def _refresh_after(self, card_id: int) -> Callable[[object], None]:
        """A dialog's callback: the card's tile again (its draft mark may have gone)."""

        def refresh(_: object) -> None:
            self.refresh_card(card_id)

        return refresh

    # The card screen ------------------------------------------------------------------

    def _ready_soon(self) -> None:
        """Fill the card screen with the highlighted card once the highlight rests; a
        filling for another card stops, so the keys that moved on do not wait for it."""
        if self._ready_timer is not None:
            self._ready_timer.stop()
        self._ready_timer = self.set_timer(READY_AFTER_S, self._ready_highlighted)
        self._rest_began = monotonic()
        card = self.highlighted
        if self._readying is not None and (card is None or self._readying[0] != card.id):
            self._readying[1].cancel()
            self._readying = None

    @property
    def resting(self) -> bool:
        """Whether the highlight is resting: the card screen is to be filled with it
        once it has rested READY_AFTER_S (_ready_soon)."""
        return self._ready_timer is not None

    def _ready_highlighted(self) -> None:
        self._ready_timer = None
        card = self.highlighted
        screen = self._card_screen
        if (
            card is None
            or screen is None  # built once the card screen's code is imported
            or (self._opening is not None and not self._opening.is_finished)
            or not self.is_current
            # Typing in the filter: each key's columns come first.
            or self.focused is not self.focused_list
            or monotonic() < self._ready_paused_until
            or screen.ready_for(card.id, self.backend.today()) is not None
            # Rested on again (a late focus event, a dialog closed) while still filled.
            or (
                self._readying is not None
                and self._readying[0] == card.id
                and not self._readying[1].is_finished
            )
        ):
            return
        if not self.backend.service_is_open() or not self.backend.idle:
            # Still opening, or the rep's own calls (or a poll) running: they come first,
            # and the card is readied once they are done, unless that takes longer than
            # READY_WAIT_S (a store that failed to open, a server not answering).
            if monotonic() - self._rest_began < READY_WAIT_S:
                self._ready_timer = self.set_timer(READY_AFTER_S, self._ready_highlighted)
            return
        self._readying = (card.id, self._ready_card(card.id))

    # Not exit_on_error: the rep asked for nothing; enter reads again and says what is wrong.
    @work(group=READY_GROUP, exclusive=True, exit_on_error=False)
    async def _ready_card(self, card_id: int) -> None:
        """The card screen filled with this card while it is closed (CardScreen.reopen);
        enter then only checks the board clock and shows it."""
        from pipeline_tui.ui.screens.card import read_card

        started = monotonic()
        try:
            read = await read_card(self.backend, card_id)
        except StoreError:
            self._ready_paused_until = monotonic() + READY_PAUSE_S
            return
        if monotonic() - started > READY_SLOW_S:
            self._ready_paused_until = monotonic() + READY_PAUSE_S
        screen = await self._closed_card_screen()
        if screen is not None:
            await screen.reopen(card_id, read)

    async def _closed_card_screen(self) -> CardScreen | None:
        """The card screen kept to show the next card, once built; None if there is none
        yet or it is open."""
        if self._card_screen_built is not None:
            await self._card_screen_built  # the rep was quicker than the building
            self._card_screen_built = None
        screen = self._card_screen
        if screen is not None and screen.is_running and screen not in self.app.screen_stack:
            return screen
        return None

    async def _ready_done(self, card_id: int) -> None:
        """A card screen being filled ahead: finished if with this card, else stopped."""
        if self._readying is None:
            return
        readying, worker = self._readying
        self._readying = None
        if readying != card_id:
            worker.cancel()
            return
        # Shielded: an open cancelled here (a second click) must stop, not cancel the
        # filling, whose worker would take that as its own end and let the open go on.
        with suppress(WorkerError):  # not filled: the card is read again below
            await asyncio.shield(worker.wait())

    def action_open_card(self) -> None:
        card = self._card_for(self.action_open_card)
        if card is None:
            return
        # "enter" then "np" typed at once: the keys wait for the card they act on.
        self._opening = self._open_card(card.id, hold_keys(self))

    @work(group="open-card", exclusive=True)
    async def _open_card(self, card_id: int, release_keys: Callable[[], None]) -> None:
        """Read the card, then open its screen with it: one frame, the card complete,
        instead of an empty screen filled in by parts. When the screen was filled with
        it ahead (_ready_card) and the board clock has not moved since, only the
        drafts are read."""
        from pipeline_tui.ui.screens.card import CardScreen, read_card

        def back(_: None) -> None:
            # "escape a" in one read: the a waits for the board as the card left it (a
            # card parked or archived there stayed highlighted, and was archived).
            self.refresh_card(card_id, self._hold_for_the_read())

        try:
            await self._ready_done(card_id)
            # Not waiting for the screen to be built (at launch): the read goes meanwhile.
            kept = self._card_screen if self._card_screen_built is None else None
            held = kept.ready_for(card_id, self.backend.today()) if kept is not None else None
            try:
                read = await read_card(self.backend, card_id, held)
            except StoreError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            screen = await self._closed_card_screen()
            kept_now = False
            if self._card_screen is not None and self._card_screen in self.app.screen_stack:
                return  # open already (opened twice, by a double click)
            if (
                screen is not None
                and held is not None
                and read.card is held.card
                and read.drafts is not None  # else reopen, which leaves no stale drafts
            ):
                if read.drafts != held.drafts:
                    screen.redraft(read.drafts)
            elif screen is not None:
                await screen.reopen(card_id, read)
            else:
                screen = CardScreen(self.backend, card_id, read=read)
                if self._card_screen is None:
                    # Kept when closed, to show the next card (CardScreen.reopen).
                    self.app.install_screen(screen, CARD_SCREEN)
                    self._card_screen = screen
                    kept_now = True
            # Drawn once, when it is all there: Textual draws a new screen as it resumes,
            # then again as its mount completes.
            release = seams.hold_repaints(self.app, CARD_HOLD_S)
            try:
                await self.app.push_screen(screen, back)  # built once this returns
            finally:
                # Through the app's queue, after what the mount set off there.
                if not self.app.call_later(release):
                    release()
            if kept_now:
                self.post_message(self.CardScreenKept())
        finally:
            release_keys()

    def on_board_screen_card_screen_imported(self) -> None:
        """Build the card screen now, empty, so that the first card opened only fills
        it in, like every later one (CardScreen.reopen), instead of building it on the
        rep's key."""
        from pipeline_tui.ui.screens.card import CardScreen

        if self._card_screen is not None:
            self._then_the_rest()  # the rep opened a card before the import was done
            return
        screen = CardScreen(self.backend, 0, empty=True)
        self.app.install_screen(screen, CARD_SCREEN)
        self._card_screen = screen
        self._card_screen_built = seams.mount_unseen(self.app, screen)
        self._tell_when_kept(self._card_screen_built)

    @work(group="card-screen-kept")
    async def _tell_when_kept(self, built: AwaitMount) -> None:
        try:
            await built
        finally:
            self._then_the_rest()
        self.post_message(self.CardScreenKept())
        self._ready_soon()  # the card the rep rests on, if the board was read first

    def on_card_list_opened(self, event: CardList.Opened) -> None:
        if event.card_list is self.focused_list:
            self.action_open_card()

    def action_archive_card(self) -> None:
        card = self._card_for(self.action_archive_card)
        if card is None:
            return

        async def archive(reason: ArchiveReason, note: str) -> None:
            # Against the card as the board showed it when the dialog opened.
            change = await self.backend.change(
                self.backend.service.archive_card, card.id, reason, note, card.version or None
            )
            if change is not None:
                # Gone from the board before the dialog closes: the keys typed next act
                # on the board without it, not on a card that is already archived.
                self._take_off_board(card)
                self.reload()

        def open_dialog(recorder: DraftRecorder) -> None:
            from pipeline_tui.ui.screens.archive import ArchiveScreen

            dialog = ArchiveScreen(card.name, save=archive, recorder=recorder)
            self.app.push_screen(dialog, self._refresh_after(card.id))

        key = DraftKey.on_card(Editor.ARCHIVE, card.id)
        self._open_with_draft(key, None, open_dialog, hold_keys(self))

    def action_qualify(self) -> None:
        card = self._card_for(self.action_qualify)
        if card is None:
            return
        if card.stage not in QUALIFIED_STAGES:
            self.notify(
                "Only leads and prospects are qualified; a client has shown it already.",
                timeout=3,
            )
            return
        self._qualify(card)

    @work(group="db")
    async def _qualify(self, card: CardSummary) -> None:
        from pipeline_tui.ui import flows

        _, release_keys = await flows.qualify(self, self.backend, card.id, card.name)
        try:
            # The keys typed after ctrl+s (or a park's enter) act on the card as it is
            # now: its new score, or the column without a parked lead. Left without
            # saving, it may have a new next action all the same (f: find out).
            self.refresh_card(card.id)
            await self._board_read()
        finally:
            release_keys()

    async def _board_read(self) -> None:
        """Wait until the board's reads have shown what they read: one card read again
        hands over to a read of the whole board when the card left its column."""
        await self._workers_done("board")

    async def _workers_done(self, group: str) -> None:
        """Wait until this screen's workers of `group` are done, newer ones started
        meanwhile (one replacing another, exclusive) included."""
        while running := [
            worker
            for worker in self.app.workers
            if worker.node is self and worker.group == group and worker.is_running
        ]:
            for worker in running:
                with suppress(WorkerError):  # replaced by a newer one: the loop waits for it
                    await worker.wait()

    def action_next_action(self) -> None:
        # The card highlighted as the key is pressed, whatever the keys after it do.
        card = self._card_for(self.action_next_action)
        if card is not None:
            self._next_action_for(card)

    @work(group="db")
    async def _next_action_for(self, card: CardSummary) -> None:
        from pipeline_tui.ui import flows

        await flows.set_next_action(self, self.backend, card)
        # Saved or not: a draft offered back and discarded takes the card's ✎ with it.
        self.refresh_card(card.id)

    def action_touchpoint(self) -> None:
        card = self._card_for(self.action_touchpoint)
        if card is not None:
            self._touchpoint_for(card)

    @work(group="db")
    async def _touchpoint_for(self, card: CardSummary) -> None:
        from pipeline_tui.ui import flows

        await flows.log_touchpoint(self, self.backend, card)
        # Logged, the card may be no longer stale (and a first one is its source); left,
        # a draft offered back and discarded takes the card's ✎ with it.
        self.refresh_card(card.id)

    def action_refer(self) -> None:
        from pipeline_tui.ui import flows

        card = self._card_for(self.action_refer)
        if card is None:
            return
        flows.refer(self, self.backend, card, self.reload)

    def action_toggle_mine(self) -> None:
        self._toggled(self.model.toggle_mine())
        self.post_message(self.ViewChanged((REMEMBERED_VIEW,) if self.model.mine_only else ()))

    def action_toggle_stale(self) -> None:
        narrowed = self.model.narrowed
        self._toggled(self.model.toggle_stale(), narrowed)

    def action_toggle_nurturing(self) -> None:
        self.set_class(not self.model.nurturing, "-nurturing")
        narrowed = self.model.narrowed
        self._toggled(self.model.toggle_nurturing(), narrowed)

    def action_bring_back(self) -> None:
        card = self._card_for(self.action_bring_back)
        if card is None:
            return
        if not self.model.nurturing:
            self.notify("Only a parked card comes back: N shows them.", timeout=3)
            return
        # Gone from the nurturing view at once, as an archived card leaves the board.
        self.model.park(card)
        self._show_stages(card.stage)
        self._show_totals()
        self.save(self.backend.service.unpark, card.id, card.version)
        self.notify(f"{clean_line(card.name)} is back on the board.", timeout=2, markup=False)

    def _toggled(self, message: str, was_narrowed: bool | None = None) -> None:
        back = None
        if was_narrowed is not None:
            back = self.model.view_toggled(was_narrowed, self.focused_list.highlighted_id)
        self._show_totals()
        # "Nb" in one read: the b waits for the view it acts on (it went to the card the
        # whole board highlighted, and "ma" enter archived a teammate's card).
        release_keys = self._hold_for_the_read()
        self._release_once_shown(self.reload(back, keep_highlight=back is None), release_keys)
        self.notify(message, timeout=2)

    def _hold_for_the_read(self) -> Callable[[], None]:
        """Hold the keys until the board read again is shown; not while the store opens:
        the reading waits for the store, and there is nothing yet for a key to act on
        but the board already shown."""
        return hold_keys(self, when=self.backend.service_is_open())

    @staticmethod
    async def _shown(reading: Worker[None]) -> None:
        """Wait until the board `reading` reads is shown."""
        with suppress(WorkerError):  # a newer reload took over: it shows the board too
            await reading.wait()

    @work(group="keys-held")
    async def _release_once_shown(
        self, reading: Worker[None], release_keys: Callable[[], None]
    ) -> None:
        try:
            await self._shown(reading)
        finally:
            release_keys()

    def action_archived(self) -> None:
        from pipeline_tui.ui.screens.archived import ArchivedScreen

        def back(restored: int | None) -> None:
            self.reload(restored)

        self.app.push_screen(ArchivedScreen(self.backend), back)

    def action_undo(self) -> None:
        # "u" then "a" in one read: the a waits for the board showing what u brought
        # back (it archived the card the cursor was on before).
        self._take_back(self.backend.undo_and_tell, self._hold_for_the_read())

    def action_redo(self) -> None:
        self._take_back(self.backend.redo_and_tell, self._hold_for_the_read())

    @work(group="db")
    async def _take_back(self, undo_or_redo: UndoOrRedo, release_keys: Callable[[], None]) -> None:
        try:
            done = await undo_or_redo(self.notify)
            await self._shown(self.reload(done.card_id if done else None))
        finally:
            release_keys()

    def action_filter(self) -> None:
        # Over SSH "/okafor" can arrive in one read. Textual hands each key to the
        # focused widget as it takes it from the queue and runs ordinary bindings only
        # when the key comes back up, so the letters went to the card list before "/"
        # had focused the filter ("k" moved up, "a" opened the archive). As a priority
        # binding "/" runs first, and the filter takes focus at once (Widget.focus()
        # would wait for the next idle).
        field = self.query_one("#filter", Input)
        if field.has_focus:
            raise SkipAction()  # a "/" typed in the filter is text
        if not self.filtering:
            self._before_filter = self.focused_list.highlighted_id
        self._show_filter(True)
        self.query_one(KeyFooter).covered = True
        self.set_focus(field)

    def _filter_query(self) -> str | None:
        """The filter's text while it filters the board (None: it does not)."""
        return self.query_one("#filter", Input).value if self.model.filter_ids is not None else None

    @property
    def filtering(self) -> bool:
        """Whether the filter is open (shown in the footer's row)."""
        return self.query_one("#filter-row").display

    def _show_filter(self, shown: bool) -> None:
        """The filter in the footer's row, or the footer back. Each widget's display is
        set, not a class on the screen: that restyled every widget of the board, a
        third of the time of `/` and of its clearing."""
        self.query_one("#filter-row").display = shown
        self.query_one(KeyFooter).display = not shown

    def action_clear_filter(self) -> None:
        if not self.filtering:
            return
        # The card the rep is on, or, if the filter left none in their column, the one
        # they were on when they opened it.
        highlighted = self.focused_list.highlighted_id
        if highlighted is None:
            highlighted = self._before_filter
        # The whole board comes back in one frame, with the footer's keys (which follow
        # the focus a few messages later), not in two.
        release = seams.hold_repaints(self.app, FILTER_HOLD_S)
        self._show_filter(False)
        self.query_one("#filter", Input).value = ""
        self.model.filter_ids = None
        # Only the columns, as each key typed in the filter: the header's figures do
        # not depend on the filter, and recounting them is most of the work.
        self._show_stages(*STAGES)
        if highlighted is not None:
            self.focus_card(highlighted)
        self.set_focus(self.focused_list, scroll_visible=False)
        self.query_one(KeyFooter).covered = False
        # Through the app's queue, after the focus change and the footer's keys.
        if not self.app.call_later(self._release_once_read, release):
            release()

    def _hold_for_filter(self) -> None:
        """A key typed in the filter: the key and the cards it filters show in one frame,
        not the key at once and the cards a frame or more later (FILTER_HOLD_S at most,
        so a slow store never keeps the typing out of sight)."""
        if self._filter_hold is None:
            self._filter_hold = seams.hold_repaints(self.app, FILTER_HOLD_S)

    def _filter_shown(self) -> None:
        release, self._filter_hold = self._filter_hold, None
        if release is not None:
            self._release_once_read(release)

    @on(Input.Changed, "#filter")
    @work(group="filter", exclusive=True)
    async def _filter_changed(self, event: Input.Changed) -> None:
        query = event.value
        try:
            matching = None
            filtered_columns: dict[Stage, array[int]] = {}
            if query.strip():
                await self._whole_board()
                epoch, generation = self.model.cache_epoch, self.model.generation
                columns = dict(self.model.ids)
                try:
                    matching, cards = await self.backend.run(
                        self.backend.service.matching_cards,
                        query,
                        self._unread_once_filtered(columns, filtered_columns),
                    )
                except StoreError as error:
                    self.notify(str(error), severity="error", markup=False)
                    return
                self.model.fetched(cards, cards, epoch)
                if self.model.generation != generation or any(
                    self.model.ids[stage] is not ids for stage, ids in columns.items()
                ):
                    filtered_columns = {}  # changed meanwhile: filtered again below
            if matching == self.model.filter_ids:
                return  # "okafo" then "okafor": the same cards, nothing to draw again
            self.model.filter_ids = matching
            # Only the columns: the header's counts do not depend on the filter, and
            # recounting overdue and stale cards over the whole board on every key was
            # most of the filter's time at 10,000 cards.
            self._show_stages(*STAGES, filtered=filtered_columns, refiltered=True)
        finally:
            # A newer key's search cancels this one, and shows its own result; one that
            # ends as the app quits finds the field gone (and raised NoMatches).
            if self.app.is_running and self.query_one("#filter", Input).value == query:
                self._filter_shown()

    async def _whole_board(self) -> None:
        """Wait for the whole board, if only each column's first cards are read yet
        (start-up): the filter finds cards anywhere in a column, and keys typed ahead
        with it (`jjjj/petrov⏎jja`) must move through all it finds, not the few among
        the first cards, which the whole board then shows in other places."""
        if self.model.complete:
            return
        self._then_the_rest()  # now, if it still waited for the card screen
        await self._first_read.wait()

    def _unread_once_filtered(
        self, columns: Mapping[Stage, array[int]], filtered_columns: dict[Stage, array[int]]
    ) -> Callable[[set[int]], list[int]]:
        """What picks, beside the search and in the same read, the cards the columns
        will show once filtered that are not read yet: the frame that shows a key typed
        in the filter waits for them, and a second read after the search was a third of
        that wait. Run in the store's thread, on copies of `columns`; each column's
        matches go into `filtered_columns`, for the columns to show them without
        filtering them again (at 100,000 cards that was several ms a key)."""
        copies = {stage: array("q", ids) for stage, ids in columns.items()}
        places = {stage: column.card_list.place() for stage, column in self.columns.items()}
        cache = self.model.cache
        shown_now = self.model.filter_ids

        def unread(matching: set[int]) -> list[int]:
            if matching == shown_now:
                return []  # "okafo" then "okafor": nothing new to show
            found = []
            for stage, ids in copies.items():
                filtered_columns[stage] = kept = filtered(ids, matching)
                found += shown_when_filtered(kept, places[stage])
            return [card_id for card_id in found if card_id not in cache]

        return unread

    def submit_field(self) -> None:
        # Typed with the last letters, enter goes to the cards they find: it chose the
        # column from the cards of the letters before, and a key after it (an a to
        # archive) acted on a column the last letters had emptied. The keys wait; the
        # input's last change, then its search, come first.
        release_keys = hold_keys(self)
        field = self.query_one("#filter", Input)
        field.call_later(self.call_later, self._filter_done_once_found, release_keys)

    @work(group="filter-done", exclusive=True)
    async def _filter_done_once_found(self, release_keys: Callable[[], None]) -> None:
        try:
            await self._workers_done("filter")  # the search of the last key typed too
            self._filter_done()
        finally:
            release_keys()

    def _filter_done(self) -> None:
        if not self.query_one("#filter", Input).value.strip():
            self.action_clear_filter()
            return
        lists = [self.last_list, *(c.card_list for c in self.columns.values())]
        next((cards for cards in lists if cards.ids), self.last_list).focus()

    def action_standup(self) -> None:
        from pipeline_tui.ui.screens.standup import StandupScreen

        def back(_: None) -> None:
            self.reload()

        self.app.push_screen(StandupScreen(self.backend), back)

    def action_call_queue(self) -> None:
        from pipeline_tui.ui.screens.calls import CallQueueScreen

        def back(_: None) -> None:
            self.reload()

        self.app.push_screen(CallQueueScreen(self.backend), back)

    def action_week(self) -> None:
        from pipeline_tui.ui.screens.agenda import AgendaScreen

        def back(_: None) -> None:
            self.reload()

        self.app.push_screen(AgendaScreen(self.backend), back)

    def action_insight(self) -> None:
        from pipeline_tui.ui.screens.insight import InsightScreen

        self.app.push_screen(InsightScreen(self.backend))

    def action_help(self) -> None:
        from pipeline_tui.ui.screens.help import HelpScreen

        bindings = [*CardList.BINDINGS, *self.BINDINGS]
        self.app.push_screen(HelpScreen("Board keys", bindings))

    # Saving ----------------------------------------------------------------------------

    def _drawn(self, stage: Stage) -> asyncio.Event:
        """Set once the frame that draws the stage's column again is written."""
        drawn = asyncio.Event()
        self.columns[stage].card_list.call_after_drawn(drawn.set)
        return drawn

    @work(group="db")
    async def save(
        self,
        call: Callable[..., Change | None],
        *args: Any,
        reload: bool = True,
        revert: Callable[[], object] | None = None,
        shown: asyncio.Event | None = None,
        read_again: Callable[[Change], bool] | None = None,
    ) -> None:
        """Run one change in the store, remember it for undo, and show the result.

        With reload=False the board already shows the change; if the store refuses it
        (or cannot be reached), `revert` takes it back on screen at once, the reason is
        shown, and the board is read again (now, or as soon as the store answers), so
        the screen never shows what was not saved. `shown` (see _drawn): the store
        starts on the change once the frame that shows it is written. `read_again`:
        whether the card is read again once saved (the store did other than shown).
        """
        try:
            if shown is None:
                change = await self.backend.change(call, *args)
            else:
                change = await self.backend.change_shown(shown, call, *args)
        except (StoreError, CardFormError) as error:
            if revert is not None:
                revert()
            self.notify(str(error), title="Not saved", severity="error", markup=False)
            self.reload(self.focused_list.highlighted_id)
            return
        if change is None:
            return
        self.model.confirmed(change.card_id, change.version_after)
        if reload:
            self.reload(change.card_id)
        elif read_again is not None and read_again(change):
            self.refresh_card(change.card_id)


def _import_card_screen_meanwhile(board: BoardScreen) -> None:
    """The card screen's modules (Markdown and the dialogs it opens) took ~0.3 s to
    import on the rep's first enter. The board's first frame is out when this is
    called: they are imported now, beside the event loop, so that first enter finds
    them there; then the board builds its card screen (BoardScreen.CardScreenImported)."""

    def import_then_tell() -> None:
        try:
            importlib.import_module("pipeline_tui.ui.screens.card")
        finally:  # the board goes on either way (an error shows on the first enter)
            board.post_message(BoardScreen.CardScreenImported())  # thread-safe

    threading.Thread(target=import_then_tell, name="import-card-screen", daemon=True).start()


class _NewCardPlace:
    """The column a new card goes to, kept with its draft (ui/drafts.py, DraftContext):
    where the form was opened, or where the draft restored in it was started."""

    def __init__(self, stage: Stage) -> None:
        self.stage = stage
        self.form: CardFormScreen | None = None

    @property
    def title(self) -> str:
        return f"New {self.stage.label.lower()}"

    def fields(self) -> Fields:
        return {NEW_CARD_STAGE: self.stage.value}

    def preview(self, kept: Fields) -> list[str]:
        stage = new_card_stage(kept)
        return [f"Column: {stage.label}"] if stage is not None else []

    def restore(self, kept: Fields) -> None:
        stage = new_card_stage(kept)
        if stage is None or stage is self.stage:
            return  # kept before drafts said where: the card goes where n was pressed
        self.stage = stage
        if self.form is not None:
            self.form.retitle(self.title)  # the form's title says where the card goes
