"""A touchpoint deleted from a card's timeline (`3`, then `d`), on SQLite and
PostgreSQL: the source it set and the market that came with it, undo and redo among
the rep's other changes, and a card screen that still shows one another session
deleted. (The cadence's day: test_cadence_store.py; the keys: test_card.py.)"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason, Market, TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, StoreError
from tests.conftest import NOW, TODAY
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


def test_two_sessions_deleting_then_undoing_leave_the_earliest_as_the_source(
    service: PipelineService,
) -> None:
    """Walked in two terminals: Sam deletes the first touchpoint (the source goes to the
    call), Kim the call (to the email), Sam undoes his, Kim hers: everything was back,
    yet the source stayed on the call, the kind undone last."""
    kim = PipelineService(service.database, "kim")
    ada = lead(service)
    service.add_touchpoint(ada, TouchpointKind.CONVERSATION, day(30), "Met at the fair")
    service.add_touchpoint(ada, TouchpointKind.CALL, day(1), "Called")
    service.add_touchpoint(ada, TouchpointKind.EMAIL, TODAY, "Sent the recap")
    sams = service.delete_touchpoint(ada, the(service, ada, TouchpointKind.CONVERSATION))
    kims = kim.delete_touchpoint(ada, the(service, ada, TouchpointKind.CALL))
    assert service.card(ada).source is TouchpointKind.EMAIL
    service.revert(sams)
    assert service.card(ada).source is TouchpointKind.CONVERSATION
    kim.revert(kims)
    assert len(service.card(ada).touchpoints) == 3
    assert service.card(ada).source is TouchpointKind.CONVERSATION


def test_a_touchpoint_brought_back_keeps_when_it_was_logged(service: PipelineService) -> None:
    """Brought back by undo, a touchpoint took the time of the undo as its logging time,
    which exports show: it is the same touchpoint, logged when it was."""
    later = PipelineService(service.database, "sam", clock=lambda: NOW + timedelta(hours=3))
    ada = lead(service)
    service.add_touchpoint(ada, TouchpointKind.CALL, TODAY, "Called")
    deleted = later.delete_touchpoint(ada, the(service, ada, TouchpointKind.CALL))
    later.revert(deleted)
    with service.database.engine.connect() as connection:
        logged = connection.execute(text("SELECT created_at FROM touchpoint")).scalar_one()
    assert str(logged).startswith(NOW.strftime("%Y-%m-%d %H:%M"))


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
