"""What a captured email, contact card or invite says about whom, read into plain values.

The parsers (pipeline_tui.shell.capture) fill these in; the store decides which cards
they are about and logs the touchpoints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipeline_tui.domain.kinds import TouchpointKind


@dataclass(frozen=True)
class Person:
    """Someone named in what was captured."""

    name: str
    email: str = ""
    organisation: str = ""
    phone: str = ""

    @property
    def label(self) -> str:
        return self.name or self.email


@dataclass(frozen=True)
class Captured:
    """One captured item: who it came from and went to, and the touchpoint it makes.

    `sender` is who wrote or organised it (None for a contact card); `recipients` are
    the people it went to (a contact card's one person). Whether the rep sent it is for
    the store to decide, knowing the rep's addresses and the cards.
    """

    what: str
    """"email", "contact" or "invite": what the rep is told was read."""
    kind: TouchpointKind
    happened_on: date
    summary: str
    sender: Person | None
    recipients: tuple[Person, ...] = ()
    next_step: tuple[str, date] | None = None
    """A meeting still to come: offered as the next action of a card that has none."""
    delivered: bool = True
    """False for a message that never reached a mailbox (no Received, Delivered-To or
    Return-Path header): a copy from the rep's Sent folder, or a draft."""


@dataclass(frozen=True)
class CaptureResult:
    """What capturing did for one person."""

    card_id: int
    card_name: str
    created: bool
    summary: str
    next_step_set: bool = False
