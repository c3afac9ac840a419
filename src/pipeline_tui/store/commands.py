"""Changing the pipeline: cards, moves, the archive, checklists, notes, touchpoints and
next actions. Each function works inside the write transaction it is given.

A change that someone else could have made at the same moment is checked against the
version the rep saw (`expected_version`): a save made against an older version is
refused with ConflictError, which carries the newer saved value so the rep can compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import flag_modified, set_committed_value

from pipeline_tui.domain.cadence import CadenceError, check_rhythm, leaves_cadences
from pipeline_tui.domain.cards import (
    NOTE_MAX_CHARS,
    CardDraft,
    CardState,
    Change,
    ChangeKind,
    GivenReferral,
    LoggedTouchpoint,
    SavedNote,
    TouchpointView,
)
from pipeline_tui.domain.dates import full_day
from pipeline_tui.domain.drafts import StepKept
from pipeline_tui.domain.events import EventName
from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.limits import check_length, clip
from pipeline_tui.domain.money import from_cents, to_cents
from pipeline_tui.domain.nurture import (
    NurtureError,
    check_can_park,
    check_park_date,
    parked_after_move,
)
from pipeline_tui.domain.qualification import Answer, CriterionAnswer, Qualification
from pipeline_tui.domain.referrals import check_can_refer
from pipeline_tui.domain.schedule import ActivityKind, kind_for_words
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line, clean_text
from pipeline_tui.store import cadence, events, positions, read_model, schedule
from pipeline_tui.store.errors import ConflictError, NotFoundError, StoreError
from pipeline_tui.store.models import (
    ActivityRow,
    CardRow,
    QualificationAnswerRow,
    ResearchNoteRow,
    StageEventRow,
    TouchpointRow,
)
from pipeline_tui.store.rows import note_view


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and when: the rep's name and the one moment a transaction
    stamps on everything it writes."""

    user: str
    now: datetime


# Cards -------------------------------------------------------------------------------


def add_card(
    session: Session,
    actor: Actor,
    draft: CardDraft,
    stage: Stage,
    *,
    source: TouchpointKind | None = None,
    market: Market | None = None,
    referred_by: CardRow | None = None,
) -> CardRow:
    """A new card at the top of its stage's column, with its creation event."""
    row = CardRow(
        stage=stage,
        position=positions.top(session, stage),
        owner=draft.owner or actor.user,
        created_at=actor.now,
        source=source,
        market=market,
        referred_by_id=referred_by.id if referred_by is not None else None,
    )
    apply_draft(row, draft)
    row.events.append(StageEventRow(from_stage=None, to_stage=stage, at=actor.now, by=actor.user))
    session.add(row)
    session.flush()
    schedule.follow(session, row, actor.now)  # its next action, if typed, is its first activity
    events.record(session, row, EventName.CARD_ADDED, at=actor.now, by=actor.user, email=row.email)
    return row


def created(row: CardRow, description: str, **created_with: int) -> Change:
    """The Change for a new card; `created_with` counts what its creation wrote beside
    it (touchpoint=1), which undoing the creation may take away."""
    return Change(
        ChangeKind.CREATE,
        row.id,
        description,
        None,
        row.version,
        created_with=tuple(sorted(created_with.items())),
    )


def update_card(
    session: Session, actor: Actor, card_id: int, draft: CardDraft, expected_version: int
) -> Change:
    """Save an edited profile, refusing if someone else saved the card meanwhile, or
    archived it (an archived card is read-only until it is restored)."""
    row = get_card(session, card_id, active=True)
    check_version(row, expected_version)
    before, activities = state_of(row), schedule.snapshot(session, row.id)
    apply_draft(row, draft)
    row.updated_at = actor.now
    schedule.follow(session, row, actor.now)
    return Change(
        ChangeKind.EDIT, row.id, f"Edited {row.name}", before, row.version, activities=activities
    )


