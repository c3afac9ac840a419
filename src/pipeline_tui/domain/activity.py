"""When a card was last worked on, and when that makes it stale.

The board marks stale cards from its first paint, so this stays apart from the
stand-up's report types (domain/standup.py), which start-up does not need.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo

from pipeline_tui.domain.stages import Stage

DEFAULT_STALE_LIMITS: Mapping[Stage, int] = {
    Stage.LEAD: 14,
    Stage.PROSPECT: 7,
    Stage.CLIENT: 30,
    Stage.REPEAT: 90,
}


def local_day(moment: datetime, tz: tzinfo | None) -> date:
    """The calendar day of a stored (aware, UTC) moment in the rep's zone (None: local)."""
    return moment.astimezone(tz).date()


def last_activity_day(
    created_at: datetime,
    last_touchpoint: date | None,
    last_note_at: datetime | None,
    last_move_at: datetime | None,
    tz: tzinfo | None = None,
) -> date:
    """The latest day anything happened with a card (the day it was added if nothing did).

    Touchpoints are already calendar days; notes and moves are stored moments, turned
    into the rep's calendar day in zone `tz` (None: the system's local zone).
    """
    # The latest moment first, then one conversion: the calendar day only ever grows
    # with the moment, and the board runs this for every card.
    moment = created_at
    if last_note_at is not None and last_note_at > moment:
        moment = last_note_at
    if last_move_at is not None and last_move_at > moment:
        moment = last_move_at
    day = local_day(moment, tz)
    return last_touchpoint if last_touchpoint is not None and last_touchpoint > day else day


def stale_limit(stage: Stage, limits: Mapping[Stage, int] = DEFAULT_STALE_LIMITS) -> int:
    return limits.get(stage, DEFAULT_STALE_LIMITS[stage])


def is_stale(
    stage: Stage,
    last_activity: date,
    today: date,
    limits: Mapping[Stage, int] = DEFAULT_STALE_LIMITS,
    rhythm: int | None = None,
) -> bool:
    """Idle for more days than the stage allows (exactly the limit is not yet stale);
    a card's own keep-in-touch `rhythm` (days) replaces its stage's limit."""
    return (today - last_activity).days > card_limit(stage, limits, rhythm)


def card_limit(
    stage: Stage, limits: Mapping[Stage, int] = DEFAULT_STALE_LIMITS, rhythm: int | None = None
) -> int:
    """Days a card may go idle: its own rhythm ("keep in touch every 21 days") when it
    has one, else its stage's limit."""
    return rhythm if rhythm is not None else stale_limit(stage, limits)
