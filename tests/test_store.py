"""The database and the store's front door (PipelineService): safety settings, column
order, history, undo, conflicts."""

from __future__ import annotations

import stat
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import text

from pipeline_tui.domain.cards import CardDraft, CardFormError, Change, ChangeKind, StageEventView
from pipeline_tui.domain.events import PipelineEvent
from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.qualification import Answer, CriterionAnswer, Qualification
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.store import (
    ConflictError,
    Database,
    NotFoundError,
    PipelineService,
    StoreError,
    open_database,
)
from pipeline_tui.store.demo import seed_demo
from pipeline_tui.store.errors import AmbiguousCardError
from pipeline_tui.store.migrate import HEAD_REVISION, MIGRATIONS
from tests.conftest import NOW, TODAY

# Helpers --------------------------------------------------------------------------------


pytestmark = pytest.mark.both_backends


def column_order(service: PipelineService) -> dict[Stage, list[int]]:
    """The ids in each column, top first; checks every card of a column has a position of
    its own (positions order cards, with gaps allowed, and must never tie)."""
    board = service.board()
    assert list(board) == list(STAGES)
    for stage, cards in board.items():
        positions = [card.position for card in cards]
        assert positions == sorted(set(positions)), stage
        assert all(card.stage is stage for card in cards)
    return {stage: [card.id for card in cards] for stage, cards in board.items()}


def ids(service: PipelineService, stage: Stage) -> list[int]:
    return column_order(service)[stage]


def add(service: PipelineService, name: str, stage: Stage = Stage.LEAD, org: str = "") -> int:
    return service.add_card(CardDraft(name=name, organisation=org), stage).card_id


def card_rows(service: PipelineService) -> dict[int, tuple[object, ...]]:
    """Every card's stored row that a write could touch, by id."""
    with service.database.read() as session:
        rows = session.execute(
            text("SELECT id, stage, position, version, updated_at, archived_at FROM card")
        )
        return {row[0]: tuple(row[1:]) for row in rows}


def positions(service: PipelineService, stage: Stage) -> list[int]:
    return [card.position for card in service.board()[stage]]


@pytest.fixture
def three_leads(service: PipelineService) -> tuple[int, int, int]:
    """Three leads added A, B, C; the column reads C, B, A (newest on top)."""
    a, b, c = (add(service, name) for name in ("Ann", "Ben", "Cat"))
    assert ids(service, Stage.LEAD) == [c, b, a]
    return a, b, c


# Opening the database -------------------------------------------------------------------