def move_card(
    session: Session, actor: Actor, card_id: int, to_stage: Stage, note: str = ""
) -> Change | None:
    """Move a card to the top of another stage; None if it is already there."""
    row = get_card(session, card_id, active=True)
    if row.stage is to_stage:
        return None
    before, activities = state_of(row), schedule.snapshot(session, row.id)
    step = cadence.waiting_step(session, row) if leaves_cadences(row.stage, to_stage) else None
    # The column it leaves keeps a gap: positions order cards, they do not count them.
    row.stage, row.position = to_stage, positions.top(session, to_stage)
    row.nurture_until = parked_after_move(row.nurture_until, to_stage)
    row.updated_at = actor.now
    note = clean_line(note)[:1000]  # as kept, and as the hooks and a redo send it
    session.add(
        StageEventRow(
            card_id=row.id,
            from_stage=before.stage,
            to_stage=to_stage,
            at=actor.now,
            by=actor.user,
            note=note,
        )
    )
    session.flush()
    cadence.entered(session, row, actor.user, actor.now, left=step)
    moved = {
        "from_stage": before.stage.value,
        "to_stage": to_stage.value,
        "note": note,
        "undo": False,
    }
    events.record(session, row, EventName.STAGE_CHANGED, at=actor.now, by=actor.user, **moved)
    if to_stage is Stage.CLIENT and before.stage.order < Stage.CLIENT.order:
        events.record(session, row, EventName.BECAME_CLIENT, at=actor.now, by=actor.user, **moved)
    # A cadence started by the move scheduled its first step: undo takes it away too.
    return Change(
        ChangeKind.MOVE,
        row.id,
        f"Moved {row.name} to {to_stage.label}",
        before,
        row.version,
        activities=activities,
        step_dropped=step is not None and not row.next_action and row.next_action_due is None,
    )


def reorder_card(session: Session, card_id: int, offset: int) -> Change | None:
    """Move a card up (negative) or down within its column; None at either end."""
    row = get_card(session, card_id, active=True)
    before = state_of(row)
    stage, position, steps, up = before.stage, row.position, 0, offset < 0
    for _ in range(abs(offset)):
        neighbour = positions.adjacent(session, stage, row.id, position, up=up)
        if neighbour is None:
            break
        position = positions.swap(session, stage, row.id, position, neighbour, up=up)
        steps += 1
    if not steps:
        return None
    positions.set_position(session, row.id, position)
    return Change(ChangeKind.REORDER, row.id, f"Reordered {row.name}", before, row.version)


def archive_card(
    session: Session,
    actor: Actor,
    card_id: int,
    reason: ArchiveReason,
    note: str = "",
    expected_version: int | None = None,
) -> Change:
    """Take a card off the board, with the reason; it can be restored, never lost."""
    note = check_length("archive_note", clean_line(note))
    if reason is ArchiveReason.OTHER and not note:
        raise StoreError("Say why the card is archived when the reason is 'other'.")
    row = get_card(session, card_id, active=True)
    if expected_version is not None:
        check_version(row, expected_version, doing="archived")
    before = state_of(row)
    row.archived_at = actor.now
    row.archive_reason = reason
    row.archive_note = note
    won = reason is ArchiveReason.WON
    row.won_value_cents = row.value_cents if won else None
    session.flush()
    tell_archived(session, row, actor, reason, note, undo=False)
    description = f"Archived {row.name} ({reason.label})"
    return Change(ChangeKind.ARCHIVE, row.id, description, before, row.version)


def restore_card(
    session: Session, actor: Actor, card_id: int, expected_version: int | None = None
) -> Change:
    """Bring an archived card back to the top of the stage it was archived from."""
    row = get_card(session, card_id)
    if row.archived_at is None:
        raise StoreError(f"{row.name} is not archived.")
    if expected_version is not None:
        check_version(row, expected_version, doing="restored")
    before = state_of(row)
    row.position = positions.top(session, row.stage)
    row.archived_at, row.archive_reason, row.archive_note = None, None, ""
    row.won_value_cents = None
    row.updated_at = actor.now
    session.flush()
    tell_archived(session, row, actor, before.archive_reason, before.archive_note, undo=False)
    description = f"Restored {row.name} to {row.stage.label}"
    if row.nurture_until is not None and row.nurture_until > actor.now.astimezone().date():
        # Archived while parked, it stays parked: "Restored" alone, and the card was on
        # no column the rep looked at.
        description += f", parked until {row.nurture_until.isoformat()} (N lists it)"
    return Change(ChangeKind.RESTORE, row.id, description, before, row.version)


def tell_archived(
    session: Session,
    row: CardRow,
    actor: Actor,
    reason: ArchiveReason | None,
    note: str,
    *,
    undo: bool,
) -> None:
    """The hooks hear that the card went off the board (`archived`, with what a won
    deal was worth) or came back (`restored`, with the reason it had been archived
    with), as it now is; `undo`: the change takes another back."""
    archived = row.archived_at is not None
    won = archived and reason is ArchiveReason.WON and row.won_value_cents
    events.record(
        session,
        row,
        EventName.ARCHIVED if archived else EventName.RESTORED,
        at=actor.now,
        by=actor.user,
        reason=reason.value if reason else "",
        note=note,
        undo=undo,
        **({"won_value": str(value_of(row.won_value_cents))} if won else {}),
    )


