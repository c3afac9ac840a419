"""Drafts: what a rep is typing in an editor, kept so that nothing typed is ever lost.

A draft belongs to one rep, one editor and one card (the new-card form has no card yet),
so a note typed on one card can never turn up on another. Its fields are the editor's
inputs as typed, by name, as text.

A date is kept as typed too ("today", "fri", "+3d"), and means the day it meant when
the draft was kept: a touchpoint logged "today" on a Friday and restored on Monday
happened on Friday (`pinned_fields`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from pipeline_tui.domain.calls import CallOutcome
from pipeline_tui.domain.dates import (
    DateOrder,
    DueDateError,
    full_day,
    parse_due,
    parse_past_date,
)
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.schedule import Activity
from pipeline_tui.domain.stages import Stage

Fields = Mapping[str, str]


class Editor(StrEnum):
    """The editors whose text is kept as a draft."""

    NOTE = "note"
    CARD = "card"
    """The card form, editing a card's profile."""
    NEW_CARD = "new-card"
    """The card form for a card not saved yet (there is no card to key it by). The rep
    has one such draft, whichever column it was started in: that column is kept in its
    fields (NEW_CARD_STAGE)."""
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
    base: Fields = field(default_factory=dict)
    """What the editor showed before the rep typed: the card as it was at `base_version`,
    by field. Empty when not known (an editor that does not keep it, or a draft kept by
    an earlier release)."""

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)

    def saved_since(self, version: int | None) -> bool:
        """Whether what the draft was typed against was saved again since (elsewhere,
        or here before a crash): the card or note is at `version` now."""
        return None not in (self.base_version, version) and self.base_version != version


@dataclass(frozen=True)
class Merged:
    """The rep's fields with a newer save merged in (`merge`)."""

    fields: dict[str, str]
    """What the editor holds now."""
    theirs: dict[str, str]
    """The fields the rep and the newer save both changed, as saved: the rep's stay in
    the editor, these are shown beside them."""


def merge(base: Fields, theirs: Fields, mine: Fields) -> Merged:
    """Merge a newer save (`theirs`) into what the rep typed (`mine`) against `base`: a
    field only they changed takes theirs, a field only the rep changed keeps the rep's,
    and a field both changed keeps the rep's with theirs shown. A field `base` does not
    know counts as the rep's change: where theirs differs it is shown, never taken
    silently, and nothing the rep may have typed is thrown away unseen."""
    fields: dict[str, str] = {}
    shown: dict[str, str] = {}
    for name, typed in mine.items():
        saved = theirs.get(name, typed)
        was = base.get(name)
        if typed == was:
            fields[name] = saved  # only they changed it (or nobody did)
            continue
        fields[name] = typed
        if saved not in (was, typed):
            shown[name] = saved
    return Merged(fields, shown)


NEW_CARD_STAGE = "stage"
"""The field of a new-card draft naming the column it was started in (a Stage value),
which the form itself does not show. Drafts kept before it was have none."""


NEW_STEP = "new_step"
"""The field of a next-action draft typed in a dialog that adds a step (after one was
done, or scheduled on the card), "yes": taken back in a dialog that changes a step, it
is still added, and the step planned there is kept. Other next-action drafts have none."""


STEP = "step"
"""The field of a next-action draft typed in a dialog that changes one planned step,
naming that step (its id): taken back in a dialog for another step, or for a new one,
it still changes the step it was typed for. Other next-action drafts have none."""

STEP_WAS = "step_was"
"""Beside STEP: that step's words when the change was begun. A step with other words by
then (reworded since, or a new step given the id of one dropped) is not changed: the
words kept are scheduled as a step of their own."""

STEP_DUE_WAS = "step_due_was"
"""Beside STEP: that step's day when the change was begun (ISO, or empty). A day the rep
left as it was is the step's day when saved, should it have moved since."""


@dataclass(frozen=True)
class StepKept:
    """The planned step a kept change was typed for (drafts.STEP), as it was when the
    change began, and whether the change said nothing of its time (it keeps its own
    while its day stays)."""

    step_id: int
    words: str
    due: date | None
    keep_time: bool = False

    @classmethod
    def of(cls, fields: Fields, *, keep_time: bool = False) -> StepKept | None:
        step = kept_step(fields)
        if step is None:
            return None
        due: date | None = None
        with suppress(ValueError):
            due = date.fromisoformat(fields[STEP_DUE_WAS]) if fields.get(STEP_DUE_WAS) else None
        return cls(step, fields.get(STEP_WAS, ""), due, keep_time)

    def fields(self) -> dict[str, str]:
        return {
            STEP: str(self.step_id),
            STEP_WAS: self.words,
            STEP_DUE_WAS: self.due.isoformat() if self.due else "",
        }


def kept_step(fields: Fields) -> int | None:
    """The planned step a next-action draft was typed to change (STEP), if it says."""
    value = fields.get(STEP, "")
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        return None  # not an id the store could hold (a draft file edited by hand)
    return int(value)


CALL_OUTCOME = "call"
"""The field of a next-action draft typed after a call in the call queue, naming the
call's outcome (a CallOutcome value): the call is logged when that step is saved, so
the outcome is kept with what was typed. Other next-action drafts have none."""


CALL_DAY = "call_on"
"""Beside CALL_OUTCOME: the day the call was made (ISO), so that a step taken back on a
later day logs the call on the day it happened. Drafts kept before it was kept have
none (the call is then logged on the day the step is saved)."""


