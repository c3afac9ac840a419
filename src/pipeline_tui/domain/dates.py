"""Dates as a rep types them: 2026-12-01, today, tomorrow, fri, +3d, +2w, +1m, next week,
eom, dec 15, 15 dec, 15/12 (or 12/15, as the config's [dates] order says), 15.12."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from contextlib import suppress
from datetime import date, timedelta
from enum import StrEnum
from functools import cache


class DueDateError(ValueError):
    """A due date that could not be read; the message is one sentence for the rep."""


class DateOrder(StrEnum):
    """Which number comes first in 15/12 or 12/15: the day (most of the world) or the
    month (the United States and a few others)."""

    DMY = "dmy"
    MDY = "mdy"


# Territories that write the month first (CLDR's short date patterns); every other
# locale, and no locale at all, means day first.
_MONTH_FIRST_TERRITORIES = frozenset({"US", "PR", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "VI"})
_LOCALE_VARIABLES = ("LC_ALL", "LC_TIME", "LANG")


def order_for_locale(environ: Mapping[str, str]) -> DateOrder:
    """The order the rep's locale writes dates in (en_US.UTF-8: month first)."""
    for variable in _LOCALE_VARIABLES:
        name = environ.get(variable, "")
        if name:
            territory = re.match(r"^[a-zA-Z]+_([a-zA-Z]{2})", name)
            if territory and territory.group(1).upper() in _MONTH_FIRST_TERRITORIES:
                return DateOrder.MDY
            return DateOrder.DMY
    return DateOrder.DMY


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        1,
    )
    for name in names
}
_RELATIVE = re.compile(r"^\+\s*(\d{1,4})\s*([dwmy]?)$")
_AGO = re.compile(r"^-\s*(\d{1,4})\s*([dw]?)$")
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(\d{4}))?"
# "15 dec", "15th december 2026"; "dec 15", "December 15th, 2026".
_DAY_MONTH = re.compile(rf"^{_ORDINAL}\.?\s*([a-z]+)\.?{_YEAR}$")
_MONTH_DAY = re.compile(rf"^([a-z]+)\.?\s*{_ORDINAL}{_YEAR}$")
# "15/12", "12/15/2026", "15/12/26"; a dot means the day comes first: "15.12.", "15.12.2026".
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2})?)?$")
_YEARS_AHEAD = 8
"""A day without a year is its next occurrence; 29 Feb is at most eight years away."""


def due_date_hint(order: DateOrder = DateOrder.DMY, *, after_today: bool = False) -> str:
    """What the due-date fields take, with the day and month in the rep's order.
    `after_today`: for a field that refuses today (parking a lead), which leaves it out."""
    numeric = "15/12" if order is DateOrder.DMY else "12/15"
    first = "tomorrow" if after_today else "today, tomorrow"
    return f"{first}, fri, +3d, +1m, next week, eom, dec 15, {numeric} or 2026-12-15"


def due_date_placeholder(order: DateOrder = DateOrder.DMY) -> str:
    """A date field's placeholder: a few of the forms due_date_hint lists (all of them
    are in the message a date that cannot be read gets), short enough to show whole in
    the field at 80 columns; the whole list was cut off at "... 15/12 or 202"."""
    numeric = "15/12" if order is DateOrder.DMY else "12/15"
    return f"tomorrow, fri, +3d, next week, {numeric} or 2026-12-15"


def parse_due(
    text: str, today: date, order: DateOrder = DateOrder.DMY, *, after_today: bool = False
) -> date | None:
    """The date meant by `text`, relative to `today`; None when left empty.

    A weekday name means the next such day after today, so "fri" typed on a Friday is a
    week away (type "today" for today). "next week" is next Monday; "eom" the last day
    of this month; "+1m" the same day next month (or that month's last day). A day and
    month without a year is the next time that day comes (today included).

    A day gone by may be due (an action already late, as 2026-11-20 has always been
    read), so "yesterday" and "-3d" are dates here too.

    A count that leaves the calendar (`+9999y`: after the year 9999) is a DueDateError
    like any unreadable date, never a ValueError or OverflowError from the arithmetic;
    so is a day before 1900 (EARLIEST_PAST_DATE), as for a touchpoint.
    `after_today`: the errors' hint leaves out "today" (see due_date_hint).
    """
    key = _key(text)
    if not key:
        return None
    hint = due_date_hint(order, after_today=after_today)
    try:
        day = _due(key, text, today, order, hint)
    except (OverflowError, ValueError) as error:
        if isinstance(error, DueDateError):
            raise
        raise _too_far(text, hint) from None
    if day < EARLIEST_PAST_DATE:
        # As for a touchpoint: 0001-01-01 is a slip, and was shown as "739954d late".
        raise DueDateError(f"{day.isoformat()} is before {EARLIEST_PAST_DATE.year}; use {hint}.")
    return day


