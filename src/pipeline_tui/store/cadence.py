"""The after-sale cadence on a card: started, pushed by contact, stepped on when done.

A card in a stage with a cadence (domain.cadence) keeps the pending step, the day it
counts from before any contact (card.cadence_base: the stage entered, or the step before
done) and that day moved on to the latest touchpoint (card.cadence_anchor). Undo counts
the anchor again from the base and the touchpoints left (`recount`), so contacts and
steps taken back in any order, by any rep, leave it as the card's history says.

Each function here works inside
the write transaction of the change that causes it (a move, a touchpoint, a next action
marked done), so a cadence never moves on unless that change is saved.

The steps themselves reach the rep through one function, `_schedule_cadence_step`: each
becomes one of the card's scheduled activities (store.schedule), dated for its day, once
the card has nothing else open: a next action the rep set themselves is never put behind
a step, whatever its day, so the step waits until the rep's own are done. The open
activity carrying the step's words is the step once handed off.

Which cadences are in force is config's business: the service puts them in the
session (`use_cadences`), so that every path that moves a card or logs a touchpoint
(the board, the shell, capture, the call queue) applies the same ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from pipeline_tui.domain.cadence import (
    CADENCE_STAGES,
    Cadence,
    CadencePlace,
    default_cadences,
    step_words,
    touched,
)
from pipeline_tui.domain.schedule import kind_for_words
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import schedule
from pipeline_tui.store.models import ActivityRow, CardRow, StageEventRow, TouchpointRow
from pipeline_tui.store.rows import cadence_place

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


def waiting_step(session: Session, row: CardRow) -> ActivityRow | None:
    """The card's pending cadence step, if it waits as an open activity in the words
    the cadence gave it (the rep has not reworded it) and was scheduled since the card
    came into its stage: an activity of the rep's from before, in the same words ("Call"),
    is theirs."""
    pending = cadence_place(row, cadences_of(session))
    if pending is None or pending.finished:
        return None
    step = _waiting(session, row, pending)
    entered_at = session.scalar(
        select(func.max(StageEventRow.at)).where(
            StageEventRow.card_id == row.id, StageEventRow.to_stage == row.stage
        )
    )
    if step is None or (entered_at is not None and step.created_at < entered_at):
        return None
    return step


def entered(
    session: Session, row: CardRow, user: str, now: datetime, left: ActivityRow | None = None
) -> None:
    """The card has just moved into its stage (or was added there): its stage's
    cadence starts today, or any cadence of the stage it left stops. `left`: the step
    of a cadence the move takes the card out of (leaves_cadences), which goes too."""
    if left is not None:
        session.delete(left)
        session.flush()
        schedule.refresh(session, row)
    cadence = cadences_of(session).get(row.stage)
    if row.stage not in CADENCE_STAGES or cadence is None or not cadence.steps:
        row.cadence_step, row.cadence_anchor, row.cadence_base = None, None, None
    else:
        row.cadence_step, row.cadence_base = 0, local_day(now)
        row.cadence_anchor = _counted_from(session, row, row.cadence_base)
        _hand_off(session, row, user, now)
    session.flush()  # the version the change reports is the card's last


def contact(row: CardRow, on: date) -> None:
    """A touchpoint on day `on`: the pending step counts from the latest contact. A
    step already waiting as an activity moves to its new day with it.

    Written beside the ORM, as a touchpoint's source is, so the card's version stays
    put: logging a touchpoint must not look like someone else's edit of the card.
    """
    if row.cadence_step is None or row.cadence_anchor is None:
        return
    _move_anchor(row, touched(row.cadence_anchor, on))


def recount(session: Session, row: CardRow) -> None:
    """The pending step counted again from its base and the card's latest touchpoint,
    after undo took a contact or a step back (or made it again): the anchor is what the
    contacts left say, whichever rep logged them and in whatever order they were undone."""
    if row.cadence_step is None or row.cadence_base is None:
        return
    _move_anchor(row, _counted_from(session, row, row.cadence_base))


def _counted_from(session: Session, row: CardRow, base: date) -> date:
    """The day the pending step counts from: `base`, moved on to the card's latest
    touchpoint (a contact logged for a later day than a step was marked done for counts,
    as it would had it been logged after)."""
    session.flush()
    latest = session.scalar(
        select(func.max(TouchpointRow.happened_on)).where(TouchpointRow.card_id == row.id)
    )
    return base if latest is None else touched(base, latest)


def _move_anchor(row: CardRow, anchor: date) -> None:
    """The pending step counted from `anchor`; a step waiting as an activity moves with it."""
    session = object_session(row)
    assert session is not None
    before = cadence_place(row, cadences_of(session))
    if before is None or before.finished or anchor == row.cadence_anchor:
        return
    values: dict[str, object] = {"cadence_anchor": anchor}
    cadence = cadences_of(session)[row.stage]
    step = _waiting(session, row, before)
    if step is not None:
        step.due, step.due_time = cadence.due(before.index, anchor), None
        earliest = schedule.earliest_open(session, row.id)
        values["next_action"] = earliest.text if earliest is not None else ""
        values["next_action_due"] = earliest.due if earliest is not None else None
    session.execute(
        update(CardRow)
        .where(CardRow.id == row.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    for name, value in values.items():
        set_committed_value(row, name, value)


def is_step(session: Session, row: CardRow, activity: ActivityRow) -> bool:
    """Whether `activity` is the card's pending cadence step (as handed off)."""
    pending = cadence_place(row, cadences_of(session))
    if pending is None or pending.finished:
        return False
    waiting = _waiting(session, row, pending)
    return waiting is not None and waiting.id == activity.id


