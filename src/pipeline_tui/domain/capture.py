"""What a captured email, contact card or invite says about whom, read into plain values.

The parsers (pipeline_tui.shell.capture) fill these in; the store decides which cards
they are about and logs the touchpoints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.text import clean_line, listed

SEQUENCE_MAX = 2**31 - 1
"""The largest invite SEQUENCE kept (an INTEGER column); a larger one is read as this."""


@dataclass(frozen=True)
class Person:
    """Someone named in what was captured."""

    name: str
    email: str = ""
    other_emails: tuple[str, ...] = ()
    """A contact card's further addresses: one of them may be the one a card has."""
    organisation: str = ""
    phone: str = ""
    tags: tuple[str, ...] = ()
    """A contact card's CATEGORIES."""
    notes: tuple[str, ...] = ()
    """The general notes a contact card leaves on the card, as `import` of the .vcf
    writes them: its NOTE, and what no card field holds (job title, more emails,
    address, department...) in an "Imported fields" note."""

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
    origin: str = ""
    """What identifies the item wherever it is piped from: "message-id:<...>" for an
    email, "uid:<...>" for an invite (with its RECURRENCE-ID); "" if it says nothing,
    and then it is logged however often it comes in."""
    sequence: int = 0
    """An invite's SEQUENCE: one higher than the logged one is an update of it."""
    cancelled: bool = False
    """An invite's cancellation (METHOD:CANCEL or STATUS:CANCELLED), or the other side
    declining it (METHOD:REPLY, PARTSTAT=DECLINED): no meeting."""
    declined_by: tuple[str, ...] = ()
    """For a reply declining: the addresses that declined. The meeting is off on their
    cards only (on every card when it is the rep who declined)."""
    meeting: str = ""
    """An invite's title and time, as the rep is told it ("Rollout plan (Thu 26 Nov 10:00)")."""
    read_on: date | None = None
    """The day it was piped in (the rep's today); None: the store's clock says."""
    date_unread: str = ""
    """The date it gave, as written, when no day could be read from it: it is logged on
    the day it was piped in, and the rep is told so."""


@dataclass(frozen=True)
class CaptureResult:
    """What capturing did for one person."""

    card_id: int
    card_name: str
    created: bool
    summary: str
    """The touchpoint's summary; for a cleared next action, that next action."""
    next_step_set: bool = False
    updated: bool = False
    """An update of an invite logged before: no touchpoint, the next action it set moved."""
    cleared: bool = False
    """A cancelled invite: the next action it had set was cleared, no touchpoint."""
    archived_card: int | None = None
    """A lead added for someone whose address an archived card has (a lost contact
    back): that card, which the rep may rather bring back."""


@dataclass(frozen=True)
class Logged:
    """A card an item was logged on before, and the day."""

    card_id: int
    card_name: str
    on: date


def already_logged(logged: Sequence[Logged]) -> str:
    """ "Already logged on Ann Okafor (card 3) on 2026-11-20": where and when an item
    was logged (the first day, when on several cards)."""
    cards = [f"{clean_line(item.card_name)} (card {item.card_id})" for item in logged]
    day = min(item.on for item in logged)
    return f"Already logged on {listed(cards)} on {day.isoformat()}"
