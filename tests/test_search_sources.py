"""Search finds a card by what the rep remembers of it: an email address, part of a phone
number, the next action, a touchpoint's summary; the index follows every write."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind, TouchpointKind
from pipeline_tui.domain.search import Found
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, open_database, search
from pipeline_tui.store.migrate import MIGRATIONS, schema_change
from tests.conftest import NOW, TODAY

pytestmark = pytest.mark.both_backends


def add(service: PipelineService, name: str, **fields: object) -> int:
    return service.add_card(CardDraft(name=name, **fields), Stage.LEAD).card_id  # type: ignore[arg-type]


def found(service: PipelineService, query: str) -> list[tuple[int, Found]]:
    return [(hit.card_id, hit.found) for hit in service.search(query)]


def test_emails_and_phones_find_their_card(service: PipelineService) -> None:
    ada = add(service, "Ada", email="ada@brightbakery.co.uk", phone="+44 20 7946 0958")
    ben = add(service, "Ben", email="ben@hollis.example", phone="(555) 010-4477")
    assert found(service, "brightbakery") == [(ada, Found.CARD)]
    assert found(service, "ada@brightbakery") == [(ada, Found.CARD)]
    assert service.matching_card_ids("brightbak") == {ada}
    # Part of the number as written, or its digits typed without spaces.
    assert service.matching_card_ids("7946") == {ada}
    assert service.matching_card_ids("0958") == {ada}
    assert service.matching_card_ids("+442079") == {ada}
    assert found(service, "5550104477") == [(ben, Found.CARD)]


def test_next_actions_and_touchpoints_find_their_card(service: PipelineService) -> None:
    ada = add(service, "Ada", next_action="Send the pilot proposal")
    ben = add(service, "Ben")
    service.add_touchpoint(ben, TouchpointKind.EVENT, TODAY, "Met at the trade fair booth")
    assert found(service, "proposal") == [(ada, Found.NEXT_ACTION)]
    assert found(service, "booth") == [(ben, Found.TOUCHPOINT)]
    [hit] = service.search("fair booth")
    assert hit.snippet == "Met at the trade fair booth"
    assert hit.note_id is None
    assert service.matching_card_ids("propos") == {ada}
    assert service.matching_card_ids("booth") == {ben}
    # Every word in the same text, as for notes; a one-letter word only in names.
    assert service.matching_card_ids("pilot proposal") == {ada}
    assert service.matching_card_ids("pilot booth") == set()
    assert service.matching_card_ids("booth b") == {ben}


def test_a_name_ranks_above_the_same_word_in_prose(service: PipelineService) -> None:
    named = add(service, "Lars Nyström")
    other = add(service, "Ben", next_action="Call Lars back")
    service.add_note(other, NoteKind.GENERAL, "Lars said the budget is set")
    service.add_touchpoint(other, TouchpointKind.CALL, TODAY, "Lars picked up")
    hits = found(service, "lars")
    assert hits[0] == (named, Found.CARD)
    assert set(hits[1:]) == {
        (other, Found.NEXT_ACTION),
        (other, Found.NOTE),
        (other, Found.TOUCHPOINT),
    }


def test_the_index_follows_every_write(service: PipelineService) -> None:
    ada = add(service, "Ada", email="ada@lisbon.example", next_action="Quote for Lisbon")
    version = service.card(ada).version
    service.update_card(
        ada, CardDraft("Ada", email="ada@porto.example", phone="0301 5550"), version
    )
    assert service.matching_card_ids("lisbon") == set()
    assert service.matching_card_ids("porto") == {ada}
    assert service.matching_card_ids("5550") == {ada}
    service.set_next_action(ada, "Visit the Madrid office", None, service.card(ada).version)
    assert service.matching_card_ids("madrid") == {ada}
    assert service.matching_card_ids("quote") == set()
    service.add_touchpoint(ada, TouchpointKind.CALL, TODAY, "Talked about Seville")
    assert service.matching_card_ids("seville") == {ada}
    service.archive_card(ada, ArchiveReason.LOST, "", None)
    for word in ("porto", "madrid", "seville", "5550"):
        assert service.matching_card_ids(word) == set()
        assert service.search(word) == []


def test_the_filter_finds_the_newest_matches_of_each_kind_of_text(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "FILTER_NOTE_CARDS", 1)
    first, second = add(service, "First"), add(service, "Second")
    for card in (first, second):
        service.add_touchpoint(card, TouchpointKind.CALL, TODAY, "pricing came up")
    third = add(service, "Third", next_action="pricing call")
    fourth = add(service, "Fourth", next_action="pricing call")
    assert service.matching_card_ids("pricing") == {second, fourth}
    assert {third, first}.isdisjoint(service.matching_card_ids("pricing"))


@pytest.mark.sqlite_only(reason="downgrades an SQLite file through Alembic")
def test_the_migration_indexes_what_was_there(db_path: Path) -> None:
    database = open_database(str(db_path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    ada = add(service, "Ada", email="ada@brightbakery.example", next_action="Send the proposal")
    service.add_touchpoint(ada, TouchpointKind.EVENT, TODAY, "Met at the booth")
    service.add_note(ada, NoteKind.GOAL, "A second shop")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with schema_change(database.engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
        tables = set(connection.execute(text("SELECT name FROM sqlite_master")).scalars())
        assert "action_fts" not in tables and "touchpoint_fts" not in tables
    database.close()

    reopened = open_database(str(db_path))
    service = PipelineService(reopened, "sam", clock=lambda: NOW)
    for word in ("brightbakery", "proposal", "booth", "second", "ada"):
        assert service.matching_card_ids(word) == {ada}, word
    reopened.close()
