"""PipelineService: the front door to the store for the UI and the command line.

Every method is one short transaction and takes and returns plain domain values
(pipeline_tui.domain), never database rows, so callers cannot touch SQL or lazy-load
outside a session. The work itself lives beside this file, one concern a module:

    read_model   what the screens read (board ids, totals, summaries, one card)
    commands     changes to cards, notes, touchpoints, checklists, next actions
    positions    where a card sits in its column
    undo         putting a card back as it was
    search       full-text search (FTS5 on SQLite, tsvector on PostgreSQL)
    standup      what the stand-up reads
    exchange     import and export
    demo         the sample pipeline
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from pipeline_tui.domain.activity import DEFAULT_STALE_LIMITS
from pipeline_tui.domain.agenda import ScheduledAction
from pipeline_tui.domain.brief import Brief
from pipeline_tui.domain.cadence import Cadence, default_cadences
from pipeline_tui.domain.calls import CallOutcome, CallSession, LoggedCall, QueueEntry
from pipeline_tui.domain.capture import Captured, CaptureResult
from pipeline_tui.domain.cards import (
    ArchivedCard,
    BoardTotals,
    CardDetail,
    CardDraft,
    CardFormError,
    CardSummary,
    Change,
    LoggedCallRecord,
    NoteView,
    SavedNote,
    TouchpointView,
    Undone,
)
from pipeline_tui.domain.drafts import Draft, DraftKey, Fields, StepKept
from pipeline_tui.domain.events import PipelineEvent
from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.lookup import CardMatch
from pipeline_tui.domain.money import Grouping
from pipeline_tui.domain.qualification import DEFAULT_CRITERIA, CriterionAnswer, Qualification
from pipeline_tui.domain.schedule import Activity, ActivityKind
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.store import (
    agenda,
    cadence,
    calls,
    commands,
    daily,
    drafts,
    events,
    lookup,
    read_model,
    schedule,
    search,
    undo,
)
from pipeline_tui.store.brief import read_brief
from pipeline_tui.store.commands import Actor
from pipeline_tui.store.database import Database
from pipeline_tui.store.errors import ConflictError, NotFoundError, StoreError
from pipeline_tui.store.models import utcnow
from pipeline_tui.store.read_model import BoardView
from pipeline_tui.store.rows import note_view
from pipeline_tui.store.search import SearchHit

if TYPE_CHECKING:
    from pipeline_tui.domain.importing.vocabulary import StageMeaning
    from pipeline_tui.domain.insight import Insight
    from pipeline_tui.domain.standup import Standup
    from pipeline_tui.store.exchange import ImportReport, Progress

Clock = Callable[[], datetime]
Listener = Callable[[Sequence[PipelineEvent]], object]
"""Told after every committed write, with the events it recorded (often none)."""


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
        cadences: Mapping[Stage, Cadence] | None = None,
    ) -> None:
        self.database = database
        self.user = user
        self.clock = clock
        self.criteria = tuple(criteria)
        """The qualification checklist in force (config [qualification])."""
        self.stale_limits = dict(stale_limits)
        """Days idle before a card is stale, per stage (config [stale])."""
        self.cadences = dict(cadences if cadences is not None else default_cadences())
        """The after-sale cadences in force, per stage (config [cadence.*])."""
        self._listeners: list[Listener] = []

    def close(self) -> None:
        self.database.close()

    def location(self) -> str:
        """Where the pipeline is, safe to show (a path, or a URL with no password)."""
        return self.database.display_url

    def identity(self) -> str:
        """The database as one string however it was named (Database.identity)."""
        return self.database.identity

    # The board -----------------------------------------------------------------------

    def board(self) -> dict[Stage, list[CardSummary]]:
        """Every active card, by stage, in column order."""
        with self.database.read() as session:
            return read_model.board(session, self.criteria, self.user)

    def board_view(
        self,
        today: date,
        *,
        mine_only: bool = False,
        stale_only: bool = False,
        nurturing: bool = False,
        stale_limits: Mapping[Stage, int] | None = None,
        tops: Mapping[Stage, int] | None = None,
        page: int = 0,
        focus_card: int | None = None,
        filter_query: str | None = None,
    ) -> BoardView:
        """The board's ids, totals and first cards, from one snapshot (see
        read_model.board_view); nurturing: the cards parked until after `today`
        instead of those on the board; filter_query: the board filtered, as the filter
        matches now."""
        with self.database.read() as session:
            return read_model.board_view(
                session,
                today,
                self._limits(stale_limits),
                self.criteria,
                owner=self.user if mine_only else None,
                stale_only=stale_only,
                parked=nurturing,
                tops=tops or {},
                page=page,
                focus_card=focus_card,
                filter_query=filter_query,
                drafts_of=self.user,
            )

    def board_ids(
        self,
        today: date,
        *,
        mine_only: bool = False,
        stale_only: bool = False,
        nurturing: bool = False,
        stale_limits: Mapping[Stage, int] | None = None,
    ) -> dict[Stage, array[int]]:
        """The ids of the active cards, by stage, in column order (mine_only: those
        `user` owns; stale_only: those idle past their stage's limit on `today`)."""
        with self.database.read() as session:
            return read_model.board_ids(
                session,
                today,
                self._limits(stale_limits),
                owner=self.user if mine_only else None,
                stale_only=stale_only,
                parked=nurturing,
            )

    def summaries(self, card_ids: Iterable[int]) -> dict[int, CardSummary]:
        """The board's view of the given cards (those still active), by id."""
        with self.database.read() as session:
            return read_model.summaries(session, card_ids, self.criteria, self.user)

    def board_totals(
        self, today: date, stale_limits: Mapping[Stage, int] | None = None
    ) -> BoardTotals:
        """Cards per stage, and how many are overdue or stale on `today`."""
        with self.database.read() as session:
            return read_model.board_totals(session, today, self._limits(stale_limits))

    def change_marker(self) -> int:
        """The board clock: it moves on with every write to the pipeline, from anywhere
        (one row read, however big the pipeline)."""
        with self.database.read() as session:
            return read_model.revision(session)

    def written_revision(self) -> int | None:
        """The board clock's number for this process's last write (None: none yet)."""
        return self.database.revision

    def summary(self, card_id: int) -> CardSummary | None:
        """One active card as the board shows it; None if it is gone or archived."""
        with self.database.read() as session:
            return read_model.summary(session, card_id, self.criteria, self.user)

    def active_summary(self, card_id: int) -> CardSummary:
        """One card as the board shows it, for an action about to change it: refused in
        the words every change uses when it is archived ("… is archived; restore it
        first.") or gone."""
        with self.database.read() as session:
            commands.get_card(session, card_id, active=True)
            found = read_model.summary(session, card_id, self.criteria, self.user)
        if found is None:  # pragma: no cover - the card was just read as active
            raise NotFoundError("That card no longer exists.")
        return found

    def cards(self, stage: Stage | None = None) -> list[CardSummary]:
        """Active cards in pipeline order (stage, then position)."""
        board = self.board()
        return [card for s in STAGES if stage in (None, s) for card in board[s]]

    def archived(self) -> list[ArchivedCard]:
        """Archived cards, the most recently archived first."""
        with self.database.read() as session:
            return read_model.archived(session)

    def card(self, card_id: int) -> CardDetail:
        with self.database.read() as session:
            return read_model.card_detail(session, card_id, self.criteria, self.user, self.cadences)

    def qualification(self, card_id: int) -> Qualification:
        """The card's checklist against the criteria in force."""
        with self.database.read() as session:
            commands.get_card(session, card_id)
            return read_model.qualification(session, card_id, self.criteria)

    def _limits(self, limits: Mapping[Stage, int] | None) -> Mapping[Stage, int]:
        return self.stale_limits if limits is None else limits

    # Changing cards ------------------------------------------------------------------

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
        with self._write() as (session, actor):
            row = commands.add_card(session, actor, draft, stage, source=source, market=market)
            return commands.created(row, f"Added {draft.name}")

    def update_card(self, card_id: int, draft: CardDraft, expected_version: int) -> Change:
        """Save an edited profile, refusing if someone else saved the card meanwhile."""
        draft = draft.cleaned()
        with self._write() as (session, actor):
            return commands.update_card(session, actor, card_id, draft, expected_version)

    def move_card(self, card_id: int, to_stage: Stage, note: str = "") -> Change | None:
        """Move a card to the top of another stage; None if it is already there.

        `note` says why the move was unusual (a qualification override); it is kept on
        the stage event and shown in the card's stage history.
        """
        with self._write() as (session, actor):
            return commands.move_card(session, actor, card_id, to_stage, note)

    def reorder_card(self, card_id: int, offset: int) -> Change | None:
        """Move a card up (negative) or down within its column; None at either end."""
        with self._write() as (session, _):
            return commands.reorder_card(session, card_id, offset)

    def archive_card(
        self,
        card_id: int,
        reason: ArchiveReason,
        note: str = "",
        expected_version: int | None = None,
    ) -> Change:
        """Take a card off the board, with the reason; refused if it changed elsewhere
        after `expected_version`."""
        with self._write() as (session, actor):
            return commands.archive_card(session, actor, card_id, reason, note, expected_version)

    def restore_card(self, card_id: int, expected_version: int | None = None) -> Change:
        """Bring an archived card back to the top of the stage it was archived from."""
        with self._write() as (session, actor):
            return commands.restore_card(session, actor, card_id, expected_version)

    def set_value(
        self,
        card_id: int,
        value: Decimal | None,
        expected_close: date | None = None,
        *,
        keep_close: bool = True,
    ) -> Change:
        """Set what a card is worth (None: not known); with `keep_close=False`, its
        expected close as well. Archived cards keep their value as they were won."""
        with self._write() as (session, actor):
            return commands.set_value(
                session, actor, card_id, value, expected_close, keep_close=keep_close
            )

    def park(
        self, card_id: int, until: date, expected_version: int, *, today: date | None = None
    ) -> Change:
        """Not yet: take the card off the board until `until`, a day after `today` (by
        default the clock's day where the rep is); refused if it changed since
        `expected_version`. Undo puts it back on the board."""
        with self._write() as (session, actor):
            day = today if today is not None else actor.now.astimezone().date()
            return commands.park(session, actor, card_id, until, day, expected_version)

    def unpark(self, card_id: int, expected_version: int) -> Change:
        """Bring a parked card back on the board now."""
        with self._write() as (session, actor):
            return commands.unpark(session, actor, card_id, expected_version)

    def set_rhythm(self, card_id: int, days: int | None) -> Change:
        """Keep in touch with the card every `days` days: its own stale limit, in place
        of its stage's (None: the stage's again)."""
        with self._write() as (session, actor):
            return commands.set_rhythm(session, actor, card_id, days)

    def hand_off_due_steps(self, today: date) -> int:
        """Make every cadence step due by `today` its card's next action, where the card
        has none (it had one when the step came up); returns how many. Writes nothing,
        and moves no board clock, when there are none."""
        with self.database.read() as session:
            cadence.use_cadences(session, self.cadences)
            if not cadence.hand_off_due(session, self.user, self.clock(), today, dry_run=True):
                return 0
        with self._write() as (session, actor):
            return cadence.hand_off_due(session, actor.user, actor.now, today)

    def set_market(self, card_id: int, market: Market | None) -> None:
        with self._write() as (session, actor):
            commands.set_market(session, actor, card_id, market)

    def revert(self, change: Change) -> Undone:
        """Undo `change` (or redo it, given the inverse a revert returned); refused when
        someone changed the card or note since, or added to a new card what removing it
        would lose."""
        with self._write() as (session, actor):
            return undo.revert(session, actor, change)

    undo = revert

    # Qualification and referrals -----------------------------------------------------

    def save_qualification(
        self,
        card_id: int,
        answers: Mapping[str, CriterionAnswer],
        seen: Qualification | None = None,
    ) -> Qualification:
        """Save answers by criterion text; refused if an answer the rep changed was
        changed elsewhere after `seen` (the checklist as the rep opened it)."""
        with self._write() as (session, actor):
            return commands.save_qualification(
                session, actor, card_id, answers, self.criteria, seen
            )

    def refer(self, referrer_id: int, draft: CardDraft, today: date) -> Change:
        """A new lead referred by a client or repeat card, with a referral touchpoint on
        both."""
        draft = draft.cleaned()
        with self._write() as (session, actor):
            return commands.refer(session, actor, referrer_id, draft, today)

    # Research notes ------------------------------------------------------------------

    def add_note(self, card_id: int, kind: NoteKind, body: str) -> NoteView:
        return self.write_note(card_id, kind, body).note

    def write_note(self, card_id: int, kind: NoteKind, body: str) -> SavedNote:
        """Write a new note; with it, the change that removes it again (undo)."""
        with self._write() as (session, actor):
            return commands.add_note(session, actor, card_id, kind, body)

    def update_note(
        self,
        note_id: int,
        body: str,
        kind: NoteKind | None = None,
        expected_version: int | None = None,
    ) -> NoteView:
        """Save an edited note; refused (ConflictError with the newer note) when
        someone else saved it after `expected_version`."""
        return self.rewrite_note(note_id, body, kind, expected_version).note

    def rewrite_note(
        self,
        note_id: int,
        body: str,
        kind: NoteKind | None = None,
        expected_version: int | None = None,
    ) -> SavedNote:
        """update_note, with the change that puts the earlier text and kind back (undo;
        None when nothing changed)."""
        with self._write() as (session, actor):
            return commands.update_note(session, actor, note_id, body, kind, expected_version)

    def delete_note(self, note_id: int, expected_version: int | None = None) -> Change:
        """Delete a note; the Change holds all of it, so undo brings it back whole."""
        with self._write() as (session, _):
            return commands.delete_note(session, note_id, expected_version)

    # Touchpoints and next actions ----------------------------------------------------

    def add_touchpoint(
        self, card_id: int, kind: TouchpointKind, happened_on: date, summary: str = ""
    ) -> TouchpointView:
        """Log a touchpoint; the first one a card gets becomes its source."""
        with self._write() as (session, actor):
            return commands.add_touchpoint(session, actor, card_id, kind, happened_on, summary)

    def log_touchpoint(
        self, card_id: int, kind: TouchpointKind, happened_on: date, summary: str = ""
    ) -> Change:
        """Log a touchpoint as a change undo takes back (the first one a card gets
        becomes its source, and undo takes that back too)."""
        with self._write() as (session, actor):
            return commands.log_touchpoint_change(
                session, actor, card_id, kind, happened_on, summary
            )

    def delete_touchpoint(self, card_id: int, touchpoint_id: int) -> Change:
        """Delete a touchpoint from the card's timeline, as a change undo takes back."""
        with self._write() as (session, _):
            return commands.delete_touchpoint(session, card_id, touchpoint_id)

    def set_next_action(
        self, card_id: int, action: str, due: date | None, expected_version: int
    ) -> Change:
        """Set the card's next step: its earliest open activity takes these words and
        day (one is added if there is none); empty and undated drops it, and the next
        open activity comes up."""
        with self._write() as (session, actor):
            return commands.set_next_action(session, actor, card_id, action, due, expected_version)

    def complete_next_action(
        self,
        card_id: int,
        kind: TouchpointKind,
        happened_on: date,
        summary: str,
        expected_version: int,
    ) -> Change:
        """Log the next action (the earliest open activity) as done; the next open one
        becomes the next action. Undo opens it again."""
        with self._write() as (session, actor):
            return commands.complete_next_action(
                session, actor, card_id, kind, happened_on, summary, expected_version
            )

    # Scheduled activities: several steps a card, the earliest open one its next action.

    def add_activity(
        self,
        card_id: int,
        kind: ActivityKind | None,
        text: str,
        due: date | None,
        due_time: time | None = None,
        expected_version: int | None = None,
    ) -> Change:
        """Schedule one more step on a card (kind None: what its first word says)."""
        with self._write() as (session, actor):
            return commands.add_activity(
                session, actor, card_id, kind, text, due, due_time, expected_version
            )

    def edit_activity(
        self,
        activity_id: int,
        kind: ActivityKind | None,
        text: str,
        due: date | None,
        due_time: time | None = None,
        expected_version: int | None = None,
    ) -> Change:
        """Change an open step's kind (None: as it was), words, day and time."""
        with self._write() as (session, actor):
            return commands.edit_activity(
                session, actor, activity_id, kind, text, due, due_time, expected_version
            )

    def change_kept_step(
        self,
        card_id: int,
        kept: StepKept,
        kind: ActivityKind | None,
        text: str,
        due: date | None,
        due_time: time | None = None,
        expected_version: int | None = None,
    ) -> Change | None:
        """A kept change to the step `kept` names, saved from a dialog for another step
        (commands.change_kept_step): that step changed (or, emptied, dropped), or the
        words scheduled as a new one; None when there was nothing left to clear."""
        with self._write() as (session, actor):
            return commands.change_kept_step(
                session, actor, card_id, kept, kind, text, due, due_time, expected_version
            )

    def delete_activity(self, activity_id: int, expected_version: int | None = None) -> Change:
        """Drop an open step without logging anything; undo brings it back."""
        with self._write() as (session, actor):
            return commands.delete_activity(session, actor, activity_id, expected_version)

    def complete_activity(
        self,
        activity_id: int,
        kind: TouchpointKind,
        happened_on: date,
        summary: str = "",
        expected_version: int | None = None,
    ) -> Change:
        """Mark one step done, logged as a touchpoint; undo opens it again."""
        with self._write() as (session, actor):
            return commands.complete_activity(
                session, actor, activity_id, kind, happened_on, summary, expected_version
            )

    def activities(self, card_id: int) -> tuple[Activity, ...]:
        """The card's open steps, earliest first."""
        with self.database.read() as session:
            return schedule.open_activities(session, card_id)

    # Search --------------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Active cards and notes matching every word of `query` (as prefixes), best first."""
        with self.database.read() as session:
            return search.search(session, query, limit)

    def matching_card_ids(self, query: str) -> set[int]:
        """Ids of active cards whose name, organisation, tags or notes match `query`."""
        with self.database.read() as session:
            return search.matching_card_ids(session, query)

    def matching_cards(
        self, query: str, shown: Callable[[set[int]], Iterable[int]]
    ) -> tuple[set[int], dict[int, CardSummary]]:
        """The ids of `matching_card_ids`, and the board's view of those of them that
        `shown` picks from them (what the filtered columns show first), in one read."""
        with self.database.read() as session:
            ids = search.matching_card_ids(session, query)
            cards = read_model.summaries(session, shown(ids), self.criteria, self.user)
            return ids, cards

    # The stand-up, import and export, the demo ---------------------------------------

    def standup(
        self,
        today: date,
        *,
        since: date | None = None,
        window: int | None = None,
        mine_only: bool = False,
        owner: str | None = None,
        stale_limits: Mapping[Stage, int] | None = None,
        tz: tzinfo | None = None,
        probabilities: Mapping[Stage, Decimal] | None = None,
    ) -> Standup:
        """The stand-up for `today` (owner: one rep's cards; mine_only: this rep's;
        probabilities: each stage's weight in the forecast, None: the defaults)."""
        from pipeline_tui.domain.money import DEFAULT_PROBABILITIES
        from pipeline_tui.domain.standup import DEFAULT_WINDOW
        from pipeline_tui.store.standup import load_standup

        return load_standup(
            self.database,
            today,
            since=since,
            window=DEFAULT_WINDOW if window is None else window,
            owner=self.user if mine_only else owner,
            limits=self._limits(stale_limits),
            tz=tz,
            probabilities=DEFAULT_PROBABILITIES if probabilities is None else probabilities,
        )

    def import_file(
        self,
        path: Path,
        *,
        today: date,
        mapping: dict[str, str] | None = None,
        stage_map: dict[str, StageMeaning] | None = None,
        dry_run: bool = False,
        skip_bad: bool = False,
        progress: Progress | None = None,
        grouping: Grouping | None = None,
        currency: str | None = None,
    ) -> ImportReport:
        """Import a contacts file (CSV, .xlsx, .vcf) or a pipeline-tui JSON export in one
        transaction (nothing is written on a bad row unless skip_bad, or on dry_run).
        `grouping`: how the locale writes numbers, for amounts the file leaves open;
        `currency`: the configured currency's code (an amount in another is a bad row)."""
        from pipeline_tui.store import exchange

        return exchange.import_file(
            self.database,
            path,
            user=self.user,
            today=today,
            now=self.clock(),
            mapping=mapping,
            stage_map=stage_map,
            dry_run=dry_run,
            skip_bad=skip_bad,
            progress=progress or exchange.no_progress,
            grouping=grouping,
            currency=currency,
        )

    def export_document(self) -> dict[str, Any]:
        """Everything in the pipeline as one JSON-ready document (re-importable)."""
        from pipeline_tui.store.exchange import export_document

        return export_document(self.database, self.clock())

    def contact_details(self, card_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        """Each card's (email, phone), for listings."""
        from pipeline_tui.store.exchange import contact_details

        return contact_details(self.database, card_ids)

    def seed_demo(self, today: date) -> int:
        """Fill an empty database with the sample pipeline; returns the number of cards."""
        from pipeline_tui.store.demo import seed_demo

        return seed_demo(self.database, today, user=self.user)

    # The call queue, the brief and insight -------------------------------------------

    def call_queue(
        self, today: date, *, week: bool = False, mine_only: bool = True
    ) -> tuple[QueueEntry, ...]:
        """The calls to make: cards with an activity overdue or due today (with `week`,
        the next seven days too), in the order to make them; mine_only: `user`'s."""
        with self.database.read() as session:
            return calls.read_queue(
                session, today, week=week, owner=self.user if mine_only else None
            )

    def brief(self, card_id: int) -> Brief:
        """What to know before calling the card's person."""
        with self.database.read() as session:
            return read_brief(session, card_id, self.criteria)

    def log_call(
        self,
        card_id: int,
        outcome: CallOutcome,
        happened_on: date,
        session_id: int | None,
        *,
        next_step: tuple[str, date | None] | None = None,
        add_step: bool = False,
        change_step: StepKept | None = None,
        step_kind: ActivityKind | None = None,
        step_time: time | None = None,
        archive: ArchiveReason | None = None,
        archive_note: str = "",
        expected_version: int | None = None,
    ) -> LoggedCall:
        """A call's outcome: a call touchpoint ("Call: voicemail") on the card, counted in
        the call session `session_id` (a new session when None), with what the rep
        decided next: the card's next action set to `next_step` (words, day), or with
        `add_step` that step scheduled beside those planned, or with `change_step` the
        planned step it names changed (commands.change_kept_step), these two of the kind
        and at the time given (`step_kind`, `step_time`; None: from its words, and none); or
        the card archived for `archive`; all in one transaction, so a step refused (the
        card changed elsewhere after `expected_version`) logs no call either. An archived
        card takes no call (archived by the call before it, the queue still on it)."""
        with self._write() as (session, actor):
            row = commands.get_card(session, card_id, active=True)
            change: Change | None = None
            before, activities = commands.state_of(row), schedule.snapshot(session, row.id)
            # The call's touchpoint first: it pushes a cadence step on from the call's
            # day, and the step the rep confirmed (often that same step, in its words)
            # is what must stay, on the day confirmed.
            source_before, market_before = row.source, row.market
            touchpoint = commands.log_touchpoint(
                row, TouchpointKind.CALL, happened_on, outcome.summary, actor.now
            )
            if archive is not None:
                change = commands.archive_card(
                    session, actor, card_id, archive, archive_note, expected_version
                )
            elif next_step is not None:
                action, due = next_step
                version = row.version if expected_version is None else expected_version
                if change_step is not None:
                    change = commands.change_kept_step(
                        session,
                        actor,
                        card_id,
                        change_step,
                        step_kind,
                        action,
                        due,
                        step_time,
                        version,
                    )
                elif add_step:
                    change = commands.add_activity(
                        session, actor, card_id, step_kind, action, due, step_time, version
                    )
                else:
                    change = commands.set_next_action(session, actor, card_id, action, due, version)
                # Undo puts the card back as it was before the call, step and all.
                if change is not None:
                    change = replace(change, before=before, activities=activities)
            counted = calls.record_call(session, session_id, actor.user, outcome, actor.now)
            session.flush()
            if change is not None:  # undone, the call goes too
                record = LoggedCallRecord(
                    counted,
                    outcome.value,
                    happened_on,
                    touchpoint.summary,
                    touchpoint.id,
                    source_set=source_before is None and row.source is not None,
                    market_before=market_before,
                )
                what = f"Call to {row.name}: {outcome.label.lower()}"
                change = replace(change, description=what, call=record)
            return LoggedCall(counted, touchpoint.summary, row.version, change)

    def call_session(self, session_id: int) -> CallSession | None:
        with self.database.read() as session:
            return calls.call_session(session, session_id)

    def call_sessions(
        self, first_day: date, last_day: date, *, owner: str | None = None
    ) -> tuple[CallSession, ...]:
        """Call sessions started between two days (everyone's when `owner` is None)."""
        with self.database.read() as session:
            return calls.sessions_between(session, first_day, last_day, owner=owner)

    def insight(self, today: date, window: int = 90) -> Insight:
        """Win rates, archive reasons, referrals, time in stage and failing criteria
        over the `window` days ending `today`."""
        # Imported here: the board's store opens without the report's maths.
        from pipeline_tui.domain.insight import build_insight
        from pipeline_tui.store.insight import read_insight

        with self.database.read() as session:
            data = read_insight(session, today, window, self.criteria)
        return build_insight(data, today, window)

    # Drafts: what the rep is typing, kept until it is saved or discarded -------------
    #
    # Not counted on the board clock: other apps need not read their boards again for
    # a keystroke.

    def keep_draft(
        self,
        key: DraftKey,
        fields: Fields,
        base_version: int | None = None,
        base: Fields | None = None,
    ) -> None:
        """Keep what the rep is typing in one editor (replacing the draft kept before),
        typed against `base_version` of the card over `base` (what the editor showed)."""
        self.keep_drafts([Draft(key, fields, None, base_version, base or {})])

    def keep_drafts(
        self,
        kept: Iterable[Draft],
        knew: Mapping[DraftKey, Sequence[Fields | None]] | None = None,
        keep_elsewhere: Callable[[Draft], bool] | None = None,
    ) -> list[DraftKey]:
        """Keep several drafts in one transaction (everything typed, as the app ends);
        the keys of those refused.

        `knew`: for some of these keys, what the caller's session may have left there
        (None: no draft). A draft found saying anything else was kept by another session
        of the rep's: `keep_elsewhere` is given it first, and it is replaced only once
        that says it is kept; otherwise it stays and this one is refused (drafts.keep)."""
        refused: list[DraftKey] = []
        with self._write(counted=False) as (session, actor):
            for draft in kept:
                if not drafts.keep(
                    session,
                    actor.user,
                    draft.key,
                    draft.fields,
                    draft.base_version,
                    actor.now,
                    draft.base,
                    knew.get(draft.key) if knew is not None else None,
                    keep_elsewhere,
                ):
                    refused.append(draft.key)
        return refused

    def draft_has_place(self, key: DraftKey) -> bool:
        """Whether a draft for `key` can be kept (its card is there)."""
        with self.database.read() as session:
            return drafts.has_place(session, key)

    def move_draft(self, draft: Draft, to: DraftKey) -> None:
        """Keep `draft`'s text under another editor's key instead, in one transaction
        (an edit of a note deleted since, offered in the new note editor); not over a
        draft already kept there, and only while `draft` is still kept as it was read
        (saved or discarded since, it is not brought back). It keeps the moment it was
        typed: a "today" in it is that day, not the day it moved."""
        with self._write(counted=False) as (session, actor):
            kept = drafts.read(session, actor.user, draft.key)
            if kept is None or kept.fields != draft.fields:
                return
            if drafts.read(session, actor.user, to) is None:
                typed_at = draft.saved_at or actor.now
                drafts.keep(session, actor.user, to, draft.fields, None, typed_at, {})
                drafts.remove(session, actor.user, (draft.key,))

    def draft(self, key: DraftKey) -> Draft | None:
        """The rep's draft for one editor, if any."""
        with self.database.read() as session:
            return drafts.read(session, self.user, key)

    def drafts_of_card(self, card_id: int) -> list[Draft]:
        """The rep's drafts on one card, the newest first."""
        with self.database.read() as session:
            return drafts.of_card(session, self.user, card_id)

    def discard_draft_holding(self, key: DraftKey, held: Sequence[Fields]) -> None:
        """Forget the draft for `key` if it holds one of `held` (text saved just now, or
        this session's earlier drafts of it)."""
        with self._write(counted=False) as (session, actor):
            drafts.remove_if_holding(session, actor.user, key, held)

    def discard_drafts(self, *keys: DraftKey) -> None:
        """Forget drafts: their text was saved, or the rep threw it away."""
        with self._write(counted=False) as (session, actor):
            drafts.remove(session, actor.user, keys)

    def note(self, note_id: int) -> NoteView:
        """One note as saved now."""
        with self.database.read() as session:
            return note_view(commands.get_note(session, note_id))

    # Plumbing ------------------------------------------------------------------------

    @contextmanager
    def _write(self, *, counted: bool = True) -> Iterator[tuple[Session, Actor]]:
        """One write transaction, stamped with this rep and one moment; database
        errors become one sentence. `counted`: see Database.write."""
        try:
            with self.database.write(counted=counted) as session:
                cadence.use_cadences(session, self.cadences)
                yield session, Actor(self.user, self.clock())
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
        self._publish(events.take(session))

    def _publish(self, recorded: Sequence[PipelineEvent]) -> None:
        # The change is saved whatever a listener does: a hook or calendar problem is
        # the listener's to report, never a failed save.
        for listener in list(self._listeners):
            with suppress(Exception):
                listener(recorded)

    # The shell: finding cards, the daily loop, the agenda, capture, listeners ---------
    #
    # The agenda, schedule_next and complete_next are the one way the shell and the
    # calendar file read and act on "the next step", whatever a step becomes.

    def subscribe(self, listener: Listener) -> None:
        """Call `listener` after every committed write with the events it recorded."""
        self._listeners.append(listener)

    def find_card(self, text: str, *, archived: bool = False) -> CardMatch:
        """The one card named by an id, an email or part of a name (see store.lookup);
        NotFoundError, or AmbiguousCardError with the candidates."""
        with self.database.read() as session:
            return lookup.find_card(session, text, archived=archived)

    def likely_duplicates(self, draft: CardDraft) -> list[CardMatch]:
        """Cards that `draft` probably repeats (same email, or name and organisation)."""
        with self.database.read() as session:
            return lookup.likely_duplicates(session, draft.cleaned())

    def add_card_checked(
        self,
        draft: CardDraft,
        stage: Stage = Stage.LEAD,
        *,
        source: TouchpointKind | None = None,
        on: date,
        force: bool = False,
    ) -> Change:
        """A new card, refused (DuplicateCardError) when it looks like one already there
        unless `force`; `source` is logged as its first touchpoint, on `on`."""
        draft = draft.cleaned()
        with self._write() as (session, actor):
            return daily.add_card(session, actor, draft, stage, source=source, on=on, force=force)

    def agenda(
        self,
        *,
        until: date | None = None,
        owner: str | None = None,
        today: date | None = None,
        every_activity: bool = False,
    ) -> list[ScheduledAction]:
        """Open dated next actions due by `until` (None: all), earliest first; with
        `today`, without the cards parked "not yet" beyond it; `every_activity`: every
        open dated activity, not only each card's earliest."""
        with self.database.read() as session:
            return agenda.scheduled_actions(
                session, until=until, owner=owner, today=today, every_activity=every_activity
            )

    def schedule_next(self, card_id: int, action: str, due: date | None) -> Change:
        """Set a card's next step, replacing the one it had."""
        with self._write() as (session, actor):
            return daily.schedule_next(session, actor, card_id, action, due)

    def complete_next(
        self,
        card_id: int,
        *,
        kind: TouchpointKind,
        on: date,
        summary: str = "",
        then: tuple[str, date | None] | None = None,
    ) -> str:
        """Mark the next step done (a touchpoint) and, with `then`, set the one after,
        in one transaction; returns the step that was done (NoNextAction if none)."""
        with self._write() as (session, actor):
            done = daily.complete_next(session, actor, card_id, kind=kind, on=on, summary=summary)
            if then is not None:
                daily.schedule_next(session, actor, card_id, *then)
            return done

    def move_card_checked(self, card_id: int, to_stage: Stage, override: str = "") -> Change | None:
        """Move a card as the board does: a lead that fails its checklist moves on only
        with an `override` reason (QualificationNeeded otherwise)."""
        with self._write() as (session, actor):
            return daily.move_card(
                session, actor, card_id, to_stage, self.criteria, override=override
            )

    def plan_capture(self, captured: Captured, me: Collection[str] = ()) -> list[CaptureResult]:
        """What `capture` would do, writing nothing: the cards it would log on, and the
        leads it would add (card_id 0)."""
        with self.database.read() as session:
            return daily.plan_capture(session, captured, me)

    def capture(self, captured: Captured, me: Collection[str] = ()) -> list[CaptureResult]:
        """Log a captured email, contact card or invite on the cards it concerns, adding
        a lead for anyone new; `me` are the rep's own addresses."""
        try:
            with self._write() as (session, actor):
                return daily.capture(session, actor, captured, me)
        except CardFormError as error:
            raise StoreError(str(error)) from None
        except ConflictError:
            # Another instance logging the same invite at the same moment set the same
            # next action first: that is a second log, and refused as one.
            self.plan_capture(captured, me)  # AlreadyLogged if it is
            raise
