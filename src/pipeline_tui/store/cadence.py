"""The after-sale cadence on a card: started, pushed by contact, stepped on when done.

A card in a stage with a cadence (domain.cadence) keeps the pending step and the day it
counts from (card.cadence_step, card.cadence_anchor). Each function here works inside
the write transaction of the change that causes it (a move, a touchpoint, a next action
marked done), so a cadence never moves on unless that change is saved.

The steps themselves reach the rep through one function, `_schedule_cadence_step`: today
it makes the step the card's next action, as `f` does; when cards hold several scheduled
activities, that one function is where a step becomes an activity.

Which cadences are in force is config's business: the service puts them in the
session (`use_cadences`), so that every path that moves a card or logs a touchpoint
(the board, the shell, capture, the call queue) applies the same ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from pipeline_tui.domain.cadence import (
    CADENCE_STAGES,
    Cadence,
    CadencePlace,
    default_cadences,
    place,
    touched,
)
from pipeline_tui.domain.limits import clip
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store.models import CardRow

_KEY = "pipeline_tui.cadences"
_DEFAULTS = default_cadences()


def use_cadences(session: Session, cadences: Mapping[Stage, Cadence]) -> None:
    """Apply `cadences` (config [cadence.*]) to what this session writes."""
    session.info[_KEY] = cadences


def cadences_of(session: Session) -> Mapping[Stage, Cadence]:
    found: Mapping[Stage, Cadence] = session.info.get(_KEY, _DEFAULTS)
    return found


def local_day(now: datetime) -> date:
    """The rep's calendar day at the moment `now` (as parking a card counts it)."""
    return now.astimezone().date()


def where(row: CardRow, cadences: Mapping[Stage, Cadence]) -> CadencePlace | None:
    """Where the card is in its stage's cadence; None when none is running."""
    cadence = cadences.get(row.stage)
    if cadence is None or row.cadence_step is None or row.stage not in CADENCE_STAGES:
        return None
    return place(cadence, row.cadence_step, row.cadence_anchor)


def entered(session: Session, row: CardRow, user: str, now: datetime) -> None:
    """The card has just moved into its stage (or was added there): its stage's
    cadence starts today, or any cadence of the stage it left stops."""
    cadence = cadences_of(session).get(row.stage)
    if row.stage not in CADENCE_STAGES or cadence is None or not cadence.steps:
        row.cadence_step, row.cadence_anchor = None, None
    else:
        row.cadence_step, row.cadence_anchor = 0, local_day(now)
        _hand_off(session, row, user, now)
    session.flush()  # the version the change reports is the card's last


def contact(row: CardRow, on: date) -> None:
    """A touchpoint on day `on`: the pending step counts from the latest contact. A
    step already waiting as the card's next action moves to its new day with it.

    Written beside the ORM, as a touchpoint's source is, so the card's version stays
    put: logging a touchpoint must not look like someone else's edit of the card.
    """
    if row.cadence_step is None or row.cadence_anchor is None:
        return
    session = object_session(row)
    assert session is not None
    before = where(row, cadences_of(session))
    anchor = touched(row.cadence_anchor, on)
    if before is None or before.finished or anchor == row.cadence_anchor:
        return
    values: dict[str, object] = {"cadence_anchor": anchor}
    cadence = cadences_of(session)[row.stage]
    due = cadence.due(before.index, anchor)
    if _waiting(row, before):
        values["next_action_due"] = due
    session.execute(
        update(CardRow)
        .where(CardRow.id == row.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    for name, value in values.items():
        set_committed_value(row, name, value)


def is_step_action(row: CardRow) -> bool:
    """Whether the card's next action is its pending cadence step (as handed off)."""
    session = object_session(row)
    assert session is not None
    pending = where(row, cadences_of(session))
    return pending is not None and not pending.finished and _waiting(row, pending)


def done(session: Session, row: CardRow, user: str, now: datetime, on: date, step: bool) -> None:
    """The card's next action was marked done on `on` (its slot is free now). When it
    was the cadence's step (`step`), the cadence moves on to the next step, counted
    from that day; either way the pending step is handed off."""
    pending = where(row, cadences_of(session))
    if pending is None or pending.finished:
        return
    if step:
        row.cadence_step = pending.index + 1
        row.cadence_anchor = on
    _hand_off(session, row, user, now)
    session.flush()


def hand_off_due(
    session: Session, user: str, now: datetime, today: date, *, dry_run: bool = False
) -> int:
    """Hand off every pending step due by `today` that is not yet anyone's next action
    (its card's next action was busy when the step came up); returns how many (with
    `dry_run`, how many there are, changing nothing)."""
    cadences = cadences_of(session)
    rows = session.scalars(
        select(CardRow).where(
            CardRow.archived_at.is_(None),
            CardRow.cadence_step.is_not(None),
            CardRow.stage.in_(CADENCE_STAGES),
            CardRow.next_action == "",
            CardRow.next_action_due.is_(None),
        )
    ).all()
    handed = 0
    for row in rows:
        pending = where(row, cadences)
        if pending is not None and pending.due is not None and pending.due <= today:
            handed += 1 if dry_run else _hand_off(session, row, user, now)
    return handed


def _hand_off(session: Session, row: CardRow, user: str, now: datetime) -> bool:
    pending = where(row, cadences_of(session))
    if pending is None or pending.due is None:
        return False
    return _schedule_cadence_step(session, row, pending.text, pending.due, user, now)


def _schedule_cadence_step(
    session: Session, card: CardRow, step: str, due: date, user: str, now: datetime
) -> bool:
    """Put a cadence step in front of the rep: the one place a step becomes something
    to do. Today that is the card's next action, set as `f` sets it; a next action the
    rep already has is never replaced (the card holds one, and it is theirs), so the
    step waits until that one is done (`done`) or the next `hand_off_due`.

    Returns whether the step was scheduled.
    """
    from pipeline_tui.store.commands import Actor, set_next_action

    if card.next_action or card.next_action_due is not None:
        return False
    set_next_action(session, Actor(user, now), card.id, step, due, card.version)
    return True


def _waiting(row: CardRow, pending: CadencePlace) -> bool:
    return row.next_action == clip("next_action", pending.text) and pending.due is not None
