"""Undo and redo: put a card back as it was before a change, and say how to put it back
again.

Undoing a change is itself a change, so each revert returns its own inverse: the
change that redo hands back here. Nothing another rep (another app instance) saved
since is ever overwritten or deleted: the card's version, or the note's, must be the
one the change left, and a card that has gathered notes, touchpoints, answers,
referrals or unsaved text since it was added is not removed by undoing its creation.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pipeline_tui.domain.calls import CallOutcome
from pipeline_tui.domain.cards import (
    CardState,
    Change,
    ChangeKind,
    GivenReferral,
    LoggedCallRecord,
    LoggedTouchpoint,
    NoteView,
    RemovedCard,
    TouchpointView,
    Undone,
)
from pipeline_tui.domain.events import EventName
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.money import to_cents
from pipeline_tui.domain.schedule import Activity
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import cadence, calls, events, positions, schedule
from pipeline_tui.store.commands import (
    Actor,
    apply_draft,
    earliest_touchpoint,
    first_touchpoint_is_source,
    log_logged,
    log_referral,
    log_touchpoint,
    set_source,
    state_of,
    tell_archived,
)
from pipeline_tui.store.errors import ConflictError, NotFoundError
from pipeline_tui.store.models import (
    CardRow,
    DraftRow,
    QualificationAnswerRow,
    ResearchNoteRow,
    StageEventRow,
    TouchpointRow,
)
from pipeline_tui.store.rows import note_view

MOVES = frozenset(
    (ChangeKind.CREATE, ChangeKind.MOVE, ChangeKind.REORDER, ChangeKind.ARCHIVE, ChangeKind.RESTORE)
)
"""The changes that move a card on the board: undo puts it back where it was."""


def revert(session: Session, actor: Actor, change: Change) -> Undone:
    """Put the card back as it was before `change`; the result's `inverse` redoes it."""
    if change.removed is not None:
        return _make_again(session, actor, change, change.removed)
    if change.kind in (ChangeKind.RESTORE_NOTE, ChangeKind.ADD_NOTE) and change.note is not None:
        return _remove_note_again(session, change, change.note)
    if change.kind is ChangeKind.EDIT_NOTE and change.note and change.note_before:
        return _edit_note_back(session, actor, change, change.note, change.note_before)
    row = session.get(CardRow, change.card_id)
    if row is None:
        raise NotFoundError("That card no longer exists; nothing to undo.")
    if change.kind is ChangeKind.LOG_TOUCHPOINT and change.touchpoint is not None:
        return _touchpoint_back_or_again(session, actor, row, change, change.touchpoint)
    if change.note is not None:  # a deleted note comes back; nothing is overwritten
        note = change.note
        restored = ResearchNoteRow(
            card_id=row.id,
            kind=note.kind,
            body=note.body,
            created_at=note.created_at,
            updated_at=note.updated_at,
        )
        session.add(restored)
        session.flush()
        # Past every version the note had: SQLite may give it its old id back, and an
        # editor still open on it at an older version (another rep's) would otherwise
        # match version 1 and save over what was restored, silently.
        session.execute(
            update(ResearchNoteRow)
            .where(ResearchNoteRow.id == restored.id)
            .values(version=note.version + 1)
        )
        session.refresh(restored)
        inverse = Change(
            ChangeKind.RESTORE_NOTE,
            row.id,
            change.description,
            None,
            row.version,
            note=note_view(restored),
        )
        # The card's version is as it was: re-basing its older change onto it would
        # let that change go over another rep's edit made between the two.
        return Undone(change.description, row.id, None, inverse)
    if row.version != change.version_after:
        done = "made again" if change.redo else "changed back"
        raise ConflictError(f"{row.name} was changed elsewhere since; it was not {done}.")
    if change.before is None:
        return _take_away(session, row, change)
    after = state_of(row)
    # Steps scheduled, done or dropped since are put back too when the change touched them.
    activities = schedule.snapshot(session, row.id) if change.activities is not None else None
    move_note, move_at = "", None
    moved_from = row.stage if row.stage is not change.before.stage else None
    if moved_from is not None:
        move_note, move_at = _move_in_history(session, row, change.before.stage, actor, change)
    before = change.before
    if change.kind not in MOVES and before.stage is row.stage and before.archived_at is None:
        # Only a move puts the card back in its place: another rep's reorder since
        # (which leaves the version) stays.
        before = replace(before, position=row.position)
    restore_state(session, row, before, actor, change.activities)
    logged = change.touchpoint
    if change.kind is ChangeKind.STEP_DONE and logged is not None:
        logged = _done_touchpoint_back_or_again(session, actor, row, logged)
    if moved_from is not None:
        _tell_moved(session, row, moved_from, actor, change)
    if change.kind in (ChangeKind.ARCHIVE, ChangeKind.RESTORE):
        _tell_archived(session, row, after, actor, change)
    call = _call_back_or_again(session, actor, row, change.call) if change.call else None
    # Contacts logged since the change (by any rep), or taken back with it, count as the
    # card's touchpoints say now, not as they were when the change was made.
    cadence.recount(session, row)
    inverse = Change(
        change.kind,
        row.id,
        change.description,
        after,
        row.version,
        activities=activities,
        call=call,
        touchpoint=logged,
        redo=not change.redo,
        move_note=move_note,
        move_at=move_at,
    )
    return Undone(change.description, row.id, row.version, inverse)


