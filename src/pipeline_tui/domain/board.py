"""The board as the rep sees it, in plain Python: which cards each column shows, the
header's figures, the views (my cards, stale only, a filter), and a move or reorder
shown before the store confirms it.

The board screen renders this and sends it commands; it holds no board state of its
own. Columns hold ids only (8 bytes a card); the cards themselves come from a bounded
SummaryCache, a window at a time.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from pipeline_tui.domain.cards import BoardTotals, CardSummary
from pipeline_tui.domain.stages import STAGES, Stage

SUMMARY_CACHE_SIZE = 2000
"""Cards kept for the whole board: many screens of every column, whatever its length."""
NO_CARDS = ("No cards yet.", "n adds one.")


class SummaryCache:
    """The cards the board has read, by id: at most `limit`, the least recently drawn
    dropped first. `pending` holds the ids asked for and not yet read."""

    def __init__(self, limit: int = SUMMARY_CACHE_SIZE) -> None:
        self.limit = limit
        self._cards: OrderedDict[int, CardSummary] = OrderedDict()
        self.pending: set[int] = set()

    def __len__(self) -> int:
        return len(self._cards)

    def __contains__(self, card_id: object) -> bool:
        return card_id in self._cards

    def get(self, card_id: int) -> CardSummary | None:
        """The card, marked as just used (drawing it keeps it)."""
        card = self._cards.get(card_id)
        if card is not None:
            self._cards.move_to_end(card_id)
        return card

    def peek(self, card_id: int) -> CardSummary | None:
        return self._cards.get(card_id)

    def put(self, card: CardSummary) -> None:
        self._cards[card.id] = card
        self._cards.move_to_end(card.id)
        while len(self._cards) > self.limit:
            self._cards.popitem(last=False)

    def put_all(self, cards: Iterable[CardSummary]) -> None:
        for card in cards:
            self.put(card)

    def clear(self) -> None:
        self._cards.clear()
        self.pending.clear()


@dataclass(frozen=True)
class Column:
    """What one column shows."""

    ids: array[int]
    """The cards shown, top first (the filter applied)."""
    total: int | None
    """The stage's whole count, when a view or filter shows only some of its cards."""
    stage_size: int | None
    """The stage's count while only the top of each column is loaded (start-up)."""
    empty_hint: tuple[str, ...]
    """What the column says when it shows no card."""


