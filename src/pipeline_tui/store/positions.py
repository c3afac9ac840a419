"""Where cards sit in their column.

Positions only order the active cards of a column (board order: position, then id).
They are not contiguous: a card arriving on top takes one less than the first card's,
and a card that leaves leaves a gap. So a write touches the card's own row (and in a
reorder the row it passes), found through ix_card_board, never the rest of the column.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, tuple_, update
from sqlalchemy.orm import Session

from pipeline_tui.domain.stages import Stage
from pipeline_tui.store.models import CardRow

# Column order as an index walk: the leading columns are fixed by active_in, and naming
# them lets PostgreSQL read ix_card_board in order (it does not take `archived_at IS
# NULL` as fixing archived_at, so ORDER BY position alone sorts the whole column).
_DOWN_THE_COLUMN = (CardRow.archived_at, CardRow.stage, CardRow.position, CardRow.id)
_UP_THE_COLUMN = tuple(column.desc() for column in _DOWN_THE_COLUMN)


def active_in(stage: Stage, excluding: int | None = None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        CardRow.archived_at.is_(None),
        CardRow.stage == stage,
    ]
    if excluding is not None:
        conditions.append(CardRow.id != excluding)
    return conditions


def top(session: Session, stage: Stage) -> int:
    """A position above every active card of the column; 0 for an empty column."""
    first = session.scalar(
        select(CardRow.position).where(*active_in(stage)).order_by(*_DOWN_THE_COLUMN).limit(1)
    )
    return 0 if first is None else first - 1


def adjacent(
    session: Session, stage: Stage, card_id: int, position: int, *, up: bool
) -> tuple[int, int] | None:
    """(id, position) of the active card just above or below a card at `position`, in
    board order; None at that end of the column."""
    key = tuple_(CardRow.position, CardRow.id)
    query = select(CardRow.id, CardRow.position).where(*active_in(stage, excluding=card_id))
    if up:
        query = query.where(key < tuple_(position, card_id)).order_by(*_UP_THE_COLUMN)
    else:
        query = query.where(key > tuple_(position, card_id)).order_by(*_DOWN_THE_COLUMN)
    row = session.execute(query.limit(1)).first()
    return (row.id, row.position) if row is not None else None


def swap(
    session: Session,
    stage: Stage,
    card_id: int,
    position: int,
    neighbour: tuple[int, int],
    *,
    up: bool,
) -> int:
    """Let a card at `position` pass its neighbour; returns the card's new position.

    The neighbour is written here, the card itself by the caller once it stops.
    """
    other_id, other_position = neighbour
    if other_position != position:
        set_position(session, other_id, position)
        return other_position
    # Two cards on one position (two reps added at the same moment, say): swapping equal
    # numbers would change nothing, so the cards beyond the neighbour make room for the
    # card. Its own number changes, so undo can find its way back.
    key = tuple_(CardRow.position, CardRow.id)
    if up:
        shift(session, stage, key < tuple_(position, other_id), -1, excluding=card_id)
        return position - 1
    shift(session, stage, key > tuple_(position, other_id), 1, excluding=card_id)
    return position + 1


def return_to(session: Session, row: CardRow, stage: Stage, position: int) -> int:
    """Where undo puts a card back in `stage` so the column reads as it did before the
    change: its old position, or the nearest that keeps that order."""
    if row.archived_at is None and row.stage is stage:
        return walk_back(session, stage, row.id, row.position, position)
    taken = session.scalar(
        select(CardRow.id)
        .where(*active_in(stage, excluding=row.id), CardRow.position == position)
        .limit(1)
    )
    if taken is None:
        return position
    # Another card took that position meanwhile (it was the top and a card arrived);
    # the card goes just above it, as it was above it before.
    above = session.scalar(
        select(CardRow.position)
        .where(*active_in(stage), CardRow.position < position)
        .order_by(*_UP_THE_COLUMN)
        .limit(1)
    )
    if above is None or above < position - 1:
        return position - 1
    shift(session, stage, CardRow.position >= position, 1, excluding=row.id)  # rare: O(n)
    return position


def walk_back(session: Session, stage: Stage, card_id: int, position: int, target: int) -> int:
    """Step a card past its neighbours until it is back at `target`, the exact inverse of
    a reorder; returns its position."""
    up = target < position
    while position != target:
        neighbour = adjacent(session, stage, card_id, position, up=up)
        if neighbour is None or (neighbour[1] < target if up else neighbour[1] > target):
            return target  # no card left in between, so the old position is free
        position = swap(session, stage, card_id, position, neighbour, up=up)
    return position


# Positions are written with bulk UPDATEs so they do not bump the neighbours' versions:
# moving one card must not make another rep's open edit of a neighbour look like a conflict.


def set_position(session: Session, card_id: int, position: int) -> None:
    session.execute(
        update(CardRow)
        .where(CardRow.id == card_id)
        .values(position=position)
        .execution_options(synchronize_session=False)
    )


def shift(
    session: Session,
    stage: Stage,
    where: ColumnElement[bool],
    step: int,
    excluding: int | None = None,
) -> None:
    """Move the matching active cards of a column `step` positions down (up if negative)."""
    session.execute(
        update(CardRow)
        .where(*active_in(stage, excluding), where)
        .values(position=CardRow.position + step)
        .execution_options(synchronize_session=False)
    )
