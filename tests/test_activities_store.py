"""Scheduled activities in the store: several steps a card, the earliest open one its
next action, kept right in the same transaction as every change (store/schedule.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.drafts import StepKept
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.schedule import ActivityKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import ConflictError, PipelineService, StoreError
from pipeline_tui.store.models import ActivityRow
from tests.conftest import TODAY

pytestmark = pytest.mark.both_backends

TUESDAY = TODAY + timedelta(days=1)
FRIDAY = TODAY + timedelta(days=4)


def next_action(service: PipelineService, card_id: int) -> tuple[str, date | None]:
    summary = service.card(card_id).summary
    return summary.next_action, summary.next_action_due


def steps(service: PipelineService, card_id: int) -> list[tuple[str, date | None]]:
    return [(a.text, a.due) for a in service.activities(card_id)]


@pytest.fixture
def ann(service: PipelineService) -> int:
    draft = CardDraft("Ann", "Acme", next_action="Send the proposal", next_action_due=FRIDAY)
    return service.add_card(draft, Stage.PROSPECT).card_id


@contextmanager
def one_write(service: PipelineService) -> Iterator[None]:
    """What runs in the block is one transaction: the board clock counts each committed
    write once."""
    before = service.change_marker()
    yield
    assert service.change_marker() == before + 1


def test_a_new_cards_next_action_is_its_one_open_activity(
    service: PipelineService, ann: int
) -> None:
    [step] = service.activities(ann)
    assert (step.kind, step.text, step.due, step.due_time) == (
        ActivityKind.EMAIL,  # "Send ..."
        "Send the proposal",
        FRIDAY,
        None,
    )
    assert next_action(service, ann) == ("Send the proposal", FRIDAY)


def test_the_earliest_open_activity_is_the_next_action_under_add_edit_complete_delete(
    service: PipelineService, ann: int
) -> None:
    with one_write(service):
        service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY, time(10))
    assert next_action(service, ann) == ("Call the CFO", TUESDAY)
    assert steps(service, ann) == [("Call the CFO", TUESDAY), ("Send the proposal", FRIDAY)]

    # Same day: the one with a time comes first, then the untimed; undated ones last.
    service.add_activity(ann, None, "Research their fleet", None)
    service.add_activity(ann, ActivityKind.TASK, "Book a room", TUESDAY)
    service.add_activity(ann, ActivityKind.MEETING, "Breakfast", TUESDAY, time(8))
    assert [text for text, _ in steps(service, ann)] == [
        "Breakfast",
        "Call the CFO",
        "Book a room",
        "Send the proposal",
        "Research their fleet",
    ]
    breakfast, call, room, _, research = service.activities(ann)
    assert research.kind is ActivityKind.RESEARCH  # from its first word

    with one_write(service):
        service.delete_activity(breakfast.id)
    assert next_action(service, ann) == ("Call the CFO", TUESDAY)

    with one_write(service):
        service.edit_activity(call.id, None, "Call the CFO back", FRIDAY + timedelta(days=3))
    assert next_action(service, ann) == ("Book a room", TUESDAY)

    with one_write(service):
        service.complete_activity(room.id, TouchpointKind.CONVERSATION, TODAY)
    assert next_action(service, ann) == ("Send the proposal", FRIDAY)
    card = service.card(ann)
    assert [(t.kind, t.summary) for t in card.touchpoints] == [
        (TouchpointKind.CONVERSATION, "Done: Book a room")
    ]
    assert [a.text for a in card.activities] == [
        "Send the proposal",
        "Call the CFO back",
        "Research their fleet",
    ]

    for step in service.activities(ann):
        service.complete_activity(step.id, TouchpointKind.EMAIL, TODAY, "Sent")
    assert next_action(service, ann) == ("", None)
    assert service.card(ann).activities == ()


def test_marking_the_next_action_done_brings_up_the_next_open_activity(
    service: PipelineService, ann: int
) -> None:
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", FRIDAY + timedelta(days=1))
    version = service.card(ann).version
    with one_write(service):
        service.complete_next_action(ann, TouchpointKind.EMAIL, TODAY, "", version)
    assert next_action(service, ann) == ("Call the CFO", FRIDAY + timedelta(days=1))
    assert [t.summary for t in service.card(ann).touchpoints] == ["Done: Send the proposal"]


def test_setting_the_next_action_edits_the_earliest_and_leaves_the_others(
    service: PipelineService, ann: int
) -> None:
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", FRIDAY + timedelta(days=2))
    card = service.card(ann)
    # The board's f: the earliest takes the new words and day.
    change = service.set_next_action(ann, "Send the revised proposal", TUESDAY, card.version)
    assert steps(service, ann) == [
        ("Send the revised proposal", TUESDAY),
        ("Call the CFO", FRIDAY + timedelta(days=2)),
    ]
    # Snoozed past the other: the other comes up as the next action.
    service.set_next_action(
        ann, "Send the revised proposal", FRIDAY + timedelta(days=5), change.version_after
    )
    assert next_action(service, ann) == ("Call the CFO", FRIDAY + timedelta(days=2))
    # Cleared: the earliest is dropped, the other one stays.
    service.set_next_action(ann, "", None, service.card(ann).version)
    assert steps(service, ann) == [("Send the revised proposal", FRIDAY + timedelta(days=5))]


def test_a_card_with_no_activities_gets_one_from_f(service: PipelineService) -> None:
    ben = service.add_card(CardDraft("Ben")).card_id
    assert service.activities(ben) == ()
    service.set_next_action(ben, "Call Ben", TUESDAY, service.card(ben).version)
    [step] = service.activities(ben)
    assert (step.kind, step.text, step.due) == (ActivityKind.CALL, "Call Ben", TUESDAY)


def test_undo_puts_the_activities_back_as_they_were(service: PipelineService, ann: int) -> None:
    added = service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    undone = service.revert(added)
    assert steps(service, ann) == [("Send the proposal", FRIDAY)]
    assert next_action(service, ann) == ("Send the proposal", FRIDAY)
    assert undone.inverse is not None
    service.revert(undone.inverse)  # redo
    assert next_action(service, ann) == ("Call the CFO", TUESDAY)

    call = service.activities(ann)[0]
    dropped = service.delete_activity(call.id)
    service.revert(dropped)
    assert steps(service, ann) == [("Call the CFO", TUESDAY), ("Send the proposal", FRIDAY)]

    # Snoozing the earliest past the other, then undoing it: both back where they were.
    snoozed = service.set_next_action(
        ann, "Call the CFO", FRIDAY + timedelta(days=1), service.card(ann).version
    )
    assert next_action(service, ann) == ("Send the proposal", FRIDAY)
    service.revert(snoozed)
    assert steps(service, ann) == [("Call the CFO", TUESDAY), ("Send the proposal", FRIDAY)]


def test_undo_is_refused_when_someone_changed_the_activities_since(
    service: PipelineService, ann: int
) -> None:
    added = service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    service.add_activity(ann, ActivityKind.TASK, "Print the contract", FRIDAY)
    with pytest.raises(ConflictError):
        service.revert(added)
    assert len(service.activities(ann)) == 3


def test_a_change_against_an_older_card_is_refused(service: PipelineService, ann: int) -> None:
    seen = service.card(ann).version
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    [_, proposal] = service.activities(ann)
    with pytest.raises(ConflictError):
        service.complete_activity(proposal.id, TouchpointKind.EMAIL, TODAY, "", seen)
    with pytest.raises(ConflictError):
        service.add_activity(ann, None, "Another", TODAY, expected_version=seen)
    assert len(service.activities(ann)) == 2


def test_an_activity_needs_words_or_a_day_and_is_done_once(
    service: PipelineService, ann: int
) -> None:
    with pytest.raises(StoreError, match="needs some words or a due date"):
        service.add_activity(ann, None, "  ", None)
    [step] = service.activities(ann)
    service.complete_activity(step.id, TouchpointKind.EMAIL, TODAY)
    with pytest.raises(StoreError, match="done already"):
        service.complete_activity(step.id, TouchpointKind.EMAIL, TODAY)


def test_editing_the_profile_moves_the_next_action_through_its_activity(
    service: PipelineService, ann: int
) -> None:
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", FRIDAY + timedelta(days=1))
    card = service.card(ann)
    draft = CardDraft("Ann", "Acme", next_action="Send the final proposal", next_action_due=FRIDAY)
    change = service.update_card(ann, draft, card.version)
    assert steps(service, ann) == [
        ("Send the final proposal", FRIDAY),
        ("Call the CFO", FRIDAY + timedelta(days=1)),
    ]
    service.revert(change)
    assert steps(service, ann) == [
        ("Send the proposal", FRIDAY),
        ("Call the CFO", FRIDAY + timedelta(days=1)),
    ]


def test_the_export_holds_every_activity(service: PipelineService, ann: int) -> None:
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY, time(14, 30))
    service.add_activity(ann, ActivityKind.TASK, "Print it", TODAY)
    step = next(a for a in service.activities(ann) if a.text == "Print it")
    service.complete_activity(step.id, TouchpointKind.CONVERSATION, TODAY)
    document = service.export_document()
    [card] = [c for c in document["cards"] if c["name"] == "Ann"]
    found = [(a["kind"], a["text"], a["due_time"], bool(a["done_at"])) for a in card["activities"]]
    assert found == [
        ("email", "Send the proposal", None, False),
        ("call", "Call the CFO", "14:30", False),
        ("task", "Print it", None, True),
    ]


def test_undoing_a_cards_creation_takes_its_activity_and_redo_brings_it_back(
    service: PipelineService, ann: int
) -> None:
    change = service.add_card(CardDraft("Bo", next_action="Call Bo", next_action_due=TUESDAY))
    undone = service.revert(change)
    assert undone.inverse is not None
    with service.database.read() as session:
        assert session.scalar(select(func.count()).select_from(ActivityRow)) == 1  # Ann's
    redone = service.revert(undone.inverse)
    assert steps(service, redone.card_id) == [("Call Bo", TUESDAY)]


def test_a_next_action_written_without_its_activity_can_still_be_marked_done(
    service: PipelineService, ann: int
) -> None:
    with service.database.write() as session:
        session.execute(delete(ActivityRow))
    assert service.activities(ann) == ()
    version = service.card(ann).version
    service.complete_next_action(ann, TouchpointKind.EMAIL, TODAY, "", version)
    assert next_action(service, ann) == ("", None)
    assert [t.summary for t in service.card(ann).touchpoints] == ["Done: Send the proposal"]


def test_an_imported_next_action_is_an_activity_also_when_merged_into_a_card(
    service: PipelineService, tmp_path: Path
) -> None:
    first = tmp_path / "contacts.csv"
    first.write_text(
        "Name,Email,Next step,Due\nCy,cy@example.com,Call Cy,2026-11-24\nDi,di@example.com,,\n"
    )
    service.import_file(first, today=TODAY)
    cards = {c.name: c.id for c in service.board()[Stage.LEAD]}
    [step] = service.activities(cards["Cy"])
    assert (step.kind, step.text, step.due) == (ActivityKind.CALL, "Call Cy", TUESDAY)
    assert service.activities(cards["Di"]) == ()
    # Di had no next action: the merged one fills it, as her one activity.
    later = tmp_path / "later.csv"
    later.write_text("Name,Email,Next step,Due\nDi,di@example.com,Email Di the deck,2026-11-27\n")
    service.import_file(later, today=TODAY)
    assert steps(service, cards["Di"]) == [("Email Di the deck", FRIDAY)]
    assert next_action(service, cards["Di"]) == ("Email Di the deck", FRIDAY)


def test_the_stand_up_and_the_week_list_every_open_activity_due_soon(
    service: PipelineService, ann: int
) -> None:
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY, time(9))
    service.add_activity(ann, ActivityKind.TASK, "Print the contract", TUESDAY)
    service.add_activity(ann, ActivityKind.TASK, "Plan next year", TODAY + timedelta(days=30))
    coming = service.standup(TODAY).coming_up
    assert [(c.next_action, c.next_action_due) for c in coming] == [
        ("Call the CFO", TUESDAY),
        ("Print the contract", TUESDAY),
        ("Send the proposal", FRIDAY),
    ]
    week = service.agenda(until=TODAY + timedelta(days=7), today=TODAY, every_activity=True)
    assert [(a.action, a.due_time) for a in week] == [
        ("Call the CFO", time(9)),
        ("Print the contract", None),
        ("Send the proposal", None),
    ]
    # The shell's agenda and the calendar file: one line a card, its next action.
    assert [a.action for a in service.agenda(until=TODAY + timedelta(days=7))] == ["Call the CFO"]


def test_a_kept_change_goes_to_its_step_and_keeps_its_time_while_its_day_stays(
    service: PipelineService, ann: int
) -> None:
    """A change typed for one step and taken back in a dialog for another
    (drafts.STEP): that step takes the words, the earliest is left as it was. Its time
    stays while its day does, unless the change cleared it or gave another."""
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY, time(9, 30))
    service.add_activity(ann, ActivityKind.MEETING, "Demo", FRIDAY, time(14, 0))
    service.add_activity(ann, ActivityKind.MEETING, "Lunch", FRIDAY, time(12, 0))
    planned = {a.text: a for a in service.activities(ann)}

    def change(step: str, words: str, due: date, at: time | None, *, keep_time: bool) -> None:
        was = planned[step]
        kept = StepKept(was.id, was.text, was.due, keep_time)
        service.change_kept_step(ann, kept, None, words, due, at, service.card(ann).version)

    with one_write(service):
        change("Demo", "Demo with the COO", FRIDAY, None, keep_time=True)
    change("Send the proposal", "Send the deck", TUESDAY, None, keep_time=True)
    change("Lunch", "Lunch with the team", FRIDAY, None, keep_time=False)  # the time cleared
    change("Call the CFO", "Call the CFO and the COO", TUESDAY, time(11, 0), keep_time=False)
    by_text = {a.text: (a.kind, a.due, a.due_time) for a in service.activities(ann)}
    assert by_text == {
        "Call the CFO and the COO": (ActivityKind.CALL, TUESDAY, time(11, 0)),
        "Send the deck": (ActivityKind.EMAIL, TUESDAY, None),
        "Demo with the COO": (ActivityKind.MEETING, FRIDAY, time(14, 0)),
        "Lunch with the team": (ActivityKind.MEETING, FRIDAY, None),
    }


def test_a_kept_change_leaves_a_day_moved_since_where_it_is_unless_it_moves_it(
    service: PipelineService, ann: int
) -> None:
    [step] = service.activities(ann)
    kept = StepKept(step.id, step.text, FRIDAY, keep_time=True)
    service.edit_activity(step.id, None, step.text, TUESDAY, time(9, 0))  # moved elsewhere
    version = service.card(ann).version
    service.change_kept_step(ann, kept, None, "Send the deck", FRIDAY, None, version)
    assert [(a.text, a.due, a.due_time) for a in service.activities(ann)] == [
        ("Send the deck", TUESDAY, time(9, 0))
    ]
    kept = StepKept(step.id, "Send the deck", TUESDAY, keep_time=True)
    service.change_kept_step(ann, kept, None, "Send it", FRIDAY, None, service.card(ann).version)
    assert steps(service, ann) == [("Send it", FRIDAY)]


def test_a_kept_change_to_a_step_gone_or_reworded_meanwhile_is_scheduled_not_lost(
    service: PipelineService, ann: int
) -> None:
    """Done, dropped (its id then given to the next step added, on SQLite) or reworded
    since the change was typed, the step is left as it is and the words kept become a
    step of their own."""
    [step] = service.activities(ann)
    kept = StepKept(step.id, step.text, step.due)
    service.complete_next_action(
        ann, TouchpointKind.EMAIL, TODAY, "Sent", service.card(ann).version
    )
    version = service.card(ann).version
    service.change_kept_step(ann, kept, None, "Send it again", FRIDAY, None, version)
    assert steps(service, ann) == [("Send it again", FRIDAY)]
    with pytest.raises(ConflictError):  # against the card as it was before that
        service.change_kept_step(ann, kept, None, "Other", FRIDAY, None, version)

    [again] = service.activities(ann)
    service.delete_activity(again.id)
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    kept = StepKept(again.id, again.text, again.due)
    version = service.card(ann).version
    service.change_kept_step(ann, kept, None, "Send it a third time", FRIDAY, None, version)
    assert steps(service, ann) == [("Call the CFO", TUESDAY), ("Send it a third time", FRIDAY)]

    [call, _] = service.activities(ann)
    service.edit_activity(call.id, None, "Call the CFO at nine", TUESDAY)  # elsewhere
    kept = StepKept(call.id, "Call the CFO", TUESDAY)
    version = service.card(ann).version
    service.change_kept_step(ann, kept, None, "Call the COO", TUESDAY, None, version)
    assert sorted(text for text, _ in steps(service, ann)) == [
        "Call the CFO at nine",
        "Call the COO",
        "Send it a third time",
    ]


def test_a_kept_change_emptying_its_step_drops_it_only_while_it_is_as_kept(
    service: PipelineService, ann: int
) -> None:
    """ "Both empty clears it", for the step a kept change names: dropped (undo brings
    it back) while it has the words it had. Reworded since, it is not the step the rep
    cleared, and is left with a sentence saying so; done or dropped since, there is
    nothing left to clear, and nothing else changes."""
    service.add_activity(ann, None, "Send the deck", FRIDAY)
    [first, second] = service.activities(ann)
    version = service.card(ann).version
    kept = StepKept(second.id, second.text, second.due)
    dropped = service.change_kept_step(ann, kept, None, "", None, None, version)
    assert dropped is not None
    assert steps(service, ann) == [(first.text, first.due)]
    service.undo(dropped)
    assert steps(service, ann) == [(first.text, first.due), ("Send the deck", FRIDAY)]

    [_, second] = service.activities(ann)
    service.edit_activity(second.id, None, "Send the deck and pricing", FRIDAY)  # elsewhere
    version = service.card(ann).version
    with pytest.raises(StoreError, match="Send the deck was changed since: nothing was cleared"):
        kept = StepKept(second.id, "Send the deck", FRIDAY)
        service.change_kept_step(ann, kept, None, "", None, None, version)
    assert steps(service, ann) == [(first.text, first.due), ("Send the deck and pricing", FRIDAY)]

    service.delete_activity(second.id)  # dropped elsewhere
    version = service.card(ann).version
    kept = StepKept(second.id, "Send the deck and pricing", FRIDAY)
    assert service.change_kept_step(ann, kept, None, "", None, None, version) is None
    assert steps(service, ann) == [(first.text, first.due)]