def park(
    session: Session,
    actor: Actor,
    card_id: int,
    until: date,
    today: date,
    expected_version: int,
) -> Change:
    """Not yet: take the card off the active board until `until` (a day after today)."""
    row = get_card(session, card_id, active=True)
    try:
        check_park_date(until, today)
        check_can_park(row.stage, clean_line(row.name))
    except NurtureError as error:
        raise StoreError(str(error)) from None
    check_version(row, expected_version, doing="parked")
    before = state_of(row)
    row.nurture_until = until
    row.updated_at = actor.now
    session.flush()
    description = f"Parked {row.name} until {until.isoformat()}"
    return Change(ChangeKind.EDIT, row.id, description, before, row.version)


def unpark(session: Session, actor: Actor, card_id: int, expected_version: int) -> Change:
    """Bring a parked card back on the board now, before its day."""
    row = get_card(session, card_id, active=True)
    check_version(row, expected_version, doing="brought back")
    if row.nurture_until is None:
        raise StoreError(f"{row.name} is not parked; it is on the board already.")
    before = state_of(row)
    row.nurture_until = None
    row.updated_at = actor.now
    session.flush()
    return Change(ChangeKind.EDIT, row.id, f"Brought {row.name} back", before, row.version)


def set_rhythm(session: Session, actor: Actor, card_id: int, days: int | None) -> Change:
    """Keep in touch with the card every `days` days (None: the stage's stale limit
    again): the card is stale once it has been idle longer than that."""
    try:
        days = check_rhythm(days)
    except CadenceError as error:
        raise StoreError(str(error)) from None
    row = get_card(session, card_id, active=True)
    before = state_of(row)
    row.rhythm_days = days
    row.updated_at = actor.now
    session.flush()
    what = (
        f"Keep in touch with {row.name} every {days} days"
        if days is not None
        else f"Cleared the rhythm of {row.name}"
    )
    return Change(ChangeKind.EDIT, row.id, what, before, row.version)


def set_market(session: Session, actor: Actor, card_id: int, market: Market | None) -> None:
    row = get_card(session, card_id)
    row.market = market
    row.updated_at = actor.now


# Qualification and referrals ---------------------------------------------------------


def save_qualification(
    session: Session,
    actor: Actor,
    card_id: int,
    answers: Mapping[str, CriterionAnswer],
    criteria: tuple[str, ...],
    seen: Qualification | None = None,
) -> Qualification:
    """Save answers by criterion text; unknown with no comment removes the answer.

    `seen` is the checklist as the rep opened it: only the answers the rep changed from
    it are written, and if someone else changed one of those since, the whole save is
    refused with the newer checklist.
    """
    row = get_card(session, card_id)
    existing = {
        saved.criterion: saved
        for saved in session.scalars(
            select(QualificationAnswerRow).where(QualificationAnswerRow.card_id == row.id)
        )
    }
    if seen is not None:
        changed = [
            criterion
            for criterion, given in answers.items()
            if _stored(existing.get(criterion)) != seen.answer(criterion)
            and given != seen.answer(criterion)
        ]
        if changed:
            raise ConflictError(
                f"Someone else answered {', '.join(changed)} for {row.name} meanwhile; "
                "your answers were not saved.",
                current=read_model.qualification(session, row.id, criteria),
            )
    for criterion, given in answers.items():
        if seen is not None and given == seen.answer(criterion):
            # Not the rep's change: what is stored stays. Written back as the rep had
            # seen it, another rep's answer given meanwhile (to a criterion this rep
            # left alone) was overwritten, or deleted, without a word.
            continue
        comment = check_length("qualification_comment", clean_line(given.comment))
        saved = existing.get(criterion)
        if given.answer is Answer.UNKNOWN and not comment:
            if saved is not None:
                session.delete(saved)
            continue
        if saved is None:
            saved = QualificationAnswerRow(card_id=row.id, criterion=criterion)
            session.add(saved)
        elif saved.answer is given.answer and saved.comment == comment:
            continue
        saved.answer, saved.comment = given.answer, comment
        saved.updated_at, saved.updated_by = actor.now, actor.user
    session.flush()
    return read_model.qualification(session, row.id, criteria)


def _stored(saved: QualificationAnswerRow | None) -> CriterionAnswer:
    return CriterionAnswer() if saved is None else CriterionAnswer(saved.answer, saved.comment)


