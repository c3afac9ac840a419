"""Result rows to domain values, shared by the service and the start-up peek.

Plain Python (no SQLAlchemy), so the board's first screenful can be built before
SQLAlchemy is imported.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeline_tui.domain.activity import last_activity_day
from pipeline_tui.domain.cards import CardSummary
from pipeline_tui.domain.money import from_cents
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