def _call_back_or_again(
    session: Session, actor: Actor, row: CardRow, call: LoggedCallRecord
) -> LoggedCallRecord:
    """Take back the call logged with a change (its touchpoint, its count in the call
    session), or, for a redo, log it again; the record that does the other."""
    outcome = CallOutcome(call.outcome)
    if call.touchpoint_id is not None:
        touchpoint = session.get(TouchpointRow, call.touchpoint_id)
        # Deleted elsewhere meanwhile (3, d): its id is that delete's to give back.
        former = None
        if touchpoint is not None and touchpoint.card_id == row.id:
            former = touchpoint.id
            session.delete(touchpoint)
            if call.source_set and row.source is TouchpointKind.CALL:
                # The stand-up's sources and insight's win rates counted a call that was
                # never made: the card's first touchpoint now is its source, if any.
                first_touchpoint_is_source(session, row, call.market_before)
        calls.recount_call(session, call.session_id, outcome, -1)
        session.flush()
        return replace(call, touchpoint_id=None, former_id=former)
    again = log_touchpoint(
        row,
        TouchpointKind.CALL,
        call.happened_on,
        call.summary,
        actor.now,
        first_sets_source=call.source_set and row.source is None,
        former_id=call.former_id,
    )
    if call.source_set and row.source is not None and row.source is not TouchpointKind.CALL:
        # Undone, a later touchpoint became the source; the call made again is first.
        set_source(row, TouchpointKind.CALL, call.market_before)
    calls.recount_call(session, call.session_id, outcome, 1)
    session.flush()
    return replace(call, touchpoint_id=again.id)


def _touchpoint_back_or_again(
    session: Session, actor: Actor, row: CardRow, change: Change, logged: LoggedTouchpoint
) -> Undone:
    """Take a touchpoint back, or, for a redo, log it again. The card's own fields are as
    they were: its version does not move, so its older changes stay as they are."""
    if row.archived_at is not None:  # archived elsewhere since
        raise ConflictError(f"{row.name} was archived since; the touchpoint was left as it is.")
    if logged.touchpoint_id is not None:
        if not _take_back_touchpoint(session, row, logged):
            raise NotFoundError("That touchpoint no longer exists; nothing to undo.")
        again = replace(logged, touchpoint_id=None, former_id=logged.touchpoint_id)
    else:
        again = _log_again(session, actor, row, logged)
    inverse = Change(
        ChangeKind.LOG_TOUCHPOINT,
        row.id,
        change.description,
        None,
        row.version,
        touchpoint=again,
        redo=not change.redo,
    )
    # The card's version is as it was: its older changes need no re-basing (given the
    # card's version, they passed the check of a card someone else saved meanwhile).
    return Undone(change.description, row.id, None, inverse)


