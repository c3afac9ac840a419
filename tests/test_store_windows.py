"""The board read a window at a time: ids per column, summaries for a few ids, and the
header's totals. Whatever the window, it must say exactly what the whole board says."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind, TouchpointKind
from pipeline_tui.domain.qualification import Answer, CriterionAnswer
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.domain.standup import DEFAULT_STALE_LIMITS
from pipeline_tui.store import Database, PipelineService, open_database, read_model
from pipeline_tui.store.demo import seed_demo
from pipeline_tui.store.models import CardRow
from pipeline_tui.store.read_model import BoardView
from tests.conftest import NOW, TODAY

pytestmark = pytest.mark.both_backends


@pytest.fixture
def varied(database: Database) -> PipelineService:
    """The demo pipeline (overdue, stale, referrals) plus another rep's cards, cards gone
    quiet long ago but touched since, a note, a qualification and an archived card."""
    seed_demo(database, TODAY, user="sam")
    past = PipelineService(database, "kim", clock=lambda: NOW - timedelta(days=40))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    quiet = [
        past.add_card(CardDraft(name=f"Quiet {n}"), stage).card_id for n, stage in enumerate(STAGES)
    ]
    service.add_touchpoint(quiet[0], TouchpointKind.CALL, TODAY - timedelta(days=2), "rang")
    service.add_note(quiet[1], NoteKind.GENERAL, "still keen")
    yes = CriterionAnswer(Answer.YES)
    service.save_qualification(quiet[0], dict.fromkeys(service.criteria[:2], yes))
    late = service.add_card(
        CardDraft(name="Late", next_action="call", next_action_due=TODAY - timedelta(days=3))
    ).card_id
    service.archive_card(late, ArchiveReason.LOST)
    return service


def test_ids_are_the_board_in_column_order(varied: PipelineService) -> None:
    board = varied.board()
    ids = varied.board_ids(TODAY)
    assert list(ids) == list(STAGES)
    for stage in STAGES:
        assert list(ids[stage]) == [card.id for card in board[stage]]
        assert ids[stage].itemsize == 8, "a compact array, not a list of objects"


@pytest.mark.parametrize(("mine", "stale"), [(True, False), (False, True), (True, True)])
def test_view_options_select_what_the_board_would_show(
    varied: PipelineService, mine: bool, stale: bool
) -> None:
    board = varied.board()
    limits = {**DEFAULT_STALE_LIMITS, Stage.LEAD: 5}
    ids = varied.board_ids(TODAY, mine_only=mine, stale_only=stale, stale_limits=limits)
    for stage in STAGES:
        expected = [
            card.id
            for card in board[stage]
            if (not mine or card.owner == "sam") and (not stale or card.is_stale(TODAY, limits))
        ]
        assert list(ids[stage]) == expected, stage
    if stale:
        assert any(ids.values()), "the data set has stale cards"


def test_summaries_are_the_boards_cards(varied: PipelineService) -> None:
    board = varied.board()
    everything = {card.id: card for cards in board.values() for card in cards}
    some = list(everything)[::3]
    assert varied.summaries(some) == {i: everything[i] for i in some}
    assert varied.summaries(everything) == everything
    assert varied.summaries([]) == {}
    gone = max(everything) + 100
    assert varied.summaries([some[0], gone]) == {some[0]: everything[some[0]]}
    # Scores and referral counts come through, not just names.
    assert any(card.qualified for card in everything.values())
    assert any(card.referrals for card in everything.values())


def test_summaries_leave_out_archived_cards(varied: PipelineService) -> None:
    with varied.database.read() as session:
        late = session.scalars(select(CardRow.id).where(CardRow.name == "Late")).one()
    board = varied.board()
    active = [card.id for cards in board.values() for card in cards][:9]
    assert late not in active
    assert sorted(varied.summaries([*active, late])) == sorted(active)


@pytest.mark.sqlite_only
def test_summaries_find_their_cards_by_id_not_through_the_whole_board(
    varied: PipelineService,
) -> None:
    # SQLite has no statistics on a rep's database: given the board index's
    # "archived_at IS NULL" beside six ids or more, it walks that index through every
    # active card, checking each against the ids, on every window the board reads.
    statements: list[tuple[str, Any]] = []

    def record(_conn: object, _cursor: object, sql: str, params: Any, *_: object) -> None:
        statements.append((sql, params))

    ids = [card.id for cards in varied.board().values() for card in cards][:12]
    assert len(ids) >= 6
    engine = varied.database.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert len(varied.summaries(ids)) == len(ids)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    (sql, params), *_ = [(sql, params) for sql, params in statements if "FROM card" in sql]
    with engine.connect() as connection:
        plan = [
            str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
        ]
    assert "card USING INTEGER PRIMARY KEY" in plan[0], plan


def test_summaries_of_many_ids_are_read_in_chunks(service: PipelineService, tmp_path: Path) -> None:
    # More ids than one IN (...) takes (read_model.IN_CHUNK), added in one import.
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("name\n" + "".join(f"C{n}\n" for n in range(1200)), encoding="utf-8")
    assert service.import_file(contacts, today=TODAY).added == 1200
    added = {card.name: card.id for cards in service.board().values() for card in cards}
    found = service.summaries(added.values())
    assert sorted(found) == sorted(added.values())
    assert found[added["C7"]].name == "C7"


def test_totals_agree_with_the_board(varied: PipelineService) -> None:
    board = varied.board()
    for today in (TODAY, TODAY + timedelta(days=10), TODAY + timedelta(days=100)):
        totals = varied.board_totals(today)
        everything = [card for cards in board.values() for card in cards]
        assert totals.counts == {stage: len(board[stage]) for stage in STAGES}
        assert totals.cards == len(everything)
        assert totals.overdue == sum(card.is_overdue(today) for card in everything)
        assert totals.stale == sum(card.is_stale(today, varied.stale_limits) for card in everything)
    totals = varied.board_totals(TODAY)
    assert totals.overdue and totals.stale, "the data set has overdue and stale cards"


def test_an_empty_board(service: PipelineService) -> None:
    assert all(not ids for ids in service.board_ids(TODAY).values())
    totals = service.board_totals(TODAY)
    assert (totals.cards, totals.overdue, totals.stale) == (0, 0, 0)


def test_a_filtered_view_reads_the_filters_matches_and_the_cards_they_show(
    service: PipelineService,
) -> None:
    # A reload while the rep filters: the matches are asked again in the board's own
    # read, and the cards read first are the filtered columns' first, not the column's.
    for n in range(30):
        service.add_card(CardDraft(name=f"Lead {n:02d}"), Stage.LEAD)
    kofi = [service.add_card(CardDraft(name=f"Kofi {n}"), Stage.LEAD).card_id for n in range(3)]
    for n in range(30):
        service.add_card(CardDraft(name=f"Lead {n + 30:02d}"), Stage.LEAD)
    column = service.board_view(TODAY).ids[Stage.LEAD]
    view = service.board_view(TODAY, tops={}, page=5, filter_query="kofi")
    assert view.filter_ids == set(kofi)
    assert set(view.cards) == set(kofi), "the filtered column's cards, not its column's top"
    assert list(view.ids[Stage.LEAD]) == list(column), "the columns themselves stay whole"
    assert service.board_view(TODAY, filter_query="@@").filter_ids == set()
    assert service.board_view(TODAY).filter_ids is None


def _view_with_a_write_meanwhile(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> tuple[PipelineService, BoardView]:
    """The board read with Ada on it, while another rep adds a lead between the read's
    ids and its totals."""
    service = PipelineService(database, "sam", clock=lambda: NOW)
    service.add_card(CardDraft(name="Ada"), Stage.LEAD)
    other = PipelineService(
        open_database(database.url.render_as_string(hide_password=False)), "ana"
    )
    board_totals = read_model.board_totals

    def with_a_write_meanwhile(*args: Any, **kwargs: Any) -> Any:
        other.add_card(CardDraft(name="Meanwhile"), Stage.LEAD)
        return board_totals(*args, **kwargs)

    monkeypatch.setattr(read_model, "board_totals", with_a_write_meanwhile)
    view = service.board_view(TODAY)
    other.close()
    return service, view


def test_a_view_is_read_from_one_snapshot_whatever_is_written_meanwhile(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The header's counts and the columns' ids come from the same moment: never a
    # "Lead · 2" over a column of one card. And the write is newer than the view, so
    # the next poll reads the board again.
    service, view = _view_with_a_write_meanwhile(database, monkeypatch)
    assert len(view.ids[Stage.LEAD]) == view.totals.counts[Stage.LEAD] == 1
    assert view.revision != service.change_marker(), "the next poll must read the board again"
