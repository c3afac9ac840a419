"""A fixed team pipeline for stand-up tests: two reps, known moves, known idle cards.

Today is Monday 2026-11-23 (tests.conftest.TODAY), so "since the last working day"
means since Friday 2026-11-20, and the 7-day window is 2026-11-17 to 2026-11-23.
The expected figures are written out in tests/test_standup.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind, TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import Database, PipelineService
from tests.conftest import NOW

K = TouchpointKind


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def at(self, text: str) -> None:
        self.now = datetime.fromisoformat(text).replace(tzinfo=UTC)


def seed_team(database: Database) -> dict[str, int]:
    """Fill `database` with the team pipeline; returns card ids by first name."""
    clock = Clock()
    # No after-sale cadences: the figures below were written out with only the next
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
        next_action: str = "",
        due: date | None = None,
    ) -> int:
        clock.at(when)
        draft = CardDraft(name=name, organisation=org, next_action=next_action, next_action_due=due)
        card_id = service.add_card(draft, Stage.LEAD).card_id
        if source is not None:
            service.add_touchpoint(card_id, source, clock.now.date(), "First contact")
        ids[name.split()[0]] = card_id
        return card_id

    def move(service: PipelineService, card_id: int, when: str, stage: Stage) -> None:
        clock.at(when)
        service.move_card(card_id, stage)

    ann = add(
        sam,
        "2026-11-02T10:00",
        "Ann Okafor",
        "Brightwater Dental",
        source=K.CONTENT,
        next_action="Send the checklist",
        due=date(2026, 11, 16),
    )
    move(sam, ann, "2026-11-20T15:00", Stage.PROSPECT)

    add(
        ana,
        "2026-11-21T11:00",
        "Ben Hollis",
        "Hollis & Sons",
        source=K.EVENT,
        next_action="Call about the trade show",
        due=date(2026, 11, 23),
    )
    add(sam, "2026-10-01T09:00", "Cleo Marsh", "Marsh Bakery", source=K.SOCIAL)

    dev = add(
        ana,
        "2026-09-01T09:00",
        "Dev Patel",
        "Patel Logistics",
        source=K.REFERRAL,
        next_action="Kick-off call",
        due=date(2026, 11, 19),
    )
    move(ana, dev, "2026-11-18T10:00", Stage.PROSPECT)
    move(ana, dev, "2026-11-19T10:00", Stage.CLIENT)

    eve = add(sam, "2026-06-01T09:00", "Eve Stone", "Stone & Co")
    move(sam, eve, "2026-06-10T09:00", Stage.PROSPECT)
    move(sam, eve, "2026-06-20T09:00", Stage.CLIENT)
    move(sam, eve, "2026-07-01T09:00", Stage.REPEAT)

    finn = add(
        ana,
        "2026-11-10T09:00",
        "Finn Grey",
        "Grey Joinery",
        source=K.CALL,
        next_action="Send pricing",
        due=date(2026, 11, 24),
    )
    move(ana, finn, "2026-11-11T09:00", Stage.PROSPECT)
    clock.at("2026-11-14T16:00")
    ana.add_note(finn, NoteKind.GOAL, "Wants to double output by spring.")

    gus = add(sam, "2026-11-17T09:00", "Gus Lane", "Lane Farms", source=K.SAMPLE)
    move(sam, gus, "2026-11-18T09:00", Stage.PROSPECT)
    clock.at("2026-11-19T09:00")
    sam.archive_card(gus, ArchiveReason.LOST)

    add(
        sam,
        "2026-11-23T08:00",
        "Hana Mori",
        "Mori Studio",
        source=K.REFERRAL,
        next_action="Book a first call",
        due=date(2026, 11, 25),
    )
    add(sam, "2026-11-20T17:00", "Ivo [b]Bold[/b]", source=K.SIGNUP)
    return ids
