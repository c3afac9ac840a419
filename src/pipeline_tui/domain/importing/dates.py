"""Dates as other tools write them: ISO, 3/15/2027, 15 Mar 2027, with a time, Excel serials.

Which of 03/04/2027 is the day is decided once per column (`day_first`): by the
column's dates that only one order can read (15/04/2027 only day-first, 12/31/2027 only
month-first), the order more of them need; with none, month-first, as US exports and
Outlook write it. A dotted date (07.03.2027) is always day first. A date no order
can read (31/02/2027, a slip of the keyboard) says nothing about the column, and a
date only one order reads is read that way whatever the column's order (3/15/2027 in
a day-first column is still the 15th of March).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january", "janv", "januar"),
            ("feb", "february", "fev", "fevr", "februar"),
            ("mar", "march", "mars", "marz", "maerz"),
            ("apr", "april", "avr", "avril"),
            ("may", "mai"),
            ("jun", "june", "juin", "juni"),
            ("jul", "july", "juil", "juillet", "juli"),
            ("aug", "august", "aout"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre", "okt", "oktober"),
            ("nov", "november", "novembre"),
            ("dec", "december", "decembre", "dez", "dezember"),
        ),
        1,
    )
    for name in names
}
_TIME = (
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?"
    r"\s*(?:z|[+-]\d{2}:?\d{2}|utc|gmt)?)?"
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + "$", re.I)
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})" + _TIME + "$", re.I)
_DAY_MONTH = re.compile(
    r"^(\d{1,2})(?:st|nd|rd|th)?[ -]([a-z]+)\.?,?[ -](\d{4})" + _TIME + "$", re.I
)
_MONTH_DAY = re.compile(r"^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})" + _TIME + "$", re.I)
_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)


def is_day_first(values: Iterable[str]) -> bool:
    """True when more of the column's numeric dates can only be read day-first
    (15/04/2027) than can only be read month-first (12/31/2027); impossible ones
    (31/02/2027) are left out of it."""
    only_day_first = only_month_first = 0
    for value in values:
        match = _NUMERIC.match(value.strip())
        if not match:
            continue
        first, second, year = int(match[1]), int(match[2]), _full_year(match[3])
        day_first, month_first = _exists(year, second, first), _exists(year, first, second)
        only_day_first += day_first and not month_first
        only_month_first += month_first and not day_first
    return only_day_first > only_month_first


def _full_year(written: str) -> int:
    """A two-digit year as spreadsheets read it: 00-69 this century, 70-99 the last. A
    year written with four digits is that year (0001 is no slip for 2001)."""
    year = int(written)
    if len(written) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _exists(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def looks_like_a_date(text: str) -> bool:
    """Whether `text` is written as a date (3/15/2027, 2027-02-31, 31 Feb 2027), whether
    or not that day exists: one that does not is a bad date, not a remark."""
    value = text.strip()
    return any(form.match(value) for form in (_ISO, _NUMERIC, _DAY_MONTH, _MONTH_DAY))


def parse_date(text: str, *, day_first: bool = False) -> date | None:
    """The day `text` names, or None when it is not a date in any form we know."""
    value = text.strip()
    if not value:
        return None
    try:
        return _parse(value, day_first)
    except ValueError:
        return None


def _parse(value: str, day_first: bool) -> date | None:
    if match := _ISO.match(value):
        year, month, day = (int(part) for part in match.groups())
        if "T" in value and value.upper().endswith("Z"):
            # A UTC instant (Salesforce's CreatedDate); its day in UTC is what we keep.
            return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).date()
        return date(year, month, day)
    if match := _NUMERIC.match(value):
        first, second, year = int(match[1]), int(match[2]), _full_year(match[3])
        # Dots are only ever written day first (German, Nordic, Russian tools; US ones
        # never use them), as a due date typed with dots is read (domain.dates).
        day_first = day_first or value[len(match[1])] == "."
        day, month = (first, second) if day_first else (second, first)
        if month > 12 >= day:  # only the other order reads it (3/15 in a day-first column)
            day, month = month, day
        return date(year, month, day)
    if match := _DAY_MONTH.match(value):
        day_text, month_name, year_text = match.groups()
        named = _MONTHS.get(_plain(month_name))
        return date(int(year_text), named, int(day_text)) if named else None
    if match := _MONTH_DAY.match(value):
        month_name, day_text, year_text = match.groups()
        named = _MONTHS.get(_plain(month_name))
        return date(int(year_text), named, int(day_text)) if named else None
    if match := _SERIAL.match(value):
        serial = int(match.group(1))
        if 20_000 <= serial <= 80_000:  # 1954 to 2119: a spreadsheet's day number
            return _EXCEL_EPOCH + timedelta(days=serial)
    return None


def _plain(word: str) -> str:
    return (
        word.casefold()
        .replace("é", "e")
        .replace("û", "u")
        .replace("ä", "a")
        .replace("ü", "u")
        .rstrip(".")
    )
