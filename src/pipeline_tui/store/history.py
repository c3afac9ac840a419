"""Undo and redo in the database: put a card back as it was before a change, and say how
to put it back again.

Undoing a change is itself a change, so each revert returns its own inverse: the
change that redo hands back here. Nothing another rep (another app instance) saved
since is ever overwritten: the card's version, or the note's, must be the one the
change left, and a card that has gathered notes, touchpoints or answers since it was
added is not deleted by undoing its creation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline_tui.domain.cards import Change, ChangeKind, NoteView, RemovedCard, Undone
from pipeline_tui.domain.kinds import Market, TouchpointKind
from pipeline_tui.store.errors import ConflictError, NotFoundError
from pipeline_tui.store.models import (
    CardRow,
    DraftRow,
    QualificationAnswerRow,
    ResearchNoteRow,
    StageEventRow,
    TouchpointRow,
)
from pipeline_tui.store.service import (
    _apply_draft,
    _note_view,
    _restore_state,
    _return_to,
    _state,
    _top,
)


def revert(session: Session, change: Change, user: str, now: datetime) -> Undone:
    """Put the card back as it was before `change`; the result's `inverse` redoes it."""
    if change.removed is not None:
        return _make_again(session, change, change.removed, user)
    if change.kind is ChangeKind.RESTORE_NOTE and change.note is not None:
        return _remove_note_again(session, change, change.note)
    row = session.get(CardRow, change.card_id)
    if row is None:
        raise NotFoundError("That card no longer exists; nothing to undo.")
    if change.note is not None:  # a deleted note comes back; nothing is overwritten
        note = change.note
        restored = ResearchNoteRow(
            card_id=row.id,
            kind=note.kind.value,
            body=note.body,
            created_at=note.created_at,
            updated_at=note.updated_at,
        )
        session.add(restored)
        session.flush()
        inverse = Change(
            ChangeKind.RESTORE_NOTE,
            row.id,
            change.description,
            None,
            row.version,
            note=_note_view(restored),
        )
        return Undone(change.description, row.id, row.version, inverse)
    if row.version != change.version_after:
        raise ConflictError(f"{row.name} was changed elsewhere since; it was not changed back.")
    if change.before is None:
        return _take_away(session, row, change)
    after = _state(row)
    _restore_state(session, row, change.before, user, now)
    inverse = Change(change.kind, row.id, change.description, after, row.version)
    return Undone(change.description, row.id, row.version, inverse)


def _take_away(session: Session, row: CardRow, change: Change) -> Undone:
    """Undo a card's creation: delete it, unless it holds work done since."""
    later_touchpoints = select(func.count()).where(
        TouchpointRow.card_id == row.id, TouchpointRow.created_at > row.created_at
    )
    notes = select(func.count()).where(ResearchNoteRow.card_id == row.id)
    answers = select(func.count()).where(QualificationAnswerRow.card_id == row.id)
    drafts = select(func.count()).where(DraftRow.card_id == row.id)
    if any(session.scalar(query) for query in (notes, later_touchpoints, answers, drafts)):
        raise ConflictError(
            f"{row.name} has notes, touchpoints, answers or unsaved text now, which undoing "
            "the add would delete; it was kept (archive it instead)."
        )
    removed = RemovedCard(
        state=_state(row),
        created_at=row.created_at,
        source=TouchpointKind(row.source) if row.source else None,
        market=Market(row.market) if row.market else None,
        referred_by_id=row.referred_by_id,
    )
    card_id = row.id
    session.delete(row)
    session.flush()
    inverse = Change(ChangeKind.CREATE, card_id, change.description, None, 0, removed=removed)
    return Undone(change.description, card_id, None, inverse)


def _make_again(session: Session, change: Change, removed: RemovedCard, user: str) -> Undone:
    """Redo a creation that was undone: the card comes back, under its old id if free."""
    state = removed.state
    referrer = removed.referred_by_id
    if referrer is not None and session.get(CardRow, referrer) is None:
        referrer = None
    free = session.get(CardRow, change.card_id) is None
    row = CardRow(
        id=change.card_id if free else None,
        stage=state.stage.value,
        position=_top(session, state.stage),
        owner=state.draft.owner or user,
        created_at=removed.created_at,
        updated_at=removed.created_at,
        source=removed.source.value if removed.source else None,
        market=removed.market.value if removed.market else None,
        referred_by_id=referrer,
    )
    _apply_draft(row, state.draft)
    row.events.append(
        StageEventRow(from_stage=None, to_stage=state.stage.value, at=removed.created_at, by=user)
    )
    session.add(row)
    session.flush()
    row.position = _return_to(session, row, state.stage, state.position)
    session.flush()
    inverse = Change(ChangeKind.CREATE, row.id, change.description, None, row.version)
    return Undone(change.description, row.id, row.version, inverse)


def _remove_note_again(session: Session, change: Change, note: NoteView) -> Undone:
    """Redo a note's deletion: only the note undo brought back, and only unchanged."""
    row = session.get(ResearchNoteRow, note.id)
    card = session.get(CardRow, change.card_id)
    if row is None or card is None:
        raise NotFoundError("That note no longer exists; nothing to do.")
    if row.version != note.version or row.body != note.body:
        raise ConflictError(
            f"The note on {card.name} was changed elsewhere since; it was not deleted."
        )
    view = _note_view(row)
    session.delete(row)
    session.flush()
    inverse = Change(
        ChangeKind.DELETE_NOTE, card.id, change.description, None, card.version, note=view
    )
    return Undone(change.description, card.id, card.version, inverse)
