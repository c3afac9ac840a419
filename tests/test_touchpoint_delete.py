"""A touchpoint deleted from a card's timeline (`3`, then `d`), on SQLite and
PostgreSQL: the source it set and the market that came with it, undo and redo among
the rep's other changes, and a card screen that still shows one another session
deleted. (The cadence's day: test_cadence_store.py; the keys: test_card.py.)"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason, Market, TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, StoreError
from tests.conftest import TODAY
from tests.test_cadence_store import Undoing

pytestmark = pytest.mark.both_backends


def day(offset: int) -> date:
    return TODAY - timedelta(days=offset)


def lead(service: PipelineService, name: str = "Ada") -> int:
    return service.add_card(CardDraft(name), Stage.LEAD).card_id


def the(service: PipelineService, card: int, kind: TouchpointKind) -> int:
    (found,) = [t.id for t in service.card(card).touchpoints if t.kind is kind]
    return found


def test_the_source_goes_to_the_earliest_left_however_often_it_is_deleted(
    service: PipelineService,
) -> None:
    """Review: the source stayed on a kind the card no longer had (the stand-up's
    sources and insight's win rates by source counted it)."""
    ada = lead(service)
    service.add_touchpoint(ada, TouchpointKind.EMAIL, day(3), "Sent the deck")
    service.add_touchpoint(ada, TouchpointKind.CALL, day(1), "Called")
    deleted = service.delete_touchpoint(ada, the(service, ada, TouchpointKind.EMAIL))
    assert service.card(ada).source is TouchpointKind.CALL
    service.revert(deleted)
    assert service.card(ada).source is TouchpointKind.EMAIL
    service.delete_touchpoint(ada, the(service, ada, TouchpointKind.EMAIL))
    assert service.card(ada).source is TouchpointKind.CALL

    ben = lead(service, "Ben")
    service.add_touchpoint(ben, TouchpointKind.CALL, day(1), "First logged")
    service.add_touchpoint(ben, TouchpointKind.MEETING, day(3), "Met")
    service.add_touchpoint(ben, TouchpointKind.EMAIL, day(5), "Earliest")
    service.delete_touchpoint(ben, the(service, ben, TouchpointKind.CALL))
    assert service.card(ben).source is TouchpointKind.EMAIL
    service.delete_touchpoint(ben, the(service, ben, TouchpointKind.EMAIL))
    assert service.card(ben).source is TouchpointKind.MEETING


def test_a_referral_deleted_takes_its_warm_market_with_it(service: PipelineService) -> None:
    ada = lead(service)
    service.add_touchpoint(ada, TouchpointKind.REFERRAL, day(3), "Referred by Bo")
    service.add_touchpoint(ada, TouchpointKind.CALL, day(1), "Called")
    assert service.card(ada).market is Market.WARM
    deleted = service.delete_touchpoint(ada, the(service, ada, TouchpointKind.REFERRAL))
    assert (service.card(ada).source, service.card(ada).market) == (
        TouchpointKind.CALL,
        Market.COLD,
    )
    service.revert(deleted)
    assert (service.card(ada).source, service.card(ada).market) == (
        TouchpointKind.REFERRAL,
        Market.WARM,
    )


@pytest.mark.parametrize("logged_by", ["t", "x"])
def test_undone_the_delete_gives_the_touchpoint_back_to_the_change_that_logged_it(
    service: PipelineService, logged_by: str
) -> None:
    """t (or x), another touchpoint, d on the first, then u u: the touchpoint came back
    under a new id, and the second u said it no longer existed (or, for x, opened the
    step again and left its touchpoint counting as the last contact)."""
    rep = Undoing(service)
    ada = service.add_card(
        CardDraft("Ada", next_action="Call about the fair", next_action_due=TODAY), Stage.LEAD
    ).card_id
    if logged_by == "t":
        rep.record(service.log_touchpoint(ada, TouchpointKind.CALL, TODAY, "Wrong card"))
    else:
        version = service.card(ada).version
        rep.record(service.complete_next_action(ada, TouchpointKind.CALL, TODAY, "", version))
    service.add_touchpoint(ada, TouchpointKind.EMAIL, TODAY, "Sent the deck")
    rep.record(service.delete_touchpoint(ada, the(service, ada, TouchpointKind.CALL)))
    rep.undo()
    assert len(service.card(ada).touchpoints) == 2
    rep.undo()
    assert [t.kind for t in service.card(ada).touchpoints] == [TouchpointKind.EMAIL]
    if logged_by == "x":
        assert [a.text for a in service.activities(ada)] == ["Call about the fair"]


def test_a_touchpoint_deleted_elsewhere_is_never_another_that_took_its_id(
    service: PipelineService,
) -> None:
    """Sam's card screen shows Ada's newest touchpoint; Kim deletes it and logs one on
    Ben, which SQLite gave the same id: Sam's d deleted Ben's meeting."""
    kim = PipelineService(service.database, "kim")
    ada, ben = lead(service), lead(service, "Ben")
    service.add_touchpoint(ada, TouchpointKind.EMAIL, TODAY, "Older")
    service.add_touchpoint(ada, TouchpointKind.CALL, TODAY, "Wrong call")
    shown = the(service, ada, TouchpointKind.CALL)
    kim.delete_touchpoint(ada, shown)
    kim.add_touchpoint(ben, TouchpointKind.MEETING, TODAY, "Ben's meeting")
    with pytest.raises(StoreError, match="no longer exists"):
        service.delete_touchpoint(ada, shown)
    assert [t.summary for t in service.card(ben).touchpoints] == ["Ben's meeting"]
    assert [t.id for t in service.card(ben).touchpoints] != [shown]
    with pytest.raises(StoreError, match="no longer exists"):
        service.delete_touchpoint(ada, the(service, ben, TouchpointKind.MEETING))


def test_an_archived_cards_touchpoints_stay(service: PipelineService) -> None:
    ada = lead(service)
    service.add_touchpoint(ada, TouchpointKind.CALL, TODAY, "Called")
    service.archive_card(ada, ArchiveReason.LOST)
    with pytest.raises(StoreError, match="archived"):
        service.delete_touchpoint(ada, the(service, ada, TouchpointKind.CALL))


@pytest.mark.parametrize("whose", ["the referrer's", "the lead's"])
def test_a_delete_redone_after_its_card_or_referral_was_made_again_finds_it(
    service: PipelineService, whose: str
) -> None:
    """Review: refer, d a referral touchpoint, u u, U U: a lead (or a referral) made
    again logged its touchpoints under new ids, and the second U said the touchpoint
    no longer existed while it was on the card."""
    rep = Undoing(service)
    ria = service.add_card(CardDraft("Ria"), Stage.CLIENT).card_id
    rep.record(service.refer(ria, CardDraft("Lee"), TODAY))
    lee = rep.history.undo[-1].card_id
    card = ria if whose == "the referrer's" else lee
    rep.record(service.delete_touchpoint(card, the(service, card, TouchpointKind.REFERRAL)))
    rep.undo()
    rep.undo()
    rep.redo()
    assert [t.kind for t in service.card(card).touchpoints] == [TouchpointKind.REFERRAL]
    rep.redo()
    assert service.card(card).touchpoints == ()


def test_the_last_touchpoint_deleted_leaves_a_source_the_card_came_with(
    service: PipelineService,
) -> None:
    """An imported card's source, which no touchpoint set: an email logged on it by
    mistake and deleted took the source with it."""
    ada = service.add_card(CardDraft("Ada"), Stage.LEAD, source=TouchpointKind.EMAIL).card_id
    service.add_touchpoint(ada, TouchpointKind.EMAIL, TODAY, "Wrong card")
    deleted = service.delete_touchpoint(ada, the(service, ada, TouchpointKind.EMAIL))
    assert service.card(ada).source is TouchpointKind.EMAIL
    service.revert(deleted)
    assert service.card(ada).source is TouchpointKind.EMAIL