def refer(
    session: Session, actor: Actor, referrer_id: int, draft: CardDraft, today: date
) -> Change:
    """A new lead referred by a client or repeat card, with a referral touchpoint on both.
    Undo removes the new lead and the referrer's touchpoint for it (GivenReferral)."""
    referrer = get_card(session, referrer_id, active=True)
    problem = check_can_refer(referrer.name, referrer.stage)
    if problem:
        raise StoreError(problem)
    row = add_card(session, actor, draft, Stage.LEAD, referred_by=referrer)
    log_touchpoint(row, TouchpointKind.REFERRAL, today, f"Referred by {referrer.name}", actor.now)
    given = log_referral(referrer, today, f"Referred {draft.name}", actor.now)
    change = created(row, f"Added {draft.name}, referred by {referrer.name}", touchpoint=1)
    return replace(change, referral=given)


def log_referral(
    referrer: CardRow, on: date, summary: str, now: datetime, *, former_id: int | None = None
) -> GivenReferral:
    """The referrer's touchpoint for a referral they gave, and what undo needs to take it
    back (a lead referred by mistake and undone left "Referred Sam Lead" on the client,
    and its keep-in-touch step moved on, for a referral that never was). Giving a
    referral is not where the referrer came from: their source stays."""
    logged = log_logged(
        referrer,
        TouchpointKind.REFERRAL,
        on,
        summary,
        now,
        sets_source=False,
        former_id=former_id,
    )
    return GivenReferral(referrer.id, logged)


# Research notes ----------------------------------------------------------------------


def add_note(session: Session, actor: Actor, card_id: int, kind: NoteKind, body: str) -> SavedNote:
    """Write a new note; the change with it removes it again (undo)."""
    body = note_body(body)
    row = get_card(session, card_id, active=True)
    note = ResearchNoteRow(
        card_id=row.id, kind=kind, body=body, created_at=actor.now, updated_at=actor.now
    )
    session.add(note)
    session.flush()
    view = note_view(note)
    description = f"Added the {kind.label.lower()} note on {row.name}"
    change = Change(ChangeKind.ADD_NOTE, row.id, description, None, row.version, note=view)
    return SavedNote(view, change)


def update_note(
    session: Session,
    actor: Actor,
    note_id: int,
    body: str,
    kind: NoteKind | None = None,
    expected_version: int | None = None,
) -> SavedNote:
    """Save an edited note, refusing when someone else saved it after `expected_version`
    (the ConflictError carries their version). The change with it puts the earlier
    text and kind back (undo); None when nothing changed."""
    body = note_body(body)
    note = get_note(session, note_id)
    if expected_version is not None and note.version != expected_version:
        raise ConflictError(
            "Someone else saved this note while you edited it; yours was not saved, "
            "and both versions are shown.",
            current=note_view(note),
        )
    if note.body == body and (kind is None or note.kind is kind):
        return SavedNote(note_view(note), None)
    before = note_view(note)
    note.body = body
    if kind is not None:
        note.kind = kind
    note.updated_at = actor.now
    session.flush()
    view = note_view(note)
    card = get_card(session, note.card_id)
    description = f"Edited the {view.kind.label.lower()} note on {card.name}"
    change = Change(
        ChangeKind.EDIT_NOTE,
        card.id,
        description,
        None,
        card.version,
        note=view,
        note_before=before,
    )
    return SavedNote(view, change)


def delete_note(session: Session, note_id: int, expected_version: int | None = None) -> Change:
    """Delete a note; the Change holds all of it, so undo brings it back whole."""
    note = get_note(session, note_id)
    if expected_version is not None and note.version != expected_version:
        raise ConflictError(
            "Someone else changed this note since you opened it; it was not deleted.",
            current=note_view(note),
        )
    view = note_view(note)
    card = get_card(session, note.card_id)
    session.delete(note)
    description = f"Deleted the {view.kind.label.lower()} note on {card.name}"
    return Change(ChangeKind.DELETE_NOTE, card.id, description, None, card.version, note=view)


def get_note(session: Session, note_id: int) -> ResearchNoteRow:
    note = session.get(ResearchNoteRow, note_id)
    if note is None:
        raise NotFoundError("That note no longer exists.")
    return note


def note_body(body: str) -> str:
    body = clean_text(body).strip("\n")
    if not body.strip():
        raise StoreError("A note needs some text.")
    if len(body) > NOTE_MAX_CHARS:
        raise StoreError(
            f"A note can be at most {NOTE_MAX_CHARS:,} characters; this one has {len(body):,}."
        )
    return body


# Touchpoints and next actions --------------------------------------------------------


def add_touchpoint(
    session: Session,
    actor: Actor,
    card_id: int,
    kind: TouchpointKind,
    happened_on: date,
    summary: str = "",
) -> TouchpointView:
    """Log a touchpoint; the first one a card gets becomes its source."""
    row = get_card(session, card_id, active=True)
    touchpoint = log_touchpoint(row, kind, happened_on, summary, actor.now)
    session.flush()
    return TouchpointView(touchpoint.id, kind, happened_on, touchpoint.summary)