def done(session: Session, row: CardRow, user: str, now: datetime, on: date, step: bool) -> None:
    """One of the card's activities was marked done on `on`. When it was the cadence's
    step (`step`), the cadence moves on to the next step, counted from that day. The
    pending step is handed off at once unless the card still has an open activity of
    the rep's own: then it waits until that is done too."""
    pending = cadence_place(row, cadences_of(session))
    if pending is None or pending.finished:
        return
    if step:
        row.cadence_step, row.cadence_base = pending.index + 1, on
        row.cadence_anchor = _counted_from(session, row, on)
    # The rep's own last open activity done: the step that waited for it comes now
    # (counted from the latest contact, which that touchpoint just was).
    _hand_off(session, row, user, now)
    session.flush()


def hand_off_due(
    session: Session, user: str, now: datetime, today: date, *, dry_run: bool = False
) -> int:
    """Hand off every pending step due by `today` on a card with nothing scheduled at
    all (a client from before cadences, whose move started none, or one whose steps the
    rep dropped and then emptied the plan); returns how many (with `dry_run`, how many
    there are, changing nothing)."""
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
        pending = cadence_place(row, cadences)
        if pending is not None and pending.due is not None and pending.due <= today:
            handed += 1 if dry_run else _hand_off(session, row, user, now)
    return handed


def _hand_off(session: Session, row: CardRow, user: str, now: datetime) -> bool:
    """Schedule the pending step, unless the card has anything open: a next action the
    rep set themselves is never put behind a step, whatever its day, so the step waits
    until the rep's own steps are done (`done`) or cleared (`hand_off_due`)."""
    pending = cadence_place(row, cadences_of(session))
    if pending is None or pending.due is None:
        return False
    if schedule.open_rows(session, row.id):
        return False
    return _schedule_cadence_step(session, row, pending.text, pending.due, user, now)


def _schedule_cadence_step(
    session: Session, card: CardRow, step: str, due: date, user: str, now: datetime
) -> bool:
    """Put a cadence step in front of the rep: the one place a step becomes something
    to do. It is scheduled as an activity, dated for its day (`_hand_off` calls it only
    when the card has nothing else open); the earliest open one is the card's next
    action. Returns whether the step was scheduled (not when it already is).
    """
    words = step_words(step)
    if _open_with(session, card.id, words) is not None:
        return False
    session.add(
        ActivityRow(
            card_id=card.id, kind=kind_for_words(words), text=words, due=due, created_at=now
        )
    )
    schedule.refresh(session, card)
    return True


def _waiting(session: Session, row: CardRow, pending: CadencePlace) -> ActivityRow | None:
    """The open activity that is the pending step, as handed off (by its words)."""
    if pending.due is None:
        return None
    return _open_with(session, row.id, step_words(pending.text))


def _open_with(session: Session, card_id: int, words: str) -> ActivityRow | None:
    session.flush()
    return session.scalars(
        select(ActivityRow)
        .where(
            ActivityRow.card_id == card_id,
            ActivityRow.done_at.is_(None),
            ActivityRow.text == words,
        )
        .order_by(ActivityRow.id)
        .limit(1)
    ).first()
