"""What can go wrong with a file, or with one row of it."""

from __future__ import annotations

from dataclasses import dataclass


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; one sentence that says why."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str