def log_touchpoint_change(
    session: Session,
    actor: Actor,
    card_id: int,
    kind: TouchpointKind,
    happened_on: date,
    summary: str = "",
) -> Change:
    """Log a touchpoint (`t`), as a change `u` takes back: a touchpoint logged on the
    wrong card in a burst of keys stayed there for good."""
    row = get_card(session, card_id, active=True)
    logged = log_logged(row, kind, happened_on, summary, actor.now)
    return Change(
        ChangeKind.LOG_TOUCHPOINT,
        row.id,
        f"Logged a touchpoint with {row.name} ({kind.value})",
        None,
        row.version,
        touchpoint=logged,
    )


def delete_touchpoint(session: Session, card_id: int, touchpoint_id: int) -> Change:
    """Delete a touchpoint from a card's timeline (logged on the wrong card, or for a
    call that never happened), as a change `u` takes back: the source it set as the
    card's first goes to the next one, and the cadence counts from the contacts left.
    The card's own fields stay as they were: its version does not move."""
    touchpoint = session.get(TouchpointRow, touchpoint_id)
    if touchpoint is None or touchpoint.card_id != card_id:
        raise NotFoundError("That touchpoint no longer exists; nothing was deleted.")
    row = get_card(session, card_id, active=True)
    # The last touchpoint deleted leaves the source: it may have come with the card (an
    # import's source column, add --source) rather than from the touchpoint, and is
    # then the rep's data. With others left, the earliest of them is the source.
    others = session.scalar(
        select(func.count())
        .select_from(TouchpointRow)
        .where(TouchpointRow.card_id == card_id, TouchpointRow.id != touchpoint.id)
    )
    source_set = bool(others) and row.source is touchpoint.kind and _is_first(session, touchpoint)
    # The market its source gave, unless the card had its own: worked out again with
    # the next source (a referral's warm goes with the referral).
    derived = Market.WARM if touchpoint.kind is TouchpointKind.REFERRAL else Market.COLD
    market = None if source_set and row.market is derived else row.market
    gone = LoggedTouchpoint(
        None,
        touchpoint.kind,
        touchpoint.happened_on,
        touchpoint.summary,
        source_set,
        market,
        former_id=touchpoint.id,
        logged_at=touchpoint.created_at,
    )
    session.delete(touchpoint)
    session.flush()
    if source_set:
        first_touchpoint_is_source(session, row, market)
    cadence.recount(session, row)
    session.flush()
    day = full_day(gone.happened_on)
    return Change(
        ChangeKind.LOG_TOUCHPOINT,
        row.id,
        f"Deleted the {gone.kind.label.lower()} on {day} with {row.name}",
        None,
        row.version,
        touchpoint=gone,
    )


def _is_first(session: Session, touchpoint: TouchpointRow) -> bool:
    """Whether the card's source came from `touchpoint`: the first logged on it, or the
    earliest by day (the source a touchpoint taken back hands on)."""
    first_logged = session.scalar(
        select(func.min(TouchpointRow.id)).where(TouchpointRow.card_id == touchpoint.card_id)
    )
    earliest = session.scalars(
        select(TouchpointRow.id)
        .where(TouchpointRow.card_id == touchpoint.card_id)
        .order_by(TouchpointRow.happened_on, TouchpointRow.id)
        .limit(1)
    ).first()
    return touchpoint.id in (first_logged, earliest)


def first_touchpoint_is_source(session: Session, row: CardRow, market: Market | None) -> None:
    """The card's source is its earliest touchpoint's kind (none left: no source), with
    `market`: what a touchpoint taken back had set."""
    earliest = earliest_touchpoint(session, row)
    set_source(row, earliest.kind if earliest is not None else None, market)


def earliest_touchpoint(session: Session, row: CardRow) -> TouchpointRow | None:
    """The card's first touchpoint by day (the first logged, on one day): its source's."""
    session.flush()
    return session.scalars(
        select(TouchpointRow)
        .where(TouchpointRow.card_id == row.id)
        .order_by(TouchpointRow.happened_on, TouchpointRow.id)
        .limit(1)
    ).first()


