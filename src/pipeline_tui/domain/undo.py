"""What `u` undoes and `U` redoes: this session's changes, newest last, in two stacks.

Undoing a change is itself a change (the card's version moves on), and the store says
how to put it back: the inverse, which goes on the redo stack (and the other way
round). The next older entry for the same card is then re-based onto the card's new
version, so it can be undone (or redone) in turn; an entry whose card was changed by
someone else since stays as it is, and the store refuses it.
"""

from __future__ import annotations

from dataclasses import replace

from pipeline_tui.domain.cards import Change, ChangeKind, Undone

UNDO_LEVELS = 100


class UndoHistory:
    def __init__(self, levels: int = UNDO_LEVELS) -> None:
        self.levels = levels
        self.undo: list[Change] = []
        """Changes that `u` can take back, newest last."""
        self.redo: list[Change] = []
        """What `u` took back, as the changes that put it back, newest last."""

    def record(self, change: Change) -> None:
        """A new change: it can be undone; what was undone on its card can no longer
        be redone (the card has moved on from there)."""
        self.undo.append(change)
        del self.undo[: -self.levels]
        self.redo = [entry for entry in self.redo if entry.card_id != change.card_id]

    def kept(self, card_id: int, description: str) -> None:
        """A change that cannot be taken back (ChangeKind.KEPT), which leaves the card
        itself as it was (checklist answers): what was undone on it can still be redone."""
        self.undo.append(Change(ChangeKind.KEPT, card_id, description, None, 0))
        del self.undo[: -self.levels]

    def next_undo(self, card_id: int | None = None) -> Change | None:
        """The change `u` takes back: the newest, or the newest on `card_id`."""
        return _newest(self.undo, card_id)

    def next_redo(self, card_id: int | None = None) -> Change | None:
        """What `U` puts back: the newest undo, or the newest undo on `card_id`."""
        return _newest(self.redo, card_id)

    def undone(self, change: Change, result: Undone) -> None:
        """`change` was undone; `result` is what the store did."""
        self._moved(change, result, self.undo, self.redo)

    def redone(self, change: Change, result: Undone) -> None:
        """`change` (from the redo stack) was applied again."""
        self._moved(change, result, self.redo, self.undo)

    def refused(self, change: Change) -> None:
        """The store refused `change` (changed elsewhere, or gone): it is dropped."""
        for stack in (self.undo, self.redo):
            if change in stack:
                _remove_last(stack, change)

    def _moved(
        self, change: Change, result: Undone, source: list[Change], target: list[Change]
    ) -> None:
        _remove_last(source, change)
        if result.card_id != change.card_id:  # made again under another id (redo of an add)
            self._rename(change.card_id, result.card_id)
        if result.inverse is not None:
            target.append(result.inverse)
            del target[: -self.levels]
        if result.version is not None:
            # The next older change on the card that checks its version (a touchpoint
            # or a note in between checks none: x, t, x, then u u u), and only if the
            # change undone began from the version it left: another rep's edit between
            # the two must still refuse the older one, not be undone with it.
            began = change.before.version if change.before is not None else None
            for index in range(len(source) - 1, -1, -1):
                entry = source[index]
                if entry.card_id == result.card_id and entry.checks_card_version:
                    if began is None or entry.version_after == began:
                        source[index] = replace(entry, version_after=result.version)
                    break

    def _rename(self, old: int, new: int) -> None:
        for stack in (self.undo, self.redo):
            for index, entry in enumerate(stack):
                if entry.card_id == old:
                    stack[index] = replace(entry, card_id=new)


def _newest(stack: list[Change], card_id: int | None) -> Change | None:
    for entry in reversed(stack):
        if card_id is None or entry.card_id == card_id:
            return entry
    return None


def _remove_last(stack: list[Change], change: Change) -> None:
    for index in range(len(stack) - 1, -1, -1):
        if stack[index] is change:
            del stack[index]
            return
    for index in range(len(stack) - 1, -1, -1):
        if stack[index] == change:
            del stack[index]
            return
