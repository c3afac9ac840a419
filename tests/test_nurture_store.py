"""Not yet, in the store: parking a card, the board without it, its return, undo, the
stand-up's "back from nurturing" (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason
from pipeline_tui.domain.qualification import DEFAULT_CRITERIA
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import ConflictError, PipelineService, StoreError
from pipeline_tui.store.peek import peek_board
from tests.conftest import TODAY

pytestmark = pytest.mark.both_backends

LATER = TODAY + timedelta(days=10)


def add(service: PipelineService, name: str, value: str | None = None) -> tuple[int, int]:
    draft = CardDraft(name=name, value=Decimal(value) if value else None)
    change = service.add_card(draft, Stage.LEAD)
    return change.card_id, change.version_after


def lead_ids(service: PipelineService, day: object = TODAY, **view: bool) -> list[int]:
    return list(service.board_view(day, **view).ids[Stage.LEAD])  # type: ignore[arg-type]


def test_a_parked_lead_leaves_the_column_and_every_count(service: PipelineService) -> None:
    kept, _ = add(service, "Ada", "100")
    parked, version = add(service, "Grace", "250")
    service.set_next_action(parked, "Call", TODAY - timedelta(days=3), version)
    version = service.summary(parked).version  # type: ignore[union-attr]
    before = service.board_totals(TODAY)
    assert before.counts[Stage.LEAD] == 2 and before.overdue == 1

    change = service.park(parked, LATER, version, today=TODAY)

    assert change.description == f"Parked Grace until {LATER.isoformat()}"
    assert lead_ids(service) == [kept]
    totals = service.board_totals(TODAY)
    assert totals.counts[Stage.LEAD] == 1
    assert totals.overdue == 0
    assert totals.values[Stage.LEAD] == Decimal("100")
    assert totals.nurturing == 1
    assert lead_ids(service, nurturing=True) == [parked]
    assert service.summary(parked).nurture_until == LATER  # type: ignore[union-attr]


def test_it_is_back_on_the_board_on_its_day_with_nothing_run(service: PipelineService) -> None:
    card, version = add(service, "Grace")
    service.park(card, LATER, version, today=TODAY)
    assert lead_ids(service, LATER - timedelta(days=1)) == []
    assert lead_ids(service, LATER) == [card]
    assert service.board_totals(LATER).nurturing == 0
    assert lead_ids(service, LATER, nurturing=True) == []


def test_parking_needs_a_later_date_and_the_version_seen(service: PipelineService) -> None:
    card, version = add(service, "Grace")
    with pytest.raises(StoreError, match=r"^Mon 23 Nov 2026 is not after today; park a lead"):
        service.park(card, TODAY, version, today=TODAY)
    with pytest.raises(ConflictError, match="it was not parked"):
        service.park(card, LATER, version + 1, today=TODAY)
    assert lead_ids(service) == [card]


def test_unpark_brings_it_back_now_and_undo_parks_it_again(service: PipelineService) -> None:
    card, version = add(service, "Grace")
    parked = service.park(card, LATER, version, today=TODAY)
    back = service.unpark(card, parked.version_after)
    assert back.description == "Brought Grace back"
    assert lead_ids(service) == [card]
    with pytest.raises(StoreError, match=r"^Grace is not parked"):
        service.unpark(card, back.version_after)

    service.undo(back)
    assert lead_ids(service) == []
    assert service.summary(card).nurture_until == LATER  # type: ignore[union-attr]


def test_a_parked_lead_moved_on_is_back_on_the_board_in_its_new_column(
    service: PipelineService,
) -> None:
    # `move` from the shell (or the card screen) took a parked lead to Prospect and
    # left it parked: in no column, no count and no view, as only a lead is parked.
    card, version = add(service, "Grace")
    service.park(card, LATER, version, today=TODAY)
    moved = service.move_card(card, Stage.PROSPECT)
    assert moved is not None
    assert list(service.board_view(TODAY).ids[Stage.PROSPECT]) == [card]
    assert service.summary(card).nurture_until is None  # type: ignore[union-attr]
    assert service.board_totals(TODAY).counts[Stage.PROSPECT] == 1
    service.undo(moved)
    assert lead_ids(service) == []
    assert service.summary(card).nurture_until == LATER  # type: ignore[union-attr]


def test_undoing_a_park_puts_the_card_back_on_the_board(service: PipelineService) -> None:
    card, version = add(service, "Grace")
    change = service.park(card, LATER, version, today=TODAY)
    undone = service.undo(change)
    assert lead_ids(service) == [card]
    assert service.summary(card).nurture_until is None  # type: ignore[union-attr]
    service.undo(undone.inverse)  # type: ignore[arg-type]  # redo
    assert lead_ids(service) == []


@pytest.mark.sqlite_only("the start-up peek reads SQLite files only")
def test_the_start_up_peek_leaves_parked_cards_out(service: PipelineService, db_url: str) -> None:
    kept, _ = add(service, "Ada")
    parked, version = add(service, "Grace")
    service.park(parked, LATER, version, today=TODAY)
    peek = peek_board(Path(db_url), DEFAULT_CRITERIA, 10, today=TODAY)
    assert peek is not None
    assert [card.id for card in peek.columns[Stage.LEAD]] == [kept]
    assert peek.counts[Stage.LEAD] == 1
    back = peek_board(Path(db_url), DEFAULT_CRITERIA, 10, today=LATER)
    assert back is not None and back.counts[Stage.LEAD] == 2


def test_the_stand_up_lists_it_back_from_nurturing(service: PipelineService) -> None:
    card, version = add(service, "Grace")
    service.set_next_action(card, "Call", TODAY - timedelta(days=30), version)
    version = service.summary(card).version  # type: ignore[union-attr]
    service.park(card, LATER, version, today=TODAY)

    away = service.standup(TODAY)
    assert away.back_from_nurturing == ()
    assert away.overdue == ()  # parked: not nagged about while away
    assert away.total_cards == 0

    back = service.standup(LATER)
    assert [c.name for c in back.back_from_nurturing] == ["Grace"]
    assert [c.name for c in back.overdue] == ["Grace"]
    next_day = service.standup(LATER + timedelta(days=1), since=LATER)
    assert next_day.back_from_nurturing == ()


def test_the_stand_up_report_says_who_is_back(service: PipelineService) -> None:
    from pipeline_tui.standup_report import as_json, as_markdown, as_text

    card, version = add(service, "Grace")
    service.park(card, LATER, version, today=TODAY)
    assert "BACK FROM NURTURING" not in as_text(service.standup(TODAY))
    back = service.standup(LATER)
    text = as_text(back)
    assert "BACK FROM NURTURING (1)" in text
    assert "Grace: back on the board as Lead" in text
    # After the other sections: a stand-up reads as before, this comes last of the cards.
    assert text.index("STALE") < text.index("BACK FROM NURTURING")
    assert "## Back from nurturing (1)" in as_markdown(back)
    data = json.loads(as_json(back))
    assert [c["name"] for c in data["back_from_nurturing"]] == ["Grace"]
    assert json.loads(as_json(service.standup(TODAY)))["back_from_nurturing"] == []


def test_a_parked_lead_is_not_in_the_call_queue_until_it_is_back(
    service: PipelineService,
) -> None:
    card, version = add(service, "Grace")
    change = service.set_next_action(card, "Call", TODAY, version)
    service.park(card, LATER, change.version_after, today=TODAY)
    assert service.call_queue(TODAY, mine_only=False) == ()
    assert [e.card.id for e in service.call_queue(LATER, mine_only=False)] == [card]


def test_the_week_leaves_a_parked_lead_out_until_its_day(service: PipelineService) -> None:
    ada, _ = add(service, "Ada")
    grace, version = add(service, "Grace")
    for card in (ada, grace):
        current = service.summary(card).version  # type: ignore[union-attr]
        service.set_next_action(card, "Call", TODAY + timedelta(days=2), current)
    version = service.summary(grace).version  # type: ignore[union-attr]
    service.park(grace, LATER, version, today=TODAY)
    week = TODAY + timedelta(days=7)

    def names(day: object) -> list[str]:
        return [a.card_name for a in service.agenda(until=week, today=day)]  # type: ignore[arg-type]

    assert names(TODAY) == ["Ada"]
    assert names(LATER) == ["Ada", "Grace"]  # back on its day
    assert [a.card_name for a in service.agenda(until=week)] == ["Ada", "Grace"]  # the calendar


def test_a_step_due_on_or_after_the_day_a_parked_lead_comes_back_is_in_the_week(
    service: PipelineService,
) -> None:
    """Parked until Thursday with a call on Friday: the call is real work this week,
    and the week, the stand-up and `agenda` left it out until Thursday came. A step
    due before the lead comes back stays out, as the lead does."""
    thursday, friday = TODAY + timedelta(days=3), TODAY + timedelta(days=4)
    ann, version = add(service, "Ann")
    bo, _ = add(service, "Bo")
    change = service.set_next_action(ann, "Budget call", friday, version)
    service.park(ann, thursday, change.version_after, today=TODAY)
    bo_version = service.summary(bo).version  # type: ignore[union-attr]
    change = service.set_next_action(bo, "Call", TODAY + timedelta(days=2), bo_version)
    service.park(bo, thursday, change.version_after, today=TODAY)
    week = TODAY + timedelta(days=7)
    for every_activity in (False, True):
        listed = service.agenda(until=week, today=TODAY, every_activity=every_activity)
        assert [(a.card_name, a.due) for a in listed] == [("Ann", friday)]


def test_a_lead_archived_while_parked_and_restored_says_it_is_still_parked(
    service: PipelineService,
) -> None:
    """ "Restored Ada to Lead", and Ada was on no column: she is still parked, and the
    restore says until when (the archive list's toast, the shell, undo's history)."""
    ada, version = add(service, "Ada")
    change = service.park(ada, LATER, version, today=TODAY)
    service.archive_card(ada, ArchiveReason.NOT_A_FIT)
    restored = service.restore_card(ada)
    assert restored.description == (
        f"Restored Ada to Lead, parked until {LATER.isoformat()} (N lists it)"
    )
    assert service.card(ada).summary.nurture_until == LATER
    assert change.version_after < restored.version_after
