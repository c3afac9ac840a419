"""Undo: putting a card back exactly as it was before one change.

Undo never overwrites or deletes what someone else did since: a card changed elsewhere
after the change is refused, and so is removing a new card that has gathered notes,
touchpoints, answers or referrals since it was added.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline_tui.domain.cards import CardState, Change, Undone
from pipeline_tui.store import positions
from pipeline_tui.store.commands import Actor, apply_draft
from pipeline_tui.store.errors import ConflictError, NotFoundError
from pipeline_tui.store.models import (
    CardRow,
    QualificationAnswerRow,
    ResearchNoteRow,
    StageEventRow,
    TouchpointRow,
)


def undo(session: Session, actor: Actor, change: Change) -> Undone:
    """Put the card back exactly as it was before `change`."""
    description = f"Undid: {change.description}"
    row = session.get(CardRow, change.card_id)
    if row is None:
        raise NotFoundError("That card no longer exists; nothing to undo.")
    if change.note is not None:  # a deleted note comes back; nothing is overwritten
        note = change.note
        session.add(
            ResearchNoteRow(
                card_id=row.id,
                kind=note.kind,
                body=note.body,
                created_at=note.created_at,
                updated_at=note.updated_at,
            )
        )
        session.flush()
        return Undone(description, change.card_id, row.version)
    if row.version != change.version_after:
        raise ConflictError(f"{row.name} was changed elsewhere since; it was not undone.")
    if change.before is None:
        added = _added_since(session, row, change)
        if added:
            raise ConflictError(f"{row.name} has {added} added since; it was not removed.")
        session.delete(row)
        return Undone(description, change.card_id, None)
    restore_state(session, row, change.before, actor)
    return Undone(description, change.card_id, row.version)


def _added_since(session: Session, row: CardRow, change: Change) -> str:
    """What a new card has gathered beyond what its creation wrote, in words ("" if
    nothing): removing it would take someone's work with it."""
    found: list[str] = []
    for what, table, column in (
        ("note", ResearchNoteRow, ResearchNoteRow.card_id),
        ("touchpoint", TouchpointRow, TouchpointRow.card_id),
        ("qualification answer", QualificationAnswerRow, QualificationAnswerRow.card_id),
        ("referral", CardRow, CardRow.referred_by_id),
    ):
        count = session.scalar(select(func.count()).select_from(table).where(column == row.id))
        count = (count or 0) - dict(change.created_with).get(what, 0)
        if count > 0:
            found.append(f"{count} {what}{'s' if count != 1 else ''}")
    return " and ".join(found)


def restore_state(session: Session, row: CardRow, state: CardState, actor: Actor) -> None:
    if state.archived_at is None:
        position = positions.return_to(session, row, state.stage, state.position)
    else:
        position = state.position  # orders nothing while archived; kept so undo is exact
    if row.stage is not state.stage:
        session.add(
            StageEventRow(
                card_id=row.id,
                from_stage=row.stage,
                to_stage=state.stage,
                at=actor.now,
                by=actor.user,
            )
        )
    apply_draft(row, state.draft)
    row.stage = state.stage
    row.position = position
    row.archived_at = state.archived_at
    row.archive_reason = state.archive_reason
    row.archive_note = state.archive_note
    row.updated_at = actor.now
    session.flush()