def _due(key: str, text: str, today: date, order: DateOrder, hint: str) -> date:
    if key in ("today", "tod"):
        return today
    if key in ("tomorrow", "tom", "tmr"):
        return today + timedelta(days=1)
    if key in ("yesterday", "yest"):
        return today - timedelta(days=1)
    if key == "next week":
        return today + timedelta(days=7 - today.weekday())
    if key in ("eom", "end of month"):
        return today.replace(day=_month_length(today.year, today.month))
    weekday = _weekday(key)
    if weekday is not None:
        ahead = (weekday - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    relative = _RELATIVE.match(key)
    if relative:
        count, unit = int(relative.group(1)), relative.group(2) or "d"
        if unit == "m":
            return add_months(today, count)
        if unit == "y":
            return add_months(today, 12 * count)
        return today + timedelta(days=count * (7 if unit == "w" else 1))
    ago = _AGO.match(key)
    if ago:
        count, unit = int(ago.group(1)), ago.group(2) or "d"
        return today - timedelta(days=count * (7 if unit == "w" else 1))
    day = _calendar_day(key, today, order, ahead=True)
    if day is None:
        raise DueDateError(f"{text.strip()!r} is not a date; use {hint}.")
    return day


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1
    month is 28 or 29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _month_length(year, month)))


@cache
def month_span(months: int) -> tuple[int, int]:
    """The fewest and the most days `add_months(day, months)` can be after `day`
    (negative when `months` goes back), over every day of the Gregorian calendar's
    400-year cycle. Only the 28th to the 31st need trying: from any earlier day no
    month's end is reached, so the months' lengths alone count, as from the 28th."""
    cycle = 400 * 12
    first = min(0, months)
    # Each month's first day (as an ordinal) and length, from 2000 on.
    starts, lengths = [], []
    for index in range(first, cycle + max(0, months)):
        year, month = divmod(24000 + index, 12)
        starts.append(date(year, month + 1, 1).toordinal())
        lengths.append(_month_length(year, month + 1))
    spans = []
    for at in range(-first, cycle - first):  # each month of the cycle
        to = at + months
        for day in range(28, lengths[at] + 1):
            spans.append(starts[to] + min(day, lengths[to]) - (starts[at] + day))
    return min(spans), max(spans)


