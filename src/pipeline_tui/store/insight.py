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
    cards = tuple(
        InsightCard(
            id=row.id,
            name=row.name,
            organisation=row.organisation,
            stage=row.stage,
            owner=row.owner,
            created_at=row.created_at,
            source=row.source,
            market=row.market,
            archived_at=row.archived_at,
            archive_reason=row.archive_reason,
            referred_by=row.referred_by_id,
            value=None if row.value_cents is None else from_cents(row.value_cents),
            won_value=None if row.won_value_cents is None else from_cents(row.won_value_cents),
        )
        for row in session.execute(cards_query.execution_options(**stream))
    )
    events = tuple(
        MoveEvent(
            card_id=row.card_id,
            from_stage=row.from_stage,
            to_stage=row.to_stage,
            at=row.at,
            by=row.by,
        )
        for row in session.execute(events_query.execution_options(**stream))
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
