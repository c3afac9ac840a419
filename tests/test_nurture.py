"""Not yet: the rules for parking a lead until a date (domain/nurture.py)."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline_tui.domain.activity import DEFAULT_STALE_LIMITS
from pipeline_tui.domain.board import BoardModel
from pipeline_tui.domain.cards import BoardTotals, CardSummary
from pipeline_tui.domain.limits import NEXT_ACTION
from pipeline_tui.domain.nurture import (
    NurtureError,
    back_from_nurturing,
    back_on,
    check_park_date,
    is_nurturing,
    research_action,
)
from pipeline_tui.domain.stages import STAGES, Stage
from tests.conftest import TODAY

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
offsets = st.integers(min_value=-400, max_value=400)


@dataclass(frozen=True)
class Parked:
    name: str
    nurture_until: date | None


def test_a_card_is_nurtured_until_the_day_it_comes_back() -> None:
    until = TODAY + timedelta(days=3)
    assert is_nurturing(until, TODAY)
    assert is_nurturing(until, until - timedelta(days=1))
    assert not is_nurturing(until, until)  # back on the day itself
    assert not is_nurturing(until, until + timedelta(days=1))
    assert not is_nurturing(None, TODAY)


def test_parking_needs_a_date_after_today() -> None:
    tomorrow = TODAY + timedelta(days=1)
    assert check_park_date(tomorrow, TODAY) == tomorrow
    with pytest.raises(NurtureError, match=r"^Mon 23 Nov 2026 is not after today; park a lead"):
        check_park_date(TODAY, TODAY)
    with pytest.raises(NurtureError, match=r"^Say until when: a date after today\.$"):
        check_park_date(None, TODAY)


def test_the_error_is_one_sentence() -> None:
    with pytest.raises(NurtureError) as raised:
        check_park_date(TODAY - timedelta(days=2), TODAY)
    message = str(raised.value)
    assert message.endswith(".") and message.count(". ") == 0


def test_back_from_nurturing_lists_what_came_back_since_the_last_stand_up() -> None:
    friday = TODAY - timedelta(days=3)  # TODAY is a Monday
    cards = [
        Parked("today", TODAY),
        Parked("sunday", TODAY - timedelta(days=1)),
        Parked("saturday", TODAY - timedelta(days=2)),
        Parked("friday", friday),  # Friday's stand-up listed it
        Parked("tomorrow", TODAY + timedelta(days=1)),
        Parked("never parked", None),
    ]
    back = back_from_nurturing(cards, TODAY, friday)
    assert [card.name for card in back] == ["saturday", "sunday", "today"]
    # A stand-up looking back from today only (since = today) still lists today's.
    assert [card.name for card in back_from_nurturing(cards, TODAY, TODAY)] == ["today"]


def test_an_unknown_criterion_becomes_something_to_find_out() -> None:
    assert research_action("can afford it") == "Find out: can afford it?"
    assert research_action("Budget approved?") == "Find out: Budget approved?"
    assert research_action("  values   and goals align. ") == "Find out: values and goals align?"


# Properties -------------------------------------------------------------------------------


@given(today=days, offset=offsets)
def test_nurturing_is_exactly_before_the_return_day(today: date, offset: int) -> None:
    until = today + timedelta(days=offset)
    assert is_nurturing(until, today) == (offset > 0)


@given(today=days, offset=offsets)
def test_a_park_date_is_accepted_exactly_when_it_is_still_nurturing_today(
    today: date, offset: int
) -> None:
    until = today + timedelta(days=offset)
    try:
        check_park_date(until, today)
    except NurtureError:
        accepted = False
    else:
        accepted = True
    # A card parked with an accepted date is off the board today; a refused one would not be.
    assert accepted == is_nurturing(until, today)


@given(until=days, start=days, length=st.integers(min_value=0, max_value=60))
def test_daily_stand_ups_each_list_a_returning_card_once(
    until: date, start: date, length: int
) -> None:
    """Stand-ups on consecutive days, each looking back to the one before: a card that
    comes back in those days is listed by exactly one of them, on or after its day."""
    stand_ups = [start + timedelta(days=n) for n in range(length + 1)]
    listed = [today for previous, today in pairwise(stand_ups) if back_on(until, today, previous)]
    if start < until <= stand_ups[-1]:
        assert listed == [until]
    else:
        assert listed == []


@given(criterion=st.text(min_size=1, max_size=400))
def test_a_research_action_always_fits_a_next_action(criterion: str) -> None:
    action = research_action(criterion)
    assert action.startswith("Find out: ")
    assert len(action) <= NEXT_ACTION.chars


# The board model -------------------------------------------------------------------------


def _board(*cards: CardSummary, parked: int = 0) -> BoardModel:
    model = BoardModel("sam")
    ids = {stage: array("q", (c.id for c in cards if c.stage is stage)) for stage in STAGES}
    counts = {stage: len(ids[stage]) for stage in STAGES}
    values = {Stage.LEAD: sum((c.value or Decimal(0) for c in cards), Decimal(0))}
    model.load(ids, BoardTotals(counts, 0, 0, values, parked), cards)
    return model


def _lead(card_id: int, **fields: object) -> CardSummary:
    values: dict[str, object] = {"id": card_id, "name": f"Card {card_id}", "organisation": ""}
    values |= {"stage": Stage.LEAD, "position": card_id, "owner": "sam", "version": 1}
    values.update(fields)
    return CardSummary(**values)  # type: ignore[arg-type]


def test_the_header_counts_the_parked_cards_and_names_the_view() -> None:
    model = _board(_lead(1), parked=2)
    assert model.header() == "1 card · 2 nurturing"
    assert model.toggle_nurturing().startswith("Nurturing:")
    assert model.header() == "1 card · 2 nurturing · nurturing view"
    assert model.column(Stage.PROSPECT).empty_hint == ("Nothing parked.",)
    assert model.column(Stage.LEAD).total is None  # parked cards are in no stage count
    assert model.toggle_nurturing() == "The board: the cards to work now"


def test_a_card_parked_here_leaves_the_column_and_its_figures_at_once() -> None:
    ada = _lead(1, value=Decimal("300"))
    model = _board(ada, _lead(2, value=Decimal("100")))
    model.park(ada)
    assert list(model.column(Stage.LEAD).ids) == [2]
    assert model.totals is not None
    assert (model.totals.counts[Stage.LEAD], model.totals.nurturing) == (1, 1)
    assert model.value(Stage.LEAD) == Decimal("100")


def test_a_card_brought_back_leaves_the_nurturing_view_and_counts_again() -> None:
    ada = _lead(1, value=Decimal("300"), nurture_until=TODAY + timedelta(days=5))
    model = BoardModel("sam")
    model.nurturing = True
    ids = {stage: array("q") for stage in STAGES}
    ids[Stage.LEAD].append(1)
    model.load(ids, BoardTotals(dict.fromkeys(STAGES, 0), 0, 0, {}, 1), [ada])
    model.park(ada)
    assert list(model.column(Stage.LEAD).ids) == []
    assert model.totals is not None
    assert (model.totals.counts[Stage.LEAD], model.totals.nurturing) == (1, 0)
    assert model.totals.values[Stage.LEAD] == Decimal("300")
    assert model.value(Stage.LEAD) is None  # the nurturing view shows no board values
    model.nurturing = False
    assert model.value(Stage.LEAD) == Decimal("300")


@given(offset=offsets, in_view=st.booleans())
def test_a_card_read_again_stays_only_in_the_view_it_belongs_to(offset: int, in_view: bool) -> None:
    """Back from its screen, a card parked (or come back) meanwhile makes the board
    read again, in either view, whatever its date."""
    parked = _lead(1, nurture_until=TODAY + timedelta(days=offset))
    model = _board(_lead(1))
    model.nurturing = in_view
    stays = model.refreshed(parked, TODAY, DEFAULT_STALE_LIMITS)
    assert stays == (is_nurturing(parked.nurture_until, TODAY) == in_view)