def describe_due(due: date, today: date) -> str:
    """A short due label for a card: "today", "tomorrow", "3d late", "Fri", "Dec 01"."""
    days = (due - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days < 0:
        return f"{-days}d late"
    if days < 7:
        return due.strftime("%a")
    if due.year == today.year:
        return due.strftime("%b %d")
    return due.isoformat()


def describe_due_beside_date(due: date, today: date) -> str:
    """What to put in brackets after a due date written out ("due 2027-01-04 (...)"):
    how far off it is, never the date again. "today", "tomorrow", "3d late" and the
    weekday within a week, as `describe_due`; further out "in 42 days"."""
    days = (due - today).days
    if days >= 7:
        return f"in {days} days"
    return describe_due(due, today)


def full_day(day: date) -> str:
    """A date in full, "Sat 05 Dec 2026", for a sentence about that day."""
    return day.strftime("%a %d %b %Y")


def describe_day(day: date) -> str:
    """A date in full for a dialog's hint; a weekend day says so (rarely what a rep means).
    Not for a sentence that refuses the day: "(a weekend)" is beside its point."""
    shown = full_day(day)
    if day.weekday() >= 5:
        return f"{shown} (a weekend)"
    return shown


PAST_DATE_HINT = "today, yesterday, mon, -3d, 20 nov or 2026-11-20"
EARLIEST_PAST_DATE = date(1900, 1, 1)
"""The first day a touchpoint (or a stand-up's --since) may be: older is a typing slip."""
LATEST_TOUCHPOINT_AHEAD = timedelta(days=366)


def could_have_happened(day: date, today: date) -> bool:
    """Whether a touchpoint read from a file on `day` could have happened: not before
    1900 (0001 is a slip), nor a year or more ahead (2099 is one). A day or a week
    ahead may be a clock set wrong, or a step marked done ahead of its day. Every
    import holds to this, so a pipeline's export always reads back in."""
    return EARLIEST_PAST_DATE <= day <= today + LATEST_TOUCHPOINT_AHEAD


def parse_past_date(text: str, today: date, order: DateOrder = DateOrder.DMY) -> date:
    """The day something happened: empty means today, a weekday name the last such day,
    a day and month without a year its latest time up to today.

    Dates in the future are refused: a touchpoint is something that already happened.
    So are dates before 1900 (EARLIEST_PAST_DATE): `0001-01-01` or `-9999w` is a slip
    of the keyboard, not a conversation anyone had with a living customer.
    """
    try:
        day = _past(_key(text), text, today, order)
    except (OverflowError, ValueError) as error:
        if isinstance(error, DueDateError):
            raise
        raise _too_far(text, PAST_DATE_HINT) from None
    if day < EARLIEST_PAST_DATE:
        raise DueDateError(
            f"{day.isoformat()} is before {EARLIEST_PAST_DATE.year}; "
            "a touchpoint is something that happened in living memory."
        )
    return day


def _past(key: str, text: str, today: date, order: DateOrder) -> date:
    if key in ("", "today", "tod"):
        return today
    if key in ("yesterday", "yest"):
        return today - timedelta(days=1)
    weekday = _weekday(key)
    if weekday is not None:
        back = (today.weekday() - weekday - 1) % 7 + 1
        return today - timedelta(days=back)
    ago = _AGO.match(key)
    if ago:
        count, unit = int(ago.group(1)), ago.group(2) or "d"
        return today - timedelta(days=count * (7 if unit == "w" else 1))
    day = _calendar_day(key, today, order, ahead=False)
    if day is None and (key in ("tomorrow", "tom", "tmr", "next week") or key.startswith("+")):
        # Words for a day to come: said as 2026-12-31 is, not "not a date".
        with suppress(OverflowError, ValueError):
            day = _due(key, text, today, order, PAST_DATE_HINT)
    if day is None:
        raise DueDateError(f"{text.strip()!r} is not a date; use {PAST_DATE_HINT}.")
    if day > today:
        raise DueDateError(
            f"{day.isoformat()} is in the future; a touchpoint has already happened."
        )
    return day


def _too_far(text: str, hint: str) -> DueDateError:
    """A count that runs off Python's calendar (years 1 to 9999)."""
    return DueDateError(
        f"{text.strip()!r} is too far from today for a date (years 1 to 9999); use {hint}."
    )


# Reading a calendar day ---------------------------------------------------------------------


def _key(text: str) -> str:
    return " ".join(text.strip().lower().split())


def _weekday(key: str) -> int | None:
    for names in (_WEEKDAYS, _FULL_WEEKDAYS):
        if key in names:
            return names.index(key)
    return None


def _month_length(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _calendar_day(key: str, today: date, order: DateOrder, *, ahead: bool) -> date | None:
    """An ISO date, or a day and month (and maybe a year) in any of the forms above.

    Without a year: the next time that day comes (`ahead`), else the latest up to today.
    A day that no month has (31 Apr, 30 Feb) is no date.
    """
    try:
        return date.fromisoformat(key)
    except ValueError:
        pass
    reading = _day_month(key, order)
    if reading is None:
        return None
    day, month, year = reading
    if not 1 <= month <= 12 or day < 1:
        return None
    if year is None:
        return _nearest(day, month, today, ahead=ahead)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_month(key: str, order: DateOrder) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) as `key` writes them. 12/15 in a day-first locale can
    only be 15 Dec (there is no month 15), so it is read the other way round."""
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        named = pattern.match(key)
        if named and named.group(month_group) in _MONTHS:
            return int(named.group(day_group)), _MONTHS[named.group(month_group)], _year(named[3])
    dotted = _DOTTED.match(key)
    if dotted:
        return int(dotted[1]), int(dotted[2]), _year(dotted[3])
    slashed = _SLASHED.match(key)
    if slashed is None:
        return None
    first, second, year = int(slashed[1]), int(slashed[2]), _year(slashed[3])
    day_first, month_first = (first, second, year), (second, first, year)
    reading = day_first if order is DateOrder.DMY else month_first
    if reading[1] > 12:
        reading = month_first if reading is day_first else day_first
    return reading


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _nearest(day: int, month: int, today: date, *, ahead: bool) -> date | None:
    """The next (or, `ahead` False, the latest) date with this day and month."""
    step = 1 if ahead else -1
    for offset in range(_YEARS_AHEAD + 1):
        year = today.year + step * offset
        if day > _month_length(year, month):
            continue  # 29 Feb outside a leap year
        candidate = date(year, month, day)
        if (candidate >= today) if ahead else (candidate <= today):
            return candidate
    return None
