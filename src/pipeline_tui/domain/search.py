"""What a search hit is: a card, or a piece of text written on one."""

from __future__ import annotations

from enum import StrEnum


class Found(StrEnum):
    """Where a hit's words are."""

    CARD = "card"
    """The card's name, organisation, tags, email or phone."""
    NOTE = "note"
    NEXT_ACTION = "next action"
    TOUCHPOINT = "touchpoint"

    @property
    def label(self) -> str:
        return self.value.capitalize()
