"""What the stand-up reads from the database, in three queries, as plain domain values.

The figures themselves are worked out by pipeline_tui.domain.standup from the cards'
stage events and activity; this module only reads them:

1. the active cards in view, each with its last touchpoint day, last note time and last
   stage move time (grouped sub-queries on indexed columns, outer-joined);
2. the stage events of those owners' cards from the earliest day the stand-up needs;
3. every owner's count of active, overdue and due-today cards (for the team view);
4. the call sessions started since the stand-up's first day (store/calls.py);
5. the touchpoints logged on the owners' cards since then (the ledger's "done").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from pipeline_tui.domain.kinds import ArchiveReason
from pipeline_tui.domain.money import DEFAULT_PROBABILITIES, from_cents
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.standup import (
    COMING_UP_DAYS,
    DEFAULT_STALE_LIMITS,
    DEFAULT_WINDOW,
    LoggedTouch,
    MoveEvent,
    OwnerCount,
    Standup,
    StandupCard,
    StandupData,
    WonDeal,
    build_standup,
    last_working_day,
    sort_owners,
    window_start,
)
from pipeline_tui.store.calls import sessions_between
from pipeline_tui.store.database import Database
from pipeline_tui.store.models import (
    ActivityRow,
    CardRow,
    ResearchNoteRow,
    StageEventRow,
    TouchpointRow,
)
from pipeline_tui.store.read_model import on_board
from pipeline_tui.store.schedule import earliest_open_kind


def read_standup(
    database: Database,
    today: date,
    events_from: date,
    *,
    owner: str | None = None,
    tz: tzinfo | None = None,
    calls_from: date | None = None,
) -> StandupData:
    """The cards, events and owner counts a stand-up needs (`owner` None: everyone).

    `events_from` is a calendar day in zone `tz` (None: the system's local zone); events
    from its first moment on are read, and call sessions from `calls_from` (default:
    the same day).
    """
    mine: list[ColumnElement[bool]] = [] if owner is None else [CardRow.owner == owner]
    last_touchpoint = (
        select(TouchpointRow.card_id, func.max(TouchpointRow.happened_on).label("day"))
        .group_by(TouchpointRow.card_id)
        .subquery()
    )
    last_note = (
        select(ResearchNoteRow.card_id, func.max(ResearchNoteRow.updated_at).label("at"))
        .group_by(ResearchNoteRow.card_id)
        .subquery()
    )
    last_move = (
        select(StageEventRow.card_id, func.max(StageEventRow.at).label("at"))
        .group_by(StageEventRow.card_id)
        .subquery()
    )
    cards_query = (
        select(
            CardRow.id,
            CardRow.name,
            CardRow.organisation,
            CardRow.stage,
            CardRow.owner,
            CardRow.created_at,
            CardRow.next_action,
            CardRow.next_action_due,
            earliest_open_kind().label("next_action_kind"),
            CardRow.source,
            CardRow.value_cents,
            CardRow.expected_close,
            CardRow.version,
            CardRow.nurture_until,
            CardRow.rhythm_days,
            last_touchpoint.c.day,
            last_note.c.at.label("note_at"),
            last_move.c.at.label("move_at"),
        )
        .outerjoin(last_touchpoint, last_touchpoint.c.card_id == CardRow.id)
        .outerjoin(last_note, last_note.c.card_id == CardRow.id)
        .outerjoin(last_move, last_move.c.card_id == CardRow.id)
        .where(CardRow.archived_at.is_(None), *mine)
        .order_by(CardRow.id)
    )
    events_query = (
        select(
            StageEventRow.card_id,
            StageEventRow.from_stage,
            StageEventRow.to_stage,
            StageEventRow.at,
            StageEventRow.by,
        )
        .join(CardRow, CardRow.id == StageEventRow.card_id)
        .where(StageEventRow.at >= _start_of(events_from, tz), *mine)
        .order_by(StageEventRow.at, StageEventRow.id)
    )
    won_query = select(
        CardRow.id, CardRow.name, CardRow.owner, CardRow.archived_at, CardRow.won_value_cents
    ).where(
        CardRow.archive_reason == ArchiveReason.WON,
        CardRow.archived_at >= _start_of(events_from, tz),
        CardRow.won_value_cents.is_not(None),
        *mine,
    )
    owners_query = (
        select(
            CardRow.owner,
            func.count(),
            func.sum(case((CardRow.next_action_due < today, 1), else_=0)),
            func.sum(case((CardRow.next_action_due == today, 1), else_=0)),
        )
        .where(CardRow.archived_at.is_(None), on_board(today))
        .group_by(CardRow.owner)
    )
    with database.read() as session:
        # Unpacked by place: at 10,000 cards, reading each of a row's 18 columns by name
        # was a sixth of the stand-up's read.
        cards = tuple(
            StandupCard(
                id=card_id,
                name=name,
                organisation=organisation,
                stage=stage,
                owner=card_owner,
                created_at=created_at,
                next_action=next_action,
                next_action_due=next_action_due,
                next_action_kind=next_action_kind,
                source=source,
                last_touchpoint=touchpoint_day,
                last_note_at=note_at,
                last_move_at=move_at,
                value=_value(value_cents),
                expected_close=expected_close,
                version=version,
                nurture_until=nurture_until,
                rhythm_days=rhythm_days,
            )
            for (
                card_id,
                name,
                organisation,
                stage,
                card_owner,
                created_at,
                next_action,
                next_action_due,
                next_action_kind,
                source,
                value_cents,
                expected_close,
                version,
                nurture_until,
                rhythm_days,
                touchpoint_day,
                note_at,
                move_at,
            ) in session.execute(cards_query)
        )
        won = tuple(
            WonDeal(row.id, row.name, row.owner, row.archived_at, from_cents(row.won_value_cents))
            for row in session.execute(won_query)
        )
        events = tuple(
            MoveEvent(
                card_id=row.card_id,
                from_stage=row.from_stage,
                to_stage=row.to_stage,
                at=row.at,
                by=row.by,
            )
            for row in session.execute(events_query)
        )
        owners = sort_owners(
            OwnerCount(name, int(total), int(late or 0), int(due or 0))
            for name, total, late, due in session.execute(owners_query)
        )
        sessions = sessions_between(session, calls_from or events_from, today, owner=owner, tz=tz)
        touches = _touches(session, calls_from or events_from, today, mine)
        later = _later_steps(session, {card.id: card for card in cards}, today)
    return StandupData(
        cards=cards,
        events=events,
        events_from=events_from,
        owners=owners,
        call_sessions=sessions,
        won=won,
        touches=touches,
        later_steps=later,
    )


def _later_steps(
    session: Session, cards: Mapping[int, StandupCard], today: date
) -> tuple[StandupCard, ...]:
    """The open activities after each card's earliest (its next action) that fall due
    in the week ahead, each as its card with that step as the next action.

    Dated steps come before undated ones, so a card's earliest open step is due no
    later than any of its others: reading the steps due by the week's end sees it.
    """
    last = today + timedelta(days=COMING_UP_DAYS)
    query = (
        select(
            ActivityRow.card_id,
            ActivityRow.id,
            ActivityRow.kind,
            ActivityRow.text,
            ActivityRow.due,
            ActivityRow.due_time,
        )
        .join(CardRow, CardRow.id == ActivityRow.card_id)
        .where(
            CardRow.archived_at.is_(None),
            ActivityRow.done_at.is_(None),
            ActivityRow.due.is_not(None),
            ActivityRow.due <= last,
        )
        .order_by(
            ActivityRow.card_id,
            ActivityRow.due,
            ActivityRow.due_time.is_(None),
            ActivityRow.due_time,
            ActivityRow.id,
        )
    )
    later: list[StandupCard] = []
    seen: set[int] = set()
    for row in session.execute(query):
        card = cards.get(row.card_id)
        if card is None:
            continue  # another rep's
        if row.card_id not in seen:
            seen.add(row.card_id)  # the earliest: the card's own next action
            continue
        if row.due > today:
            later.append(
                replace(
                    card,
                    next_action=row.text,
                    next_action_due=row.due,
                    next_action_kind=row.kind,
                    activity_id=row.id,
                    due_time=row.due_time,
                )
            )
    return tuple(later)


def _touches(
    session: Session, since: date, today: date, mine: list[ColumnElement[bool]]
) -> tuple[LoggedTouch, ...]:
    """The touchpoints logged on the owners' cards (archived ones too) from `since` to
    today, by the day they happened: the ledger's work done."""
    query = (
        select(
            TouchpointRow.card_id,
            CardRow.name,
            CardRow.owner,
            TouchpointRow.kind,
            TouchpointRow.happened_on,
            TouchpointRow.summary,
        )
        .join(CardRow, CardRow.id == TouchpointRow.card_id)
        .where(TouchpointRow.happened_on >= since, TouchpointRow.happened_on <= today, *mine)
        .order_by(TouchpointRow.happened_on, TouchpointRow.id)
    )
    return tuple(
        LoggedTouch(row.card_id, row.name, row.owner, row.kind, row.happened_on, row.summary)
        for row in session.execute(query)
    )


def load_standup(
    database: Database,
    today: date,
    *,
    since: date | None = None,
    window: int = DEFAULT_WINDOW,
    owner: str | None = None,
    limits: Mapping[Stage, int] = DEFAULT_STALE_LIMITS,
    tz: tzinfo | None = None,
    probabilities: Mapping[Stage, Decimal] = DEFAULT_PROBABILITIES,
) -> Standup:
    """Read and work out the stand-up for `today` in one call (what the UI and CLI use)."""
    since = last_working_day(today) if since is None else since
    events_from = min(since, window_start(today, window))
    data = read_standup(database, today, events_from, owner=owner, tz=tz, calls_from=since)
    return build_standup(
        data,
        today,
        since=since,
        window=window,
        owner=owner,
        limits=limits,
        tz=tz,
        probabilities=probabilities,
    )


def _start_of(day: date, tz: tzinfo | None) -> datetime:
    """The first moment of `day` in zone `tz` (None: the system's local zone), aware."""
    if tz is None:
        return datetime.combine(day, time.min).astimezone()
    return datetime.combine(day, time.min, tzinfo=tz)


def _value(cents: int | None) -> Decimal | None:
    return from_cents(cents) if cents is not None else None
