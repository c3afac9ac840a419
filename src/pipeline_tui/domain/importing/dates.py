"""Dates as other tools write them: ISO, 3/15/2027, 15 Mar 2027, with a time, Excel serials.

Which of 03/04/2027 is the day is decided once per column (`day_first`): a column
with any first part above 12 is day-first (a British or European export); otherwise
month-first, as US exports and Outlook write it.
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
    """True when the column's numeric dates are day-first (some first part is above 12)."""
    for value in values:
        match = _NUMERIC.match(value.strip())
        if match and int(match.group(1)) > 12:
            return True
    return False


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
        first, second, year = (int(part) for part in match.groups())
        if year < 100:
            year += 2000 if year < 70 else 1900
        day, month = (first, second) if day_first else (second, first)
        if month > 12 and not day_first:
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
