"""The call queue's reads and writes: the cards with an activity due, a call's outcome
(a touchpoint and the session's figures, in one transaction), and the sessions the
stand-up reports."""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from pipeline_tui.domain.calls import (
    CallOutcome,
    CallSession,
    CallTally,
    QueueEntry,
    build_queue,
    outcome_field,
    week_end,
)
from pipeline_tui.store.errors import StoreError
from pipeline_tui.store.models import CallSessionRow as SessionRow
from pipeline_tui.store.models import CardRow
from pipeline_tui.store.read_model import SUMMARY_COLUMNS, on_board
from pipeline_tui.store.rows import card_summary

_COUNTS = tuple(outcome_field(outcome) for outcome in CallOutcome)


def read_queue(
    session: Session, today: date, *, week: bool = False, owner: str | None = None
) -> tuple[QueueEntry, ...]:
    """The active cards whose due activity is overdue, due today or (with `week`) due
    in the next seven days, in the order to call them; `owner` None: everyone's.

    The due activity is the card's next action (domain.calls.due_activity): this is the
    one query that has to follow when activities get a table of their own.
    """
    until = week_end(today) if week else today
    query = select(*SUMMARY_COLUMNS).where(
        CardRow.archived_at.is_(None),
        on_board(today),  # parked "not yet": no call until it is back
        CardRow.next_action_due.is_not(None),
        CardRow.next_action_due <= until,
    )
    if owner is not None:
        query = query.where(CardRow.owner == owner)
    cards = [card_summary(row) for row in session.execute(query)]
    return build_queue(cards, today, week=week)


def record_call(
    session: Session, session_id: int | None, owner: str, outcome: CallOutcome, now: datetime
) -> int:
    """Count one call in a session (a new one when `session_id` is None, or when that
    session began on another day); its id."""
    count = getattr(SessionRow, outcome_field(outcome))
    if session_id is not None:
        started = session.scalar(select(SessionRow.started_at).where(SessionRow.id == session_id))
        if started is not None and started.astimezone().date() != now.astimezone().date():
            # The stand-up counts a session on the day it began: a queue left open
            # overnight counted the next day's calls on the day before, where the
            # next stand-up did not look.
            session_id = None
    if session_id is None:
        row = SessionRow(owner=owner, started_at=now, last_call_at=now)
        for name in _COUNTS:
            setattr(row, name, 0)
        setattr(row, outcome_field(outcome), 1)
        session.add(row)
        session.flush()
        return row.id
    # One UPDATE adding one: two queues open on one session could not lose a call.
    done = session.execute(
        update(SessionRow)
        .where(SessionRow.id == session_id)
        .values({count: count + 1, SessionRow.last_call_at: now})
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", done).rowcount != 1:
        raise StoreError("That call session no longer exists; the call was not counted.")
    return session_id


def recount_call(session: Session, session_id: int, outcome: CallOutcome, calls: int) -> None:
    """Add `calls` (minus one: a call taken back by undo) to a session's count of
    `outcome`, never below none; a session gone since is left gone."""
    count = getattr(SessionRow, outcome_field(outcome))
    query = update(SessionRow).where(SessionRow.id == session_id)
    if calls < 0:
        query = query.where(count >= -calls)
    session.execute(
        query.values({count: count + calls}).execution_options(synchronize_session=False)
    )


def call_session(session: Session, session_id: int) -> CallSession | None:
    row = session.get(SessionRow, session_id)
    return _session(row) if row is not None else None


def sessions_between(
    session: Session,
    first_day: date,
    last_day: date,
    *,
    owner: str | None = None,
    tz: tzinfo | None = None,
) -> tuple[CallSession, ...]:
    """Call sessions started from `first_day` to `last_day` (calendar days in zone
    `tz`, None: the system's), oldest first; `owner` None: everyone's."""
    query = (
        select(SessionRow)
        .where(
            SessionRow.started_at >= _start_of(first_day, tz),
            SessionRow.started_at < _start_of(date.fromordinal(last_day.toordinal() + 1), tz),
        )
        .order_by(SessionRow.started_at, SessionRow.id)
    )
    if owner is not None:
        query = query.where(SessionRow.owner == owner)
    return tuple(_session(row) for row in session.scalars(query))


def _session(row: SessionRow) -> CallSession:
    return CallSession(
        id=row.id,
        owner=row.owner,
        started_at=row.started_at,
        last_call_at=row.last_call_at,
        tally=CallTally(
            reached=row.reached,
            voicemail=row.voicemail,
            no_answer=row.no_answer,
            meeting_set=row.meeting_set,
            not_interested=row.not_interested,
        ),
    )


def _start_of(day: date, tz: tzinfo | None) -> datetime:
    if tz is None:
        return datetime.combine(day, time.min).astimezone()
    return datetime.combine(day, time.min, tzinfo=tz)
