"""Due dates as a rep types them: 2026-12-01, today, tomorrow, fri, +3d, +2w."""

from __future__ import annotations

import re
from datetime import date, timedelta


class DueDateError(ValueError):
    """A due date that could not be read; the message is one sentence for the rep."""


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
_RELATIVE = re.compile(r"^\+\s*(\d{1,4})\s*([dw]?)$")
_AGO = re.compile(r"^-\s*(\d{1,4})\s*([dw]?)$")

DUE_DATE_HINT = "2026-12-01, today, tomorrow, fri, +3d or +2w"


def parse_due(text: str, today: date) -> date | None:
    """The date meant by `text`, relative to `today`; None when left empty.

    A weekday name means the next such day after today, so "fri" typed on a Friday is a
    week away (type "today" for today).
    """
    key = text.strip().lower()
    if not key:
        return None
    if key in ("today", "tod"):
        return today
    if key in ("tomorrow", "tom", "tmr"):
        return today + timedelta(days=1)
    for names in (_WEEKDAYS, _FULL_WEEKDAYS):
        if key in names:
            ahead = (names.index(key) - today.weekday() - 1) % 7 + 1
            return today + timedelta(days=ahead)
    relative = _RELATIVE.match(key)
    if relative:
        count, unit = int(relative.group(1)), relative.group(2) or "d"
        return today + timedelta(days=count * (7 if unit == "w" else 1))
    try:
        return date.fromisoformat(key)
    except ValueError:
        raise DueDateError(f"{text.strip()!r} is not a date; use {DUE_DATE_HINT}.") from None


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


PAST_DATE_HINT = "today, yesterday, mon, -3d or 2026-11-20"


def parse_past_date(text: str, today: date) -> date:
    """The day something happened: empty means today, a weekday name the last such day.

    Dates in the future are refused: a touchpoint is something that already happened.
    """
    key = text.strip().lower()
    if key in ("", "today", "tod"):
        return today
    if key in ("yesterday", "yest"):
        return today - timedelta(days=1)
    for names in (_WEEKDAYS, _FULL_WEEKDAYS):
        if key in names:
            back = (today.weekday() - names.index(key) - 1) % 7 + 1
            return today - timedelta(days=back)
    ago = _AGO.match(key)
    if ago:
        count, unit = int(ago.group(1)), ago.group(2) or "d"
        return today - timedelta(days=count * (7 if unit == "w" else 1))
    try:
        day = date.fromisoformat(key)
    except ValueError:
        raise DueDateError(f"{text.strip()!r} is not a date; use {PAST_DATE_HINT}.") from None
    if day > today:
        raise DueDateError(
            f"{day.isoformat()} is in the future; a touchpoint has already happened."
        )
    return day