class BoardModel:
    """The board's state for one rep (`user`, for "my cards")."""

    def __init__(self, user: str, cache_limit: int = SUMMARY_CACHE_SIZE) -> None:
        self.user = user
        self.cache = SummaryCache(cache_limit)
        self.ids: dict[Stage, array[int]] = {stage: array("q") for stage in STAGES}
        """Each column's card ids in the current view (my cards, stale only), top first."""
        self.totals: BoardTotals | None = None
        """The header's figures (every card of the pipeline, whatever the view)."""
        self.partial: dict[Stage, int] | None = None
        """Each column's size while only the top of each is loaded (start-up)."""
        self.complete = False
        """Whether the columns hold every card's id (not just the top of each column)."""
        self.cache_epoch = 0
        """Bumped when the cache is refilled: reads started before are dropped."""
        self.generation = 0
        """Bumped by every change shown before the store confirms it: a reload started
        before it may predate it."""
        self.filter_ids: set[int] | None = None
        self.mine_only = False
        self.stale_only = False
        self.nurturing = False
        """The nurturing view: the cards parked "not yet" instead of the board's."""
        self.view_entered_from: int | None = None
        """The card highlighted when a narrower view (stale, nurturing) was opened."""
        self.out_of_date = False
        """A read of the board failed (the store did not answer): read it again once
        the store answers."""

    # Loading -------------------------------------------------------------------------

    def start_with(
        self,
        columns: Mapping[Stage, list[CardSummary]],
        counts: Mapping[Stage, int],
        today: date,
        limits: Mapping[Stage, int],
    ) -> None:
        """The top of each column, read at start-up before the store opened."""
        for stage, cards in columns.items():
            self.ids[stage] = array("q", (card.id for card in cards))
            self.cache.put_all(cards)
        if all(len(columns.get(stage, ())) == counts.get(stage, 0) for stage in STAGES):
            everything = [card for cards in columns.values() for card in cards]
            self.totals = BoardTotals(
                {stage: len(columns.get(stage, ())) for stage in STAGES},
                sum(card.is_overdue(today) for card in everything),
                sum(card.is_stale(today, limits) for card in everything),
                {
                    stage: sum((card.value for card in cards if card.value), Decimal(0))
                    for stage, cards in columns.items()
                    if any(card.value is not None for card in cards)
                },
            )
        else:
            self.partial = {stage: counts.get(stage, 0) for stage in STAGES}

    def load(
        self,
        ids: dict[Stage, array[int]],
        totals: BoardTotals,
        cards: Iterable[CardSummary],
    ) -> bool:
        """A whole board read from the store; True the first time (start-up is over)."""
        # Every card read before may have changed since: start the cache afresh.
        self.cache_epoch += 1
        self.cache.clear()
        self.cache.put_all(cards)
        self.ids = ids
        self.totals = totals
        self.partial = None
        self.out_of_date = False
        first = not self.complete
        self.complete = True
        return first

    def fetched(self, cards: Mapping[int, CardSummary], asked: Iterable[int], epoch: int) -> bool:
        """Cards read for a column's window; False when a reload made them old news."""
        if epoch != self.cache_epoch:
            return False
        self.cache.pending.difference_update(asked)
        for card in cards.values():
            if card.id not in self.cache:  # a change made here since is newer
                self.cache.put(card)
        return True

    def refreshed(self, card: CardSummary, today: date, limits: Mapping[Stage, int]) -> bool:
        """One card read again (back from its screen). False when it no longer belongs
        where the board shows it: the board must be read again."""
        if (
            card.id not in self.ids[card.stage]
            or (self.mine_only and card.owner != self.user)
            or (self.stale_only and not card.is_stale(today, limits))
            or card.is_nurturing(today) != self.nurturing
        ):
            return False
        before = self.cache.peek(card.id)
        if before is None:
            # Its value, and whether it is overdue or stale, may be new: the header's
            # and the column's figures must be counted again.
            return False
        if self.totals is not None:
            # A next action set, done or moved makes the card overdue or not: the header
            # said "18 overdue" after one was set for yesterday (the stand-up said 19).
            overdue = card.is_overdue(today) - before.is_overdue(today)
            stale = card.is_stale(today, limits) - before.is_stale(today, limits)
            values = self.totals.values
            if before.value != card.value:
                values = _added_value(values, card.stage, before.value and -before.value)
                values = _added_value(values, card.stage, card.value)
            self.totals = replace(
                self.totals,
                overdue=self.totals.overdue + overdue,
                stale=self.totals.stale + stale,
                values=values,
            )
        self.cache.put(card)
        return True

    # What is shown -------------------------------------------------------------------

    def column(self, stage: Stage, matching: array[int] | None = None) -> Column:
        """What the column shows; `matching`: its cards the filter matches, in order,
        when they were picked out already (beside the filter's search)."""
        ids = self.ids[stage]
        total = None
        # The nurturing view's cards are in no stage count: "2/40" would mislead.
        if not self.nurturing and (
            self.filter_ids is not None or self.mine_only or self.stale_only
        ):
            total = self.totals.counts[stage] if self.totals is not None else len(ids)
        if self.filter_ids is not None:
            ids = matching if matching is not None else filtered(ids, self.filter_ids)
        stage_size = self.partial[stage] if self.partial else None
        return Column(ids, total, stage_size, self.empty_hint)

    def value(self, stage: Stage) -> Decimal | None:
        """The sum of the stage's values (every active card on the board, whatever the
        view), once counted; None while not known or when no card of the stage has a
        value, and in the nurturing view, whose columns hold none of those cards:
        "Lead·1·€1.2M" over one parked lead worth nothing read as that lead's worth."""
        if self.nurturing or self.totals is None:
            return None
        return self.totals.values.get(stage)

    @property
    def empty_hint(self) -> tuple[str, ...]:
        """Why a column shows no card: a new pipeline, or the view leaves them out."""
        if self.filter_ids is not None:
            return ("No card matches.",)
        if self.nurturing:
            return ("Nothing parked.",)
        if self.stale_only:
            return ("Nothing stale.",)
        if self.mine_only:
            return ("None of yours.",)
        return NO_CARDS

    @property
    def views(self) -> list[str]:
        return [
            name
            for name, on in (
                ("my cards", self.mine_only),
                ("stale only", self.stale_only),
                ("nurturing view", self.nurturing),
            )
            if on
        ]

    @property
    def known(self) -> bool:
        """Whether any of the board has been read (the top of each column at start-up,
        or all of it). Until then nothing is known, not even that a column is empty."""
        return self.complete or self.partial is not None or self.totals is not None

    @property
    def figures(self) -> tuple[int, int, int]:
        """Cards, overdue and stale for the header (the last two once counted)."""
        if self.partial is not None:
            return sum(self.partial.values()), 0, 0
        if self.totals is not None:
            return self.totals.cards, self.totals.overdue, self.totals.stale
        return 0, 0, 0

    def header(self) -> str:
        if not self.known:
            return " · ".join(self.views)
        count, overdue, stale = self.figures
        parked = self.totals.nurturing if self.totals is not None else 0
        return (
            f"{count} card{'s' if count != 1 else ''}"
            + (f" · {overdue} overdue" if overdue else "")
            + (f" · {stale} stale" if stale else "")
            + (f" · {parked} nurturing" if parked else "")
            + "".join(f" · {view}" for view in self.views)
        )

    def stage_of(self, card_id: int) -> Stage | None:
        """The column that holds the card in the current view, if any."""
        card = self.cache.peek(card_id)
        if card is not None and card_id in self.ids[card.stage]:
            return card.stage
        return next((stage for stage in STAGES if card_id in self.ids[stage]), None)

    # Changes shown before the store confirms them ------------------------------------

    def move(
        self, card: CardSummary, to_stage: Stage, today: date, limits: Mapping[Stage, int]
    ) -> int | None:
        """Show `card` at the top of `to_stage`, as the store will put it; returns where
        it was in its column (for take_back_move)."""
        self.generation += 1
        # A move is activity: the card is no longer stale.
        self.cache.put(replace(card, stage=to_stage, last_activity=today))
        source = self.ids[card.stage]
        index = source.index(card.id) if card.id in source else None
        if index is not None:
            del source[index]
        if not self.stale_only:
            self.ids[to_stage].insert(0, card.id)
        self._count_move(card, card.stage, to_stage, -int(card.is_stale(today, limits)))
        return index

    def take_back_move(
        self,
        card: CardSummary,
        to_stage: Stage,
        index: int | None,
        today: date,
        limits: Mapping[Stage, int],
    ) -> None:
        """The store did not save a move: show the card as it was, where it was."""
        self.generation += 1
        self.cache.put(card)
        moved_to = self.ids[to_stage]
        if card.id in moved_to:
            moved_to.remove(card.id)
        column = self.ids[card.stage]
        if index is not None and card.id not in column:
            column.insert(min(index, len(column)), card.id)
        self._count_move(card, to_stage, card.stage, int(card.is_stale(today, limits)))

    def _count_move(self, card: CardSummary, source: Stage, target: Stage, stale: int) -> None:
        # No recount: one card changed column. The next reload counts everything again.
        if self.partial is not None:
            self.partial[source] -= 1
            self.partial[target] += 1
        if self.totals is not None:
            counts = dict(self.totals.counts)
            counts[source] -= 1
            counts[target] += 1
            values = _moved_value(self.totals.values, card.value, source, target)
            self.totals = replace(
                self.totals, counts=counts, stale=self.totals.stale + stale, values=values
            )

    def hides_neighbours(self) -> bool:
        """Whether the view may hide cards of a column (the filter, mine only, stale
        only). A reorder swaps a card with its neighbour in the whole column, which such
        a view may not show: J in a filtered column moved the card past a hidden one,
        with nothing seen to move."""
        return self.filter_ids is not None or self.mine_only or self.stale_only

    def reorder(
        self, card: CardSummary, step: int, index_hint: int | None = None
    ) -> tuple[int, int] | None:
        """Show `card` `step` places up (negative) or down its column; returns the two
        places it swapped (for take_back_reorder), None at an end.

        `index_hint`: where the screen shows the card, when it shows the whole column
        (saves a search through a long column)."""
        column = self.ids[card.stage]
        if index_hint is not None and 0 <= index_hint < len(column):
            index = index_hint if column[index_hint] == card.id else column.index(card.id)
        else:
            index = column.index(card.id)
        target = index + step
        if not 0 <= target < len(column):
            return None
        self.generation += 1
        column[index], column[target] = column[target], column[index]
        return index, target

    def take_back_reorder(self, card: CardSummary, places: tuple[int, int]) -> bool:
        """The store did not save a reorder: swap the card back, if it is still there."""
        index, target = places
        column = self.ids[card.stage]
        if not (target < len(column) and index < len(column) and column[target] == card.id):
            return False
        self.generation += 1
        column[index], column[target] = column[target], column[index]
        return True

    def take_off(self, card: CardSummary) -> None:
        """Show a card archived here gone from its column (before the board is read)."""
        self.generation += 1
        column = self.ids[card.stage]
        if card.id in column:
            column.remove(card.id)
        if self.nurturing:
            self._count_parked(-1)
            return  # a parked card is in no other figure
        if self.partial is not None:
            self.partial[card.stage] -= 1
        if self.totals is not None:
            counts = dict(self.totals.counts)
            counts[card.stage] -= 1
            values = _moved_value(self.totals.values, card.value, card.stage, None)
            self.totals = replace(self.totals, counts=counts, values=values)

    def confirmed(self, card_id: int, version: int) -> None:
        """The store saved a change to the card shown here: remember its new version, so
        a later change made against it is not taken for someone else's."""
        card = self.cache.peek(card_id)
        if card is not None and card.version != version:
            self.cache.put(replace(card, version=version))

    def park(self, card: CardSummary) -> None:
        """Show a card parked (or brought back) here gone from the view it was in: it
        belongs to the other one now."""
        self.generation += 1
        column = self.ids[card.stage]
        if card.id in column:
            column.remove(card.id)
        if self.totals is None:
            return
        if self.nurturing:  # brought back: on the board again
            self._count_parked(-1)
            counts = dict(self.totals.counts)
            counts[card.stage] += 1
            values = _added_value(self.totals.values, card.stage, card.value)
            self.totals = replace(self.totals, counts=counts, values=values)
        else:
            self.take_off(card)
            self._count_parked(1)

    def _count_parked(self, step: int) -> None:
        if self.totals is not None:
            self.totals = replace(self.totals, nurturing=max(0, self.totals.nurturing + step))

    # Views ---------------------------------------------------------------------------

    def toggle_mine(self) -> str:
        self.mine_only = not self.mine_only
        return "Only your cards" if self.mine_only else "Everyone's cards"

    def toggle_stale(self) -> str:
        self.stale_only = not self.stale_only
        return "Only stale cards" if self.stale_only else "All cards, stale or not"

    @property
    def narrowed(self) -> bool:
        """Whether a view shows some of the cards only: the stale ones, or the parked."""
        return self.stale_only or self.nurturing

    def view_toggled(self, was_narrowed: bool, highlighted: int | None) -> int | None:
        """After S or N, the card to highlight once the board is read again (None: the
        highlight stays where it is). Into a narrower view the card the rep was on is
        remembered; back out of it, the highlight goes back to that card, as after
        escape: the view took it away (not stale, not parked), and the column's first
        card took its place."""
        if not was_narrowed and self.narrowed:
            self.view_entered_from = highlighted
        elif was_narrowed and not self.narrowed:
            back, self.view_entered_from = self.view_entered_from, None
            return back
        return None

    def toggle_nurturing(self) -> str:
        self.nurturing = not self.nurturing
        if self.nurturing:
            return "Nurturing: leads parked until later (b brings one back now)"
        return "The board: the cards to work now"

    @property
    def needs_store_order(self) -> bool:
        """Whether a reorder must be checked against the store: in my cards or stale
        only, the card's neighbour in the store may be a card not shown."""
        return self.mine_only or self.stale_only


