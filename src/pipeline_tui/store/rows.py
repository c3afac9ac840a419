"""Result rows to domain values, shared by the service and the start-up peek.

Plain Python (no SQLAlchemy), so the board's first screenful, and the first card a
rep opens, can be built before SQLAlchemy is imported. A row is an ORM row or any
object with the same attribute names and Python values (store/peek.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from pipeline_tui.domain.activity import last_activity_day
from pipeline_tui.domain.cadence import CADENCE_STAGES, Cadence, CadencePlace, place
from pipeline_tui.domain.cards import (
    CardDetail,
    CardLink,
    CardSummary,
    NoteView,
    StageEventView,
    TouchpointView,
)
from pipeline_tui.domain.drafts import Draft, DraftKey, Editor
from pipeline_tui.domain.money import from_cents
from pipeline_tui.domain.qualification import QUALIFIED_STAGES, CriterionAnswer, Qualification
from pipeline_tui.domain.schedule import Activity
from pipeline_tui.domain.stages import Stage

STAGES_BY_VALUE = {stage.value: stage for stage in Stage}


def card_summary(row: Any, **board_fields: Any) -> CardSummary:
    """A card from its own columns (a CardRow or a query row with the same names);
    `board_fields` adds what the board query computes (activity, score, referrals)."""
    tags = row.tags
    return CardSummary(
        id=row.id,
        name=row.name,
        organisation=row.organisation,
        stage=STAGES_BY_VALUE[row.stage],
        position=row.position,
        owner=row.owner,
        tags=tuple(tags.split()) if tags else (),
        next_action=row.next_action,
        next_action_due=row.next_action_due,
        version=getattr(row, "version", 0),  # 0: not read (a listing without it)
        value=from_cents(cents)
        if (cents := getattr(row, "value_cents", None)) is not None
        else None,
        expected_close=getattr(row, "expected_close", None),
        nurture_until=getattr(row, "nurture_until", None),
        rhythm_days=getattr(row, "rhythm_days", None),
        **board_fields,
    )


def last_activity(row: Any) -> date:
    """The last activity day from a row with last_move_at, last_touchpoint and
    last_note_at. The last move (or creation) stands in for created_at: it is never
    earlier."""
    return last_activity_day(row.last_move_at, row.last_touchpoint, row.last_note_at, None)


def board_card(row: Any, criteria: int) -> CardSummary:
    """A board card from a row of the board query: the card's own columns plus
    last_touchpoint, last_note_at, last_move_at, referrals and qualified (and
    has_draft, where the query asks for it)."""
    return card_summary(
        row,
        last_activity=last_activity(row),
        qualified=row.qualified or 0,
        criteria=criteria,
        referrals=row.referrals or 0,
        has_draft=bool(getattr(row, "has_draft", False)),
    )


# The card screen -------------------------------------------------------------------------


def card_detail(
    row: Any,
    summary: CardSummary,
    *,
    events: Iterable[Any],
    notes: Iterable[Any],
    touchpoints: Iterable[Any],
    activities: Iterable[Any],
    answers: Iterable[Any] | None,
    referred_by: Any | None,
    referrals: Iterable[Any],
    criteria: Sequence[str],
    cadences: Mapping[Stage, Cadence],
) -> CardDetail:
    """Everything the card screen shows, from the card's row and its related rows
    (`answers`: its checklist's, None when its stage has no checklist; `activities`:
    its open ones, earliest first)."""
    return CardDetail(
        summary=summary,
        version=row.version,
        email=row.email,
        phone=row.phone,
        source=row.source,
        market=row.market,
        created_at=row.created_at,
        archived_at=row.archived_at,
        archive_reason=row.archive_reason,
        archive_note=row.archive_note,
        won_value=from_cents(row.won_value_cents) if row.won_value_cents is not None else None,
        activities=tuple(activity(each) for each in activities),
        history=tuple(
            StageEventView(
                from_stage=event.from_stage,
                to_stage=event.to_stage,
                at=event.at,
                by=event.by,
                note=event.note or "",
            )
            for event in sorted(events, key=lambda e: (e.at, e.id))
        ),
        notes=tuple(
            note_view(note)
            for note in sorted(notes, key=lambda n: (n.updated_at, n.id), reverse=True)
        ),
        touchpoints=tuple(
            TouchpointView(t.id, t.kind, t.happened_on, t.summary)
            for t in sorted(touchpoints, key=lambda t: (t.happened_on, t.id), reverse=True)
        ),
        qualification=qualification(answers, criteria) if answers is not None else None,
        referred_by=card_link(referred_by) if referred_by is not None else None,
        referrals=tuple(card_link(referral) for referral in referrals),
        cadence=None if row.archived_at is not None else cadence_place(row, cadences),
    )


def has_checklist(stage: Stage) -> bool:
    return stage in QUALIFIED_STAGES


def qualification(answers: Iterable[Any], criteria: Sequence[str]) -> Qualification:
    """The card's checklist against the criteria in force."""
    given = {row.criterion: CriterionAnswer(row.answer, row.comment) for row in answers}
    return Qualification(tuple(criteria), given)


def cadence_place(row: Any, cadences: Mapping[Stage, Cadence]) -> CadencePlace | None:
    """Where the card is in its stage's cadence; None when none is running."""
    cadence = cadences.get(row.stage)
    if cadence is None or row.cadence_step is None or row.stage not in CADENCE_STAGES:
        return None
    return place(cadence, row.cadence_step, row.cadence_anchor)


def note_view(note: Any) -> NoteView:
    return NoteView(
        note.id, note.kind, note.body, note.created_at, note.updated_at, version=note.version
    )


def card_link(row: Any) -> CardLink:
    return CardLink(row.id, row.name, row.stage, row.archived_at is not None)


def activity(row: Any) -> Activity:
    return Activity(
        id=row.id,
        kind=row.kind,
        text=row.text,
        due=row.due,
        due_time=row.due_time,
        created_at=row.created_at,
        done_at=row.done_at,
    )


# Drafts ---------------------------------------------------------------------------------

DRAFT_BASE = "~base"
"""Where a draft's base is kept among its fields: no editor's field is named so."""


def decode_draft_fields(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """A draft row's fields, and its base (empty when not kept)."""
    import json  # not before the board's first paint, which reads no draft

    try:
        value: Any = json.loads(text)
    except ValueError:
        return {}, {}
    if not isinstance(value, dict):
        return {}, {}
    base = value.pop(DRAFT_BASE, None)
    fields = {str(name): str(field) for name, field in value.items()}
    if not isinstance(base, dict):
        return fields, {}
    return fields, {str(name): str(field) for name, field in base.items()}


def draft(row: Any) -> Draft | None:
    """A draft from its row; None for an editor this release does not know."""
    try:
        editor = Editor(row.editor)
        key = DraftKey(editor, row.card_id, row.subject)
    except ValueError:  # written by a newer release
        return None
    fields, base = decode_draft_fields(row.fields)
    return Draft(key, fields, row.saved_at, row.base_version, base)
