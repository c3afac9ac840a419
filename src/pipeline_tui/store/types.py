"""Column types that turn stored text into the domain's own values and back."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import DateTime, String, TypeDecorator
from sqlalchemy.engine import Dialect

E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E], Generic[E]):
    """A StrEnum stored as its value in a VARCHAR column, read back as the enum member.

    The columns stay plain text (no CHECK constraint, no PostgreSQL ENUM type), so a
    newer release can add a member without a migration. A value this release does not
    know reads as `unknown` when one is given (an archive reason, an answer), and raises
    otherwise, since the row would be misread.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int, *, unknown: E | None = None) -> None:
        super().__init__(length)
        self.enum = enum
        self.unknown = unknown
        # Looked up in a dict, not by calling the enum: a board of 100,000 cards reads
        # a stage per card, and the enum's call is most of that read's Python time.
        self._members: dict[object, E] = {member.value: member for member in enum}

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        # A plain string is accepted when it names a member: bulk inserts and SQL
        # comparisons may pass the value itself.
        return self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        if value is None:
            return None
        member = self._members.get(value)
        if member is not None:
            return member
        if self.unknown is None:
            raise ValueError(f"{value!r} is not a valid {self.enum.__name__}")
        return self.unknown

    @property
    def python_type(self) -> type[E]:
        return self.enum


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as naive UTC (SQLite has no zone) and read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