def call_outcome(fields: Fields) -> CallOutcome | None:
    """The outcome of the call a next-action draft was typed after; None if none."""
    try:
        return CallOutcome(fields.get(CALL_OUTCOME, ""))
    except ValueError:
        return None


@dataclass(frozen=True)
class KeptCall:
    """The call a next-action draft was typed after: its outcome and, when known, its day."""

    outcome: CallOutcome
    on: date | None = None

    @classmethod
    def of(cls, fields: Fields) -> KeptCall | None:
        """The call kept in a draft's fields; None if it keeps none."""
        outcome = call_outcome(fields)
        if outcome is None:
            return None
        try:
            on: date | None = date.fromisoformat(fields.get(CALL_DAY, ""))
        except ValueError:
            on = None
        return cls(outcome, on)

    def fields(self) -> Fields:
        kept = {CALL_OUTCOME: self.outcome.value}
        if self.on is not None:
            kept[CALL_DAY] = self.on.isoformat()
        return kept

    def said(self, today: date) -> str:
        """ "Meeting set", and the day if not `today` ("Meeting set on Mon 23 Nov 2026")."""
        if self.on is None or self.on == today:
            return self.outcome.label
        return f"{self.outcome.label} on {full_day(self.on)}"


def new_card_stage(fields: Fields) -> Stage | None:
    """The column a new-card draft (its fields) was started in; None if it does not say."""
    try:
        return Stage(fields.get(NEW_CARD_STAGE, ""))
    except ValueError:
        return None


class DateSense(StrEnum):
    """How an editor reads a date field."""

    DUE = "due"
    """A day ahead, or none (parse_due): a due date, an expected close."""
    PAST = "past"
    """A day gone by, today when empty (parse_past_date): when a touchpoint happened."""


_CARD_DATES = {"due": DateSense.DUE, "close": DateSense.DUE}
DATE_FIELDS: Mapping[Editor, Mapping[str, DateSense]] = {
    Editor.CARD: _CARD_DATES,
    Editor.NEW_CARD: _CARD_DATES,
    Editor.REFERRAL: _CARD_DATES,
    Editor.NEXT_ACTION: {"due": DateSense.DUE},
    Editor.TOUCHPOINT: {"when": DateSense.PAST},
    Editor.DONE: {"when": DateSense.PAST},
}
"""Each editor's date fields, by name, and how it reads them."""


def kept_on(draft: Draft) -> date | None:
    """The day the draft was kept, in the rep's time zone (None: not known)."""
    if draft.saved_at is None:
        return None
    return draft.saved_at.astimezone().date()


def pinned_fields(draft: Draft, today: date, order: DateOrder = DateOrder.DMY) -> dict[str, str]:
    """The draft's fields to put back in its editor `today`: kept on an earlier day, each
    date field that reads as a date is that day, read against the day it was kept, as
    an absolute date (2026-11-20), so it means what it meant when typed; "today" typed
    on Friday is Friday. Text that is not a date stays as typed (the editor shows the
    same mistake it would have), and so does an empty due date (none)."""
    fields = dict(draft.fields)
    kept = kept_on(draft)
    if kept is None or kept >= today:
        return fields
    for name, sense in DATE_FIELDS.get(draft.key.editor, {}).items():
        text = fields.get(name)
        if text is None:
            continue
        try:
            if sense is DateSense.DUE:
                day = parse_due(text, kept, order)
            else:
                day = parse_past_date(text, kept, order)
        except DueDateError:
            continue
        if day is not None:
            fields[name] = day.isoformat()
    return fields


def note_draft_kind(draft: Draft) -> NoteKind:
    """The kind of note a note's draft is for (its kind field, else its key's)."""
    try:
        return NoteKind(draft.get("kind") or draft.key.subject.removeprefix("new-"))
    except ValueError:
        return NoteKind.GENERAL


def step_subject(step: Activity) -> str:
    """Which step a draft is about: its id, and when it was made (SQLite hands the id of
    a step dropped to the next one made, which is another step)."""
    if step.created_at is None:
        return str(step.id)
    return f"{step.id}@{step.created_at.astimezone(UTC):%Y%m%dT%H%M%S%f}"


def done_step(card_id: int, step: Activity) -> DraftKey:
    """The draft of `x` on one step: the touchpoint that marks that step done. Keyed by
    the step, so that the text typed for one step is never offered (and saved) on
    another."""
    return DraftKey(Editor.DONE, card_id, step_subject(step))


def stranded_done(draft: Draft, open_steps: Collection[str]) -> bool:
    """Whether `draft` is of `x` on a step no longer open (done or dropped since, here or
    elsewhere), or kept before drafts were keyed by step: no `x` offers it. `t` (a
    touchpoint of its own) offers it instead. `open_steps`: the open steps' subjects
    (step_subject)."""
    return draft.key.editor is Editor.DONE and draft.key.subject not in open_steps


def stranded(draft: Draft, note_ids: Collection[int]) -> bool:
    """Whether `draft` is of an edit to a note no longer on the card (deleted, here or
    elsewhere, after the draft was kept): nothing on the card opens it. It is offered
    in the new note editor of its kind instead."""
    subject = draft.key.subject
    return draft.key.editor is Editor.NOTE and subject.isdigit() and int(subject) not in note_ids