def test_new_sqlite_file_is_private_in_a_private_new_folder(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "pipeline.db"
    db = open_database(str(path))
    try:
        assert path.is_file()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert path.read_bytes().startswith(b"SQLite format 3\x00")
    finally:
        db.close()


@pytest.mark.sqlite_only("SQLite pragmas")
def test_sqlite_safety_settings(database: Database) -> None:
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        busy_timeout = connection.execute(text("PRAGMA busy_timeout")).scalar()
        assert busy_timeout is not None and busy_timeout >= 1000


def test_postgresql_never_compiles_the_apps_queries(pg_database: str) -> None:
    """Each query answers a key: PostgreSQL's JIT compiling (75-140 ms on the board's
    header at 100,000 cards) is off on every connection, also once the pool has rolled
    back a connection's first transaction and handed it out again."""
    database = open_database(pg_database)
    try:
        for _ in range(2):
            with database.read() as session:
                assert session.execute(text("SHOW jit")).scalar() == "off"
        with database.write() as session:
            assert session.execute(text("SHOW jit")).scalar() == "off"
    finally:
        database.close()


def test_schema_is_at_head_after_open(database: Database) -> None:
    with database.engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert [v for (v,) in versions] == [HEAD_REVISION]


@pytest.mark.sqlite_only("backup files beside an SQLite database")
def test_reopening_an_up_to_date_database_takes_no_backup(db_path: Path) -> None:
    first = open_database(str(db_path))
    PipelineService(first, "sam", clock=lambda: NOW).add_card(CardDraft("Ann"))
    first.close()
    again = open_database(str(db_path))
    try:
        assert again.backup_path is None
        assert not list(db_path.parent.glob("*.bak"))
        names = [c.name for c in PipelineService(again, "sam").cards()]
        assert names == ["Ann"]
    finally:
        again.close()


def test_a_non_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    original = b"name,organisation\nAnn,Acme\n" * 20
    path.write_bytes(original)
    with pytest.raises(StoreError) as caught:
        open_database(str(path))
    assert str(path) in str(caught.value)
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv"]


def test_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "somewhere"
    folder.mkdir()
    with pytest.raises(StoreError) as caught:
        open_database(str(folder))
    assert "folder" in str(caught.value)
    assert list(folder.iterdir()) == []


def test_data_survives_closing_and_reopening(db_url: str, service: PipelineService) -> None:
    card_id = add(service, "Ann", Stage.CLIENT, org="Acme")
    service.database.close()
    db = open_database(db_url)
    try:
        detail = PipelineService(db, "sam").card(card_id)
        assert (detail.summary.name, detail.summary.organisation) == ("Ann", "Acme")
        assert detail.summary.stage is Stage.CLIENT
    finally:
        db.close()


# Adding and reading ---------------------------------------------------------------------


def test_add_card_puts_it_on_top_and_records_where_it_started(service: PipelineService) -> None:
    first = add(service, "Ann")
    second = add(service, "Ben")
    board = service.board()
    assert [c.name for c in board[Stage.LEAD]] == ["Ben", "Ann"]
    assert [c.id for c in board[Stage.LEAD]] == [second, first]
    detail = service.card(first)
    assert detail.history == (StageEventView(None, Stage.LEAD, NOW, "sam"),)
    assert detail.summary.owner == "sam"
    assert detail.created_at == NOW
    assert detail.version >= 1
    column_order(service)


def test_add_card_into_a_later_stage(service: PipelineService) -> None:
    change = service.add_card(
        CardDraft("Ann", organisation="Acme"),
        Stage.CLIENT,
        source=TouchpointKind.REFERRAL,
        market=Market.WARM,
    )
    assert change.kind is ChangeKind.CREATE and change.before is None
    detail = service.card(change.card_id)
    assert detail.summary.stage is Stage.CLIENT
    assert detail.history == (StageEventView(None, Stage.CLIENT, NOW, "sam"),)
    assert detail.source is TouchpointKind.REFERRAL
    assert detail.market is Market.WARM
    assert [c.name for c in service.board()[Stage.CLIENT]] == ["Ann"]


def test_add_card_refuses_an_unusable_draft_and_saves_nothing(service: PipelineService) -> None:
    with pytest.raises(CardFormError):
        service.add_card(CardDraft("   "))
    with pytest.raises(CardFormError):
        service.add_card(CardDraft("Ann", email="nope"))
    assert service.cards() == []


def test_board_groups_by_stage_in_position_order(service: PipelineService) -> None:
    lead1 = add(service, "L1")
    client1 = add(service, "C1", Stage.CLIENT)
    lead2 = add(service, "L2")
    repeat1 = add(service, "R1", Stage.REPEAT)
    client2 = add(service, "C2", Stage.CLIENT)
    board = column_order(service)
    assert board == {
        Stage.LEAD: [lead2, lead1],
        Stage.PROSPECT: [],
        Stage.CLIENT: [client2, client1],
        Stage.REPEAT: [repeat1],
    }
    assert [c.id for c in service.cards()] == [lead2, lead1, client2, client1, repeat1]
    assert [c.id for c in service.cards(Stage.CLIENT)] == [client2, client1]


def test_card_that_does_not_exist(service: PipelineService) -> None:
    with pytest.raises(NotFoundError):
        service.card(9999)
    with pytest.raises(NotFoundError):
        service.move_card(9999, Stage.CLIENT)


def test_the_board_clock_counts_every_write_and_tells_a_process_its_own(
    service: PipelineService,
) -> None:
    """Each write gets the next number; a process knows the number of its own last
    write, so it can tell its own changes from another rep's."""
    other = PipelineService(
        service.database.__class__(service.database.engine, service.database.url), "ana"
    )
    start = service.change_marker()
    add(service, "Ann")
    assert service.written_revision() == service.change_marker() == start + 1
    other.add_card(CardDraft("Ben"))
    assert other.written_revision() == service.change_marker() == start + 2
    assert service.written_revision() == start + 1  # its own last write, not Ana's
    with service.database.write(counted=False) as session:
        session.execute(text("UPDATE card SET phone = '1' WHERE name = 'Ann'"))
    assert service.change_marker() == start + 2


# Moving and reordering ------------------------------------------------------------------


def test_move_to_the_same_stage_is_a_no_op(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    a, b, c = three_leads
    version = service.card(b).version
    assert service.move_card(b, Stage.LEAD) is None
    assert ids(service, Stage.LEAD) == [c, b, a]
    assert len(service.card(b).history) == 1
    assert service.card(b).version == version


def test_move_goes_to_the_top_of_the_new_stage_and_records_an_event(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    a, b, c = three_leads
    already = add(service, "Dee", Stage.PROSPECT)
    change = service.move_card(b, Stage.PROSPECT)
    assert change is not None and change.kind is ChangeKind.MOVE
    board = column_order(service)
    assert board[Stage.LEAD] == [c, a]
    assert board[Stage.PROSPECT] == [b, already]
    assert service.card(b).history[-1] == StageEventView(Stage.LEAD, Stage.PROSPECT, NOW, "sam")
    assert len(service.card(b).history) == 2


def test_moving_backwards_is_allowed(service: PipelineService) -> None:
    card = add(service, "Ann", Stage.CLIENT)
    assert service.move_card(card, Stage.LEAD) is not None
    assert service.card(card).summary.stage is Stage.LEAD
    assert service.card(card).history[-1] == StageEventView(Stage.CLIENT, Stage.LEAD, NOW, "sam")


def test_reorder_within_a_column(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    a, b, c = three_leads
    assert service.reorder_card(c, 1) is not None
    assert ids(service, Stage.LEAD) == [b, c, a]
    assert service.reorder_card(a, -2) is not None
    assert ids(service, Stage.LEAD) == [a, b, c]
    # A big jump stops at the end of the column.
    assert service.reorder_card(a, 99) is not None
    assert ids(service, Stage.LEAD) == [b, c, a]


def test_reorder_at_the_ends_does_nothing(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    a, b, c = three_leads
    assert service.reorder_card(c, -1) is None
    assert service.reorder_card(a, 1) is None
    assert service.reorder_card(b, 0) is None
    assert ids(service, Stage.LEAD) == [c, b, a]
    alone = add(service, "Solo", Stage.REPEAT)
    assert service.reorder_card(alone, -1) is None
    assert service.reorder_card(alone, 1) is None


def test_a_move_rewrites_only_the_moved_card(service: PipelineService) -> None:
    """However long the columns, a move, add, archive or restore writes one row, and a
    one-step reorder two: the other cards keep their positions."""
    for n in range(50):
        add(service, f"Lead {n}")
        add(service, f"Prospect {n}", Stage.PROSPECT)
    card = service.board()[Stage.LEAD][25].id

    def rows_changed_by(step: Callable[[], object]) -> set[int]:
        before = card_rows(service)
        step()
        after = card_rows(service)
        return {i for i in before.keys() | after.keys() if before.get(i) != after.get(i)}

    moved = service.move_card(card, Stage.PROSPECT)
    assert moved is not None
    assert rows_changed_by(lambda: service.undo(moved)) == {card}
    assert rows_changed_by(lambda: service.move_card(card, Stage.PROSPECT)) == {card}
    assert rows_changed_by(lambda: service.move_card(card, Stage.LEAD)) == {card}
    assert rows_changed_by(lambda: service.archive_card(card, ArchiveReason.LOST)) == {card}
    assert rows_changed_by(lambda: service.restore_card(card)) == {card}
    assert len(rows_changed_by(lambda: add(service, "New lead"))) == 1
    top, second = (summary.id for summary in service.board()[Stage.LEAD][:2])
    assert rows_changed_by(lambda: service.reorder_card(second, -1)) == {top, second}
    assert len(service.board()[Stage.LEAD]) == 51
    assert len(service.board()[Stage.PROSPECT]) == 50


def test_move_and_undo_leave_both_columns_exactly_as_they_were(
    service: PipelineService,
) -> None:
    leads = [add(service, f"Lead {n}") for n in range(6)]
    for n in range(4):
        add(service, f"Prospect {n}", Stage.PROSPECT)
    # Some history first, so the columns have gaps and positions below zero.
    for card in leads[1:4]:
        service.move_card(card, Stage.CLIENT)
        service.move_card(card, Stage.LEAD)
    service.reorder_card(leads[2], 2)
    board = column_order(service)
    stored = card_rows(service)
    card = board[Stage.LEAD][3]
    change = service.move_card(card, Stage.PROSPECT)
    assert change is not None
    after_move = column_order(service)
    assert after_move[Stage.LEAD] == [c for c in board[Stage.LEAD] if c != card]
    assert after_move[Stage.PROSPECT] == [card, *board[Stage.PROSPECT]]
    service.undo(change)
    assert column_order(service) == board
    now = card_rows(service)
    assert {i: row[:2] for i, row in now.items()} == {i: row[:2] for i, row in stored.items()}


def test_reorder_in_a_column_with_gaps_and_at_its_ends(service: PipelineService) -> None:
    a, b, c, d = (add(service, name) for name in ("Ann", "Ben", "Cat", "Dee"))
    service.move_card(b, Stage.PROSPECT)
    service.move_card(b, Stage.LEAD)
    service.archive_card(a, ArchiveReason.LOST)
    assert ids(service, Stage.LEAD) == [b, d, c]
    assert min(positions(service, Stage.LEAD)) < 0  # not 0..n-1 any more
    assert service.reorder_card(b, -1) is None
    assert service.reorder_card(c, 1) is None
    assert service.reorder_card(b, 1) is not None
    assert ids(service, Stage.LEAD) == [d, b, c]
    assert service.reorder_card(c, -1) is not None
    assert ids(service, Stage.LEAD) == [d, c, b]
    assert service.reorder_card(b, -5) is not None  # stops at the top
    assert ids(service, Stage.LEAD) == [b, d, c]
    assert service.reorder_card(b, -1) is None
    assert service.reorder_card(b, 5) is not None  # stops at the bottom
    assert ids(service, Stage.LEAD) == [d, c, b]
    assert service.reorder_card(b, 1) is None


def test_add_to_an_empty_column_and_to_one_emptied_by_moves(service: PipelineService) -> None:
    first = add(service, "First", Stage.PROSPECT)
    assert ids(service, Stage.PROSPECT) == [first]
    second = add(service, "Second", Stage.PROSPECT)
    assert ids(service, Stage.PROSPECT) == [second, first]
    service.move_card(first, Stage.CLIENT)
    service.move_card(second, Stage.CLIENT)
    assert ids(service, Stage.PROSPECT) == []
    third = add(service, "Third", Stage.PROSPECT)
    assert ids(service, Stage.PROSPECT) == [third]
    assert ids(service, Stage.CLIENT) == [second, first]


def test_restore_from_the_archive_lands_on_top(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    a, b, c = three_leads
    service.archive_card(a, ArchiveReason.LOST)  # from the bottom of the column
    d = add(service, "Dee")
    e = add(service, "Eve", Stage.CLIENT)
    service.move_card(e, Stage.LEAD)
    assert ids(service, Stage.LEAD) == [e, d, c, b]
    restored = service.restore_card(a)
    assert ids(service, Stage.LEAD) == [a, e, d, c, b]
    service.undo(restored)
    assert ids(service, Stage.LEAD) == [e, d, c, b]


def test_undo_when_another_card_took_the_old_position_goes_just_above_it(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    a, b, c = three_leads
    old = service.card(c).summary.position
    change = service.move_card(c, Stage.PROSPECT)
    assert change is not None
    kim = PipelineService(service.database, "kim", clock=lambda: NOW)
    d = kim.add_card(CardDraft("Dee")).card_id  # the new top: where c was
    assert service.card(d).summary.position == old
    service.undo(change)
    assert ids(service, Stage.LEAD) == [c, d, b, a]
    assert ids(service, Stage.PROSPECT) == []


def test_undo_when_the_old_position_is_taken_with_no_room_above(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    a, b, c = three_leads
    change = service.move_card(c, Stage.PROSPECT)
    assert change is not None
    kim = PipelineService(service.database, "kim", clock=lambda: NOW)
    d = kim.add_card(CardDraft("Dee")).card_id
    e = kim.add_card(CardDraft("Eve")).card_id
    service.undo(change)
    assert ids(service, Stage.LEAD) == [e, c, d, b, a]


def test_cards_that_share_a_position_still_reorder_and_undo(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    """Two reps adding at the same moment on PostgreSQL can give two cards one position;
    they show in id order and J/K still pass one over the other."""
    a, b, c = three_leads

    def order() -> list[int]:
        return [card.id for card in service.board()[Stage.LEAD]]

    def tie(first: int, second: int) -> None:
        with service.database.write() as session:
            session.execute(
                text(
                    "UPDATE card SET position = (SELECT position FROM card WHERE id = :a)"
                    " WHERE id = :b"
                ),
                {"a": first, "b": second},
            )

    tie(c, b)
    assert order() == [b, c, a]  # same position: the lower id first
    up = service.reorder_card(c, -1)
    assert up is not None
    assert order() == [c, b, a]
    service.undo(up)
    assert order() == [b, c, a]
    tie(c, b)
    down = service.reorder_card(b, 1)
    assert down is not None
    assert order() == [c, b, a]
    service.undo(down)
    assert order() == [b, c, a]


def test_the_change_marker_moves_on_every_change_with_positions_below_zero(
    service: PipelineService,
) -> None:
    ada, ben = add(service, "Ada"), add(service, "Ben")
    changes: list[Change] = []

    def keep(change: Change | None) -> None:
        assert change is not None
        changes.append(change)

    steps: list[Callable[[], object]] = [
        lambda: keep(service.add_card(CardDraft("Cy"))),
        lambda: keep(service.move_card(ada, Stage.PROSPECT)),
        lambda: keep(service.move_card(ada, Stage.LEAD)),
        lambda: keep(service.reorder_card(ada, 1)),
        lambda: keep(service.reorder_card(ada, -1)),
        lambda: keep(service.reorder_card(ada, 2)),
        lambda: service.undo(changes.pop()),
        lambda: keep(service.update_card(ben, CardDraft("Benedict"), service.card(ben).version)),
        lambda: keep(service.archive_card(ben, ArchiveReason.LOST)),
        lambda: service.undo(changes.pop()),
        lambda: keep(service.archive_card(ben, ArchiveReason.WON)),
        lambda: keep(service.restore_card(ben)),
        lambda: service.undo(changes.pop()),
        lambda: keep(service.move_card(ada, Stage.CLIENT)),
        lambda: service.undo(changes.pop()),
        lambda: service.undo(changes.pop(0)),  # the add
    ]
    marker = service.change_marker()
    for number, step in enumerate(steps):
        step()
        assert service.change_marker() != marker, number
        marker = service.change_marker()
    assert min(card.position for card in service.cards()) < 0


# Archiving ------------------------------------------------------------------------------


def test_archive_takes_the_card_off_the_board(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    a, b, c = three_leads
    change = service.archive_card(b, ArchiveReason.WON)
    assert change.kind is ChangeKind.ARCHIVE
    assert ids(service, Stage.LEAD) == [c, a]
    assert b not in [card.id for card in service.cards()]
    detail = service.card(b)
    assert detail.archived_at == NOW
    assert detail.archive_reason is ArchiveReason.WON
    with pytest.raises(StoreError):
        service.move_card(b, Stage.CLIENT)
    with pytest.raises(StoreError):
        service.archive_card(b, ArchiveReason.LOST)


@pytest.mark.parametrize("note", ["", "   ", "\x1b[2J\x07"])
def test_archive_for_other_reason_needs_a_note(service: PipelineService, note: str) -> None:
    card = add(service, "Ann")
    with pytest.raises(StoreError) as caught:
        service.archive_card(card, ArchiveReason.OTHER, note)
    assert "other" in str(caught.value)
    assert ids(service, Stage.LEAD) == [card]
    assert service.card(card).archived_at is None


def test_archive_for_other_reason_keeps_the_cleaned_note(service: PipelineService) -> None:
    card = add(service, "Ann")
    service.archive_card(card, ArchiveReason.OTHER, "Moved \x1b[31mabroad\n[b]sadly[/b]")
    detail = service.card(card)
    assert detail.archive_reason is ArchiveReason.OTHER
    assert detail.archive_note == "Moved abroad [b]sadly[/b]"
    assert ids(service, Stage.LEAD) == []


# Undo -----------------------------------------------------------------------------------


def test_undo_create_removes_the_card(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    a, b, c = three_leads
    change = service.add_card(CardDraft("Dee"))
    undone = service.undo(change)
    assert "Dee" in undone.description
    assert (undone.card_id, undone.version) == (change.card_id, None)
    assert ids(service, Stage.LEAD) == [c, b, a]
    with pytest.raises(NotFoundError):
        service.card(change.card_id)


def test_undo_edit_brings_the_old_fields_back(service: PipelineService) -> None:
    old = CardDraft(
        name="Ann",
        organisation="Acme",
        email="ann@acme.example",
        phone="+44 1",
        tags=("warm", "vip"),
        next_action="Call",
        next_action_due=TODAY,
    )
    card = service.add_card(old).card_id
    new = CardDraft(name="Annie", organisation="Other", next_action="Email", tags=("cold",))
    change = service.update_card(card, new, service.card(card).version)
    assert change.kind is ChangeKind.EDIT
    assert service.card(card).draft == replace(new, owner="sam")
    service.undo(change)
    assert service.card(card).draft == replace(old, owner="sam")
    column_order(service)


def test_undo_move_restores_stage_and_position_and_forgets_the_move(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    """A move taken back never happened: recorded with a move back after it, an L then
    u counted as a client won (insight, the report), a conversion and a move (the
    stand-up). A redo is a move made again."""
    a, b, c = three_leads
    client = add(service, "Dee", Stage.CLIENT)
    change = service.move_card(b, Stage.CLIENT)
    assert change is not None
    undone = service.undo(change)
    board = column_order(service)
    assert board[Stage.LEAD] == [c, b, a]
    assert board[Stage.CLIENT] == [client]
    history = service.card(b).history
    assert [(e.from_stage, e.to_stage, e.by) for e in history] == [(None, Stage.LEAD, "sam")]
    insight = service.insight(TODAY)
    assert (insight.overall.won, len(insight.closed)) == (0, 0)
    standup = service.standup(TODAY, window=7)
    assert b not in [moved.card.id for moved in standup.moved]

    assert undone.inverse is not None
    service.undo(undone.inverse)  # redone
    history = service.card(b).history
    assert [(e.from_stage, e.to_stage) for e in history] == [
        (None, Stage.LEAD),
        (Stage.LEAD, Stage.CLIENT),
    ]
    assert service.insight(TODAY).overall.won == 1


def test_hooks_hear_of_a_move_taken_back_and_made_again(service: PipelineService) -> None:
    """A chat told "new client" by the move's hooks heard nothing of `u`: it went on
    believing the card a client. Undo and redo tell the hooks as a move does."""
    card = add(service, "Ann", Stage.PROSPECT)
    seen: list[PipelineEvent] = []
    service.subscribe(seen.extend)
    change = service.move_card(card, Stage.CLIENT, note="Signed\x1b[31m early\n")
    assert change is not None
    # The note as kept (one clean line), as a redo sends it again.
    assert {e.details["note"] for e in seen} == {"Signed early"}
    seen.clear()

    def heard() -> list[tuple[str, str, str, str, bool]]:
        told = [
            (e.name.value, e.details["from_stage"], e.details["to_stage"], e.details["note"])
            for e in seen
        ]
        undo = [e.details["undo"] for e in seen]
        seen.clear()
        return [(*t, u) for t, u in zip(told, undo, strict=True)]

    undone = service.undo(change)
    assert heard() == [("stage_changed", "client", "prospect", "", True)]
    assert undone.inverse is not None
    service.undo(undone.inverse)  # redone: the move, and its note, again
    assert heard() == [
        ("stage_changed", "prospect", "client", "Signed early", False),
        ("became_client", "prospect", "client", "Signed early", False),
    ]
    # A client put back into Client by undo did not become one.
    client = add(service, "Cy", Stage.CLIENT)
    slip = service.move_card(client, Stage.PROSPECT)
    assert slip is not None
    seen.clear()
    service.undo(slip)
    assert heard() == [("stage_changed", "prospect", "client", "", True)]
    edit = service.update_card(card, CardDraft("Ann Okafor"), service.card(card).summary.version)
    seen.clear()
    service.undo(edit)  # no move: nothing to tell
    assert heard() == []


def test_hooks_hear_of_an_archive_taken_back_and_of_a_restore(service: PipelineService) -> None:
    """A chat told "Ann archived: lost" heard nothing of `u`, nor of `r` in the archive,
    and went on believing the card gone. A card brought back (a restore, or an archive
    undone) is `restored`, with the reason it had; one taken off again is `archived`,
    with the deal won; `undo` says which of them takes a change back."""
    card = add(service, "Ann", Stage.CLIENT)
    service.set_value(card, Decimal("1200.50"))
    seen: list[PipelineEvent] = []
    service.subscribe(seen.extend)
    change = service.archive_card(card, ArchiveReason.WON, "Signed")

    def heard() -> list[tuple[str, dict[str, object]]]:
        told = [(e.name.value, dict(e.details)) for e in seen]
        seen.clear()
        return told

    def won(*, undo: bool) -> dict[str, object]:
        return {"reason": "won", "note": "Signed", "undo": undo, "won_value": "1200.50"}

    back = {"reason": "won", "note": "Signed"}
    assert heard() == [("archived", won(undo=False))]
    undone = service.undo(change)
    assert heard() == [("restored", {**back, "undo": True})]
    assert undone.inverse is not None
    service.undo(undone.inverse)
    assert heard() == [("archived", won(undo=False))]
    restore = service.restore_card(card)
    assert heard() == [("restored", {**back, "undo": False})]
    put_back = service.undo(restore)
    assert heard() == [("archived", won(undo=True))]
    assert put_back.inverse is not None
    service.undo(put_back.inverse)
    assert heard() == [("restored", {**back, "undo": False})]


def test_a_won_deal_restored_then_put_back_by_undo_is_still_won(service: PipelineService) -> None:
    """Undo put the archive back without what the deal was worth: the stand-up's won
    deals lost it."""
    card = add(service, "Ann", Stage.CLIENT)
    service.set_value(card, Decimal("900"))
    service.archive_card(card, ArchiveReason.WON)
    restore = service.restore_card(card)
    service.undo(restore)
    assert service.standup(TODAY).money.won == Decimal("900")


def test_undo_redo_undo_of_a_move_forgets_only_that_move(service: PipelineService) -> None:
    """Moves made before stay, whoever made them and whatever their clock said; a
    redo records its move again, with its override note."""
    card = add(service, "Ann")
    service.move_card(card, Stage.CLIENT)  # a real win
    ahead = PipelineService(service.database, "alex", clock=lambda: NOW + timedelta(hours=1))
    ahead.move_card(card, Stage.LEAD)  # a real move back, by a clock an hour ahead
    change = service.move_card(card, Stage.PROSPECT, note="Override: the boss said so")
    assert change is not None
    real = {
        (None, Stage.LEAD, ""),
        (Stage.LEAD, Stage.CLIENT, ""),
        (Stage.CLIENT, Stage.LEAD, ""),
    }
    moved = (Stage.LEAD, Stage.PROSPECT, "Override: the boss said so")

    def history() -> list[tuple[Stage | None, Stage, str]]:
        return sorted(
            ((e.from_stage, e.to_stage, e.note) for e in service.card(card).history), key=str
        )

    undone = service.undo(change)
    assert history() == sorted(real, key=str)
    assert undone.inverse is not None
    redone = service.undo(undone.inverse)
    assert history() == sorted(real | {moved}, key=str)
    assert redone.inverse is not None
    service.undo(redone.inverse)
    assert history() == sorted(real, key=str)
    assert service.insight(TODAY).overall.won == 1


def test_undo_reorder_puts_the_card_back(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    a, b, c = three_leads
    change = service.reorder_card(c, 2)
    assert change is not None
    assert ids(service, Stage.LEAD) == [b, a, c]
    service.undo(change)
    assert ids(service, Stage.LEAD) == [c, b, a]


def test_undo_archive_puts_the_card_back_where_it_was(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    a, b, c = three_leads
    change = service.archive_card(b, ArchiveReason.NOT_A_FIT)
    assert ids(service, Stage.LEAD) == [c, a]
    service.undo(change)
    assert ids(service, Stage.LEAD) == [c, b, a]
    detail = service.card(b)
    assert detail.archived_at is None
    assert detail.archive_reason is None
    assert detail.archive_note == ""


@pytest.mark.parametrize("kind", ["create", "move", "reorder", "archive", "edit"])
def test_undo_is_refused_when_the_card_changed_since(
    service: PipelineService, three_leads: tuple[int, int, int], kind: str
) -> None:
    b = three_leads[1]
    target = b
    if kind == "create":
        change = service.add_card(CardDraft("Dee"))
        target = change.card_id
    elif kind == "move":
        change = service.move_card(b, Stage.PROSPECT)  # type: ignore[assignment]
    elif kind == "reorder":
        change = service.reorder_card(b, 1)  # type: ignore[assignment]
    elif kind == "archive":
        change = service.archive_card(b, ArchiveReason.LOST)
    else:
        change = service.update_card(b, CardDraft("Benjamin"), service.card(b).version)
    assert change is not None
    later = CardDraft("Edited elsewhere", organisation="Elsewhere Ltd")
    if kind == "archive":  # an archived card is edited once restored (and archived again)
        service.restore_card(target)
    service.update_card(target, later, service.card(target).version)
    if kind == "archive":
        service.archive_card(target, ArchiveReason.LOST)
    board_before = column_order(service)
    with pytest.raises(ConflictError):
        service.undo(change)
    assert column_order(service) == board_before
    assert service.card(target).draft == replace(later, owner="sam")


def test_undo_twice_walks_back_through_changes_to_the_same_card(
    service: PipelineService,
) -> None:
    """Undo after add + move: the move goes, then (re-based on the version the first undo
    reports, as the UI's undo history does) the card itself goes."""
    created = service.add_card(CardDraft("Ann"))
    moved = service.move_card(created.card_id, Stage.PROSPECT)
    assert moved is not None
    undone = service.undo(moved)
    assert undone.version == service.card(created.card_id).version
    assert ids(service, Stage.LEAD) == [created.card_id]
    service.undo(replace(created, version_after=undone.version))
    column_order(service)
    with pytest.raises(NotFoundError):
        service.card(created.card_id)


def test_undo_twice_after_reorder_and_edit_of_the_same_card(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    a, b, c = three_leads
    reordered = service.reorder_card(c, 2)
    assert reordered is not None
    edited = service.update_card(c, CardDraft("Catherine"), service.card(c).version)
    undone = service.undo(edited)
    assert service.card(c).summary.name == "Cat"
    assert undone.version == service.card(c).version
    service.undo(replace(reordered, version_after=undone.version))
    assert ids(service, Stage.LEAD) == [c, b, a]


def test_undo_reports_a_version_that_a_later_edit_can_use(service: PipelineService) -> None:
    card = add(service, "Ann")
    moved = service.move_card(card, Stage.CLIENT)
    assert moved is not None
    undone = service.undo(moved)
    assert undone.version is not None
    service.update_card(card, CardDraft("Ann", organisation="Acme"), undone.version)
    assert service.card(card).summary.organisation == "Acme"


def test_undo_of_a_written_note_removes_it_and_redo_brings_it_back(
    service: PipelineService,
) -> None:
    card = add(service, "Ben")
    saved = service.write_note(card, NoteKind.PROBLEM, "Booth costs too high")
    assert saved.change is not None
    assert saved.change.description == "Added the problem note on Ben"
    assert [n.body for n in service.card(card).notes] == ["Booth costs too high"]
    undone = service.undo(saved.change)
    assert undone.description == "Added the problem note on Ben"
    assert service.card(card).notes == ()
    assert undone.inverse is not None
    redone = service.revert(undone.inverse)
    [back] = service.card(card).notes
    assert (back.kind, back.body) == (NoteKind.PROBLEM, "Booth costs too high")
    assert redone.inverse is not None
    service.revert(redone.inverse)  # and undone once more
    assert service.card(card).notes == ()


def test_undo_of_a_note_edit_puts_the_earlier_text_and_kind_back(
    service: PipelineService,
) -> None:
    card = add(service, "Ben")
    note = service.add_note(card, NoteKind.PROBLEM, "Booth costs too high")
    saved = service.rewrite_note(note.id, "Booth costs halved", NoteKind.GOAL, note.version)
    assert saved.change is not None
    assert saved.change.description == "Edited the goal note on Ben"
    undone = service.undo(saved.change)
    [back] = service.card(card).notes
    assert (back.id, back.kind, back.body) == (note.id, NoteKind.PROBLEM, "Booth costs too high")
    assert undone.inverse is not None
    service.revert(undone.inverse)  # redo
    [again] = service.card(card).notes
    assert (again.kind, again.body) == (NoteKind.GOAL, "Booth costs halved")


def test_a_save_from_before_a_delete_is_refused_once_undo_brings_the_note_back(
    service: PipelineService,
) -> None:
    # Bob opens the note (version 1); Ann saves it (2), deletes it and undoes that.
    # SQLite gave the note its id back at version 1, so Bob's save matched and wrote
    # over Ann's text, with no word to either.
    card = add(service, "Eve")
    note = service.add_note(card, NoteKind.INSIGHT, "Loves local suppliers")
    anns = service.update_note(note.id, "Loves local suppliers [ann]", None, note.version)
    deleted = service.delete_note(note.id, anns.version)
    service.undo(deleted)
    [back] = service.card(card).notes
    assert back.body == "Loves local suppliers [ann]" and back.version > anns.version
    with pytest.raises(ConflictError):
        service.update_note(back.id, "Loves local suppliers [bob]", None, note.version)
    with pytest.raises(ConflictError):
        service.update_note(back.id, "Loves local suppliers [bob]", None, anns.version)
    assert service.card(card).notes[0].body == "Loves local suppliers [ann]"


def test_a_save_from_before_a_delete_never_lands_on_a_new_note(
    service: PipelineService,
) -> None:
    # Bob opens Eve's newest note (version 1); Ann deletes it and writes a note on Dan.
    # SQLite gave Dan's note the deleted note's id at version 1, so Bob's save went
    # over it: Dan's note held Bob's words about Eve.
    eve, dan = add(service, "Eve"), add(service, "Dan")
    bobs = service.add_note(eve, NoteKind.PROBLEM, "Quotes take a week")
    service.delete_note(bobs.id, bobs.version)
    anns = service.add_note(dan, NoteKind.INSIGHT, "Pays in 10 days")
    assert anns.id != bobs.id
    with pytest.raises(NotFoundError):
        service.update_note(bobs.id, "Quotes take a week [bob]", None, bobs.version)
    assert [n.body for n in service.card(dan).notes] == ["Pays in 10 days"]


def test_a_note_saved_unchanged_is_no_change_to_undo(service: PipelineService) -> None:
    card = add(service, "Ben")
    note = service.add_note(card, NoteKind.PROBLEM, "Booth costs too high")
    assert (
        service.rewrite_note(note.id, "Booth costs too high\n", None, note.version).change is None
    )


@pytest.mark.parametrize("kind", ["add", "edit"])
def test_note_undo_is_refused_when_the_note_changed_elsewhere_since(
    service: PipelineService, kind: str
) -> None:
    card = add(service, "Ben")
    if kind == "add":
        saved = service.write_note(card, NoteKind.PROBLEM, "Booth costs too high")
    else:
        note = service.add_note(card, NoteKind.PROBLEM, "Booth costs too high")
        saved = service.rewrite_note(note.id, "Booth costs halved", None, note.version)
    assert saved.change is not None
    _second_rep(service).update_note(saved.note.id, "Theirs", None, saved.note.version)
    with pytest.raises(ConflictError, match="The note on Ben was changed elsewhere since"):
        service.undo(saved.change)
    assert [n.body for n in service.card(card).notes] == ["Theirs"]


def test_undoing_a_note_leaves_an_older_card_change_to_its_own_conflict_check(
    service: PipelineService,
) -> None:
    """A note's undo does not move the card's version, so it re-bases nothing: the
    card's older change is still refused when another rep edited the card since."""
    card = add(service, "Ben")
    edited = service.update_card(card, CardDraft("Benjamin"), service.card(card).version)
    _second_rep(service).update_card(card, CardDraft("Ben H"), service.card(card).version)
    saved = service.write_note(card, NoteKind.PROBLEM, "Booth costs too high")
    assert saved.change is not None
    assert service.undo(saved.change).version is None
    with pytest.raises(ConflictError):
        service.undo(edited)
    assert service.card(card).summary.name == "Ben H"


# Conflicts ------------------------------------------------------------------------------


def test_update_with_a_stale_version_is_refused_and_saves_nothing(
    service: PipelineService,
) -> None:
    card = add(service, "Ann", org="Acme")
    stale = service.card(card).version
    service.update_card(card, CardDraft("Ann", organisation="Acme Group"), stale)
    with pytest.raises(ConflictError) as caught:
        service.update_card(card, CardDraft("Overwritten"), stale)
    assert "Ann" in str(caught.value)
    detail = service.card(card)
    assert (detail.summary.name, detail.summary.organisation) == ("Ann", "Acme Group")


def test_two_database_objects_on_one_file_never_overwrite_each_other(
    db_url: str, service: PipelineService
) -> None:
    card = add(service, "Ann")
    other_db = open_database(db_url)
    try:
        other = PipelineService(other_db, "kim", clock=lambda: NOW + timedelta(minutes=5))
        read_by_sam = service.card(card).version
        read_by_kim = other.card(card).version
        other.update_card(card, CardDraft("Ann", organisation="Kim's edit"), read_by_kim)
        with pytest.raises(ConflictError):
            service.update_card(card, CardDraft("Ann", organisation="Sam's edit"), read_by_sam)
        assert service.card(card).summary.organisation == "Kim's edit"
        assert other.card(card).summary.organisation == "Kim's edit"
    finally:
        other_db.close()


def test_a_neighbours_move_does_not_make_an_open_edit_conflict(
    service: PipelineService, three_leads: tuple[int, int, int]
) -> None:
    a, _, c = three_leads
    version = service.card(a).version
    service.move_card(c, Stage.CLIENT)
    service.update_card(a, CardDraft("Ann", organisation="Acme"), version)
    assert service.card(a).summary.organisation == "Acme"


# Notes, touchpoints, and user text ------------------------------------------------------


def test_card_detail_has_history_notes_and_touchpoints(service: PipelineService) -> None:
    card = add(service, "Ann")
    service.move_card(card, Stage.PROSPECT)
    first_note = service.add_note(card, NoteKind.PROBLEM, "Loses 12% to no-shows").id
    second_note = service.add_note(card, NoteKind.GOAL, "Fill every chair").id
    older = service.add_touchpoint(card, TouchpointKind.EVENT, TODAY - timedelta(days=9), "Expo").id
    newer = service.add_touchpoint(card, TouchpointKind.CALL, TODAY, "Discovery call").id
    detail = service.card(card)
    assert [(e.from_stage, e.to_stage) for e in detail.history] == [
        (None, Stage.LEAD),
        (Stage.LEAD, Stage.PROSPECT),
    ]
    assert {n.id for n in detail.notes} == {first_note, second_note}
    assert [(n.kind, n.body) for n in detail.notes] == [
        (NoteKind.GOAL, "Fill every chair"),
        (NoteKind.PROBLEM, "Loses 12% to no-shows"),
    ]
    assert all(n.created_at == NOW for n in detail.notes)
    assert [(t.id, t.kind, t.happened_on, t.summary) for t in detail.touchpoints] == [
        (newer, TouchpointKind.CALL, TODAY, "Discovery call"),
        (older, TouchpointKind.EVENT, TODAY - timedelta(days=9), "Expo"),
    ]


def test_first_touchpoint_becomes_the_source_and_later_ones_do_not(
    service: PipelineService,
) -> None:
    card = add(service, "Ann")
    assert service.card(card).source is None
    service.add_touchpoint(card, TouchpointKind.SOCIAL, TODAY - timedelta(days=3))
    assert service.card(card).source is TouchpointKind.SOCIAL
    service.add_touchpoint(card, TouchpointKind.CALL, TODAY)
    assert service.card(card).source is TouchpointKind.SOCIAL
    referred = service.add_card(CardDraft("Ben"), source=TouchpointKind.REFERRAL).card_id
    service.add_touchpoint(referred, TouchpointKind.EMAIL, TODAY)
    assert service.card(referred).source is TouchpointKind.REFERRAL


def test_user_text_keeps_markup_literally_and_loses_control_characters(
    service: PipelineService,
) -> None:
    card = service.add_card(
        CardDraft(
            name="[bold red]Ann[/] \x1b[2J\x07",
            organisation="[@click=app.quit]Acme[/]\x1b]52;c;aGVsbG8=\x07",
            next_action="Call \u202eback",
            tags=("[vip]",),
        )
    ).card_id
    summary = service.card(card).summary
    assert summary.name == "[bold red]Ann[/]"
    assert summary.organisation == "[@click=app.quit]Acme[/]"
    assert summary.next_action == "Call back"
    assert summary.tags == ("[vip]",)
    assert [c.name for c in service.cards()] == ["[bold red]Ann[/]"]

    service.add_note(card, NoteKind.INSIGHT, "# Idea\n[link=https://x.example]y[/link]\x1b[31m\x00")
    service.add_touchpoint(card, TouchpointKind.CALL, TODAY, "Said [i]hi[/i]\nthen\x9b2J bye")
    detail = service.card(card)
    assert detail.notes[0].body == "# Idea\n[link=https://x.example]y[/link]"
    assert detail.touchpoints[0].summary == "Said [i]hi[/i] then bye"


# The demo pipeline ----------------------------------------------------------------------


def test_seed_demo_fills_a_realistic_pipeline() -> None:
    db = open_database("sqlite://")
    try:
        count = seed_demo(db, TODAY, user="sam")
        service = PipelineService(db, "sam", clock=lambda: NOW)
        board = column_order(service)
        cards = service.cards()
        assert count == len(cards) >= 30
        assert all(board[stage] for stage in STAGES)
        details = [service.card(card.id) for card in cards]
        assert all(d.touchpoints for d in details)
        assert any(d.notes for d in details)
        assert any(not d.notes for d in details)
        assert any(card.is_overdue(TODAY) for card in cards)
        assert any(card.is_due_today(TODAY) for card in cards)
        assert all(d.history and d.history[-1].to_stage is d.summary.stage for d in details)
        # The demo is an ordinary pipeline: it can be changed and undone like any other.
        first = cards[0]
        change = service.move_card(first.id, Stage.REPEAT)
        assert change is not None
        column_order(service)
        service.undo(change)
        assert column_order(service) == board
    finally:
        db.close()


# Column order under any sequence of changes ---------------------------------------------


_MACHINE_DATABASES: list[Database] = []


def _machine_database() -> Database:
    """One in-memory database for every run of the machine (emptied after each run), so
    the runs do not pay for migrations and fresh SQL compilation each time."""
    if not _MACHINE_DATABASES:
        _MACHINE_DATABASES.append(open_database("sqlite://"))
    return _MACHINE_DATABASES[0]


class BoardMachine(RuleBasedStateMachine):
    """Drives the service with random changes; the board must match a simple model."""

    def __init__(self) -> None:
        super().__init__()
        self.db = _machine_database()
        self.service = PipelineService(self.db, "sam", clock=lambda: NOW)
        self.model: dict[Stage, list[int]] = {stage: [] for stage in STAGES}
        self.names: dict[int, str] = {}
        self.archived: set[int] = set()
        self.changes: list[Change] = []
        # The whole card table (less versions and times) before each change in `changes`:
        # undoing that change must give exactly this back.
        self.before: list[list[tuple[object, ...]]] = []
        # Where the card stood on the model board before each change in `changes`.
        self.places: list[int | None] = []
        self.events: dict[int, int] = {}  # stage events each card must have
        self.notes: dict[int, list[str]] = {}
        self.touchpoints: dict[int, int] = {}
        self.added = 0

    def cards_table(self) -> list[tuple[object, ...]]:
        with self.db.read() as session:
            rows = session.execute(
                text(
                    "SELECT id, name, organisation, tags, stage, position, next_action,"
                    " next_action_due, archived_at, archive_reason, archive_note"
                    " FROM card ORDER BY id"
                )
            )
            return [tuple(row) for row in rows]

    def record(
        self, change: Change | None, before: list[tuple[object, ...]], place: int | None
    ) -> None:
        if change is not None:
            self.changes.append(change)
            self.before.append(before)
            self.places.append(place)

    def active(self) -> list[int]:
        return [card for stage in STAGES for card in self.model[stage]]

    def where(self, card: int) -> tuple[Stage, int]:
        for stage in STAGES:
            if card in self.model[stage]:
                return stage, self.model[stage].index(card)
        raise AssertionError(f"card {card} is not on the model board")

    @rule(stage=st.sampled_from(STAGES))
    def add(self, stage: Stage) -> None:
        self.added += 1
        name = f"Card {self.added}"
        before = self.cards_table()
        change = self.service.add_card(CardDraft(name), stage)
        self.model[stage].insert(0, change.card_id)
        self.names[change.card_id] = name
        self.record(change, before, None)
        self.events[change.card_id] = 1
        self.notes[change.card_id] = []
        self.touchpoints[change.card_id] = 0

    @precondition(lambda self: self.active())
    @rule(data=st.data(), stage=st.sampled_from(STAGES))
    def move(self, data: st.DataObject, stage: Stage) -> None:
        card = data.draw(st.sampled_from(self.active()))
        current, place = self.where(card)
        before = self.cards_table()
        change = self.service.move_card(card, stage)
        if current is stage:
            assert change is None
            return
        assert change is not None
        self.model[current].remove(card)
        self.model[stage].insert(0, card)
        self.record(change, before, place)
        self.events[card] += 1

    @precondition(lambda self: self.active())
    @rule(data=st.data(), offset=st.integers(min_value=-3, max_value=3))
    def reorder(self, data: st.DataObject, offset: int) -> None:
        card = data.draw(st.sampled_from(self.active()))
        stage, position = self.where(card)
        column = self.model[stage]
        target = max(0, min(len(column) - 1, position + offset))
        before = self.cards_table()
        change = self.service.reorder_card(card, offset)
        if target == position:
            assert change is None
            return
        assert change is not None
        column.remove(card)
        column.insert(target, card)
        self.record(change, before, position)

    @precondition(lambda self: self.active())
    @rule(data=st.data())
    def edit(self, data: st.DataObject) -> None:
        card = data.draw(st.sampled_from(self.active()))
        self.added += 1
        name = f"Renamed {self.added}"
        version = self.service.card(card).version
        before = self.cards_table()
        place = self.where(card)[1]
        self.record(self.service.update_card(card, CardDraft(name), version), before, place)
        self.names[card] = name

    @precondition(lambda self: self.active())
    @rule(data=st.data(), reason=st.sampled_from([ArchiveReason.WON, ArchiveReason.LOST]))
    def archive(self, data: st.DataObject, reason: ArchiveReason) -> None:
        card = data.draw(st.sampled_from(self.active()))
        stage, place = self.where(card)
        before = self.cards_table()
        self.record(self.service.archive_card(card, reason), before, place)
        self.model[stage].remove(card)
        self.archived.add(card)

    @precondition(lambda self: self.changes)
    @rule()
    def undo(self) -> None:
        # Newest first, re-basing the next older change to the same card onto the version
        # the undo reports, as the UI's undo history does. Nobody else writes here, so no
        # undo may be refused.
        change, before_change = self.changes.pop(), self.before.pop()
        place = self.places.pop()
        stage_before_undo = self.cards_table()
        card = change.card_id
        if change.before is None and (self.notes[card] or self.touchpoints[card]):
            # Removing a new card would take the notes and touchpoints added since.
            with pytest.raises(ConflictError, match="added since; it was not removed"):
                self.service.undo(change)
            assert self.cards_table() == stage_before_undo
            # The older changes' snapshots were taken without this card: start afresh.
            self.changes, self.before, self.places = [], [], []
            return
        undone = self.service.undo(change)
        assert undone.card_id == card
        # Every later change has been undone already, so this is the state before it.
        assert self.cards_table() == before_change
        if change.before is None:
            for counts in (self.events, self.notes, self.touchpoints):
                del counts[card]
        elif change.before.stage.value != _stage_of(stage_before_undo, card):
            self.events[card] -= 1  # the move taken back is forgotten
        if undone.version is not None:
            for index in range(len(self.changes) - 1, -1, -1):
                if self.changes[index].card_id == card:
                    self.changes[index] = replace(self.changes[index], version_after=undone.version)
                    break
        for column in self.model.values():
            if card in column:
                column.remove(card)
        self.archived.discard(card)
        before = change.before
        if before is None:
            del self.names[card]
        elif before.archived_at is not None:
            self.archived.add(card)
            self.names[card] = before.draft.name
        else:
            assert place is not None
            self.model[before.stage].insert(place, card)
            self.names[card] = before.draft.name

    def _active(self, cards: Mapping[int, object]) -> list[int]:
        """The cards that take notes and touchpoints: an archived one is restored first."""
        return sorted(card for card in cards if card not in self.archived)

    @precondition(lambda self: self._active(self.notes))
    @rule(data=st.data(), kind=st.sampled_from(list(NoteKind)))
    def note(self, data: st.DataObject, kind: NoteKind) -> None:
        card = data.draw(st.sampled_from(self._active(self.notes)))
        body = f"{kind.value} note {len(self.notes[card])}"
        self.service.add_note(card, kind, body)
        self.notes[card].append(body)
        assert sorted(n.body for n in self.service.card(card).notes) == sorted(self.notes[card])

    @precondition(lambda self: self._active(self.touchpoints))
    @rule(data=st.data(), kind=st.sampled_from(list(TouchpointKind)))
    def touchpoint(self, data: st.DataObject, kind: TouchpointKind) -> None:
        card = data.draw(st.sampled_from(self._active(self.touchpoints)))
        self.service.add_touchpoint(card, kind, TODAY, f"{kind.value} logged")
        self.touchpoints[card] += 1
        assert len(self.service.card(card).touchpoints) == self.touchpoints[card]

    @invariant()
    def every_move_has_a_stage_event(self) -> None:
        with self.db.read() as session:
            counts = {
                int(card): int(count)
                for card, count in session.execute(
                    text("SELECT card_id, count(*) FROM stage_event GROUP BY card_id")
                )
            }
            latest = session.execute(
                text(
                    "SELECT c.id, c.stage, e.to_stage FROM card c JOIN stage_event e"
                    " ON e.id = (SELECT max(id) FROM stage_event WHERE card_id = c.id)"
                )
            ).all()
        assert counts == self.events
        assert all(stage == to_stage for _, stage, to_stage in latest)
        assert len(latest) == len(self.events)

    @invariant()
    def board_matches_the_model(self) -> None:
        board = self.service.board()
        for stage, cards in board.items():
            positions = [card.position for card in cards]
            assert positions == sorted(set(positions)), stage  # no two cards tie
            assert [card.id for card in cards] == self.model[stage], stage
            assert [card.name for card in cards] == [self.names[c] for c in self.model[stage]]

    def teardown(self) -> None:
        with self.db.write() as session:
            for table in ("stage_event", "touchpoint", "research_note", "card"):
                session.execute(text(f"DELETE FROM {table}"))


def _stage_of(table: list[tuple[object, ...]], card: int) -> object:
    return next(row[4] for row in table if row[0] == card)


BoardMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_columns_keep_their_order_under_any_sequence_of_changes = BoardMachine.TestCase


def test_head_revision_constant_matches_the_migration_scripts() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


# Races between two reps: nothing is overwritten or deleted silently ---------------------


def _second_rep(service: PipelineService) -> PipelineService:
    """Another rep on the same database (another SSH session, another laptop)."""
    return PipelineService(service.database, "ana", clock=lambda: NOW)


def test_a_note_saved_by_someone_else_meanwhile_is_not_overwritten(
    service: PipelineService,
) -> None:
    card = service.add_card(CardDraft("Ada")).card_id
    note = service.add_note(card, NoteKind.PROBLEM, "Fuel costs up")
    theirs = _second_rep(service).update_note(note.id, "Fuel costs up 18%", None, note.version)
    with pytest.raises(ConflictError) as refused:
        service.update_note(note.id, "Fuel costs up, drivers leaving", None, note.version)
    assert refused.value.current == theirs
    assert [n.body for n in service.card(card).notes] == ["Fuel costs up 18%"]
    with pytest.raises(ConflictError):
        service.delete_note(note.id, note.version)
    assert [n.body for n in service.card(card).notes] == ["Fuel costs up 18%"]
    # Against the version now on record, the save goes through.
    saved = service.update_note(note.id, "Fuel costs up 18%, drivers leaving", None, theirs.version)
    assert saved.version == theirs.version + 1


def test_undoing_a_new_card_keeps_what_another_rep_added_to_it(
    service: PipelineService,
) -> None:
    added = service.add_card(CardDraft("Ada"))
    other = _second_rep(service)
    other.add_note(added.card_id, NoteKind.GOAL, "Open a second shop")
    other.add_touchpoint(added.card_id, TouchpointKind.CALL, TODAY, "Intro call")
    with pytest.raises(
        ConflictError, match="Ada has 1 note and 1 touchpoint added since; it was not removed"
    ):
        service.undo(added)
    detail = service.card(added.card_id)
    assert [n.body for n in detail.notes] == ["Open a second shop"]
    assert [t.summary for t in detail.touchpoints] == ["Intro call"]


def test_a_card_is_found_by_its_name_typed_without_accents(
    service: PipelineService,
) -> None:
    # `show renee` said "No card whose name contains 'renee'" for Renée Faure, where
    # `search renee` found her: the databases compare letters as they are.
    renee = service.add_card(CardDraft("Renée Faure")).card_id
    service.add_card(CardDraft("Jürgen Müller"))
    service.add_card(CardDraft("Jürgen Müller-Lang"))
    assert service.find_card("renee").id == renee
    assert service.find_card("RENEE faure").id == renee
    with pytest.raises(AmbiguousCardError):
        service.find_card("muller")  # both, and listed as the candidates
    assert service.find_card("jurgen muller").name == "Jürgen Müller"  # the whole name
    with pytest.raises(NotFoundError):
        service.find_card("zed")


def test_undoing_a_referral_removes_the_lead_its_creation_wrote(
    service: PipelineService,
) -> None:
    client = service.add_card(CardDraft("Chen"), Stage.CLIENT).card_id
    referred = service.refer(client, CardDraft("Dee"), TODAY)
    undone = service.undo(referred)
    assert undone.version is None
    assert [card.name for card in service.cards()] == ["Chen"]


def test_a_referral_undone_and_redone_comes_back_with_its_touchpoint(
    service: PipelineService,
) -> None:
    # The new lead's "Referred by" touchpoint went with it on undo, and redo brought
    # the lead back without it.
    client = service.add_card(CardDraft("Chen"), Stage.CLIENT).card_id
    referred = service.refer(client, CardDraft("Dee"), TODAY)
    redo = service.undo(referred).inverse
    assert redo is not None
    again = service.revert(redo)
    dee = service.card(again.card_id)
    assert [(t.kind, t.happened_on, t.summary) for t in dee.touchpoints] == [
        (TouchpointKind.REFERRAL, TODAY, "Referred by Chen")
    ]
    assert dee.source is TouchpointKind.REFERRAL
    # And undone again, it goes again: its touchpoint is what its making wrote.
    assert again.inverse is not None
    service.revert(again.inverse)
    assert [card.name for card in service.cards()] == ["Chen"]


def test_answers_changed_by_someone_else_meanwhile_are_not_overwritten(
    service: PipelineService,
) -> None:
    card = service.add_card(CardDraft("Ada")).card_id
    seen = service.qualification(card)
    criterion = seen.criteria[0]
    _second_rep(service).save_qualification(card, {criterion: CriterionAnswer(Answer.NO, "cash")})
    with pytest.raises(ConflictError) as refused:
        service.save_qualification(card, {criterion: CriterionAnswer(Answer.YES)}, seen)
    current = refused.value.current
    assert isinstance(current, Qualification)
    assert current.answer(criterion) == CriterionAnswer(Answer.NO, "cash")
    assert service.qualification(card).answer(criterion).answer is Answer.NO
    # A different criterion the other rep did not touch saves as usual.
    other = seen.criteria[1]
    saved = service.save_qualification(card, {other: CriterionAnswer(Answer.YES)}, seen)
    assert saved.answer(other).answer is Answer.YES


def test_a_checklist_saved_whole_keeps_an_answer_only_someone_else_gave_meanwhile(
    service: PipelineService,
) -> None:
    """The checklist screen saves every answer it shows: one the rep left alone, written
    back as the rep had seen it, went over (or deleted) another rep's answer given
    meanwhile, with no conflict said. Checklist saves cannot be undone."""
    card = service.add_card(CardDraft("Ada")).card_id
    seen = service.qualification(card)
    first, last = seen.criteria[0], seen.criteria[-1]
    kims = CriterionAnswer(Answer.YES, "budget ok")
    _second_rep(service).save_qualification(card, {last: kims})
    shown = {criterion: seen.answer(criterion) for criterion in seen.criteria}
    saved = service.save_qualification(card, {**shown, first: CriterionAnswer(Answer.NO)}, seen)
    assert saved.answer(first).answer is Answer.NO
    assert saved.answer(last) == kims
    assert service.qualification(card).answer(last) == kims


def test_archive_and_restore_against_an_old_version_are_refused(
    service: PipelineService,
) -> None:
    card = service.add_card(CardDraft("Ada")).card_id
    seen = service.card(card).version
    _second_rep(service).update_card(card, CardDraft("Ada Lovelace"), seen)
    with pytest.raises(ConflictError, match="it was not archived"):
        service.archive_card(card, ArchiveReason.LOST, expected_version=seen)
    assert service.card(card).archived_at is None
    archived = service.archive_card(card, ArchiveReason.LOST, expected_version=seen + 1)
    with pytest.raises(ConflictError, match="it was not restored"):
        service.restore_card(card, expected_version=seen)
    service.restore_card(card, expected_version=archived.version_after)
    assert service.card(card).archived_at is None


def test_an_archived_card_takes_no_note_touchpoint_value_or_rhythm(
    service: PipelineService,
) -> None:
    """A card is changed by restoring it first, whoever asks: the app's archive is read
    only, and the command line refused these four, but the store wrote them."""
    from decimal import Decimal

    ann = service.add_card(CardDraft("Ann"), Stage.LEAD).card_id
    service.archive_card(ann, ArchiveReason.LOST)
    writes: list[Callable[[], object]] = [
        lambda: service.add_note(ann, NoteKind.GOAL, "A second site"),
        lambda: service.add_touchpoint(ann, TouchpointKind.CALL, TODAY, "Called"),
        lambda: service.set_value(ann, Decimal(5000)),
        lambda: service.set_rhythm(ann, 14),
        lambda: service.active_summary(ann),  # what the app reads before `f` opens
    ]
    for write in writes:
        with pytest.raises(StoreError, match="Ann is archived; restore it first"):
            write()
    card = service.card(ann)
    assert (card.notes, card.touchpoints, card.summary.value) == ((), (), None)


def test_an_archived_card_is_not_edited_until_it_is_restored(service: PipelineService) -> None:
    card = service.add_card(CardDraft(name="Rosa Petrov"), Stage.LEAD)
    archived = service.archive_card(card.card_id, ArchiveReason.WON)
    with pytest.raises(StoreError, match=r"^Rosa Petrov is archived; restore it first\.$"):
        service.update_card(card.card_id, CardDraft(name="Rosa EDITED"), archived.version_after)
    assert service.card(card.card_id).summary.name == "Rosa Petrov"
    restored = service.restore_card(card.card_id)
    service.update_card(card.card_id, CardDraft(name="Rosa Petrova"), restored.version_after)
    assert service.card(card.card_id).summary.name == "Rosa Petrova"


def test_a_redone_move_is_recorded_at_the_time_it_was_first_made(
    service: PipelineService,
) -> None:
    """Recorded at the redo's time, a client's after-sale step (created with the first
    move, put back by the redo) looked older than the card's arrival in the stage, so
    moving the card out later left the step behind."""

    def at(hours: int) -> PipelineService:
        return PipelineService(service.database, "sam", clock=lambda: NOW + timedelta(hours=hours))

    card = add(service, "Ann", Stage.PROSPECT)
    change = service.move_card(card, Stage.CLIENT)
    assert change is not None and service.card(card).activities  # the cadence's first step
    undone = at(1).undo(change)
    assert undone.inverse is not None
    at(2).undo(undone.inverse)  # redone
    assert service.card(card).history[-1].at == NOW
    back = at(3).move_card(card, Stage.LEAD)
    assert back is not None and back.step_dropped
    assert not service.card(card).activities
