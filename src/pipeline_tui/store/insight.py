"""What the insight report reads: every card (archived ones too), every stage event, and
the qualification answers given from the window's first day. Three queries; the
figures are worked out by pipeline_tui.domain.insight."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline_tui.domain.insight import AnswerRecord, InsightCard, InsightData
from pipeline_tui.domain.money import from_cents
from pipeline_tui.domain.standup import MoveEvent, window_start
from pipeline_tui.store.models import CardRow, QualificationAnswerRow, StageEventRow

_ROWS_AT_A_TIME = 2000


def read_insight(
    session: Session,
    today: date,
    window: int,
    criteria: Sequence[str],
    tz: tzinfo | None = None,
) -> InsightData:
    cards_query = select(
        CardRow.id,
        CardRow.name,
        CardRow.organisation,
        CardRow.stage,
        CardRow.owner,
        CardRow.created_at,
        CardRow.source,
        CardRow.market,
        CardRow.archived_at,
        CardRow.archive_reason,
        CardRow.referred_by_id,
        CardRow.value_cents,
        CardRow.won_value_cents,
        CardRow.nurture_until,
    ).order_by(CardRow.id)
    events_query = select(
        StageEventRow.card_id,
        StageEventRow.from_stage,
        StageEventRow.to_stage,
        StageEventRow.at,
        StageEventRow.by,
    ).order_by(StageEventRow.at, StageEventRow.id)
    answers_query = select(
        QualificationAnswerRow.card_id,
        QualificationAnswerRow.criterion,
        QualificationAnswerRow.answer,
        QualificationAnswerRow.updated_at,
    ).where(
        QualificationAnswerRow.updated_at >= _start_of(window_start(today, window), tz),
        QualificationAnswerRow.criterion.in_(list(criteria)),
    )
    stream = {"yield_per": _ROWS_AT_A_TIME}
    # Rows unpacked by place: reading each column by name was a fifth of this read at
    # 10,000 cards, as in the stand-up's.
    cards = tuple(
        InsightCard(
            id=card_id,
            name=name,
            organisation=organisation,
            stage=stage,
            owner=owner,
            created_at=created_at,
            source=source,
            market=market,
            archived_at=archived_at,
            archive_reason=archive_reason,
            referred_by=referred_by,
            value=None if value_cents is None else from_cents(value_cents),
            won_value=None if won_cents is None else from_cents(won_cents),
            nurture_until=nurture_until,
        )
        for (
            card_id,
            name,
            organisation,
            stage,
            owner,
            created_at,
            source,
            market,
            archived_at,
            archive_reason,
            referred_by,
            value_cents,
            won_cents,
            nurture_until,
        ) in session.execute(cards_query.execution_options(**stream))
    )
    events = tuple(
        MoveEvent(card_id=card_id, from_stage=from_stage, to_stage=to_stage, at=at, by=by)
        for card_id, from_stage, to_stage, at, by in session.execute(
            events_query.execution_options(**stream)
        )
    )
    # The columns' own type (EnumText) reads each value as its enum member.
    answers = tuple(
        AnswerRecord(row.card_id, row.criterion, row.answer, row.updated_at)
        for row in session.execute(answers_query)
    )
    return InsightData(cards, events, answers, tuple(criteria))


def _start_of(day: date, tz: tzinfo | None) -> datetime:
    if tz is None:
        return datetime.combine(day, time.min).astimezone()
    return datetime.combine(day, time.min, tzinfo=tz)
