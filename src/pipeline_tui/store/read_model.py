"""What the screens read: the board's ids, totals and card summaries, one card in full,
the archive and a checklist. Each function reads inside the session it is given, so
the facade can put one view's reads in one transaction (one snapshot).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session, selectinload

from pipeline_tui.domain.activity import stale_limit
from pipeline_tui.domain.board import filtered
from pipeline_tui.domain.cadence import Cadence, default_cadences
from pipeline_tui.domain.cards import (
    ArchivedCard,
    BoardTotals,
    CardDetail,
    CardSummary,
)
from pipeline_tui.domain.money import from_cents
from pipeline_tui.domain.qualification import (
    Answer,
    Qualification,
)
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.store import drafts, schedule
from pipeline_tui.store import rows as row_values
from pipeline_tui.store.errors import NotFoundError
from pipeline_tui.store.models import (
    BoardClockRow,
    CardRow,
    QualificationAnswerRow,
    ResearchNoteRow,
    StageEventRow,
    TouchpointRow,
)
from pipeline_tui.store.rows import board_card, card_summary
from pipeline_tui.store.search import matching_card_ids

STREAM_ROWS = 2000
"""Rows fetched at a time when the board walks every card: memory stays flat."""
IN_CHUNK = 500
"""Ids per `IN (...)` when reading a window of cards (well under every driver's limit)."""

SUMMARY_COLUMNS = (
    CardRow.id,
    CardRow.name,
    CardRow.organisation,
    CardRow.stage,
    CardRow.position,
    CardRow.owner,
    CardRow.tags,
    CardRow.next_action,
    CardRow.next_action_due,
    CardRow.version,
    CardRow.value_cents,
    CardRow.expected_close,
    CardRow.nurture_until,
    CardRow.rhythm_days,
)


@dataclass(frozen=True)
class BoardView:
    """What a board reload shows, read in one transaction: each column's ids, the
    header's totals, and the cards the columns will show first."""

    ids: dict[Stage, array[int]]
    totals: BoardTotals
    cards: dict[int, CardSummary]
    revision: int
    """The board clock in the same snapshot: what this view is up to date with."""
    filter_ids: set[int] | None = None
    """The cards the filter asked for matches (None: no filter was asked for)."""


def _activity_columns() -> tuple[Any, ...]:
    """The last touchpoint day, note moment and move moment of a card, as correlated
    sub-queries (one index seek each per card)."""
    card_id = CardRow.id
    last_touchpoint = (
        select(func.max(TouchpointRow.happened_on))
        .where(TouchpointRow.card_id == card_id)
        .scalar_subquery()
    )
    last_note = (
        select(func.max(ResearchNoteRow.updated_at))
        .where(ResearchNoteRow.card_id == card_id)
        .scalar_subquery()
    )
    return last_touchpoint, last_note, _last_move()


def _last_move() -> Any:
    """The moment of a card's last stage move, as a correlated sub-query. Every card
    has its creation event; created_at covers any imported without one."""
    return func.coalesce(
        select(func.max(StageEventRow.at))
        .where(StageEventRow.card_id == CardRow.id)
        .scalar_subquery(),
        CardRow.created_at,
        type_=CardRow.created_at.type,
    )


def _board_columns(criteria: Sequence[str], owner: str | None) -> tuple[Any, ...]:
    """What the board shows beyond the card's own columns, as correlated sub-queries
    (with `owner`: whether that rep holds a draft on the card).

    Each one is an index lookup per card (touchpoint, stage_event and research_note are
    indexed by card; referrals by referred_by_id; answers by card and criterion), so the
    board stays one query at 10,000 cards, and so does one card's summary.
    """
    card_id = CardRow.id
    last_touchpoint, last_note, last_move = _activity_columns()
    referee = CardRow.__table__.alias("referee")
    referrals = (
        select(func.count())
        .select_from(referee)
        .where(referee.c.referred_by_id == card_id, referee.c.archived_at.is_(None))
        .scalar_subquery()
    )
    met = (
        select(func.count())
        .where(
            QualificationAnswerRow.card_id == card_id,
            QualificationAnswerRow.answer == Answer.YES,
            QualificationAnswerRow.criterion.in_(list(criteria)),
        )
        .scalar_subquery()
    )
    columns = (
        last_touchpoint.label("last_touchpoint"),
        last_note.label("last_note_at"),
        last_move.label("last_move_at"),
        referrals.label("referrals"),
        met.label("qualified"),
    )
    if owner is None:
        return columns
    return (*columns, drafts.held(owner).label("has_draft"))


def board_query(criteria: Sequence[str], owner: str | None = None) -> Select[*tuple[Any, ...]]:
    """Active cards with everything a board tile shows (`owner`: whose drafts to mark)."""
    return _board_query(tuple(criteria), owner)


@lru_cache(maxsize=16)
def _board_query(criteria: tuple[str, ...], owner: str | None) -> Select[*tuple[Any, ...]]:
    # Built once per checklist and rep. Building it (its sub-queries, an alias and a few
    # dozen labelled columns) took 4-5 ms, longer than SQLite took to run it for a page
    # of cards; SQLAlchemy caches the SQL it compiles, not the statement. A Select is
    # immutable (where() returns a new one), so one can serve every caller.
    return select(*SUMMARY_COLUMNS, *_board_columns(criteria, owner)).where(
        CardRow.archived_at.is_(None)
    )


@lru_cache(maxsize=16)
def _cards_by_id_query(criteria: tuple[str, ...], owner: str | None) -> Select[*tuple[Any, ...]]:
    """The board query for the cards whose ids are bound as `ids`, archived ones too
    (their archived_at says which). Found by id alone: SQLite has no statistics on the
    board's index, and with "archived_at IS NULL" beside six ids or more it walks that
    index through every active card instead (13 ms for 7 cards at 100,000 cards)."""
    return select(*SUMMARY_COLUMNS, *_board_columns(criteria, owner), CardRow.archived_at).where(
        CardRow.id.in_(bindparam("ids", expanding=True))
    )


def rhythms(session: Session) -> list[int]:
    """The keep-in-touch rhythms cards have (a handful of numbers, however many cards)."""
    query = select(CardRow.rhythm_days).where(CardRow.rhythm_days.is_not(None)).distinct()
    return sorted(session.scalars(query))


def stale_condition(
    today: date, limits: Mapping[Stage, int], card_rhythms: Sequence[int] = ()
) -> ColumnElement[bool]:
    """CardSummary.is_stale on `today` as SQL, so the board can count and list stale
    cards without reading each one's activity into Python (seconds at 100,000 cards).

    A card is stale when its last activity day is before `today - limit`, the limit
    being its own rhythm where it has one (`card_rhythms`: those in use, see `rhythms`)
    and its stage's otherwise. Notes and moves are moments whose day is taken in the
    rep's zone (rows.board_card), so for them the cut is that day's local midnight;
    touchpoints are days already.
    """
    last_move = _last_move()
    cut_days: dict[Stage | int, date] = {
        stage: today - timedelta(days=stale_limit(stage, limits)) for stage in STAGES
    }
    cut_days.update({days: today - timedelta(days=days) for days in card_rhythms})
    # datetime.astimezone() on a naive value reads it as local time, as local_day does.
    cut_moments = {
        key: datetime.combine(day, time.min).astimezone() for key, day in cut_days.items()
    }

    def per_card(cuts: Mapping[Stage | int, Any], type_: Any) -> ColumnElement[Any]:
        by_stage = case(
            {key.value: literal(cut, type_) for key, cut in cuts.items() if isinstance(key, Stage)},
            value=CardRow.stage,
        )
        own = [
            (CardRow.rhythm_days == key, literal(cut, type_))
            for key, cut in cuts.items()
            if not isinstance(key, Stage)
        ]
        return case(*own, else_=by_stage) if own else by_stage

    moment_cut = per_card(cut_moments, CardRow.created_at.type)
    day_cut = per_card(cut_days, TouchpointRow.happened_on.type)
    # "No note since the cut" rather than "the last note is missing or before it": the
    # same cards, but one index seek per card where the last note was looked up twice
    # (SQL evaluates a sub-query again in each place it appears).
    return and_(
        last_move < moment_cut,
        ~exists().where(
            ResearchNoteRow.card_id == CardRow.id, ResearchNoteRow.updated_at >= moment_cut
        ),
        ~exists().where(TouchpointRow.card_id == CardRow.id, TouchpointRow.happened_on >= day_cut),
    )


def on_board(today: date) -> ColumnElement[bool]:
    """Not parked, or back from nurturing (domain.nurture.is_nurturing, as SQL): the
    day a card comes back, this read shows it again; nothing has to run that day."""
    return or_(CardRow.nurture_until.is_(None), CardRow.nurture_until <= today)


def nurturing(today: date) -> ColumnElement[bool]:
    """Parked until a day after `today`: off the board, in the nurturing view."""
    return CardRow.nurture_until > today


# The board ---------------------------------------------------------------------------


def board(
    session: Session, criteria: Sequence[str], drafts_of: str | None = None
) -> dict[Stage, list[CardSummary]]:
    """Every active card, by stage, in column order."""
    columns: dict[Stage, list[CardSummary]] = {stage: [] for stage in STAGES}
    query = board_query(criteria, drafts_of).order_by(CardRow.stage, CardRow.position, CardRow.id)
    for row in session.execute(query):
        card = board_card(row, len(criteria))
        columns[card.stage].append(card)
    return columns


def board_ids(
    session: Session,
    today: date,
    limits: Mapping[Stage, int],
    *,
    owner: str | None = None,
    stale_only: bool = False,
    parked: bool = False,
) -> dict[Stage, array[int]]:
    """The ids of the active cards, by stage, in column order, at 8 bytes a card.

    owner: only that rep's cards; stale_only: only cards idle for longer than their
    stage allows on `today` (exactly as CardSummary.is_stale says); parked: the cards
    being nurtured on `today` instead of those on the board.
    """
    columns: dict[Stage, array[int]] = {stage: array("q") for stage in STAGES}
    shown = nurturing(today) if parked else on_board(today)
    query = select(CardRow.id, CardRow.stage).where(CardRow.archived_at.is_(None), shown)
    if stale_only:
        query = query.where(stale_condition(today, limits, rhythms(session)))
    if owner is not None:
        query = query.where(CardRow.owner == owner)
    query = query.order_by(CardRow.stage, CardRow.position, CardRow.id)
    # Through the connection, not the ORM session: these are plain columns, and at
    # 100,000 cards the ORM's handling of each row doubled the read (130 ms -> 265 ms).
    rows = session.connection().execute(query.execution_options(yield_per=STREAM_ROWS))
    for card_id, stage in rows:
        columns[stage].append(card_id)
    return columns


def summaries(
    session: Session,
    card_ids: Iterable[int],
    criteria: Sequence[str],
    drafts_of: str | None = None,
) -> dict[int, CardSummary]:
    """The board's view of the given cards (those still active), by id."""
    wanted = sorted(set(card_ids))
    found: dict[int, CardSummary] = {}
    query = _cards_by_id_query(tuple(criteria), drafts_of)
    for start in range(0, len(wanted), IN_CHUNK):
        for row in session.execute(query, {"ids": wanted[start : start + IN_CHUNK]}):
            if row.archived_at is None:
                found[row.id] = board_card(row, len(criteria))
    return found


def board_totals(session: Session, today: date, limits: Mapping[Stage, int]) -> BoardTotals:
    """Cards per stage, and how many are overdue or stale on `today`: the board's
    header, counted in the database; no card is read. Cards being nurtured are left
    out of every figure but their own count."""
    counts = {stage: 0 for stage in STAGES}
    values: dict[Stage, Decimal] = {}
    overdue = stale = parked = 0
    # One pass over the cards for every figure (each used to be a query of its own,
    # a walk of the card table each: 45 ms apiece at 100,000 cards).
    shown = on_board(today)
    figures = (
        select(
            CardRow.stage,
            func.count().filter(shown),
            func.sum(CardRow.value_cents).filter(shown),
            func.count().filter(and_(shown, CardRow.next_action_due < today)),
            func.count().filter(and_(shown, stale_condition(today, limits, rhythms(session)))),
            func.count().filter(nurturing(today)),
        )
        .where(CardRow.archived_at.is_(None))
        .group_by(CardRow.stage)
    )
    for stage, count, cents, stage_overdue, stage_stale, stage_parked in session.execute(figures):
        counts[stage] = count
        if cents is not None:
            values[stage] = from_cents(int(cents))
        overdue += stage_overdue
        stale += stage_stale
        parked += stage_parked
    return BoardTotals(counts, overdue, stale, values, parked)


def board_view(
    session: Session,
    today: date,
    limits: Mapping[Stage, int],
    criteria: Sequence[str],
    *,
    owner: str | None,
    stale_only: bool,
    parked: bool = False,
    tops: Mapping[Stage, int],
    page: int,
    focus_card: int | None,
    filter_query: str | None = None,
    drafts_of: str | None = None,
) -> BoardView:
    """The board as a reload shows it: the ids, the totals, and the cards around each
    column's top card `tops` (an index into the column as shown) and around
    `focus_card`. With `filter_query`, the cards it matches now (the filter's answer
    in the same snapshot), and the columns shown are those cards."""
    # The board clock of the same snapshot as the ids (Database.read): a write that
    # lands during this read is newer than it, and the next poll reads the board again.
    seen = revision(session)
    ids = board_ids(session, today, limits, owner=owner, stale_only=stale_only, parked=parked)
    totals = board_totals(session, today, limits)
    # After the board's own reads: on PostgreSQL the search sets planner options for
    # the rest of the transaction (the id lookups after it plan the same either way).
    matching = matching_card_ids(session, filter_query) if filter_query is not None else None
    wanted: list[int] = []
    for stage, column in ids.items():
        shown = column if matching is None else filtered(column, matching)
        # Around the card to focus if the column has it, else where the list is; a
        # column now shorter than that place is shown from its last page.
        top = min(tops.get(stage, 0), max(0, len(shown) - page))
        if focus_card is not None and focus_card in shown:
            top = shown.index(focus_card)
        wanted.extend(shown[max(0, top - page) : top + 2 * page])
    cards = summaries(session, wanted, criteria, drafts_of) if wanted else {}
    return BoardView(ids, totals, cards, seen, matching)


def revision(session: Session) -> int:
    """The board clock: it moves on with every write to the pipeline, from anywhere."""
    return session.scalar(select(BoardClockRow.revision).where(BoardClockRow.id == 1)) or 0


def summary(
    session: Session, card_id: int, criteria: Sequence[str], drafts_of: str | None = None
) -> CardSummary | None:
    """One active card as the board shows it; None if it is gone or archived."""
    row = session.execute(board_query(criteria, drafts_of).where(CardRow.id == card_id)).first()
    return board_card(row, len(criteria)) if row is not None else None


# The archive, checklists and one card ------------------------------------------------


def archived(session: Session) -> list[ArchivedCard]:
    """Archived cards, the most recently archived first."""
    query = (
        select(
            CardRow.id,
            CardRow.name,
            CardRow.organisation,
            CardRow.stage,
            CardRow.owner,
            CardRow.archived_at,
            CardRow.archive_reason,
            CardRow.archive_note,
        )
        .where(CardRow.archived_at.is_not(None))
        .order_by(CardRow.archived_at.desc(), CardRow.id.desc())
    )
    return [
        ArchivedCard(
            id=row.id,
            name=row.name,
            organisation=row.organisation,
            stage=row.stage,
            owner=row.owner,
            archived_at=row.archived_at,
            reason=row.archive_reason,
            note=row.archive_note,
        )
        for row in session.execute(query)
    ]


def qualification(session: Session, card_id: int, criteria: Sequence[str]) -> Qualification:
    """The card's checklist against the criteria in force."""
    rows = session.scalars(
        select(QualificationAnswerRow).where(QualificationAnswerRow.card_id == card_id)
    )
    return row_values.qualification(rows, criteria)


def card_detail(
    session: Session,
    card_id: int,
    criteria: Sequence[str],
    drafts_of: str | None = None,
    cadences: Mapping[Stage, Cadence] | None = None,
) -> CardDetail:
    """Everything the card screen shows about one card, active or archived (`cadences`:
    those in force, None: the defaults)."""
    row = session.get(
        CardRow,
        card_id,
        options=[
            selectinload(CardRow.events),
            selectinload(CardRow.notes),
            selectinload(CardRow.touchpoints),
        ],
    )
    if row is None:
        raise NotFoundError("That card no longer exists.")
    referred_by = session.get(CardRow, row.referred_by_id) if row.referred_by_id else None
    referrals = session.execute(
        select(CardRow.id, CardRow.name, CardRow.stage, CardRow.archived_at)
        .where(CardRow.referred_by_id == row.id)
        .order_by(CardRow.created_at, CardRow.id)
    )
    query = board_query(criteria, drafts_of).where(CardRow.id == row.id)
    board_row = session.execute(query).first()
    answers = None
    if row_values.has_checklist(row.stage):
        answers = session.scalars(
            select(QualificationAnswerRow).where(QualificationAnswerRow.card_id == row.id)
        )
    return row_values.card_detail(
        row,
        board_card(board_row, len(criteria)) if board_row else card_summary(row),
        events=row.events,
        notes=row.notes,
        touchpoints=row.touchpoints,
        activities=schedule.open_rows(session, row.id),
        answers=answers,
        referred_by=referred_by,
        referrals=referrals,
        criteria=criteria,
        cadences=cadences if cadences is not None else default_cadences(),
    )
