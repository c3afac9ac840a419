"""The store side of the pipeline rules: answers, overrides, referrals, restore, board fields."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from pipeline_tui.domain.cards import CardDraft, ChangeKind
from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.qualification import Answer, CriterionAnswer
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import Database, PipelineService, StoreError
from pipeline_tui.store.models import QualificationAnswerRow
from tests.conftest import NOW, TODAY

AFFORD = "can afford it"


def add(service: PipelineService, name: str, stage: Stage = Stage.LEAD) -> int:
    return service.add_card(CardDraft(name), stage).card_id


def test_answers_are_saved_by_criterion_and_scored_on_the_board(service: PipelineService) -> None:
    ann = add(service, "Ann")
    saved = service.save_qualification(
        ann,
        {
            AFFORD: CriterionAnswer(Answer.YES, "budget signed off"),
            "genuinely needs what we offer": CriterionAnswer(Answer.NO),
        },
    )
    assert saved.score == "1/4"
    assert service.qualification(ann).answer(AFFORD) == CriterionAnswer(
        Answer.YES, "budget signed off"
    )
    card = service.board()[Stage.LEAD][0]
    assert (card.qualified, card.criteria, card.score) == (1, 4, "1/4")
    assert service.summary(ann) == card
    detail = service.card(ann)
    assert detail.qualification is not None and detail.qualification.score == "1/4"
    # Back to unknown with no comment removes the answer.
    service.save_qualification(ann, {AFFORD: CriterionAnswer(Answer.UNKNOWN)})
    assert service.qualification(ann).met == 0


def test_configured_criteria_change_the_score_and_keep_old_answers(database: Database) -> None:
    first = PipelineService(database, "sam", clock=lambda: NOW)
    ann = add(first, "Ann")
    first.save_qualification(ann, {AFFORD: CriterionAnswer(Answer.YES)})
    other = PipelineService(database, "sam", clock=lambda: NOW, criteria=["budget", AFFORD])
    assert other.board()[Stage.LEAD][0].score == "1/2"
    only_budget = PipelineService(database, "sam", clock=lambda: NOW, criteria=["budget"])
    assert only_budget.board()[Stage.LEAD][0].score == "0/1"
    with database.read() as session:
        assert len(session.scalars(select(QualificationAnswerRow)).all()) == 1


def test_a_move_records_the_override_note_in_the_stage_history(service: PipelineService) -> None:
    ann = add(service, "Ann")
    service.move_card(ann, Stage.PROSPECT, "qualification overridden at 1/4 (x: no)")
    assert service.card(ann).history[-1].note == "qualification overridden at 1/4 (x: no)"
    service.move_card(ann, Stage.CLIENT)
    assert service.card(ann).history[-1].note == ""


def test_refer_adds_a_lead_with_a_referral_touchpoint_on_both(service: PipelineService) -> None:
    client = add(service, "Cy", Stage.CLIENT)
    change = service.refer(client, CardDraft("Rae", organisation="Rae Ltd"), TODAY)
    assert change.kind is ChangeKind.CREATE
    rae = service.card(change.card_id)
    assert rae.summary.stage is Stage.LEAD
    assert rae.referred_by is not None and rae.referred_by.name == "Cy"
    assert rae.source is TouchpointKind.REFERRAL and rae.market is Market.WARM
    assert [t.kind for t in rae.touchpoints] == [TouchpointKind.REFERRAL]
    cy = service.card(client)
    assert [link.name for link in cy.referrals] == ["Rae"]
    assert [t.kind for t in cy.touchpoints] == [TouchpointKind.REFERRAL]
    assert cy.source is None  # giving a referral is not where Cy came from
    assert service.board()[Stage.CLIENT][0].referrals == 1
    # An archived referral leaves the count, but stays listed on the card.
    service.archive_card(rae.summary.id, ArchiveReason.NOT_A_FIT)
    assert service.board()[Stage.CLIENT][0].referrals == 0
    assert service.card(client).referrals[0].archived


def test_only_clients_and_repeat_clients_refer(service: PipelineService) -> None:
    lead = add(service, "Lee")
    with pytest.raises(StoreError, match="referrals come from clients"):
        service.refer(lead, CardDraft("Rae"), TODAY)


def test_restore_puts_a_card_back_on_top_of_its_stage_and_undo_reverts(
    service: PipelineService,
) -> None:
    a, b = add(service, "Ann", Stage.PROSPECT), add(service, "Bo", Stage.PROSPECT)
    service.archive_card(a, ArchiveReason.LOST, "went elsewhere")
    archived = service.archived()
    assert [(c.name, c.reason, c.note, c.stage) for c in archived] == [
        ("Ann", ArchiveReason.LOST, "went elsewhere", Stage.PROSPECT)
    ]
    assert [c.name for c in service.board()[Stage.PROSPECT]] == ["Bo"]
    assert service.search("Ann") == []
    change = service.restore_card(a)
    assert change.kind is ChangeKind.RESTORE
    assert [c.name for c in service.board()[Stage.PROSPECT]] == ["Ann", "Bo"]
    assert service.archived() == []
    service.undo(change)
    assert [c.name for c in service.board()[Stage.PROSPECT]] == ["Bo"]
    assert service.archived()[0].reason is ArchiveReason.LOST
    with pytest.raises(StoreError, match="not archived"):
        service.restore_card(b)


def test_board_last_activity_is_the_latest_touchpoint_note_or_move(database: Database) -> None:
    old = PipelineService(database, "sam", clock=lambda: NOW - timedelta(days=40))
    ann = add(old, "Ann")
    service = PipelineService(database, "sam", clock=lambda: NOW)
    assert service.board()[Stage.LEAD][0].last_activity == TODAY - timedelta(days=40)
    assert service.board()[Stage.LEAD][0].is_stale(TODAY)
    service.add_touchpoint(ann, TouchpointKind.CALL, TODAY - timedelta(days=3))
    assert service.board()[Stage.LEAD][0].last_activity == TODAY - timedelta(days=3)
    service.add_note(ann, NoteKind.GOAL, "Grow")
    assert service.board()[Stage.LEAD][0].last_activity == TODAY


def test_owner_can_be_reassigned_and_new_cards_default_to_the_user(
    service: PipelineService,
) -> None:
    ann = add(service, "Ann")
    assert service.card(ann).summary.owner == "sam"
    detail = service.card(ann)
    change = service.update_card(ann, CardDraft("Ann", owner="kim"), detail.version)
    assert service.card(ann).summary.owner == "kim"
    service.undo(change)
    assert service.card(ann).summary.owner == "sam"
    kim = service.add_card(CardDraft("Bo", owner="kim")).card_id
    assert service.card(kim).summary.owner == "kim"
