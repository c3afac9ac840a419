"""Not yet: the rules for parking a lead until a date (domain/nurture.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline_tui.domain.limits import NEXT_ACTION
from pipeline_tui.domain.nurture import (
    NurtureError,
    back_from_nurturing,
    back_on,
    check_park_date,
    is_nurturing,
    research_action,
)
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
