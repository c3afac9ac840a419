"""Not yet: a lead parked "until a date" is nurtured, off the active board, until then.

A rep qualifying a lead often learns it is right but early ("after their budget round
in March"). Parking it takes it out of the columns and their counts, so the board shows
the work to do now; on the day it comes back it is on the board again by itself (every
read compares the date with today: nothing has to run on that day) and the stand-up
lists it as back from nurturing.

The research side: a criterion answered "unknown" is something to find out, so it can
become the card's next action ("Find out: can they afford it?").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol, TypeVar

from pipeline_tui.domain.dates import full_day
from pipeline_tui.domain.limits import clip
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line


class NurtureError(ValueError):
    """A parking date that cannot be used; the message is one sentence for the rep."""


class Parked(Protocol):
    """Anything with a nurturing date (a board card, a stand-up card)."""

    @property
    def nurture_until(self) -> date | None: ...


ParkedCard = TypeVar("ParkedCard", bound=Parked)


def is_nurturing(until: date | None, today: date) -> bool:
    """Whether a card parked until `until` is still away on `today`: it comes back on
    that day itself."""
    return until is not None and today < until


def check_park_date(until: date | None, today: date) -> date:
    """The day a card is parked until, or NurtureError: it must be after today (parking
    until today or before would bring it straight back). A day gone by is said to have
    passed, as the snooze dialog says it (`park ann -3d` is a slip, not a plan)."""
    if until is None:
        raise NurtureError("Say until when: a date after today.")
    if until < today:
        raise NurtureError(f"{full_day(until)} has passed; park a lead until a day after today.")
    if until == today:
        raise NurtureError(f"{full_day(until)} is not after today; park a lead until a later date.")
    return until


def check_can_park(stage: Stage, name: str) -> None:
    """Only a lead is parked: "not yet" is an answer about qualifying. A prospect or a
    client parked would drop out of the columns, the counts and the stand-up's overdue
    list while work on it is due; NurtureError says what to do instead."""
    if stage is not Stage.LEAD:
        raise NurtureError(
            f"Only a lead can be parked; {name} is a {stage.label.lower()}: "
            "snooze its next step instead."
        )


def parked_after_move(until: date | None, to_stage: Stage) -> date | None:
    """A parked lead's date once it moves to `to_stage`: only a lead is parked
    (check_can_park), so a lead moved on is back on the board, in its new column; kept
    parked, it had dropped out of every column with nothing to bring it back."""
    return until if to_stage is Stage.LEAD else None


def back_on(until: date | None, today: date, since: date) -> bool:
    """Whether a card parked until `until` came back in the days a stand-up on `today`
    covers: today, or any day after `since` (the previous stand-up's day, whose own
    report listed it)."""
    if until is None or until > today:
        return False
    return until == today or until > since


def back_from_nurturing(
    cards: Iterable[ParkedCard], today: date, since: date
) -> tuple[ParkedCard, ...]:
    """The cards back from nurturing for a stand-up on `today`, the earliest back first."""
    back = [card for card in cards if back_on(card.nurture_until, today, since)]
    return tuple(sorted(back, key=lambda card: card.nurture_until or today))


def research_action(criterion: str) -> str:
    """The next action that finds out an unknown criterion: "Find out: can
    afford it?", cut to fit a next action."""
    words = " ".join(clean_line(criterion).split()).rstrip("?.!: ")
    return clip("next_action", f"Find out: {words}?")