def filtered(column: array[int], matching: set[int]) -> array[int]:
    """The column's cards that the filter matches, in the column's order."""
    return array("q", [card_id for card_id in column if card_id in matching])


@dataclass(frozen=True)
class ListPlace:
    """Where a column's list is: the card under its cursor and the first on screen
    (indexes into the cards it shows), how many cards one screen shows, and the id of
    the highlighted card."""

    cursor: int
    first: int
    page: int
    highlighted: int | None = None


def cursor_when_filtered(ids: array[int], highlighted: int | None) -> int:
    """Where a list's cursor goes when the filter leaves it `ids`: on the card it was
    on, if that card matches; else on the first match. Kept at its index, it landed on
    whichever card came there (`/mensah` from the 4th client highlighted the 4th
    Mensah, though the one the rep was on was first)."""
    if highlighted is not None:
        with suppress(ValueError):
            return ids.index(highlighted)
    return 0


def shown_when_filtered(ids: array[int], place: ListPlace) -> list[int]:
    """The cards a list at `place` shows once the filter leaves it `ids` (or one
    more): its cursor goes where cursor_when_filtered says, it keeps its scroll within
    the shorter list, and scrolls to the cursor if it is off screen."""
    if not ids:
        return []
    cursor = cursor_when_filtered(ids, place.highlighted)
    first = max(0, min(place.first, len(ids) - place.page + 1))
    if cursor < first:
        first = cursor
    elif cursor >= first + place.page:
        first = cursor - place.page + 1
    # Scrolled by lines, a list can show the card before `first` in part: it too.
    return list(dict.fromkeys([*ids[max(0, first - 1) : first + place.page], ids[cursor]]))


def _moved_value(
    values: Mapping[Stage, Decimal], value: Decimal | None, source: Stage, target: Stage | None
) -> Mapping[Stage, Decimal]:
    """The stages' value sums with one card's value taken from `source` to `target`
    (None: off the board)."""
    if value is None:
        return values
    moved = _added_value(values, source, -value)
    return _added_value(moved, target, value) if target is not None else moved


def _added_value(
    values: Mapping[Stage, Decimal], stage: Stage, amount: Decimal | None
) -> Mapping[Stage, Decimal]:
    if amount is None:
        return values
    added = dict(values)
    added[stage] = added.get(stage, Decimal(0)) + amount
    return added
