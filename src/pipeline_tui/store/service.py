"""The one API the UI and the CLI call. Every method is one short transaction.

Methods take and return plain domain values (pipeline_tui.domain.cards), never database
rows, so callers cannot touch SQL or lazy-load outside a session.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, object_session, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from pipeline_tui.domain.cards import (
    NOTE_MAX_CHARS,
    ArchivedCard,
    BoardTotals,
    CardDetail,
    CardDraft,
    CardLink,
    CardState,
    CardSummary,
    Change,
    ChangeKind,
    NoteView,
    StageEventView,
    TouchpointView,
    Undone,
)
from pipeline_tui.domain.drafts import Draft, DraftKey, Fields
from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.qualification import (
    COMMENT_MAX,
    DEFAULT_CRITERIA,
    QUALIFIED_STAGES,
    Answer,
    CriterionAnswer,
    Qualification,
)
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.domain.standup import DEFAULT_STALE_LIMITS, stale_limit
from pipeline_tui.domain.text import clean_line, clean_text
from pipeline_tui.store import drafts, search
from pipeline_tui.store.database import Database
from pipeline_tui.store.errors import ConflictError, NotFoundError, StoreError
from pipeline_tui.store.models import (
    CardRow,
    QualificationAnswerRow,
    ResearchNoteRow,
    StageEventRow,
    TouchpointRow,
    utcnow,
)
from pipeline_tui.store.rows import STAGES_BY_VALUE, board_card, card_summary
from pipeline_tui.store.search import SearchHit

Clock = Callable[[], datetime]

_STREAM_ROWS = 2000
"""Rows fetched at a time when the board walks every card: memory stays flat."""
_IN_CHUNK = 500
"""Ids per `IN (...)` when reading a window of cards (well under every driver's limit)."""

_SUMMARY_COLUMNS = (
    CardRow.id,
    CardRow.name,
    CardRow.organisation,
    CardRow.stage,
    CardRow.position,
    CardRow.owner,
    CardRow.tags,
    CardRow.next_action,
    CardRow.next_action_due,
)


def _board_columns(criteria: Sequence[str], owner: str | None = None) -> tuple[Any, ...]:
    """What the board shows beyond the card's own columns, as correlated sub-queries
    (with `owner`: whether that rep holds a draft on the card).

    Each one is an index lookup per card (touchpoint, stage_event and research_note are
    indexed by card; referrals by referred_by_id; answers by card and criterion), so the
    board stays one query at 10,000 cards, and so does one card's summary.
    """
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
    # Every card has its creation event; created_at covers any imported without one.
    last_move = func.coalesce(
        select(func.max(StageEventRow.at))
        .where(StageEventRow.card_id == card_id)
        .scalar_subquery(),
        CardRow.created_at,
        type_=CardRow.created_at.type,
    )
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
            QualificationAnswerRow.answer == Answer.YES.value,
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


class PipelineService:
    """Reads and changes the pipeline on behalf of one rep (`user`)."""

    def __init__(
        self,
        database: Database,
        user: str,
        clock: Clock = utcnow,
        *,
        criteria: Sequence[str] = DEFAULT_CRITERIA,
        stale_limits: Mapping[Stage, int] = DEFAULT_STALE_LIMITS,
    ) -> None:
        self.database = database
        self.user = user
        self.clock = clock
        self.criteria = tuple(criteria)
        """The qualification checklist in force (config [qualification])."""
        self.stale_limits = dict(stale_limits)
        """Days idle before a card is stale, per stage (config [stale])."""

    # Reading ---------------------------------------------------------------------------

    def board(self) -> dict[Stage, list[CardSummary]]:
        """Every active card, by stage, in column order."""
        columns: dict[Stage, list[CardSummary]] = {stage: [] for stage in STAGES}
        query = self._board_query().order_by(CardRow.stage, CardRow.position, CardRow.id)
        total = len(self.criteria)
        with self.database.read() as session:
            for row in session.execute(query):
                card = board_card(row, total)
                columns[card.stage].append(card)
        return columns

    def board_ids(
        self,
        today: date,
        *,
        mine_only: bool = False,
        stale_only: bool = False,
        stale_limits: Mapping[Stage, int] | None = None,
    ) -> dict[Stage, array[int]]:
        """The ids of the active cards, by stage, in column order: what the board needs
        to lay out its columns, at 8 bytes a card (the cards themselves are read a window
        at a time with `summaries`).

        mine_only: only the cards `user` owns; stale_only: only cards idle for longer
        than their stage allows on `today` (exactly as CardSummary.is_stale says).
        """
        columns: dict[Stage, array[int]] = {stage: array("q") for stage in STAGES}
        order = (CardRow.stage, CardRow.position, CardRow.id)
        query = select(CardRow.id, CardRow.stage).where(CardRow.archived_at.is_(None))
        if stale_only:
            limits = self.stale_limits if stale_limits is None else stale_limits
            query = query.where(_stale(today, limits))
        if mine_only:
            query = query.where(CardRow.owner == self.user)
        with self.database.read() as session:
            rows = session.execute(query.order_by(*order).execution_options(yield_per=_STREAM_ROWS))
            for row in rows:
                columns[STAGES_BY_VALUE[row.stage]].append(row.id)
        return columns

    def summaries(self, card_ids: Iterable[int]) -> dict[int, CardSummary]:
        """The board's view of the given cards (those still active), by id."""
        wanted = sorted(set(card_ids))
        found: dict[int, CardSummary] = {}
        total = len(self.criteria)
        with self.database.read() as session:
            for start in range(0, len(wanted), _IN_CHUNK):
                chunk = wanted[start : start + _IN_CHUNK]
                for row in session.execute(self._board_query().where(CardRow.id.in_(chunk))):
                    found[row.id] = board_card(row, total)
        return found

    def board_totals(
        self, today: date, stale_limits: Mapping[Stage, int] | None = None
    ) -> BoardTotals:
        """Cards per stage, and how many are overdue or stale on `today`: the board's
        header, counted in the database; no card is read."""
        counts = {stage: 0 for stage in STAGES}
        limits = self.stale_limits if stale_limits is None else stale_limits
        active = CardRow.archived_at.is_(None)
        with self.database.read() as session:
            for value, count in session.execute(
                select(CardRow.stage, func.count()).where(active).group_by(CardRow.stage)
            ):
                counts[STAGES_BY_VALUE[value]] = count
            overdue = session.execute(
                select(func.count()).where(active, CardRow.next_action_due < today)
            ).scalar_one()
            stale = session.execute(
                select(func.count()).where(active, _stale(today, limits))
            ).scalar_one()
        return BoardTotals(counts, overdue, stale)

    def change_marker(self) -> tuple[int, ...]:
        """A cheap fingerprint of the board: it differs after any add, edit, move,
        reorder or archive, by this process or another one on the same database."""
        query = select(
            func.count(),
            func.coalesce(func.sum(CardRow.version), 0),
            # In 64 bits: PostgreSQL multiplies two integer columns in 32, and id * position
            # passes 2**31 on a big pipeline.
            func.coalesce(func.sum(cast(CardRow.id, BigInteger) * CardRow.position), 0),
        ).where(CardRow.archived_at.is_(None))
        with self.database.read() as session:
            row = session.execute(query).one()
        return tuple(int(value) for value in row)

    def summary(self, card_id: int) -> CardSummary | None:
        """One active card as the board shows it; None if it is gone or archived."""
        query = self._board_query().where(CardRow.id == card_id)
        with self.database.read() as session:
            row = session.execute(query).first()
        return board_card(row, len(self.criteria)) if row is not None else None

    def _board_query(self) -> Select[*tuple[Any, ...]]:
        return select(*_SUMMARY_COLUMNS, *_board_columns(self.criteria, self.user)).where(
            CardRow.archived_at.is_(None)
        )

    def archived(self) -> list[ArchivedCard]:
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
        with self.database.read() as session:
            return [
                ArchivedCard(
                    id=row.id,
                    name=row.name,
                    organisation=row.organisation,
                    stage=Stage(row.stage),
                    owner=row.owner,
                    archived_at=row.archived_at,
                    reason=_archive_reason(row.archive_reason),
                    note=row.archive_note,
                )
                for row in session.execute(query)
            ]

    def qualification(self, card_id: int) -> Qualification:
        """The card's checklist against the criteria in force."""
        with self.database.read() as session:
            _get(session, card_id)
            return self._qualification(session, card_id)

    def _qualification(self, session: Session, card_id: int) -> Qualification:
        rows = session.scalars(
            select(QualificationAnswerRow).where(QualificationAnswerRow.card_id == card_id)
        )
        answers = {row.criterion: CriterionAnswer(_answer(row.answer), row.comment) for row in rows}
        return Qualification(self.criteria, answers)

    def cards(self, stage: Stage | None = None) -> list[CardSummary]:
        """Active cards in pipeline order (stage, then position)."""
        board = self.board()
        return [card for s in STAGES if stage in (None, s) for card in board[s]]

    def card(self, card_id: int) -> CardDetail:
        with self.database.read() as session:
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
            board_row = session.execute(self._board_query().where(CardRow.id == row.id)).first()
            summary = board_card(board_row, len(self.criteria)) if board_row else None
            return CardDetail(
                summary=summary or card_summary(row),
                version=row.version,
                email=row.email,
                phone=row.phone,
                source=TouchpointKind(row.source) if row.source else None,
                market=Market(row.market) if row.market else None,
                created_at=row.created_at,
                archived_at=row.archived_at,
                archive_reason=ArchiveReason(row.archive_reason) if row.archive_reason else None,
                archive_note=row.archive_note,
                history=tuple(
                    StageEventView(
                        from_stage=Stage(e.from_stage) if e.from_stage else None,
                        to_stage=Stage(e.to_stage),
                        at=e.at,
                        by=e.by,
                        note=e.note or "",
                    )
                    for e in sorted(row.events, key=lambda e: (e.at, e.id))
                ),
                notes=tuple(
                    _note_view(n)
                    for n in sorted(row.notes, key=lambda n: (n.updated_at, n.id), reverse=True)
                ),
                touchpoints=tuple(
                    TouchpointView(t.id, TouchpointKind(t.kind), t.happened_on, t.summary)
                    for t in sorted(
                        row.touchpoints, key=lambda t: (t.happened_on, t.id), reverse=True
                    )
                ),
                qualification=(
                    self._qualification(session, row.id)
                    if Stage(row.stage) in QUALIFIED_STAGES
                    else None
                ),
                referred_by=_link(referred_by) if referred_by is not None else None,
                referrals=tuple(
                    CardLink(r.id, r.name, Stage(r.stage), r.archived_at is not None)
                    for r in referrals
                ),
            )

    # Changing cards --------------------------------------------------------------------

    def add_card(
        self,
        draft: CardDraft,
        stage: Stage = Stage.LEAD,
        *,
        source: TouchpointKind | None = None,
        market: Market | None = None,
    ) -> Change:
        """A new card at the top of its stage's column."""
        draft = draft.cleaned()
        with self._write() as session:
            row = CardRow(
                stage=stage.value,
                position=_top(session, stage),
                owner=draft.owner or self.user,
                created_at=self.clock(),
            )
            _apply_draft(row, draft)
            row.source = source.value if source else None
            row.market = market.value if market else None
            row.events.append(
                StageEventRow(from_stage=None, to_stage=stage.value, at=self.clock(), by=self.user)
            )
            session.add(row)
            session.flush()
            return Change(ChangeKind.CREATE, row.id, f"Added {draft.name}", None, row.version)

    def update_card(self, card_id: int, draft: CardDraft, expected_version: int) -> Change:
        """Save an edited profile, refusing if someone else saved the card meanwhile."""
        draft = draft.cleaned()
        with self._write() as session:
            row = _get(session, card_id)
            _check_version(row, expected_version)
            before = _state(row)
            _apply_draft(row, draft)
            row.updated_at = self.clock()
            session.flush()
            return Change(ChangeKind.EDIT, row.id, f"Edited {row.name}", before, row.version)

    def move_card(self, card_id: int, to_stage: Stage, note: str = "") -> Change | None:
        """Move a card to the top of another stage; None if it is already there.

        `note` says why the move was unusual (a qualification override); it is kept on
        the stage event and shown in the card's stage history.
        """
        note = clean_line(note)[:1000]
        with self._write() as session:
            row = _get(session, card_id, active=True)
            if row.stage == to_stage.value:
                return None
            before = _state(row)
            # The column it leaves keeps a gap: positions order cards, they do not count them.
            row.stage, row.position = to_stage.value, _top(session, to_stage)
            row.updated_at = self.clock()
            session.add(
                StageEventRow(
                    card_id=row.id,
                    from_stage=before.stage.value,
                    to_stage=to_stage.value,
                    at=self.clock(),
                    by=self.user,
                    note=note,
                )
            )
            session.flush()
            return Change(
                ChangeKind.MOVE,
                row.id,
                f"Moved {row.name} to {to_stage.label}",
                before,
                row.version,
            )

    def reorder_card(self, card_id: int, offset: int) -> Change | None:
        """Move a card up (negative) or down within its column; None at either end."""
        with self._write() as session:
            row = _get(session, card_id, active=True)
            before = _state(row)
            stage, position, steps = before.stage, row.position, 0
            for _ in range(abs(offset)):
                neighbour = _neighbour(session, stage, row.id, position, up=offset < 0)
                if neighbour is None:
                    break
                position = _swap(session, stage, row.id, position, neighbour, up=offset < 0)
                steps += 1
            if not steps:
                return None
            _set_position(session, row.id, position)
            return Change(ChangeKind.REORDER, row.id, f"Reordered {row.name}", before, row.version)

    def archive_card(self, card_id: int, reason: ArchiveReason, note: str = "") -> Change:
        """Take a card off the board, with the reason; it can be restored, never lost."""
        note = clean_line(note)
        if reason is ArchiveReason.OTHER and not note:
            raise StoreError("Say why the card is archived when the reason is 'other'.")
        with self._write() as session:
            row = _get(session, card_id, active=True)
            before = _state(row)
            row.archived_at = self.clock()
            row.archive_reason = reason.value
            row.archive_note = note
            session.flush()
            return Change(
                ChangeKind.ARCHIVE,
                row.id,
                f"Archived {row.name} ({reason.label})",
                before,
                row.version,
            )

    def restore_card(self, card_id: int) -> Change:
        """Bring an archived card back to the top of the stage it was archived from."""
        with self._write() as session:
            row = _get(session, card_id)
            if row.archived_at is None:
                raise StoreError(f"{row.name} is not archived.")
            before = _state(row)
            stage = Stage(row.stage)
            row.position = _top(session, stage)
            row.archived_at, row.archive_reason, row.archive_note = None, None, ""
            row.updated_at = self.clock()
            session.flush()
            return Change(
                ChangeKind.RESTORE,
                row.id,
                f"Restored {row.name} to {stage.label}",
                before,
                row.version,
            )

    # Qualification and referrals ---------------------------------------------------------

    def save_qualification(
        self, card_id: int, answers: Mapping[str, CriterionAnswer]
    ) -> Qualification:
        """Save answers by criterion text; unknown with no comment removes the answer."""
        with self._write() as session:
            row = _get(session, card_id)
            existing = {
                a.criterion: a
                for a in session.scalars(
                    select(QualificationAnswerRow).where(QualificationAnswerRow.card_id == row.id)
                )
            }
            now = self.clock()
            for criterion, given in answers.items():
                comment = clean_line(given.comment)[:COMMENT_MAX]
                saved = existing.get(criterion)
                if given.answer is Answer.UNKNOWN and not comment:
                    if saved is not None:
                        session.delete(saved)
                    continue
                if saved is None:
                    saved = QualificationAnswerRow(card_id=row.id, criterion=criterion)
                    session.add(saved)
                elif saved.answer == given.answer.value and saved.comment == comment:
                    continue
                saved.answer, saved.comment = given.answer.value, comment
                saved.updated_at, saved.updated_by = now, self.user
            session.flush()
            return self._qualification(session, row.id)

    def refer(self, referrer_id: int, draft: CardDraft, today: date) -> Change:
        """A new lead referred by a client or repeat card, with a referral touchpoint on both.

        Undo removes the new lead; the referral touchpoint on the referrer stays, as
        touchpoints are history.
        """
        draft = draft.cleaned()
        with self._write() as session:
            referrer = _get(session, referrer_id, active=True)
            if Stage(referrer.stage) not in (Stage.CLIENT, Stage.REPEAT):
                raise StoreError(
                    f"{referrer.name} is a {Stage(referrer.stage).label.lower()}; "
                    "referrals come from clients and repeat clients."
                )
            now = self.clock()
            row = CardRow(
                stage=Stage.LEAD.value,
                position=_top(session, Stage.LEAD),
                owner=draft.owner or self.user,
                created_at=now,
                referred_by_id=referrer.id,
            )
            _apply_draft(row, draft)
            row.events.append(
                StageEventRow(from_stage=None, to_stage=Stage.LEAD.value, at=now, by=self.user)
            )
            session.add(row)
            session.flush()
            _log_touchpoint(
                row, TouchpointKind.REFERRAL, today, f"Referred by {referrer.name}", now
            )
            # Giving a referral is not where the referrer came from: their source stays.
            _log_touchpoint(
                referrer,
                TouchpointKind.REFERRAL,
                today,
                f"Referred {draft.name}",
                now,
                first_sets_source=False,
            )
            session.flush()
            return Change(
                ChangeKind.CREATE,
                row.id,
                f"Added {draft.name}, referred by {referrer.name}",
                None,
                row.version,
            )

    def undo(self, change: Change) -> Undone:
        """Put the card back exactly as it was before `change`.

        Refused when the card was changed elsewhere since, so undo never overwrites
        another rep's work.
        """
        description = f"Undid: {change.description}"
        with self._write() as session:
            row = session.get(CardRow, change.card_id)
            if row is None:
                raise NotFoundError("That card no longer exists; nothing to undo.")
            if change.note is not None:  # a deleted note comes back; nothing is overwritten
                note = change.note
                session.add(
                    ResearchNoteRow(
                        card_id=row.id,
                        kind=note.kind.value,
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
                session.delete(row)
                return Undone(description, change.card_id, None)
            _restore_state(session, row, change.before, self.user, self.clock())
            return Undone(description, change.card_id, row.version)

    # Research notes ------------------------------------------------------------------

    def add_note(self, card_id: int, kind: NoteKind, body: str) -> NoteView:
        body = _note_body(body)
        with self._write() as session:
            row = _get(session, card_id)
            now = self.clock()
            note = ResearchNoteRow(
                card_id=row.id, kind=kind.value, body=body, created_at=now, updated_at=now
            )
            session.add(note)
            session.flush()
            return _note_view(note)

    def update_note(
        self,
        note_id: int,
        body: str,
        kind: NoteKind | None = None,
        expected_version: int | None = None,
    ) -> NoteView:
        """Save an edited note; with `expected_version`, refused (ConflictError) if
        someone else saved it meanwhile."""
        body = _note_body(body)
        with self._write() as session:
            note = session.get(ResearchNoteRow, note_id)
            if note is None:
                raise NotFoundError("That note no longer exists.")
            if expected_version is not None and note.version != expected_version:
                raise ConflictError(
                    "This note was changed elsewhere while you edited it; "
                    "your text was not saved and is kept here."
                )
            if note.body != body or (kind is not None and note.kind != kind.value):
                note.body = body
                if kind is not None:
                    note.kind = kind.value
                note.updated_at = self.clock()
            session.flush()
            return _note_view(note)

    def delete_note(self, note_id: int) -> Change:
        """Delete a note; the Change holds all of it, so undo brings it back whole."""
        with self._write() as session:
            note = session.get(ResearchNoteRow, note_id)
            if note is None:
                raise NotFoundError("That note no longer exists.")
            view = _note_view(note)
            card = _get(session, note.card_id)
            session.delete(note)
            return Change(
                ChangeKind.DELETE_NOTE,
                card.id,
                f"Deleted the {view.kind.label.lower()} note on {card.name}",
                None,
                card.version,
                note=view,
            )

    # Touchpoints and next actions --------------------------------------------------------

    def add_touchpoint(
        self, card_id: int, kind: TouchpointKind, happened_on: date, summary: str = ""
    ) -> TouchpointView:
        """Log a touchpoint; the first one a card gets becomes its source."""
        with self._write() as session:
            row = _get(session, card_id)
            touchpoint = _log_touchpoint(row, kind, happened_on, summary, self.clock())
            session.flush()
            return TouchpointView(touchpoint.id, kind, happened_on, touchpoint.summary)

    def set_next_action(
        self, card_id: int, action: str, due: date | None, expected_version: int
    ) -> Change:
        """Set (or clear, with an empty action and no date) the card's one next step."""
        action = clean_line(action)
        with self._write() as session:
            row = _get(session, card_id)
            _check_version(row, expected_version)
            before = _state(row)
            row.next_action, row.next_action_due = action, due
            row.updated_at = self.clock()
            session.flush()
            what = (
                f"Next action for {row.name}"
                if action or due
                else f"Cleared next action of {row.name}"
            )
            return Change(ChangeKind.EDIT, row.id, what, before, row.version)

    def complete_next_action(
        self,
        card_id: int,
        kind: TouchpointKind,
        happened_on: date,
        summary: str,
        expected_version: int,
    ) -> int:
        """Mark the next action done: log it as a touchpoint and clear it, in one step.

        Returns the card's new version, for setting the next action straight after.
        """
        with self._write() as session:
            row = _get(session, card_id)
            _check_version(row, expected_version)
            _log_touchpoint(
                row, kind, happened_on, summary or f"Done: {row.next_action}", self.clock()
            )
            row.next_action, row.next_action_due = "", None
            row.updated_at = self.clock()
            session.flush()
            return row.version

    def set_market(self, card_id: int, market: Market | None) -> None:
        with self._write() as session:
            row = _get(session, card_id)
            row.market = market.value if market else None
            row.updated_at = self.clock()

    # Search ------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Active cards and notes matching every word of `query` (as prefixes), best first."""
        with self.database.read() as session:
            return search.search(session, query, limit)

    def matching_card_ids(self, query: str) -> set[int]:
        """Ids of active cards whose name, organisation, tags or notes match `query`."""
        with self.database.read() as session:
            return search.matching_card_ids(session, query)

    # Plumbing --------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Session]:
        try:
            with self.database.write() as session:
                yield session
        except StaleDataError:
            raise ConflictError(
                "That card was changed elsewhere at the same moment; nothing was overwritten."
            ) from None
        except OperationalError as error:
            detail = str(error.orig).lower() if error.orig is not None else ""
            if "locked" in detail or "busy" in detail:
                raise StoreError(
                    "The database is busy with another writer; your change was not saved, "
                    "try again."
                ) from None
            raise StoreError(f"The change could not be saved: {error.orig}.") from None

    # Drafts, one note, undo and redo --------------------------------------------------------

    def keep_draft(self, key: DraftKey, fields: Fields, base_version: int | None = None) -> None:
        """Keep what the rep is typing in one editor (replacing the draft kept before)."""
        self.keep_drafts([Draft(key, fields, None, base_version)])

    def keep_drafts(self, kept: Iterable[Draft]) -> None:
        """Keep several drafts in one transaction (everything typed, as the app ends)."""
        with self._write() as session:
            now = self.clock()
            for draft in kept:
                drafts.keep(session, self.user, draft.key, draft.fields, draft.base_version, now)

    def draft(self, key: DraftKey) -> Draft | None:
        """The rep's draft for one editor, if any."""
        with self.database.read() as session:
            return drafts.read(session, self.user, key)

    def drafts_of_card(self, card_id: int) -> list[Draft]:
        """The rep's drafts on one card, the newest first."""
        with self.database.read() as session:
            return drafts.of_card(session, self.user, card_id)

    def discard_drafts(self, *keys: DraftKey) -> None:
        """Forget drafts: their text was saved, or the rep threw it away."""
        with self._write() as session:
            drafts.remove(session, self.user, keys)

    def note(self, note_id: int) -> NoteView:
        """One note as saved now."""
        with self.database.read() as session:
            note = session.get(ResearchNoteRow, note_id)
            if note is None:
                raise NotFoundError("That note no longer exists.")
            return _note_view(note)

    def revert(self, change: Change) -> Undone:
        """Undo `change` (or redo, given the inverse a revert returned): refused when
        the card or note was changed elsewhere since."""
        from pipeline_tui.store import history  # it builds on this module's row helpers

        with self._write() as session:
            return history.revert(session, change, self.user, self.clock())


def _stale(today: date, limits: Mapping[Stage, int]) -> ColumnElement[bool]:
    """CardSummary.is_stale on `today` as SQL, so the board can count and list stale
    cards without reading each one's activity into Python (seconds at 100,000 cards).

    A card is stale when its last activity day is before `today - limit`. Notes and
    moves are moments whose day is taken in the rep's zone (rows.board_card), so for
    them the cut is that day's local midnight; touchpoints are days already. Each
    latest-activity sub-query is one index seek per card.
    """
    last_touchpoint, last_note, last_move = _board_columns(())[:3]
    cut_days = {stage: today - timedelta(days=stale_limit(stage, limits)) for stage in STAGES}
    # datetime.astimezone() on a naive value reads it as local time, as local_day does.
    cut_moments = {
        stage: datetime.combine(day, time.min).astimezone() for stage, day in cut_days.items()
    }

    def per_stage(cuts: Mapping[Stage, Any], type_: Any) -> ColumnElement[Any]:
        whens = {stage.value: literal(cut, type_) for stage, cut in cuts.items()}
        return case(whens, value=CardRow.stage)

    moment_cut = per_stage(cut_moments, CardRow.created_at.type)
    day_cut = per_stage(cut_days, TouchpointRow.happened_on.type)
    return and_(
        last_move < moment_cut,
        or_(last_note.is_(None), last_note < moment_cut),
        or_(last_touchpoint.is_(None), last_touchpoint < day_cut),
    )


def _link(row: CardRow) -> CardLink:
    return CardLink(row.id, row.name, Stage(row.stage), row.archived_at is not None)


def _archive_reason(value: str | None) -> ArchiveReason | None:
    try:
        return ArchiveReason(value) if value else None
    except ValueError:  # written by a newer release
        return None


def _answer(value: str) -> Answer:
    try:
        return Answer(value)
    except ValueError:
        return Answer.UNKNOWN


def _check_version(row: CardRow, expected_version: int) -> None:
    if row.version != expected_version:
        raise ConflictError(
            f"{row.name} was changed elsewhere while you edited it; your edit was not saved "
            "and the card now shows the other change."
        )


def _note_body(body: str) -> str:
    body = clean_text(body).strip("\n")
    if not body.strip():
        raise StoreError("A note needs some text.")
    if len(body) > NOTE_MAX_CHARS:
        raise StoreError(
            f"A note can be at most {NOTE_MAX_CHARS:,} characters; this one has {len(body):,}."
        )
    return body


def _note_view(note: ResearchNoteRow) -> NoteView:
    return NoteView(
        note.id, NoteKind(note.kind), note.body, note.created_at, note.updated_at, note.version
    )


def _log_touchpoint(
    row: CardRow,
    kind: TouchpointKind,
    happened_on: date,
    summary: str,
    now: datetime,
    *,
    first_sets_source: bool = True,
) -> TouchpointRow:
    touchpoint = TouchpointRow(
        card_id=row.id,
        kind=kind.value,
        happened_on=happened_on,
        summary=clean_line(summary),
        created_at=now,
    )
    session = object_session(row)
    assert session is not None
    # Added through the session, not row.touchpoints, which would load every earlier one.
    session.add(touchpoint)
    if row.source is None and first_sets_source:  # the first is where the card came from
        source = kind.value
        market = (
            row.market or (Market.WARM if kind is TouchpointKind.REFERRAL else Market.COLD).value
        )
        # Written beside the ORM, like position shifts, so the card's version stays put:
        # logging a touchpoint must not make the rep's own undo (or an open edit) of the
        # card look like someone else's change.
        session.execute(
            update(CardRow)
            .where(CardRow.id == row.id)
            .values(source=source, market=market)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(row, "source", source)
        set_committed_value(row, "market", market)
    return touchpoint


def _get(session: Session, card_id: int, *, active: bool = False) -> CardRow:
    row = session.get(CardRow, card_id)
    if row is None:
        raise NotFoundError("That card no longer exists.")
    if active and row.archived_at is not None:
        raise StoreError(f"{row.name} is archived; restore it first.")
    return row


def _apply_draft(row: CardRow, draft: CardDraft) -> None:
    row.name = draft.name
    row.organisation = draft.organisation
    row.email = draft.email
    row.phone = draft.phone
    row.tags = " ".join(draft.tags)
    row.next_action = draft.next_action
    row.next_action_due = draft.next_action_due
    if draft.owner:
        row.owner = draft.owner


def _state(row: CardRow) -> CardState:
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
        ),
        stage=Stage(row.stage),
        position=row.position,
        archived_at=row.archived_at,
        archive_reason=ArchiveReason(row.archive_reason) if row.archive_reason else None,
        archive_note=row.archive_note,
    )


def _restore_state(
    session: Session, row: CardRow, state: CardState, user: str, now: datetime
) -> None:
    if state.archived_at is None:
        position = _return_to(session, row, state.stage, state.position)
    else:
        position = state.position  # orders nothing while archived; kept so undo is exact
    if row.stage != state.stage.value:
        session.add(
            StageEventRow(
                card_id=row.id, from_stage=row.stage, to_stage=state.stage.value, at=now, by=user
            )
        )
    _apply_draft(row, state.draft)
    row.stage = state.stage.value
    row.position = position
    row.archived_at = state.archived_at
    row.archive_reason = state.archive_reason.value if state.archive_reason else None
    row.archive_note = state.archive_note
    row.updated_at = now
    session.flush()


# Positions only order the active cards of a column (board order: position, then id).
# They are not contiguous: a card arriving on top takes one less than the first card's,
# and a card that leaves leaves a gap. So a write touches the card's own row (and in a
# reorder the row it passes), found through ix_card_board, never the rest of the column.
#
# Column order as an index walk: the leading columns are fixed by _active_in, and naming
# them lets PostgreSQL read ix_card_board in order (it does not take `archived_at IS
# NULL` as fixing archived_at, so ORDER BY position alone sorts the whole column).
_DOWN_THE_COLUMN = (CardRow.archived_at, CardRow.stage, CardRow.position, CardRow.id)
_UP_THE_COLUMN = tuple(column.desc() for column in _DOWN_THE_COLUMN)


def _active_in(stage: Stage, excluding: int | None = None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        CardRow.archived_at.is_(None),
        CardRow.stage == stage.value,
    ]
    if excluding is not None:
        conditions.append(CardRow.id != excluding)
    return conditions


def _top(session: Session, stage: Stage) -> int:
    """A position above every active card of the column; 0 for an empty column."""
    first = session.scalar(
        select(CardRow.position).where(*_active_in(stage)).order_by(*_DOWN_THE_COLUMN).limit(1)
    )
    return 0 if first is None else first - 1


def _neighbour(
    session: Session, stage: Stage, card_id: int, position: int, *, up: bool
) -> tuple[int, int] | None:
    """(id, position) of the active card just above or below a card at `position`, in
    board order; None at that end of the column."""
    key = tuple_(CardRow.position, CardRow.id)
    query = select(CardRow.id, CardRow.position).where(*_active_in(stage, excluding=card_id))
    if up:
        query = query.where(key < tuple_(position, card_id)).order_by(*_UP_THE_COLUMN)
    else:
        query = query.where(key > tuple_(position, card_id)).order_by(*_DOWN_THE_COLUMN)
    row = session.execute(query.limit(1)).first()
    return (row.id, row.position) if row is not None else None


def _swap(
    session: Session,
    stage: Stage,
    card_id: int,
    position: int,
    neighbour: tuple[int, int],
    *,
    up: bool,
) -> int:
    """Let a card at `position` pass its neighbour; returns the card's new position.

    The neighbour is written here, the card itself by the caller once it stops.
    """
    other_id, other_position = neighbour
    if other_position != position:
        _set_position(session, other_id, position)
        return other_position
    # Two cards on one position (two reps added at the same moment, say): swapping equal
    # numbers would change nothing, so the cards beyond the neighbour make room for the
    # card. Its own number changes, so undo can find its way back.
    key = tuple_(CardRow.position, CardRow.id)
    if up:
        _shift(session, stage, key < tuple_(position, other_id), -1, excluding=card_id)
        return position - 1
    _shift(session, stage, key > tuple_(position, other_id), 1, excluding=card_id)
    return position + 1


def _return_to(session: Session, row: CardRow, stage: Stage, position: int) -> int:
    """Where undo puts a card back in `stage` so the column reads as it did before the
    change: its old position, or the nearest that keeps that order."""
    if row.archived_at is None and row.stage == stage.value:
        return _walk_back(session, stage, row.id, row.position, position)
    taken = session.scalar(
        select(CardRow.id)
        .where(*_active_in(stage, excluding=row.id), CardRow.position == position)
        .limit(1)
    )
    if taken is None:
        return position
    # Another card took that position meanwhile (it was the top and a card arrived);
    # the card goes just above it, as it was above it before.
    above = session.scalar(
        select(CardRow.position)
        .where(*_active_in(stage), CardRow.position < position)
        .order_by(*_UP_THE_COLUMN)
        .limit(1)
    )
    if above is None or above < position - 1:
        return position - 1
    _shift(session, stage, CardRow.position >= position, 1, excluding=row.id)  # rare: O(n)
    return position


def _walk_back(session: Session, stage: Stage, card_id: int, position: int, target: int) -> int:
    """Step a card past its neighbours until it is back at `target`, the exact inverse of
    a reorder; returns its position."""
    up = target < position
    while position != target:
        neighbour = _neighbour(session, stage, card_id, position, up=up)
        if neighbour is None or (neighbour[1] < target if up else neighbour[1] > target):
            return target  # no card left in between, so the old position is free
        position = _swap(session, stage, card_id, position, neighbour, up=up)
    return position


# Positions are written with bulk UPDATEs so they do not bump the neighbours' versions:
# moving one card must not make another rep's open edit of a neighbour look like a conflict.


def _set_position(session: Session, card_id: int, position: int) -> None:
    session.execute(
        update(CardRow)
        .where(CardRow.id == card_id)
        .values(position=position)
        .execution_options(synchronize_session=False)
    )


def _shift(
    session: Session,
    stage: Stage,
    where: ColumnElement[bool],
    step: int,
    excluding: int | None = None,
) -> None:
    """Move the matching active cards of a column `step` positions down (up if negative)."""
    session.execute(
        update(CardRow)
        .where(*_active_in(stage, excluding), where)
        .values(position=CardRow.position + step)
        .execution_options(synchronize_session=False)
    )
