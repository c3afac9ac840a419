"""Drafts, note versions, and undo/redo in the store: what a dropped session leaves behind
must come back to the same rep, the same card and the same editor, and undo or redo must
never overwrite what someone else saved."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline_tui.domain.cards import CardDraft, ChangeKind
from pipeline_tui.domain.drafts import (
    Draft,
    DraftKey,
    Editor,
    kept_on,
    merge,
    pinned_fields,
)
from pipeline_tui.domain.kinds import NoteKind, TouchpointKind
from pipeline_tui.domain.qualification import DEFAULT_CRITERIA
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import ConflictError, Database, PipelineService, open_database
from pipeline_tui.store.peek import peek_board
from tests.conftest import NOW, TODAY

pytestmark = pytest.mark.both_backends


def add(service: PipelineService, name: str, stage: Stage = Stage.LEAD) -> int:
    return service.add_card(CardDraft(name), stage).card_id


def test_a_draft_comes_back_only_for_its_rep_card_and_editor(
    service: PipelineService, database: Database
) -> None:
    ann, ben = add(service, "Ann"), add(service, "Ben")
    note = DraftKey.note(ann, None, NoteKind.PROBLEM)
    service.keep_draft(note, {"body": "They lose a day on every quote", "kind": "problem"})
    service.keep_draft(DraftKey.on_card(Editor.NEXT_ACTION, ann), {"action": "Call", "due": ""})

    found = service.draft(note)
    assert found is not None
    assert found.fields == {"body": "They lose a day on every quote", "kind": "problem"}
    assert found.saved_at == NOW
    # Never on another card, another kind of new note, another editor, another rep.
    assert service.draft(DraftKey.note(ben, None, NoteKind.PROBLEM)) is None
    assert service.draft(DraftKey.note(ann, None, NoteKind.GOAL)) is None
    assert service.draft(DraftKey.on_card(Editor.TOUCHPOINT, ann)) is None
    other_rep = PipelineService(database, "kim", clock=lambda: NOW)
    assert other_rep.draft(note) is None
    kept = [d.key.editor for d in service.drafts_of_card(ann)]
    assert kept == [Editor.NEXT_ACTION, Editor.NOTE]  # the newest first

    # Kept again: replaced, not added.
    service.keep_draft(note, {"body": "They lose two days", "kind": "problem"})
    assert service.draft(note) == Draft(
        note, {"body": "They lose two days", "kind": "problem"}, NOW, None
    )
    assert len(service.drafts_of_card(ann)) == 2

    service.discard_drafts(note)
    assert service.draft(note) is None
    assert [d.key.editor for d in service.drafts_of_card(ann)] == [Editor.NEXT_ACTION]


FRIDAY = datetime(2026, 11, 20, 17, 45, tzinfo=UTC)
"""A Friday evening before TODAY (Monday 23 Nov 2026): when the drafts below were kept."""


def test_a_drafts_dates_mean_the_day_it_was_kept_on_not_the_day_it_comes_back(
    database: Database,
) -> None:
    # Kept on Friday through the store (the kept time is what says which day "today"
    # was), read back on Monday: each date is Friday's reading of it.
    friday = PipelineService(database, user="sam", clock=lambda: FRIDAY)
    ann = add(friday, "Ann")
    touchpoint = DraftKey.on_card(Editor.TOUCHPOINT, ann)
    friday.keep_draft(touchpoint, {"kind": "meeting", "when": "today", "summary": "Walked it"})
    friday.keep_draft(
        DraftKey.new_card(),
        {"name": "Kim", "due": "fri", "close": "tomorrow", "email": "fri"},
    )
    friday.keep_draft(DraftKey.on_card(Editor.DONE, ann), {"when": "", "summary": "Called"})
    friday.keep_draft(DraftKey.on_card(Editor.NEXT_ACTION, ann), {"action": "Call", "due": "soon"})
    monday = PipelineService(database, user="sam", clock=lambda: NOW)

    def on_monday(key: DraftKey) -> dict[str, str]:
        draft = monday.draft(key)
        assert draft is not None and kept_on(draft) == date(2026, 11, 20)
        return pinned_fields(draft, TODAY)

    assert on_monday(touchpoint) == {
        "kind": "meeting",
        "when": "2026-11-20",
        "summary": "Walked it",
    }
    # "fri" on a Friday is the next Friday; only the date fields are read as dates.
    assert on_monday(DraftKey.new_card()) == {
        "name": "Kim",
        "due": "2026-11-27",
        "close": "2026-11-21",
        "email": "fri",
    }
    # An empty "when" is today: Friday's today.
    assert on_monday(DraftKey.on_card(Editor.DONE, ann))["when"] == "2026-11-20"
    # Not a date: as typed, for the editor to show its mistake.
    assert on_monday(DraftKey.on_card(Editor.NEXT_ACTION, ann))["due"] == "soon"


def test_a_draft_kept_today_comes_back_as_typed(service: PipelineService) -> None:
    ann = add(service, "Ann")
    key = DraftKey.on_card(Editor.NEXT_ACTION, ann)
    service.keep_draft(key, {"action": "Call", "due": "tomorrow"})
    draft = service.draft(key)
    assert draft is not None
    assert pinned_fields(draft, TODAY) == {"action": "Call", "due": "tomorrow"}
    assert pinned_fields(Draft(key, {"due": "fri"}), TODAY) == {"due": "fri"}  # kept when?


def test_a_draft_keeps_what_the_editor_showed_before_the_rep_typed(
    service: PipelineService,
) -> None:
    # Restored after the card was saved again, a draft is merged against the card as
    # the form showed it: only then is it known which fields the rep typed.
    ann = add(service, "Ann")
    key = DraftKey.on_card(Editor.CARD, ann)
    shown = {"name": "Ann", "organisation": "Fjord Freight", "value": ""}
    typed = {**shown, "organisation": "Fjord Freight AS"}
    service.keep_draft(key, typed, 13, shown)
    assert service.draft(key) == Draft(key, typed, NOW, 13, shown)
    service.keep_draft(key, typed, 13)  # an editor that does not say: not known
    found = service.draft(key)
    assert found is not None and (found.fields, found.base) == (typed, {})


def test_a_draft_was_saved_since_only_when_both_versions_are_known() -> None:
    key = DraftKey.on_card(Editor.CARD, 1)
    assert Draft(key, {}, None, 13).saved_since(14)
    assert not Draft(key, {}, None, 13).saved_since(13)
    assert not Draft(key, {}, None, None).saved_since(14)  # something new
    assert not Draft(key, {}, None, 13).saved_since(None)


def test_merging_a_newer_save_keeps_only_what_the_rep_changed() -> None:
    base = {"organisation": "Fjord Freight", "value": "", "due": "", "name": "Lars"}
    theirs = {"organisation": "Fjord Freight", "value": "50000", "due": "", "name": "Lars O"}
    mine = {"organisation": "Fjord Freight AS", "value": "", "due": "", "name": "Lars Ek"}
    merged = merge(base, theirs, mine)
    assert merged.fields == {
        "organisation": "Fjord Freight AS",  # only the rep
        "value": "50000",  # only them
        "due": "",
        "name": "Lars Ek",  # both: the rep's, theirs shown
    }
    assert merged.theirs == {"name": "Lars O"}
    # Not known what the form showed: every field saved differently is shown, none taken.
    unknown = merge({}, theirs, mine)
    assert unknown.fields == mine
    assert unknown.theirs == {"organisation": "Fjord Freight", "value": "50000", "name": "Lars O"}


def test_the_new_card_draft_has_no_card(service: PipelineService) -> None:
    key = DraftKey.new_card()
    service.keep_drafts([Draft(key, {"name": "Kim Lee", "organisation": "Lee Bakery"})])
    found = service.draft(key)
    assert found is not None and found.get("organisation") == "Lee Bakery"
    service.discard_drafts(key)
    assert service.draft(key) is None


def test_a_draft_keeps_text_as_typed_but_without_control_characters(
    service: PipelineService,
) -> None:
    ann = add(service, "Ann")
    key = DraftKey.note(ann, None, NoteKind.GENERAL)
    body = "Line one\n\n  indented [bold]not markup[/bold]\x1b[2J\x07 end"
    service.keep_draft(key, {"body": body})
    found = service.draft(key)
    assert found is not None
    assert found.get("body") == "Line one\n\n  indented [bold]not markup[/bold] end"


def test_the_board_marks_cards_that_hold_a_draft(service: PipelineService) -> None:
    ann, ben = add(service, "Ann"), add(service, "Ben")
    service.keep_draft(DraftKey.on_card(Editor.TOUCHPOINT, ben), {"summary": "Met at the fair"})
    marked = {card.name: card.has_draft for card in service.board()[Stage.LEAD]}
    assert marked == {"Ann": False, "Ben": True}
    summary = service.summary(ben)
    assert summary is not None and summary.has_draft
    assert service.card(ben).summary.has_draft
    assert not service.card(ann).summary.has_draft


@pytest.mark.sqlite_only(reason="the start-up peek reads SQLite files")
def test_the_start_up_peek_marks_drafts_as_the_board_does(tmp_path: Path) -> None:
    path = tmp_path / "peek.db"
    database = open_database(str(path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    ann, _ = add(service, "Ann"), add(service, "Ben")
    service.keep_draft(DraftKey.on_card(Editor.CARD, ann), {"name": "Ann Lee"})
    board = service.board()
    database.close()
    peek = peek_board(path, DEFAULT_CRITERIA, per_column=10, owner="sam")
    assert peek is not None
    assert peek.columns[Stage.LEAD] == board[Stage.LEAD]
    assert [card.has_draft for card in peek.columns[Stage.LEAD]] == [False, True]
    other = peek_board(path, DEFAULT_CRITERIA, per_column=10, owner="kim")
    assert other is not None and not any(card.has_draft for card in other.columns[Stage.LEAD])


def test_a_card_deleted_takes_its_drafts_with_it(service: PipelineService) -> None:
    created = service.add_card(CardDraft("Ann"))
    key = DraftKey.on_card(Editor.QUALIFICATION, created.card_id)
    service.keep_draft(key, {"answer:x": "yes"})
    with pytest.raises(ConflictError, match="1 unsaved draft added since"):
        service.undo(created)  # not while it holds what the rep typed
    assert service.draft(key) is not None
    with service.database.write() as session:  # removed anyway (as a teammate's app could)
        session.execute(text("DELETE FROM card WHERE id = :id"), {"id": created.card_id})
    assert service.draft(key) is None
    # A draft for a card that is gone is not kept.
    service.keep_draft(key, {"answer:x": "yes"})
    assert service.draft(key) is None


# Note versions ----------------------------------------------------------------------------


def test_a_note_saved_against_an_older_version_is_refused(service: PipelineService) -> None:
    ann = add(service, "Ann")
    note = service.add_note(ann, NoteKind.PROBLEM, "Quotes take a week")
    assert note.version == 1
    theirs = service.update_note(note.id, "Quotes take two weeks", None, note.version)
    assert theirs.version == 2
    with pytest.raises(ConflictError):
        service.update_note(note.id, "Quotes take three days", None, note.version)
    assert service.note(note.id).body == "Quotes take two weeks"
    mine = service.update_note(note.id, "Quotes take three days", None, theirs.version)
    assert (mine.body, mine.version) == ("Quotes take three days", 3)


# Undo and redo (revert) ---------------------------------------------------------------------


def test_redo_brings_back_what_undo_took_several_levels(service: PipelineService) -> None:
    ann = add(service, "Ann")
    first = service.move_card(ann, Stage.PROSPECT)
    assert first is not None
    second = service.update_card(
        ann, CardDraft("Ann Lee", organisation="Lee Bakery"), service.card(ann).version
    )
    undone_second = service.revert(second)
    assert service.card(ann).summary.name == "Ann"
    assert undone_second.inverse is not None
    assert undone_second.version is not None
    undone_first = service.revert(replace(first, version_after=undone_second.version))
    assert service.card(ann).summary.stage is Stage.LEAD
    assert undone_first.inverse is not None
    # Redo, newest undo first: the move comes back, then (re-based) the edit.
    redone_first = service.revert(undone_first.inverse)
    assert service.card(ann).summary.stage is Stage.PROSPECT
    assert redone_first.version is not None
    service.revert(replace(undone_second.inverse, version_after=redone_first.version))
    card = service.card(ann)
    assert (card.summary.name, card.summary.organisation) == ("Ann Lee", "Lee Bakery")
    assert card.summary.stage is Stage.PROSPECT


def test_undo_and_redo_never_overwrite_a_change_made_elsewhere(
    service: PipelineService, database: Database
) -> None:
    ann = add(service, "Ann")
    moved = service.move_card(ann, Stage.CLIENT)
    assert moved is not None
    undone = service.revert(moved)
    elsewhere = PipelineService(database, "kim", clock=lambda: NOW)
    elsewhere.update_card(ann, CardDraft("Ann (Kim's)"), elsewhere.card(ann).version)
    assert undone.inverse is not None
    with pytest.raises(ConflictError, match="changed elsewhere"):
        service.revert(undone.inverse)  # redo
    card = service.card(ann)
    assert (card.summary.name, card.summary.stage) == ("Ann (Kim's)", Stage.LEAD)


def test_undoing_an_add_keeps_a_card_that_holds_notes(service: PipelineService) -> None:
    created = service.add_card(CardDraft("Ann"))
    service.add_note(created.card_id, NoteKind.GOAL, "Open a second shop")
    with pytest.raises(ConflictError, match="1 note added since"):
        service.revert(created)
    assert [note.body for note in service.card(created.card_id).notes] == ["Open a second shop"]


def test_redo_of_an_undone_add_brings_the_card_back(service: PipelineService) -> None:
    created = service.add_card(CardDraft("Ann", organisation="Lee Bakery"), Stage.PROSPECT)
    service.add_touchpoint(created.card_id, TouchpointKind.CALL, TODAY, "first call")
    touch_free = service.add_card(CardDraft("Ben"), Stage.PROSPECT)
    undone = service.revert(touch_free)
    assert undone.version is None and undone.inverse is not None
    assert [card.name for card in service.board()[Stage.PROSPECT]] == ["Ann"]
    again = service.revert(undone.inverse)
    assert again.card_id == touch_free.card_id
    assert [card.name for card in service.board()[Stage.PROSPECT]] == ["Ben", "Ann"]
    assert [event.to_stage for event in service.card(again.card_id).history] == [Stage.PROSPECT]
    assert again.inverse is not None and again.inverse.kind is ChangeKind.CREATE
    service.revert(again.inverse)  # and undo again
    assert [card.name for card in service.board()[Stage.PROSPECT]] == ["Ann"]


def test_a_deleted_note_comes_back_and_goes_again(service: PipelineService) -> None:
    ann = add(service, "Ann")
    note = service.add_note(ann, NoteKind.INSIGHT, "Bundle the deliveries")
    deleted = service.delete_note(note.id)
    back = service.revert(deleted)
    assert [n.body for n in service.card(ann).notes] == ["Bundle the deliveries"]
    assert back.inverse is not None and back.inverse.kind is ChangeKind.RESTORE_NOTE
    again = service.revert(back.inverse)  # redo the delete
    assert service.card(ann).notes == ()
    assert again.inverse is not None
    service.revert(again.inverse)
    assert [n.body for n in service.card(ann).notes] == ["Bundle the deliveries"]


def test_redoing_a_delete_spares_a_note_edited_since(service: PipelineService) -> None:
    ann = add(service, "Ann")
    note = service.add_note(ann, NoteKind.INSIGHT, "Bundle the deliveries")
    back = service.revert(service.delete_note(note.id))
    restored = service.card(ann).notes[0]
    service.update_note(restored.id, "Bundle deliveries by area", None, restored.version)
    assert back.inverse is not None
    with pytest.raises(ConflictError):
        service.revert(back.inverse)
    assert [n.body for n in service.card(ann).notes] == ["Bundle deliveries by area"]


def test_a_draft_moved_to_another_editor_is_there_alone(service: PipelineService) -> None:
    card = add(service, "Eve")
    edit = DraftKey.note(card, 41, NoteKind.INSIGHT)
    service.keep_drafts([Draft(edit, {"body": "Pays in 10 days", "kind": "insight"}, None, 3)])
    [kept] = service.drafts_of_card(card)
    new = DraftKey.note(card, None, NoteKind.INSIGHT)
    service.move_draft(kept, new)
    [moved] = service.drafts_of_card(card)
    assert (moved.key, moved.fields) == (new, {"body": "Pays in 10 days", "kind": "insight"})
    assert moved.base_version is None  # a new note: nothing to compare with


def test_a_draft_is_not_moved_over_one_kept_there(service: PipelineService) -> None:
    card = add(service, "Eve")
    edit = DraftKey.note(card, 41, NoteKind.INSIGHT)
    new = DraftKey.note(card, None, NoteKind.INSIGHT)
    service.keep_drafts([Draft(edit, {"body": "Older edit"}), Draft(new, {"body": "Mine"})])
    stranded_one = next(d for d in service.drafts_of_card(card) if d.key == edit)
    service.move_draft(stranded_one, new)
    assert {d.key: d.get("body") for d in service.drafts_of_card(card)} == {
        edit: "Older edit",
        new: "Mine",
    }


def test_a_draft_another_session_kept_meanwhile_is_kept_elsewhere_before_it_is_replaced(
    service: PipelineService, database: Database
) -> None:
    # Two sessions of one rep share a draft slot: the last to write took the other's
    # text with it. Told what its own session may have left there, the store hands any
    # other text to be kept elsewhere first, and replaces it only once it is.
    card = add(service, "Eve")
    key = DraftKey.note(card, None, NoteKind.PROBLEM)
    office = PipelineService(database, service.user, clock=lambda: NOW)
    elsewhere: list[str] = []

    def keep_elsewhere(draft: Draft) -> bool:
        elsewhere.append(draft.get("body"))
        return True

    def mine(body: str) -> Draft:
        return Draft(key, {"body": body, "kind": "problem"})

    def body() -> str:
        kept = service.draft(key)
        return kept.get("body") if kept is not None else ""

    def keep(text: str, *knew: str | None) -> None:
        known = [None if k is None else mine(k).fields for k in knew]
        service.keep_drafts([mine(text)], {key: known}, keep_elsewhere)

    keep("One", None)  # nothing there
    keep("One two", "One")
    keep("One two three", "One", "One two")  # "One two" may not have landed
    office.keep_draft(key, {"body": "From the office", "kind": "problem"})
    keep("Four", "One two three")
    assert (body(), elsewhere) == ("Four", ["From the office"])
    office.keep_draft(key, {"body": "Five", "kind": "problem"})
    keep("Five", None)  # the same text: nobody's is lost
    assert elsewhere == ["From the office"]

    office.keep_draft(key, {"body": "Office again", "kind": "problem"})
    service.keep_drafts([mine("Six")], {key: [None]}, lambda _draft: False)
    assert body() == "Office again"  # not kept elsewhere: left where it is
    service.keep_drafts([mine("Without asking")])
    assert body() == "Without asking"  # replaced, as ever