def _done_touchpoint_back_or_again(
    session: Session, actor: Actor, row: CardRow, logged: LoggedTouchpoint
) -> LoggedTouchpoint:
    """The touchpoint that logged a step done, taken back with the step, or logged again
    for a redo; the record that does the other. The card's cadence is as the step found
    (or left) it, counted again from the contacts there are now."""
    if logged.touchpoint_id is None:
        return _log_again(session, actor, row, logged)
    gone = _delete_logged(session, row, logged)
    # Deleted elsewhere meanwhile (3, d): its id is that delete's to give back.
    former = logged.touchpoint_id if gone is not None else None
    return replace(logged, touchpoint_id=None, former_id=former)


def _take_back_touchpoint(session: Session, row: CardRow, logged: LoggedTouchpoint) -> bool:
    """Delete the touchpoint `logged` on `row`, with the source it set; the card's
    cadence counts again from the contacts left. False if it is no longer there."""
    if _delete_logged(session, row, logged) is None:
        return False
    cadence.recount(session, row)
    session.flush()
    return True


def _delete_logged(
    session: Session, row: CardRow, logged: LoggedTouchpoint
) -> TouchpointRow | None:
    """Delete the touchpoint `logged` on `row`, with the source it set as the card's
    first; None if it is no longer there."""
    touchpoint = session.get(TouchpointRow, logged.touchpoint_id)
    if touchpoint is None or touchpoint.card_id != row.id:
        return None
    session.delete(touchpoint)
    session.flush()
    if logged.source_set and row.source is logged.kind:
        first_touchpoint_is_source(session, row, logged.market_before)
    return touchpoint


def _log_again(
    session: Session, actor: Actor, row: CardRow, logged: LoggedTouchpoint
) -> LoggedTouchpoint:
    """A touchpoint taken back, logged again (a redo), and what taking it back needs."""
    again = log_logged(
        row,
        logged.kind,
        logged.happened_on,
        logged.summary,
        logged.logged_at or actor.now,
        former_id=logged.former_id,
    )
    if logged.source_set:
        # Taken back, a later touchpoint became the source; made again, the earliest is
        # again, which is this one unless another session's undo has brought an earlier
        # one back meanwhile (both deleted, then both undone: the source stayed on the
        # kind of the one undone last).
        earliest = earliest_touchpoint(session, row)
        if earliest is not None and row.source is not earliest.kind:
            set_source(row, earliest.kind, logged.market_before)
    session.flush()
    return replace(again, source_set=logged.source_set, market_before=logged.market_before)


def _take_away(session: Session, row: CardRow, change: Change) -> Undone:
    """Undo a card's creation: delete it, unless it holds work done since."""
    added = _added_since(session, row, dict(change.created_with))
    if added:
        raise ConflictError(
            f"{row.name} has {added} added since; it was not removed (archive it instead)."
        )
    # Only what the creation wrote is there (_added_since): those go, to come back.
    logged = session.scalars(
        select(TouchpointRow).where(TouchpointRow.card_id == row.id).order_by(TouchpointRow.id)
    ).all()
    removed = RemovedCard(
        state=state_of(row),
        created_at=row.created_at,
        source=row.source,
        market=row.market,
        referred_by_id=row.referred_by_id,
        touchpoints=tuple(TouchpointView(t.id, t.kind, t.happened_on, t.summary) for t in logged),
    )
    card_id = row.id
    session.delete(row)
    session.flush()
    if change.referral is not None:
        _take_back_referral(session, change.referral)
    inverse = Change(
        ChangeKind.CREATE,
        card_id,
        change.description,
        None,
        0,
        removed=removed,
        referral=change.referral,
    )
    return Undone(change.description, card_id, None, inverse)


def _take_back_referral(session: Session, given: GivenReferral) -> None:
    """The referrer's touchpoint for a lead taken back goes (see _take_back_touchpoint)."""
    referrer = session.get(CardRow, given.referrer_id)
    if referrer is not None:
        _take_back_touchpoint(session, referrer, given.touchpoint)


