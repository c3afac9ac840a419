"""How long each field may be, and the checks every way in (forms, the command line,
imports, the store) runs before anything is written.

The limits are the column sizes of the database (store/models.py; a test keeps the two
in step). PostgreSQL refuses a longer value and SQLite would take it, so they are
checked here, once, and a value that is too long is refused with a sentence naming the
field and its limit: never cut short silently, never a database error.

Untrusted documents (a JSON import) bring numbers and times as well as text; the last
part of this module turns what Python or a database cannot hold into the same kind of
sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any


@dataclass(frozen=True)
class Limit:
    """The most characters a field holds; `label` is the field in the rep's words."""

    label: str
    chars: int


NAME = Limit("name", 200)
ORGANISATION = Limit("organisation", 500)
EMAIL = Limit("email", 500)
PHONE = Limit("phone", 500)
TAGS = Limit("tags", 1000)
"""All of a card's tags together, as stored: separated by single spaces."""
NEXT_ACTION = Limit("next action", 500)
OWNER = Limit("owner", 200)
TOUCHPOINT_SUMMARY = Limit("touchpoint summary", 500)
ARCHIVE_NOTE = Limit("archive note", 500)
QUALIFICATION_COMMENT = Limit("qualification comment", 500)
CRITERION = Limit("qualification criterion", 200)
NOTE = Limit("note", 2_000_000)
"""Research notes: 2 MB of text is far beyond any real note, and one paste of more
would make the card screen and the database crawl."""
MOVE_NOTE = Limit("stage move note", 1000)
REP = Limit("rep name", 200)
"""Who made a change (user.name): stage history, qualification answers."""

FIELD_LIMITS: Mapping[str, Limit] = {
    "name": NAME,
    "organisation": ORGANISATION,
    "email": EMAIL,
    "phone": PHONE,
    "tags": TAGS,
    "next_action": NEXT_ACTION,
    "owner": OWNER,
    "touchpoint_summary": TOUCHPOINT_SUMMARY,
    "archive_note": ARCHIVE_NOTE,
    "qualification_comment": QUALIFICATION_COMMENT,
    "criterion": CRITERION,
    "note": NOTE,
    "move_note": MOVE_NOTE,
    "by": REP,
}
"""Every limited field by the name the code gives it (CardDraft's fields and the
store's), for check_length."""


class FieldError(ValueError):
    """A value that cannot be saved as given; names the field and says why in one
    sentence."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name


class FieldTooLong(FieldError):
    def __init__(self, field_name: str, limit: Limit, length: int) -> None:
        article = "A" if limit is NOTE else "The"
        super().__init__(
            field_name,
            f"{article} {limit.label} can be at most {limit.chars:,} characters; "
            f"this one has {length:,}.",
        )
        self.limit = limit
        self.length = length


def check_length(field_name: str, value: str) -> str:
    """`value` if it fits the field's limit; FieldTooLong naming the field otherwise."""
    limit = FIELD_LIMITS[field_name]
    if len(value) > limit.chars:
        raise FieldTooLong(field_name, limit, len(value))
    return value


def clip(field_name: str, text: str) -> str:
    """Text the app writes itself ("Done: " and the next action), cut with an ellipsis
    to fit the field. Text a rep typed is checked, never cut."""
    chars = FIELD_LIMITS[field_name].chars
    return text if len(text) <= chars else text[: chars - 1] + "…"


# Untrusted documents ---------------------------------------------------------------------
#
# A JSON import is written by hand or by another program as often as by this one. What
# json.loads, datetime and the database cannot hold becomes one sentence, never a
# traceback.

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
"""A whole number the database stores (32-bit INTEGER columns on PostgreSQL)."""


class DocumentError(ValueError):
    """A document that cannot be read at all; the message is one sentence."""


def load_json(text: str) -> Any:
    """Parse a JSON document, refusing in one sentence what the parser cannot hold:
    nesting deeper than Python recurses, numbers of thousands of digits, NaN."""
    import json  # only imports read JSON; the board does not need it at start-up

    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise DocumentError(
            f"The JSON is not valid at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        raise DocumentError("The JSON nests objects and lists too deep to read") from None
    except ValueError as error:
        # Python refuses integers of more than 4,300 digits rather than spend quadratic
        # time on them; constants (NaN, Infinity) are refused below.
        detail = str(error).split(":")[0].strip().rstrip(".")
        raise DocumentError(f"The JSON holds a value that cannot be read ({detail})") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def whole_number(field_name: str, value: object, default: int | None = None) -> int | None:
    """A JSON value as a whole number the database can hold; `default` when it is
    missing (None). Floats, booleans and text are refused, as are numbers beyond the
    32-bit range, naming the field."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(field_name, f"'{field_name}' must be a whole number")
    if not INT_MIN <= value <= INT_MAX:
        raise FieldError(
            field_name,
            f"'{field_name}' is {_short_number(value)}; it must be between "
            f"{INT_MIN:,} and {INT_MAX:,}",
        )
    return value


def _short_number(value: int) -> str:
    digits = str(abs(value))
    sign = "-" if value < 0 else ""
    return f"{sign}{digits}" if len(digits) <= 15 else f"a {len(digits)}-digit number"


def utc_moment(field_name: str, text: str) -> datetime:
    """An ISO time as an aware UTC datetime. A time with no zone is taken as UTC; one
    whose zone puts it outside the years 1-9999 in UTC (or offsets of a day or more)
    is refused, naming the field."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FieldError(
            field_name, f"'{field_name}' must be a time like 2026-12-01T09:30:00+00:00"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise FieldError(
            field_name, f"'{field_name}' ({text}) is outside the years 1 to 9999 in UTC"
        ) from None


def iso_day(field_name: str, text: str) -> date:
    """An ISO date (2026-12-01), naming the field when it is not one."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FieldError(field_name, f"'{field_name}' must be a date like 2026-12-01") from None
