"""A fixed pipeline for the call queue, the brief and insight tests.

Today is Monday 2026-11-23 (tests.conftest.TODAY). Sam's calls: Ann Okafor (3 days
late), Dev Patel (1 day late), then due today Ben Hollis (a prospect, referred by the
client Cara Diaz) and Eve Lindqvist; Finn Berg is due on Thursday (the rest of the
week) and Gus Hale in three weeks. Hana Mori's call today is ana's.

Closed deals for insight, all in the 90 days before today: Ida (event, won after 30
days), Jon (referral by Cara, won after 14 days), Kim (content, lost as a prospect),
Lou (event, not a fit as a lead), Max (content, archived as a duplicate: no outcome),
and Cara herself (referral, won after 20 days, still a client).
"""

from __future__ import annotations

from datetime import date, timedelta

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind, TouchpointKind
from pipeline_tui.domain.qualification import DEFAULT_CRITERIA, Answer, CriterionAnswer
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import Database, PipelineService
from tests.conftest import TODAY
from tests.standup_data import Clock

K = TouchpointKind
YES, NO = CriterionAnswer(Answer.YES), CriterionAnswer(Answer.NO)


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def seed_calls(database: Database) -> dict[str, int]:
    """Fill `database`; returns card ids by first name."""
    clock = Clock()
    # No after-sale cadences: the queue below was written out with only the next
    # actions set here (tests/test_cadence_store.py covers what a cadence schedules).
    sam = PipelineService(database, "sam", clock, cadences={})
    ana = PipelineService(database, "ana", clock, cadences={})
    ids: dict[str, int] = {}

    def add(
        service: PipelineService,
        when: str,
        name: str,
        org: str = "",
        *,
        source: TouchpointKind | None = None,
        action: str = "",
        due: int | None = None,
        stage: Stage = Stage.LEAD,
        phone: str = "",
        email: str = "",
    ) -> int:
        clock.at(when)
        draft = CardDraft(
            name=name,
            organisation=org,
            phone=phone,
            email=email,
            next_action=action,
            next_action_due=day(due) if due is not None else None,
        )
        card_id = service.add_card(draft, stage).card_id
        if source is not None:
            service.add_touchpoint(card_id, source, clock.now.date(), "First contact")
        ids[name.split()[0]] = card_id
        return card_id

    def move(card_id: int, when: str, *stages: Stage) -> None:
        clock.at(when)
        for stage in stages:
            sam.move_card(card_id, stage)

    # Closed deals and the referrer, oldest first ----------------------------------------
    cara = add(sam, "2026-09-01T10:00", "Cara Diaz", "Diaz Bakery", source=K.REFERRAL)
    move(cara, "2026-09-11T10:00", Stage.PROSPECT)
    move(cara, "2026-09-21T10:00", Stage.CLIENT)
    ida = add(sam, "2026-09-05T10:00", "Ida Berg", "Berg Joinery", source=K.EVENT)
    move(ida, "2026-09-20T10:00", Stage.PROSPECT)
    move(ida, "2026-10-05T10:00", Stage.CLIENT)
    clock.at("2026-10-20T10:00")
    sam.archive_card(ida, ArchiveReason.WON, "delivered")
    clock.at("2026-10-01T10:00")
    jon = sam.refer(cara, CardDraft(name="Jon Reyes", organisation="Reyes Dental"), day(-53))
    ids["Jon"] = jon.card_id
    move(jon.card_id, "2026-10-08T10:00", Stage.PROSPECT)
    move(jon.card_id, "2026-10-15T10:00", Stage.CLIENT)
    kim = add(sam, "2026-10-10T10:00", "Kim Lee", "Lee Legal", source=K.CONTENT)
    clock.at("2026-10-12T10:00")
    sam.save_qualification(kim, {DEFAULT_CRITERIA[0]: NO, DEFAULT_CRITERIA[1]: YES})
    move(kim, "2026-10-20T10:00", Stage.PROSPECT)
    clock.at("2026-11-02T10:00")
    sam.archive_card(kim, ArchiveReason.LOST, "went with a cheaper quote")
    lou = add(sam, "2026-10-25T10:00", "Lou Park", "Park Motors", source=K.EVENT)
    clock.at("2026-10-26T10:00")
    sam.save_qualification(lou, {DEFAULT_CRITERIA[3]: NO, DEFAULT_CRITERIA[0]: NO})
    clock.at("2026-11-09T10:00")
    sam.archive_card(lou, ArchiveReason.NOT_A_FIT)
    max_ = add(sam, "2026-11-01T10:00", "Max Ito", source=K.CONTENT)
    clock.at("2026-11-03T10:00")
    sam.archive_card(max_, ArchiveReason.DUPLICATE)

    # The calls --------------------------------------------------------------------------
    ann = add(
        sam,
        "2026-11-02T09:00",
        "Ann Okafor",
        "Brightwater Dental",
        source=K.CONTENT,
        action="Send the checklist",
        due=-3,
        phone="+44 20 7946 0101",
        email="ann@brightwater.example",
    )
    clock.at("2026-11-03T09:00")
    sam.add_note(ann, NoteKind.GOAL, "Fill every chair on Mondays (first thoughts).")
    clock.at("2026-11-10T09:00")
    sam.add_note(ann, NoteKind.PROBLEM, "Loses 12% of appointments to no-shows.")
    sam.add_note(ann, NoteKind.GOAL, "Fill every chair on Mondays.")
    sam.add_note(ann, NoteKind.INSIGHT, "A reminder text two days ahead.\n\nHalves no-shows.")
    sam.add_note(ann, NoteKind.GENERAL, "Prefers calls after 4pm.")
    sam.save_qualification(ann, {DEFAULT_CRITERIA[0]: YES, DEFAULT_CRITERIA[1]: NO})
    sam.add_touchpoint(ann, K.SOCIAL, day(-13), "Liked the launch post")
    sam.add_touchpoint(ann, K.EMAIL, day(-5), "Sent the no-show guide")
    sam.add_touchpoint(ann, K.CALL, day(-3), "Left a message")

    ben_id = sam.refer(
        cara,
        CardDraft(
            name="Ben Hollis",
            organisation="Hollis & Sons",
            phone="+44 20 7946 0102",
            next_action="Walk through the proposal",
            next_action_due=TODAY,
        ),
        day(-16),
    ).card_id
    ids["Ben"] = ben_id
    move(ben_id, "2026-11-12T10:00", Stage.PROSPECT)
    clock.at("2026-11-12T11:00")
    sam.add_note(ben_id, NoteKind.URGENCY, "Trade show season starts in March.")
    sam.add_note(ben_id, NoteKind.GAP, "Quotes take five days; rivals quote in two.")

    add(
        sam,
        "2026-11-16T09:00",
        "Dev Patel",
        "Patel Logistics",
        source=K.SIGNUP,
        action="Email the route guide",
        due=-1,
        email="dev@patel.example",
    )
    add(sam, "2026-11-18T09:00", "Eve Lindqvist", source=K.SOCIAL, action="First call", due=0)
    add(
        sam,
        "2026-11-19T09:00",
        "Finn Berg",
        "Berg Cycles",
        source=K.EVENT,
        action="Book the demo",
        due=3,
    )
    add(sam, "2026-11-19T10:00", "Gus Hale", action="Quarterly check-in", due=21)
    add(
        ana,
        "2026-11-20T09:00",
        "Hana Mori",
        "Mori Studio",
        source=K.CALL,
        action="Call back",
        due=0,
    )
    return ids