def _added_since(session: Session, row: CardRow, created_with: dict[str, int]) -> str:
    """What a new card has gathered beyond what its creation wrote (`created_with`), in
    words ("" if nothing): removing it would take someone's work with it."""
    found: list[str] = []
    for what, table, condition in (
        ("note", ResearchNoteRow, ResearchNoteRow.card_id == row.id),
        ("touchpoint", TouchpointRow, TouchpointRow.card_id == row.id),
        ("qualification answer", QualificationAnswerRow, QualificationAnswerRow.card_id == row.id),
        ("referral", CardRow, CardRow.referred_by_id == row.id),
        ("unsaved draft", DraftRow, DraftRow.card_id == row.id),
    ):
        count = session.scalar(select(func.count()).select_from(table).where(condition)) or 0
        count -= created_with.get(what, 0)
        if count > 0:
            found.append(f"{count} {what}{'s' if count != 1 else ''}")
    return " and ".join(found)


def _make_again(session: Session, actor: Actor, change: Change, removed: RemovedCard) -> Undone:
    """Redo a creation that was undone: the card comes back, under its old id if free."""
    state = removed.state
    referrer = removed.referred_by_id
    if referrer is not None and session.get(CardRow, referrer) is None:
        referrer = None
    free = session.get(CardRow, change.card_id) is None
    row = CardRow(
        id=change.card_id if free else None,
        stage=state.stage,
        position=positions.top(session, state.stage),
        owner=state.draft.owner or actor.user,
        created_at=removed.created_at,
        updated_at=removed.created_at,
        source=removed.source,
        market=removed.market,
        referred_by_id=referrer,
    )
    apply_draft(row, state.draft)
    row.events.append(
        StageEventRow(from_stage=None, to_stage=state.stage, at=removed.created_at, by=actor.user)
    )
    session.add(row)
    session.flush()
    schedule.follow(session, row, actor.now)
    row.position = positions.return_to(session, row, state.stage, state.position)
    for touchpoint in removed.touchpoints:  # its source is back already
        log_touchpoint(
            row,
            touchpoint.kind,
            touchpoint.happened_on,
            touchpoint.summary,
            removed.created_at,
            first_sets_source=False,
            former_id=touchpoint.id,  # a later change naming it still finds it
        )
    session.flush()
    given = None
    if change.referral is not None and referrer is not None:
        giver = session.get(CardRow, referrer)
        if giver is not None and giver.archived_at is None:
            was = change.referral.touchpoint
            given = log_referral(
                giver,
                was.happened_on,
                was.summary,
                actor.now,
                former_id=was.touchpoint_id or was.former_id,
            )
    inverse = Change(
        ChangeKind.CREATE,
        row.id,
        change.description,
        None,
        row.version,
        created_with=(("touchpoint", len(removed.touchpoints)),) if removed.touchpoints else (),
        referral=given,
    )
    return Undone(change.description, row.id, row.version, inverse)


def _remove_note_again(session: Session, change: Change, note: NoteView) -> Undone:
    """Redo a note's deletion, or undo its writing: only that note, and only unchanged."""
    row = session.get(ResearchNoteRow, note.id)
    card = session.get(CardRow, change.card_id)
    if row is None or card is None:
        raise NotFoundError("That note no longer exists; nothing to do.")
    if row.version != note.version or row.body != note.body:
        raise ConflictError(
            f"The note on {card.name} was changed elsewhere since; it was not deleted."
        )
    view = note_view(row)
    session.delete(row)
    session.flush()
    inverse = Change(
        ChangeKind.DELETE_NOTE, card.id, change.description, None, card.version, note=view
    )
    # The card's version is as it was: the older changes on it need no re-basing.
    return Undone(change.description, card.id, None, inverse)


def _edit_note_back(
    session: Session, actor: Actor, change: Change, after: NoteView, before: NoteView
) -> Undone:
    """Put a note's earlier text and kind back (undo an edit, or redo it given the
    inverse): only if the note is still as the edit left it."""
    row = session.get(ResearchNoteRow, after.id)
    card = session.get(CardRow, change.card_id)
    if row is None or card is None:
        raise NotFoundError("That note no longer exists; nothing to undo.")
    if row.version != after.version or row.body != after.body or row.kind is not after.kind:
        done = "changed again" if change.redo else "changed back"
        raise ConflictError(
            f"The note on {card.name} was changed elsewhere since; it was not {done}."
        )
    row.body = before.body
    row.kind = before.kind
    row.updated_at = actor.now
    session.flush()
    now = note_view(row)
    inverse = Change(
        ChangeKind.EDIT_NOTE,
        card.id,
        change.description,
        None,
        card.version,
        note=now,
        note_before=after,
        redo=not change.redo,
    )
    # The card's version is as it was: the older changes on it need no re-basing.
    return Undone(change.description, card.id, None, inverse)


