"""Drafts: what a rep is typing in an editor, kept so that nothing typed is ever lost.

A draft belongs to one rep, one editor and one card (the new-card form has no card yet),
so a note typed on one card can never turn up on another. Its fields are the editor's
inputs as typed, by name, as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pipeline_tui.domain.kinds import NoteKind

Fields = Mapping[str, str]


class Editor(StrEnum):
    """The editors whose text is kept as a draft."""

    NOTE = "note"
    CARD = "card"
    """The card form, editing a card's profile."""
    NEW_CARD = "new-card"
    """The card form for a card not saved yet (there is no card to key it by)."""
    REFERRAL = "referral"
    """The card form for a new lead referred by the card."""
    TOUCHPOINT = "touchpoint"
    DONE = "done"
    """Marking the next action done: the touchpoint it logs."""
    NEXT_ACTION = "next-action"
    QUALIFICATION = "qualification"
    ARCHIVE = "archive"

    @property
    def label(self) -> str:
        """What the rep calls it: "Unsaved {label} from 09:12"."""
        return _LABELS[self]


_LABELS = {
    Editor.NOTE: "note",
    Editor.CARD: "edit of this card",
    Editor.NEW_CARD: "new card",
    Editor.REFERRAL: "referral",
    Editor.TOUCHPOINT: "touchpoint",
    Editor.DONE: "done touchpoint",
    Editor.NEXT_ACTION: "next action",
    Editor.QUALIFICATION: "qualification answers",
    Editor.ARCHIVE: "archive reason",
}


@dataclass(frozen=True)
class DraftKey:
    """Which editor, on which card, about what (which note)."""

    editor: Editor
    card_id: int | None = None
    subject: str = ""

    def __post_init__(self) -> None:
        if (self.card_id is None) != (self.editor is Editor.NEW_CARD):
            raise ValueError(f"a {self.editor.value} draft needs a card, and only it")

    @classmethod
    def note(cls, card_id: int, note_id: int | None, kind: NoteKind) -> DraftKey:
        """An existing note (by id), or a new note of `kind` on the card."""
        subject = str(note_id) if note_id is not None else f"new-{kind.value}"
        return cls(Editor.NOTE, card_id, subject)

    @classmethod
    def on_card(cls, editor: Editor, card_id: int) -> DraftKey:
        return cls(editor, card_id)

    @classmethod
    def new_card(cls) -> DraftKey:
        return cls(Editor.NEW_CARD)


@dataclass(frozen=True)
class Draft:
    """A draft as kept: the typed fields, when they were kept, and the version of the
    card or note the rep was editing (None for something new)."""

    key: DraftKey
    fields: Fields = field(default_factory=dict)
    saved_at: datetime | None = None
    base_version: int | None = None

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)
