"""Stored text reads back as the domain's own values, on SQLite and PostgreSQL; a value
written by a newer release reads as the fallback its column names, or is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.store import Database, PipelineService
from pipeline_tui.store.types import EnumText
from tests.conftest import TODAY

pytestmark = pytest.mark.both_backends


def test_every_stage_reads_back_as_itself_in_column_order(service: PipelineService) -> None:
    for stage in STAGES:
        service.add_card(CardDraft(f"{stage.label} one"), stage)
        service.add_card(CardDraft(f"{stage.label} two"), stage)  # new cards go on top

    columns = service.board_ids(TODAY)

    for stage in STAGES:
        names = [service.summary(card_id).name for card_id in columns[stage]]  # type: ignore[union-attr]
        assert names == [f"{stage.label} two", f"{stage.label} one"]


def test_an_archive_reason_from_a_newer_release_reads_as_other(
    service: PipelineService, database: Database
) -> None:
    card = service.add_card(CardDraft("Ada"), Stage.LEAD)
    service.archive_card(card.card_id, ArchiveReason.LOST, "")
    with database.write() as session:  # as a newer release would have written it
        session.execute(text("UPDATE card SET archive_reason = 'merged-away'"))

    assert [(c.name, c.reason) for c in service.archived()] == [("Ada", ArchiveReason.OTHER)]


def test_a_stage_this_release_does_not_know_is_refused_not_guessed() -> None:
    column = EnumText(Stage, 20)
    assert column.process_result_value("client", None) is Stage.CLIENT  # type: ignore[arg-type]
    assert column.process_result_value(None, None) is None  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'partner' is not a valid Stage"):
        column.process_result_value("partner", None)  # type: ignore[arg-type]
