"""A card's value and expected close in the store: kept, summed per stage, undone, and
recorded as won when the card is archived as won."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from pipeline_tui.domain.cards import CardDraft, CardFormError
from pipeline_tui.domain.events import EventName, PipelineEvent
from pipeline_tui.domain.kinds import ArchiveReason
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from tests.conftest import TODAY

pytestmark = pytest.mark.both_backends


def add(service: PipelineService, name: str, value: str | None, stage: Stage = Stage.LEAD) -> int:
    draft = CardDraft(name=name, value=Decimal(value) if value is not None else None)
    return service.add_card(draft, stage).card_id


def test_a_value_and_close_date_are_kept_and_shown(service: PipelineService) -> None:
    close = TODAY + timedelta(days=30)
    draft = CardDraft(name="Ada", value=Decimal("12500.50"), expected_close=close)
    card_id = service.add_card(draft, Stage.PROSPECT).card_id
    detail = service.card(card_id)
    assert detail.summary.value == Decimal("12500.50")
    assert detail.summary.expected_close == close
    assert detail.draft.value == Decimal("12500.50")
    (shown,) = service.board()[Stage.PROSPECT]
    assert (shown.value, shown.expected_close) == (Decimal("12500.50"), close)


def test_a_card_without_a_value_has_none(service: PipelineService) -> None:
    card_id = add(service, "Ada", None)
    assert service.card(card_id).summary.value is None


def test_a_negative_value_is_refused_in_one_sentence(service: PipelineService) -> None:
    with pytest.raises(CardFormError, match="value"):
        add(service, "Ada", "-1")
    assert service.board()[Stage.LEAD] == []


def test_the_board_totals_sum_each_stage_exactly(service: PipelineService) -> None:
    add(service, "Ada", "0.10")
    add(service, "Ben", "0.20")
    add(service, "Cy", None)
    add(service, "Dee", "5000", Stage.CLIENT)
    archived = add(service, "Eve", "99", Stage.CLIENT)
    service.archive_card(archived, ArchiveReason.LOST)
    totals = service.board_totals(TODAY)
    assert totals.values == {Stage.LEAD: Decimal("0.30"), Stage.CLIENT: Decimal("5000")}
    assert totals.counts[Stage.LEAD] == 3


def test_set_value_changes_only_the_value_and_undo_puts_it_back(
    service: PipelineService,
) -> None:
    card_id = add(service, "Ada", "100")
    change = service.set_value(card_id, Decimal("250"))
    assert service.card(card_id).summary.value == Decimal("250")
    assert service.card(card_id).summary.name == "Ada"
    service.undo(change)
    assert service.card(card_id).summary.value == Decimal("100")
    service.set_value(card_id, None)
    assert service.card(card_id).summary.value is None


def test_archiving_as_won_records_the_won_value(service: PipelineService) -> None:
    won = add(service, "Ada", "12000", Stage.CLIENT)
    lost = add(service, "Ben", "500", Stage.PROSPECT)
    service.archive_card(won, ArchiveReason.WON)
    service.archive_card(lost, ArchiveReason.LOST)
    assert service.card(won).won_value == Decimal("12000")
    assert service.card(lost).won_value is None
    service.restore_card(won)
    detail = service.card(won)
    assert detail.won_value is None
    assert detail.summary.value == Decimal("12000")


def test_the_archived_event_carries_the_won_value_for_hooks(service: PipelineService) -> None:
    seen: list[PipelineEvent] = []
    service.subscribe(seen.extend)
    won = add(service, "Ada", "12000.50", Stage.CLIENT)
    lost = add(service, "Ben", "500", Stage.PROSPECT)
    service.archive_card(won, ArchiveReason.WON)
    service.archive_card(lost, ArchiveReason.LOST)
    archived = {e.card_name: e.details for e in seen if e.name is EventName.ARCHIVED}
    assert archived["Ada"]["won_value"] == "12000.50"
    assert "won_value" not in archived["Ben"]