def log_logged(
    row: CardRow,
    kind: TouchpointKind,
    happened_on: date,
    summary: str,
    now: datetime,
    *,
    sets_source: bool = True,
    former_id: int | None = None,
) -> LoggedTouchpoint:
    """Log the touchpoint on `row`, and what taking it back needs."""
    source_set, market = sets_source and row.source is None, row.market
    touchpoint = log_touchpoint(
        row,
        kind,
        happened_on,
        summary,
        now,
        first_sets_source=sets_source,
        former_id=former_id,
    )
    session = object_session(row)
    assert session is not None
    session.flush()
    return LoggedTouchpoint(
        touchpoint.id,
        kind,
        happened_on,
        touchpoint.summary,
        source_set,
        market,
        logged_at=touchpoint.created_at,
    )


def set_next_action(
    session: Session,
    actor: Actor,
    card_id: int,
    action: str,
    due: date | None,
    expected_version: int,
) -> Change:
    """Set the card's next action: the earliest open activity takes these words and
    day (one is added when there is none); an empty action and no date drops it, and
    the next open one, if any, comes up."""
    action = check_length("next_action", clean_line(action))
    row = get_card(session, card_id)
    check_version(row, expected_version)
    before, activities = state_of(row), schedule.snapshot(session, row.id)
    row.next_action, row.next_action_due = action, due
    row.updated_at = actor.now
    schedule.follow(session, row, actor.now)
    what = f"Next action for {row.name}" if action or due else f"Cleared next action of {row.name}"
    return Change(ChangeKind.EDIT, row.id, what, before, row.version, activities=activities)


def complete_next_action(
    session: Session,
    actor: Actor,
    card_id: int,
    kind: TouchpointKind,
    happened_on: date,
    summary: str,
    expected_version: int,
) -> Change:
    """Mark the next action (the earliest open activity) done: log it as a touchpoint,
    and the next open activity, if any, becomes the next action; in one step. Undo
    opens it again (complete_activity)."""
    row = get_card(session, card_id)
    check_version(row, expected_version)
    earliest = schedule.earliest_open(session, row.id)
    if earliest is None and (row.next_action or row.next_action_due is not None):
        # Written beside the activities (by hand, or a release before them): the next
        # action becomes one, so it is marked done like any other.
        schedule.follow(session, row, actor.now)
        earliest = schedule.earliest_open(session, row.id)
    if earliest is None:
        raise StoreError(f"{row.name} has no next action to mark done.")
    return complete_activity(
        session, actor, earliest.id, kind, happened_on, summary, expected_version
    )


def log_touchpoint(
    row: CardRow,
    kind: TouchpointKind,
    happened_on: date,
    summary: str,
    now: datetime,
    *,
    first_sets_source: bool = True,
    former_id: int | None = None,
) -> TouchpointRow:
    """`former_id`: the id a touchpoint taken back had, which it takes again if it is
    still free (ids are never handed out twice, so it is, unless it is back already)."""
    session = object_session(row)
    assert session is not None
    if former_id is not None and session.get(TouchpointRow, former_id) is not None:
        former_id = None
    touchpoint = TouchpointRow(
        id=former_id,
        card_id=row.id,
        kind=kind,
        happened_on=happened_on,
        summary=check_length("touchpoint_summary", clean_line(summary)),
        created_at=now,
    )
    # Added through the session, not row.touchpoints, which would load every earlier one.
    session.add(touchpoint)
    if row.source is None and first_sets_source:  # the first is where the card came from
        set_source(row, kind, row.market)
    cadence.contact(row, happened_on)
    return touchpoint


