"""Errors the store raises; each message is one sentence a rep can act on."""

from __future__ import annotations


class StoreError(Exception):
    """The database could not be opened or a change could not be saved."""


class NotFoundError(StoreError):
    """The card no longer exists (deleted, or never there)."""


class ConflictError(StoreError):
    """Someone else changed the card since it was read; nothing was overwritten.

    `current` is the newer saved value when the store has it (a NoteView, a
    Qualification), so the rep can see it beside their own.
    """

    def __init__(self, message: str, current: object | None = None) -> None:
        super().__init__(message)
        self.current = current


class AmbiguousCardError(StoreError):
    """Words that name more than one card; `candidates` lists them (CardMatch values)
    so the rep can pick one by id."""

    def __init__(self, message: str, candidates: tuple[object, ...]) -> None:
        super().__init__(message)
        self.candidates = candidates


class DuplicateCardError(StoreError):
    """A new card that looks like one already there (same email, or same name and
    organisation); `matches` lists them. Adding it anyway is the rep's call."""

    def __init__(self, message: str, matches: tuple[object, ...]) -> None:
        super().__init__(message)
        self.matches = matches
