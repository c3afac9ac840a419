"""The undo/redo stacks behind `u` and `U` (domain/undo.py), without a database."""

from __future__ import annotations

from pipeline_tui.domain.cards import CardDraft, CardState, Change, ChangeKind, Undone
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.undo import UndoHistory


def state(name: str, stage: Stage = Stage.LEAD) -> CardState:
    return CardState(CardDraft(name), stage, 0)


def move(card: int, version_after: int, name: str = "Ann") -> Change:
    return Change(ChangeKind.MOVE, card, f"Moved {name}", state(name), version_after)


def undone(change: Change, version: int) -> Undone:
    """What the store answers for undoing `change`: the card at `version`, and the
    change that puts it back."""
    inverse = Change(change.kind, change.card_id, change.description, state("after"), version)
    return Undone(change.description, change.card_id, version, inverse)


def test_undo_takes_the_newest_change_and_redo_brings_it_back() -> None:
    history = UndoHistory()
    first, second = move(1, 2), move(2, 5, "Ben")
    history.record(first)
    history.record(second)
    assert history.next_undo() is second
    result = undone(second, 6)
    history.undone(second, result)
    assert history.next_undo() is first
    inverse = result.inverse
    assert inverse is not None and history.next_redo() is inverse
    redone = undone(inverse, 7)
    history.redone(inverse, redone)
    assert history.next_redo() is None
    assert history.next_undo() is redone.inverse


def test_several_levels_of_redo_come_back_in_reverse_order() -> None:
    history = UndoHistory()
    changes = [move(1, 2), move(1, 3), move(1, 4)]
    for recorded in changes:
        history.record(recorded)
    version = 4
    inverses = []
    for _ in changes:
        change = history.next_undo()
        assert change is not None
        version += 1
        assert change.version_after == version - 1  # re-based onto the card as it is now
        result = undone(change, version)
        history.undone(change, result)
        inverses.append(result.inverse)
    assert history.next_undo() is None
    # The newest undo is redone first, and each older one is re-based in turn.
    for expected in reversed(inverses):
        change = history.next_redo()
        assert change is not None and expected is not None
        assert change.description == expected.description
        assert change.version_after == version
        version += 1
        history.redone(change, undone(change, version))
    assert history.next_redo() is None
    assert len(history.undo) == 3


def test_undo_on_one_card_leaves_the_others_alone() -> None:
    history = UndoHistory()
    ann, ben, ann_again = move(1, 2), move(2, 2, "Ben"), move(1, 3)
    for change in (ann, ben, ann_again):
        history.record(change)
    assert history.next_undo(card_id=2) is ben
    history.undone(ben, undone(ben, 3))
    assert history.undo == [ann, ann_again]
    assert history.next_redo(card_id=1) is None
    assert history.next_redo(card_id=2) is not None


def test_a_new_change_to_a_card_drops_what_could_be_redone_on_it() -> None:
    history = UndoHistory()
    ann, ben = move(1, 2), move(2, 2, "Ben")
    history.record(ann)
    history.record(ben)
    history.undone(ben, undone(ben, 3))
    history.undone(ann, undone(ann, 3))
    history.record(move(1, 4))  # Ann changed again: her redo would overwrite it
    assert history.next_redo(card_id=1) is None
    assert history.next_redo(card_id=2) is not None


def test_a_refused_change_is_dropped() -> None:
    history = UndoHistory()
    ann = move(1, 2)
    history.record(ann)
    history.refused(ann)
    assert history.next_undo() is None


def test_redo_of_an_add_made_again_under_another_id_follows_the_card() -> None:
    history = UndoHistory()
    added = Change(ChangeKind.CREATE, 7, "Added Ann", None, 1)
    moved = move(7, 2)
    history.record(added)
    history.record(moved)
    history.undone(moved, undone(moved, 3))
    gone = Undone("Added Ann", 7, None, Change(ChangeKind.CREATE, 7, "Added Ann", None, 0))
    history.undone(added, gone)
    back = Undone("Added Ann", 9, 1, Change(ChangeKind.CREATE, 9, "Added Ann", None, 1))
    history.redone(history.redo[-1], back)
    assert [entry.card_id for entry in history.redo] == [9]  # the move now follows card 9
    assert history.redo[0].version_after == 1


def test_the_history_keeps_a_bounded_number_of_levels() -> None:
    history = UndoHistory(levels=3)
    for version in range(10):
        history.record(move(1, version))
    assert [change.version_after for change in history.undo] == [7, 8, 9]


def test_a_kept_change_stands_in_line() -> None:
    history = UndoHistory()
    history.record(move(1, 2, "Ada"))
    history.record(move(2, 2, "Ben"))
    history.kept(2, "The checklist answers for Ben")
    kept = history.next_undo()
    assert kept is not None and (kept.kind, kept.description) == (
        ChangeKind.KEPT,
        "The checklist answers for Ben",
    )
    assert history.next_undo(2) is kept
    assert history.next_undo(1) is not None and history.next_undo(1) is not kept


def test_a_kept_change_leaves_what_can_be_redone_on_its_card() -> None:
    # Answers leave the card as it was: the edit undone on it can still be redone.
    history = UndoHistory()
    edit = move(1, 2, "Ada")
    history.record(edit)
    history.undone(edit, undone(edit, 3))
    history.kept(1, "The checklist answers for Ada")
    assert history.next_redo(1) is not None