def restore_state(
    session: Session,
    row: CardRow,
    state: CardState,
    actor: Actor,
    activities: tuple[Activity, ...] | None = None,
) -> None:
    """Put the card back to `state`; its scheduled activities to `activities` when
    given, else its earliest open one follows the state's next action."""
    if state.archived_at is None:
        position = positions.return_to(session, row, state.stage, state.position)
    else:
        position = state.position  # orders nothing while archived; kept so undo is exact
    apply_draft(row, state.draft)
    row.stage = state.stage
    row.position = position
    row.archived_at = state.archived_at
    row.archive_reason = state.archive_reason
    row.archive_note = state.archive_note
    row.won_value_cents = to_cents(state.won_value) if state.won_value is not None else None
    row.nurture_until = state.nurture_until
    row.cadence_step, row.cadence_anchor = state.cadence_step, state.cadence_anchor
    row.cadence_base = state.cadence_base
    row.rhythm_days = state.rhythm_days
    row.updated_at = actor.now
    session.flush()
    if activities is not None:
        schedule.restore(session, row, activities)
    else:
        schedule.follow(session, row, actor.now)


def _tell_moved(
    session: Session, row: CardRow, from_stage: Stage, actor: Actor, change: Change
) -> None:
    """The hooks hear of a move taken back (`undo`: true) or made again, as of a move:
    a chat told "new client" is told the card went back, and again if it is redone."""
    redo = change.redo
    moved = {
        "from_stage": from_stage.value,
        "to_stage": row.stage.value,
        "note": change.move_note if redo else "",
        "undo": not redo,
    }
    events.record(session, row, EventName.STAGE_CHANGED, at=actor.now, by=actor.user, **moved)
    # A client taken back down and put back by undo did not become one: only a move
    # made again is news.
    if redo and row.stage is Stage.CLIENT and from_stage.order < Stage.CLIENT.order:
        events.record(session, row, EventName.BECAME_CLIENT, at=actor.now, by=actor.user, **moved)


def _tell_archived(
    session: Session, row: CardRow, after: CardState, actor: Actor, change: Change
) -> None:
    """The hooks hear of a card taken off the board or brought back by undo or redo, as
    of an archive (`archived`) or a restore (`restored`), with `undo`: true when it
    takes a change back: a chat told "Ann archived: lost" is told she is back."""
    state = state_of(row) if row.archived_at is not None else after  # the archive's reason
    tell_archived(
        session, row, actor, state.archive_reason, state.archive_note, undo=not change.redo
    )


def _move_in_history(
    session: Session, row: CardRow, to_stage: Stage, actor: Actor, change: Change
) -> tuple[str, datetime | None]:
    """The card's stage history as undoing `change` leaves it; returns the note and
    time of a move forgotten, for its redo (made again as it was made). A move taken
    back never happened: its event goes, so the stand-up's moves, conversion and
    insight's wins do not count it (kept, with a move back after it, an L then u
    counted as a client won). That event is the card's newest by id (any later change
    to the card would have refused this undo; the reps' clocks may disagree, ids do
    not). Undoing a redo records the move again, at its first time and with its note
    (the cadence's step is told from the day the card entered its stage)."""
    if not change.redo:
        latest = session.scalars(
            select(StageEventRow)
            .where(StageEventRow.card_id == row.id)
            .order_by(StageEventRow.id.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.from_stage is to_stage and latest.to_stage is row.stage:
            forgotten = (latest.note, latest.at)
            session.delete(latest)
            return forgotten
    session.add(
        StageEventRow(
            card_id=row.id,
            from_stage=row.stage,
            to_stage=to_stage,
            at=change.move_at or actor.now,
            by=actor.user,
            note=change.move_note,
        )
    )
    return "", None
