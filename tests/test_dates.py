"""Due dates and past dates in the forms reps type: month names, 15/12 or 12/15 as the
config says, 15.12., next week, +1m, eom; and the weekend said in the dialog's hint."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline_tui.domain.dates import (
    DateOrder,
    DueDateError,
    add_months,
    describe_day,
    due_date_hint,
    due_date_placeholder,
    order_for_locale,
    parse_due,
    parse_past_date,
)
from tests.conftest import TODAY

DAYS = st.dates(min_value=date(1950, 1, 1), max_value=date(2300, 12, 31))
MONTH_NAMES = [name.lower() for name in calendar.month_abbr[1:]]


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # From Monday 2026-11-23.
        ("dec 15", date(2026, 12, 15)),
        ("Dec 15", date(2026, 12, 15)),
        ("december 15", date(2026, 12, 15)),
        ("December 15th, 2027", date(2027, 12, 15)),
        ("15 dec", date(2026, 12, 15)),
        ("15th December", date(2026, 12, 15)),
        ("1st dec", date(2026, 12, 1)),
        ("15 dec 2027", date(2027, 12, 15)),
        ("15.12.", date(2026, 12, 15)),
        ("15.12", date(2026, 12, 15)),
        ("15.12.2027", date(2027, 12, 15)),
        ("15.12.27", date(2027, 12, 15)),
        ("15/12", date(2026, 12, 15)),
        ("12/15", date(2026, 12, 15)),  # no month 15: it can only be 15 Dec
        ("5/1", date(2027, 1, 5)),  # day first: 5 January, next year (it has passed)
        ("5/1/2027", date(2027, 1, 5)),
        ("23 nov", TODAY),  # today is the next time it comes
        ("22 nov", date(2027, 11, 22)),
        ("next week", date(2026, 11, 30)),
        ("Next  Week", date(2026, 11, 30)),
        ("+1m", date(2026, 12, 23)),
        ("+3m", date(2027, 2, 23)),
        ("+1y", date(2027, 11, 23)),
        ("eom", date(2026, 11, 30)),
        ("end of month", date(2026, 11, 30)),
        # A day gone by may be due, as 2026-11-20 always could be: the action is late.
        ("2026-11-20", date(2026, 11, 20)),
        ("yesterday", date(2026, 11, 22)),
        ("Yest", date(2026, 11, 22)),
        ("-3d", date(2026, 11, 20)),
        ("-2w", date(2026, 11, 9)),
    ],
)
def test_due_dates_in_the_forms_reps_type(typed: str, expected: date) -> None:
    assert parse_due(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "day_first", "month_first"),
    [
        ("5/1", date(2027, 1, 5), date(2027, 5, 1)),
        ("6/12", date(2026, 12, 6), date(2027, 6, 12)),
        ("12/6/2027", date(2027, 6, 12), date(2027, 12, 6)),
        ("12/15", date(2026, 12, 15), date(2026, 12, 15)),
        ("15/12", date(2026, 12, 15), date(2026, 12, 15)),
        # Dots are day first everywhere that writes them.
        ("5.1.", date(2027, 1, 5), date(2027, 1, 5)),
    ],
)
def test_the_configured_order_decides_which_number_is_the_day(
    typed: str, day_first: date, month_first: date
) -> None:
    assert parse_due(typed, TODAY, DateOrder.DMY) == day_first
    assert parse_due(typed, TODAY, DateOrder.MDY) == month_first


@pytest.mark.parametrize(
    "typed", ["31 apr", "30 feb", "0/12", "13/13", "32 dec", "dec 0", "15 decx", "1/2/3"]
)
def test_days_no_calendar_has_are_refused(typed: str) -> None:
    with pytest.raises(DueDateError, match="is not a date"):
        parse_due(typed, TODAY)


def test_the_hint_names_the_new_forms_in_the_configured_order() -> None:
    assert "15/12" in due_date_hint(DateOrder.DMY)
    assert "12/15" in due_date_hint(DateOrder.MDY)
    for form in ("next week", "+1m", "eom", "dec 15", "today", "tomorrow", "+3d"):
        assert form in due_date_hint()


@pytest.mark.parametrize("order", list(DateOrder))
def test_every_form_a_placeholder_shows_is_read_and_it_fits_the_field(order: DateOrder) -> None:
    # The placeholder is the whole hint cut short: the park dialog at 80 columns ended
    # "... 15/12 or 202". It shows a few forms, each one the field reads.
    placeholder = due_date_placeholder(order)
    assert len(placeholder) <= 52  # the card form's field at 80 columns, the narrowest
    for form in placeholder.replace(" or ", ", ").split(", "):
        assert parse_due(form, TODAY, order, after_today=True) is not None, form


@pytest.mark.parametrize(
    ("environ", "order"),
    [
        ({"LANG": "en_US.UTF-8"}, DateOrder.MDY),
        ({"LANG": "en_GB.UTF-8"}, DateOrder.DMY),
        ({"LANG": "de_DE.UTF-8"}, DateOrder.DMY),
        ({"LC_TIME": "en_US.UTF-8", "LANG": "de_DE.UTF-8"}, DateOrder.MDY),
        ({"LC_ALL": "fr_FR.UTF-8", "LC_TIME": "en_US.UTF-8"}, DateOrder.DMY),
        ({"LANG": "C.UTF-8"}, DateOrder.DMY),
        ({}, DateOrder.DMY),
    ],
)
def test_the_locale_gives_the_default_order(environ: dict[str, str], order: DateOrder) -> None:
    assert order_for_locale(environ) is order


def test_a_weekend_day_says_so_in_the_hint() -> None:
    assert describe_day(date(2026, 11, 28)) == "Sat 28 Nov 2026 (a weekend)"
    assert describe_day(date(2026, 11, 29)) == "Sun 29 Nov 2026 (a weekend)"
    assert describe_day(date(2026, 11, 27)) == "Fri 27 Nov 2026"


# Properties ---------------------------------------------------------------------------------


@settings(max_examples=300)
@given(today=DAYS, months=st.integers(min_value=0, max_value=240))
@example(today=date(2027, 1, 31), months=1)  # to 28 Feb
@example(today=date(2028, 1, 31), months=1)  # to 29 Feb, a leap year
@example(today=date(2028, 2, 29), months=12)  # no 29 Feb in 2029: the 28th
@example(today=date(2026, 12, 31), months=1)  # over the year's end
@example(today=date(2026, 8, 31), months=1)  # a 30-day month
def test_plus_months_keeps_the_day_or_ends_the_shorter_month(today: date, months: int) -> None:
    result = parse_due(f"+{months}m", today)
    assert result == add_months(today, months)
    assert result is not None
    assert (result.year * 12 + result.month) - (today.year * 12 + today.month) == months
    assert result.day == min(today.day, _last_day(result.year, result.month))


@settings(max_examples=200)
@given(today=DAYS)
@example(today=date(2028, 2, 1))
@example(today=date(2027, 2, 28))
@example(today=date(2026, 12, 31))
def test_eom_is_the_last_day_of_this_month(today: date) -> None:
    result = parse_due("eom", today)
    assert result is not None
    assert (result.year, result.month) == (today.year, today.month)
    assert result.day == _last_day(today.year, today.month)
    assert (result + timedelta(days=1)).day == 1


@settings(max_examples=200)
@given(today=DAYS)
def test_next_week_is_the_coming_monday(today: date) -> None:
    result = parse_due("next week", today)
    assert result is not None
    assert result.weekday() == 0
    assert 1 <= (result - today).days <= 7


@settings(max_examples=300)
@given(
    today=DAYS,
    day=st.dates(min_value=date(2001, 1, 1), max_value=date(2001, 12, 31)),
    named=st.sampled_from(["month first", "day first", "numeric"]),
)
@example(today=date(2026, 12, 31), day=date(2001, 1, 1), named="month first")  # year wrap
@example(today=date(2026, 12, 31), day=date(2001, 12, 31), named="day first")  # today
@example(today=date(2027, 1, 1), day=date(2001, 12, 31), named="numeric")
def test_a_day_without_a_year_is_its_next_time_within_a_year(
    today: date, day: date, named: str
) -> None:
    month = MONTH_NAMES[day.month - 1]
    typed = {
        "month first": f"{month} {day.day}",
        "day first": f"{day.day} {month}",
        "numeric": f"{day.day}/{day.month}",
    }[named]
    result = parse_due(typed, today, DateOrder.DMY)
    assert result is not None
    assert (result.month, result.day) == (day.month, day.day)
    assert today <= result < add_months(today, 12) + timedelta(days=1)
    assert parse_due(f"{day.month}/{day.day}", today, DateOrder.MDY) == result


@settings(max_examples=200)
@given(today=DAYS)
@example(today=date(2028, 2, 29))
@example(today=date(2028, 3, 1))
@example(today=date(2100, 1, 1))  # 2100 is no leap year: 2104 is next
def test_29_february_is_the_next_leap_day(today: date) -> None:
    result = parse_due("29 feb", today)
    assert result is not None
    assert (result.month, result.day) == (2, 29)
    assert result >= today
    assert not any(
        calendar.isleap(year) and date(year, 2, 29) >= today
        for year in range(today.year, result.year)
    )


@settings(max_examples=300)
@given(today=DAYS, day=st.dates(min_value=date(2001, 1, 1), max_value=date(2001, 12, 31)))
@example(today=date(2027, 1, 1), day=date(2001, 12, 31))  # yesterday, last year
@example(today=date(2026, 12, 31), day=date(2001, 1, 1))
def test_a_past_day_without_a_year_is_its_latest_time_up_to_today(today: date, day: date) -> None:
    typed = f"{day.day} {MONTH_NAMES[day.month - 1]}"
    result = parse_past_date(typed, today)
    assert (result.month, result.day) == (day.month, day.day)
    assert add_months(today, -12) - timedelta(days=1) <= result <= today


def test_a_past_date_with_a_year_in_the_future_is_refused() -> None:
    with pytest.raises(DueDateError, match="in the future"):
        parse_past_date("15 dec 2026", TODAY)
    assert parse_past_date("15.11.", TODAY) == date(2026, 11, 15)
    assert parse_past_date("11/15", TODAY) == date(2026, 11, 15)