def set_source(row: CardRow, source: TouchpointKind | None, market: Market | None) -> None:
    """Where the card came from, as its first touchpoint says (or, that touchpoint taken
    back, the next one), and its market: `market` if it had one, else warm for a
    referral, cold for any other source. Written beside the ORM, like position shifts,
    so the card's version stays put: logging a touchpoint must not make the rep's own
    undo (or an open edit) of the card look like someone else's change."""
    if source is not None and market is None:
        market = Market.WARM if source is TouchpointKind.REFERRAL else Market.COLD
    session = object_session(row)
    assert session is not None
    session.execute(
        update(CardRow)
        .where(CardRow.id == row.id)
        .values(source=source, market=market)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(row, "source", source)
    set_committed_value(row, "market", market)


# Scheduled activities ------------------------------------------------------------------


def add_activity(
    session: Session,
    actor: Actor,
    card_id: int,
    kind: ActivityKind | None,
    text: str,
    due: date | None,
    due_time: time | None = None,
    expected_version: int | None = None,
) -> Change:
    """Schedule one more step on the card; undo takes it away again."""
    text = check_length("next_action", clean_line(text))
    if not text and due is None:
        raise StoreError("An activity needs some words or a due date.")
    card = get_card(session, card_id, active=True)
    if expected_version is not None:
        check_version(card, expected_version, doing="given the activity")
    before, activities = state_of(card), schedule.snapshot(session, card.id)
    session.add(
        ActivityRow(
            card_id=card.id,
            kind=kind or kind_for_words(text),
            text=text,
            due=due,
            due_time=due_time if due is not None else None,
            created_at=actor.now,
        )
    )
    _edited(session, actor, card)
    what = f"Scheduled {text or 'a step'} for {card.name}"
    return Change(ChangeKind.EDIT, card.id, what, before, card.version, activities=activities)


def edit_activity(
    session: Session,
    actor: Actor,
    activity_id: int,
    kind: ActivityKind | None,
    text: str,
    due: date | None,
    due_time: time | None = None,
    expected_version: int | None = None,
) -> Change:
    """Change an open step's kind, words, day or time."""
    text = check_length("next_action", clean_line(text))
    if not text and due is None:
        raise StoreError("An activity needs some words or a due date.")
    row, card = _open_row(session, activity_id, expected_version, "changed")
    before, activities = state_of(card), schedule.snapshot(session, card.id)
    if kind is None:
        schedule.reword(row, text)  # the kind follows the words only if it echoed them
    else:
        row.kind, row.text = kind, text
    row.due = due
    row.due_time = due_time if due is not None else None
    _edited(session, actor, card)
    what = f"Changed {text or 'a step'} on {card.name}"
    return Change(ChangeKind.EDIT, card.id, what, before, card.version, activities=activities)


def change_kept_step(
    session: Session,
    actor: Actor,
    card_id: int,
    kept: StepKept,
    kind: ActivityKind | None,
    text: str,
    due: date | None,
    due_time: time | None = None,
    expected_version: int | None = None,
) -> Change | None:
    """A change typed for one planned step, kept in a draft and taken back in a dialog
    for another (domain.drafts.STEP): that step takes the words and day; a day left as
    it was is the step's own now, and its time stays while its day does if the change
    said none (`kept.keep_time`). A step done, dropped or with other words than when the
    change began (reworded since, or a new step given a dropped one's id) is left as it
    is, and the words are scheduled as a step of their own: nothing typed is lost, and
    no words saved since are gone over unseen.

    Words and day both emptied ("both empty clears it"): that step is dropped; done or
    dropped since, there is nothing left to clear (None); reworded since, it is not the
    step the rep cleared, and is left, with a sentence saying so."""
    row = session.get(ActivityRow, kept.step_id)
    if row is not None and (row.card_id != card_id or row.done_at is not None):
        row = None  # done, or not this card's
    if not clean_line(text) and due is None:
        if row is None:
            if expected_version is not None:
                check_version(get_card(session, card_id), expected_version)
            return None
        if row.text != kept.words:
            raise StoreError(f"{kept.words or 'The step'} was changed since: nothing was cleared.")
        return delete_activity(session, actor, row.id, expected_version)
    if row is None or row.text != kept.words:
        added = add_activity(session, actor, card_id, kind, text, due, due_time, expected_version)
        return replace(added, kept_as_new_step=True)
    if due == kept.due:
        due = row.due  # moved since, maybe: not moved back
    if kept.keep_time and due == row.due:
        due_time = row.due_time
    return edit_activity(session, actor, row.id, kind, text, due, due_time, expected_version)


def delete_activity(
    session: Session, actor: Actor, activity_id: int, expected_version: int | None = None
) -> Change:
    """Drop an open step without doing it (nothing is logged); undo brings it back."""
    row, card = _open_row(session, activity_id, expected_version, "dropped")
    before, activities = state_of(card), schedule.snapshot(session, card.id)
    session.delete(row)
    _edited(session, actor, card)
    what = f"Dropped {row.text or 'a step'} on {card.name}"
    return Change(ChangeKind.EDIT, card.id, what, before, card.version, activities=activities)


def complete_activity(
    session: Session,
    actor: Actor,
    activity_id: int,
    kind: TouchpointKind,
    happened_on: date,
    summary: str,
    expected_version: int | None = None,
) -> Change:
    """Mark a step done: logged as a touchpoint, the next open step becomes the card's
    next action. A change undo takes back (a step marked done on the wrong card in a
    burst of keys was done for good): the step opens again, its touchpoint goes, and
    the cadence step it moved on, or handed off, is back as it was."""
    row, card = _open_row(session, activity_id, expected_version, "marked done")
    before, activities = state_of(card), schedule.snapshot(session, card.id)
    step = cadence.is_step(session, card, row)
    summary = summary or clip("touchpoint_summary", f"Done: {row.text}")
    logged = log_logged(card, kind, happened_on, summary, actor.now)
    events.record(
        session,
        card,
        EventName.NEXT_ACTION_DONE,
        at=actor.now,
        by=actor.user,
        action=row.text,
        due=row.due.isoformat() if row.due else None,
        touchpoint={"kind": kind.value, "on": happened_on.isoformat(), "summary": logged.summary},
    )
    row.done_at = actor.now
    # The cadence's step done: its next one is scheduled, counted from that day.
    cadence.done(session, card, actor.user, actor.now, happened_on, step)
    _edited(session, actor, card)
    session.flush()
    what = clean_line(row.text) or "a step"
    return Change(
        ChangeKind.STEP_DONE,
        card.id,
        f"Marked done on {card.name}: {what}",
        before,
        card.version,
        touchpoint=logged,
        activities=activities,
    )


def _open_row(
    session: Session, activity_id: int, expected_version: int | None, doing: str
) -> tuple[ActivityRow, CardRow]:
    row = session.get(ActivityRow, activity_id)
    if row is None:
        raise NotFoundError("That activity no longer exists.")
    card = get_card(session, row.card_id, active=True)
    if expected_version is not None:
        check_version(card, expected_version, doing=doing)
    if row.done_at is not None:
        raise StoreError(f"{row.text or 'That step'} is done already.")
    return row, card


def _edited(session: Session, actor: Actor, card: CardRow) -> None:
    # A change of plan is an edit of the card: its version rises even when the earliest
    # step (the columns the card holds) stays the same, or the clock has not moved.
    card.updated_at = actor.now
    flag_modified(card, "updated_at")
    schedule.refresh(session, card)


# Shared by every change ----------------------------------------------------------------


def get_card(session: Session, card_id: int, *, active: bool = False) -> CardRow:
    row = session.get(CardRow, card_id)
    if row is None:
        raise NotFoundError("That card no longer exists.")
    if active and row.archived_at is not None:
        raise StoreError(f"{row.name} is archived; restore it first.")
    return row


def check_version(row: CardRow, expected_version: int, *, doing: str = "") -> None:
    if row.version == expected_version:
        return
    if doing:
        raise ConflictError(
            f"{row.name} was changed elsewhere since you saw it; it was not {doing}, "
            "and it now shows the other change."
        )
    raise ConflictError(
        f"{row.name} was changed elsewhere while you edited it; your edit was not saved "
        "and the card now shows the other change."
    )


def apply_draft(row: CardRow, draft: CardDraft) -> None:
    row.name = draft.name
    row.organisation = draft.organisation
    row.email = draft.email
    row.phone = draft.phone
    row.tags = " ".join(draft.tags)
    row.next_action = draft.next_action
    row.next_action_due = draft.next_action_due
    row.value_cents = to_cents(draft.value) if draft.value is not None else None
    row.expected_close = draft.expected_close
    if draft.owner:
        row.owner = draft.owner


def value_of(cents: int | None) -> Decimal | None:
    return from_cents(cents) if cents is not None else None


def set_value(
    session: Session,
    actor: Actor,
    card_id: int,
    value: Decimal | None,
    expected_close: date | None = None,
    *,
    keep_close: bool = True,
) -> Change:
    """Set a card's value (None: clear it), and its expected close unless `keep_close`."""
    row = get_card(session, card_id, active=True)
    before = state_of(row)
    draft = replace(
        before.draft,
        value=value,
        expected_close=before.draft.expected_close if keep_close else expected_close,
    ).cleaned()
    apply_draft(row, draft)
    row.updated_at = actor.now
    session.flush()  # the next action is as it was: the activities stay as they are
    return Change(ChangeKind.EDIT, row.id, f"Set the value of {row.name}", before, row.version)


def state_of(row: CardRow) -> CardState:
    """Everything undo needs to put the card back as it is now."""
    return CardState(
        draft=CardDraft(
            name=row.name,
            organisation=row.organisation,
            email=row.email,
            phone=row.phone,
            tags=tuple(row.tags.split()),
            next_action=row.next_action,
            next_action_due=row.next_action_due,
            owner=row.owner,
            value=value_of(row.value_cents),
            expected_close=row.expected_close,
        ),
        stage=row.stage,
        position=row.position,
        archived_at=row.archived_at,
        archive_reason=row.archive_reason,
        archive_note=row.archive_note,
        won_value=value_of(row.won_value_cents),
        nurture_until=row.nurture_until,
        cadence_step=row.cadence_step,
        cadence_anchor=row.cadence_anchor,
        cadence_base=row.cadence_base,
        rhythm_days=row.rhythm_days,
        version=row.version,
    )
