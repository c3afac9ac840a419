"""What the rest of the app knows about a card: plain values, no database objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pipeline_tui.domain.activity import DEFAULT_STALE_LIMITS, is_stale
from pipeline_tui.domain.cadence import CadencePlace
from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.limits import NOTE, FieldError, check_length
from pipeline_tui.domain.money import MAX_VALUE
from pipeline_tui.domain.nurture import is_nurturing
from pipeline_tui.domain.qualification import QUALIFIED_STAGES, Qualification, format_score
from pipeline_tui.domain.schedule import Activity
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line

NOTE_MAX_CHARS = NOTE.chars

CardFormError = FieldError
"""A card that cannot be saved as typed; names the field and says why."""


def is_email_address(text: str) -> bool:
    """Whether `text` is an email address as a card keeps one: one "@", something before
    it and a domain after it, no spaces. The domain needs no dot ("sam@localhost", an
    intranet's, is kept): what is refused is what no mail can reach, like "bob@@bad",
    "@example.com", "bob@" or "bob@.example"."""
    local, at, domain = text.partition("@")
    return (
        bool(at and local and domain)
        and "@" not in domain
        and not any(char.isspace() for char in text)
        and all(domain.split("."))
    )


_FORM_ORDER = ("name", "organisation", "email", "phone", "tags", "next_action", "value", "owner")
"""The fields a card's problems are said in, as the form shows them."""


@dataclass(frozen=True)
class CardDraft:
    """The editable profile of a card, as typed into the form or the command line."""

    name: str
    organisation: str = ""
    email: str = ""
    phone: str = ""
    tags: tuple[str, ...] = ()
    next_action: str = ""
    next_action_due: date | None = None
    owner: str = ""
    """The rep the card belongs to; empty keeps the current owner (a new card: you)."""
    value: Decimal | None = None
    """What the deal is worth (domain.money), or None: not known."""
    expected_close: date | None = None
    """The day the rep expects the deal to close, or None."""

    def cleaned(self) -> CardDraft:
        """The same draft with user text sanitised; raises CardFormError naming the
        field if it is unusable (no name, not an email, longer than its column): the
        first of its problems()."""
        problems = self.problems()
        if problems:
            raise problems[0]
        return self._sanitised()

    def problems(self) -> list[CardFormError]:
        """Every reason the draft cannot be saved, one for each field at most, in the
        order the form shows the fields: a form says them all at once."""
        draft = self._sanitised()
        problems: dict[str, CardFormError] = {}
        if not draft.name:
            problems["name"] = CardFormError("name", "A card needs a name.")
        if draft.email and not is_email_address(draft.email):
            problems["email"] = CardFormError(
                "email", f"{draft.email!r} does not look like an email address."
            )
        for field_name, text in (
            ("name", draft.name),
            ("organisation", draft.organisation),
            ("email", draft.email),
            ("phone", draft.phone),
            ("tags", " ".join(draft.tags)),
            ("next_action", draft.next_action),
            ("owner", draft.owner),
        ):
            try:
                check_length(field_name, text)
            except FieldError as error:
                problems.setdefault(field_name, error)
        if draft.value is not None and not Decimal(0) <= draft.value <= MAX_VALUE:
            problems["value"] = CardFormError(
                "value", "A value must be between nothing and a trillion."
            )
        return [problems[name] for name in _FORM_ORDER if name in problems]

    def _sanitised(self) -> CardDraft:
        return CardDraft(
            name=clean_line(self.name),
            organisation=clean_line(self.organisation),
            email=clean_line(self.email),
            phone=clean_line(self.phone),
            tags=tuple(t for t in (clean_line(t) for t in self.tags) if t),
            next_action=clean_line(self.next_action),
            next_action_due=self.next_action_due,
            owner=clean_line(self.owner),
            value=self.value,
            expected_close=self.expected_close,
        )


@dataclass(frozen=True)
class CardSummary:
    """A card as the board shows it."""

    id: int
    name: str
    organisation: str
    stage: Stage
    position: int
    """Orders the card in its column, lowest on top; not a count: columns have gaps."""
    owner: str
    tags: tuple[str, ...] = ()
    next_action: str = ""
    next_action_due: date | None = None
    last_activity: date | None = None
    """The last day of a touchpoint, note or move (None: not known, never stale)."""
    qualified: int = 0
    """Criteria met on the checklist (shown for leads and prospects, out of `criteria`)."""
    criteria: int = 0
    referrals: int = 0
    """Active cards this one referred."""
    version: int = 0
    """The card's version when read (0: not known); a change made against an older
    version can be refused."""
    has_draft: bool = False
    """The rep has unsaved text on this card (a draft) in some editor."""
    value: Decimal | None = None
    """What the deal is worth, or None: not known."""
    expected_close: date | None = None
    nurture_until: date | None = None
    """Parked off the board until this day ("not yet"); None: on the board."""
    rhythm_days: int | None = None
    """Keep in touch every this many days: replaces the stage's stale limit (None: it
    applies)."""

    def is_overdue(self, today: date) -> bool:
        return self.next_action_due is not None and self.next_action_due < today

    def is_nurturing(self, today: date) -> bool:
        """Parked "not yet" and not back on `today` (domain.nurture)."""
        return is_nurturing(self.nurture_until, today)

    def is_stale(self, today: date, limits: Mapping[Stage, int] = DEFAULT_STALE_LIMITS) -> bool:
        if self.last_activity is None:
            return False
        return is_stale(self.stage, self.last_activity, today, limits, self.rhythm_days)

    @property
    def score(self) -> str | None:
        """The qualification score ("3/4") where the stage has a checklist, else None."""
        if self.stage not in QUALIFIED_STAGES or not self.criteria:
            return None
        return format_score(self.qualified, self.criteria)

    def is_due_today(self, today: date) -> bool:
        return self.next_action_due == today


@dataclass(frozen=True)
class BoardTotals:
    """The board's header figures, counted by the store without loading any card."""

    counts: Mapping[Stage, int]
    """Active cards per stage (everyone's, stale or not)."""
    overdue: int
    stale: int
    values: Mapping[Stage, Decimal] = field(default_factory=dict)
    """The sum of the active cards' values per stage (a stage with none: missing)."""
    nurturing: int = 0
    """Cards parked until a later day: counted in none of the figures above."""

    @property
    def cards(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class StageEventView:
    from_stage: Stage | None
    to_stage: Stage
    at: datetime
    by: str
    note: str = ""
    """Why the move was unusual (a qualification override), or empty."""


@dataclass(frozen=True)
class CardLink:
    """Another card this one points at (who referred it, whom it referred)."""

    id: int
    name: str
    stage: Stage
    archived: bool = False


@dataclass(frozen=True)
class ArchivedCard:
    """A card in the archive view."""

    id: int
    name: str
    organisation: str
    stage: Stage
    owner: str
    archived_at: datetime
    reason: ArchiveReason | None
    note: str


@dataclass(frozen=True)
class NoteView:
    id: int
    kind: NoteKind
    body: str
    created_at: datetime
    updated_at: datetime
    version: int = 1
    """Bumped by every save: an edit made against an older version is refused."""


@dataclass(frozen=True)
class TouchpointView:
    id: int
    kind: TouchpointKind
    happened_on: date
    summary: str

    @property
    def summary_after_kind(self) -> str:
        """The summary as shown after the kind: without the kind again ("Call:
        voicemail", as the call queue logs a call, beside "call" is "voicemail")."""
        prefix = f"{self.kind.value}:"
        if self.summary[: len(prefix)].lower() == prefix:
            return self.summary[len(prefix) :].lstrip()
        return self.summary


@dataclass(frozen=True)
class CardDetail:
    """Everything the card screen shows about one card."""

    summary: CardSummary
    version: int
    email: str
    phone: str
    source: TouchpointKind | None
    market: Market | None
    created_at: datetime
    archived_at: datetime | None
    archive_reason: ArchiveReason | None
    archive_note: str
    won_value: Decimal | None = None
    """What the card was won at, when it was archived as won."""
    history: tuple[StageEventView, ...] = ()
    notes: tuple[NoteView, ...] = ()
    touchpoints: tuple[TouchpointView, ...] = ()
    qualification: Qualification | None = None
    referred_by: CardLink | None = None
    referrals: tuple[CardLink, ...] = ()
    activities: tuple[Activity, ...] = ()
    """The open scheduled steps, earliest first: the first is the next action."""
    cadence: CadencePlace | None = None
    """Where the card is in its stage's after-sale cadence (None: none running)."""

    @property
    def draft(self) -> CardDraft:
        s = self.summary
        return CardDraft(
            name=s.name,
            organisation=s.organisation,
            email=self.email,
            phone=self.phone,
            tags=s.tags,
            next_action=s.next_action,
            next_action_due=s.next_action_due,
            owner=s.owner,
            value=s.value,
            expected_close=s.expected_close,
        )


class ChangeKind(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    MOVE = "move"
    REORDER = "reorder"
    ARCHIVE = "archive"
    RESTORE = "restore"
    DELETE_NOTE = "delete-note"
    RESTORE_NOTE = "restore-note"
    """A deleted note brought back by undo; redoing the delete removes it again."""
    ADD_NOTE = "add-note"
    """A note written: undo removes it (if unchanged since), redo brings it back."""
    EDIT_NOTE = "edit-note"
    """A note's text or kind changed: undo puts the earlier text and kind back."""
    LOG_TOUCHPOINT = "log-touchpoint"
    """A touchpoint logged (`t`): undo takes it away, with the source it set and the
    keep-in-touch day it moved; redo logs it again."""
    STEP_DONE = "step-done"
    """A step marked done (`x`): undo opens it again and takes away the touchpoint
    that logged it, with the cadence step it moved on; redo marks it done again."""
    KEPT = "kept"
    """A change `u` cannot take back (checklist answers): in the history
    so that `u` says so, where it took back an older change, perhaps on another card,
    that the rep did not mean."""


@dataclass(frozen=True)
class CardState:
    """Where a card was and what it said, enough to put it back exactly (undo)."""

    draft: CardDraft
    stage: Stage
    position: int
    archived_at: datetime | None = None
    archive_reason: ArchiveReason | None = None
    archive_note: str = ""
    won_value: Decimal | None = None
    """What an archived-as-won deal was worth (the stand-up's won deals)."""
    nurture_until: date | None = None
    cadence_step: int | None = None
    """The pending step of the stage's after-sale cadence (None: none running)."""
    cadence_anchor: date | None = None
    cadence_base: date | None = None
    rhythm_days: int | None = None
    version: int | None = None
    """The card's version in this state: for a change's `before`, the version it began
    from (the undo history re-bases an older change only onto the version it left)."""


@dataclass(frozen=True)
class LoggedTouchpoint:
    """A touchpoint logged on its own (`t`), enough to take it back and log it again."""

    touchpoint_id: int | None
    """None while it is taken back (redo logs it again)."""
    kind: TouchpointKind
    happened_on: date
    summary: str
    source_set: bool
    """It was the card's first touchpoint and set its source (and market, if none)."""
    market_before: Market | None
    former_id: int | None = None
    """The id it had while it was there: logged again, it takes it back (ids are never
    handed out twice), so the rep's older changes naming it still find it."""
    logged_at: datetime | None = None
    """When it was first logged: logged again by undo or redo, it keeps that time (an
    export shows it), as it keeps its id."""


@dataclass(frozen=True)
class GivenReferral:
    """A referral as the referrer's card records it: its touchpoint "Referred Sam Lead",
    which undoing the referral takes back with the lead."""

    referrer_id: int
    touchpoint: LoggedTouchpoint


@dataclass(frozen=True)
class RemovedCard:
    """A card taken away by undoing its creation, whole enough to bring back (redo)."""

    state: CardState
    created_at: datetime
    source: TouchpointKind | None = None
    market: Market | None = None
    referred_by_id: int | None = None
    touchpoints: tuple[TouchpointView, ...] = ()
    """What its creation logged beside it (a referral's "Referred by"), logged again."""


@dataclass(frozen=True)
class LoggedCallRecord:
    """A call logged with a change (an outcome in the call queue, with the next step it
    led to): undoing the change takes the call back too, and redoing it logs it again."""

    session_id: int
    outcome: str
    """The CallOutcome's value: which of the session's counts the call is in."""
    happened_on: date
    summary: str
    touchpoint_id: int | None
    """The call's touchpoint; None while the call is undone (redo logs it again)."""
    source_set: bool = False
    """The call was the card's first touchpoint, so it set the card's source (a call)
    and, if it had none, its market: taken back with the call."""
    market_before: Market | None = None
    former_id: int | None = None
    """The touchpoint's id while it was there, which a redo gives it again."""


@dataclass(frozen=True)
class Change:
    """One saved change to one card, as the undo history keeps it."""

    kind: ChangeKind
    card_id: int
    description: str
    before: CardState | None
    version_after: int
    note: NoteView | None = None
    """The deleted note (DELETE_NOTE), the one brought back (RESTORE_NOTE), the one
    written (ADD_NOTE), or the note as an edit left it (EDIT_NOTE)."""
    note_before: NoteView | None = None
    """For EDIT_NOTE: the note before the edit, which undo puts back."""
    created_with: tuple[tuple[str, int], ...] = ()
    """For CREATE: what the creation itself wrote beside the card (("touchpoint", 1)
    for a referral), so undo can tell it from what was added since."""
    removed: RemovedCard | None = None
    """A creation that was undone: the card, to make again (redo)."""
    touchpoint: LoggedTouchpoint | None = None
    """For LOG_TOUCHPOINT and STEP_DONE: the touchpoint, which undo takes back and redo
    logs again."""
    referral: GivenReferral | None = None
    """For CREATE of a referred lead: what it wrote on the referrer, which undo takes
    back with the lead (and redo writes again)."""
    activities: tuple[Activity, ...] | None = None
    """The card's scheduled activities before the change, done ones too, when the
    change may have touched them: undo puts them back as they were."""
    call: LoggedCallRecord | None = None
    """The call logged with the change, taken back (and logged again) with it."""
    step_dropped: bool = False
    """For MOVE: the move took away the step of the cadence the card left, and left it
    no next action (as the board shows such a move at once)."""
    kept_as_new_step: bool = False
    """For a change kept for one planned step (drafts.StepKept): that step was done,
    dropped or reworded meanwhile, so the words were scheduled as a step of their own."""
    redo: bool = False
    """Undoing this makes again a change an undo took back (a redo): a stage change is
    then a move recorded again, where undoing the change itself forgets its move."""
    move_note: str = ""
    """For a redo of a move: the note its event had (a qualification override)."""
    move_at: datetime | None = None
    """For a redo of a move: when the move was made, which the redo records again (the
    cadence's step and the day a client was won are read from it)."""

    @property
    def checks_card_version(self) -> bool:
        """Whether taking it back checks that the card is as it left it (its version):
        a note's change checks the note instead, a touchpoint's and a kept one nothing,
        and a card made again nothing either."""
        return (
            self.removed is None
            and self.note is None
            and self.kind not in (ChangeKind.LOG_TOUCHPOINT, ChangeKind.KEPT)
        )


@dataclass(frozen=True)
class SavedNote:
    """A note as saved, and the change that undoes the save (None: nothing changed)."""

    note: NoteView
    change: Change | None


@dataclass(frozen=True)
class Undone:
    """What an undo did; `version` is the card's version now (None if it was removed, or
    if the undo left the card's version as it was: a note's text, which has its own)."""

    description: str
    card_id: int
    version: int | None
    inverse: Change | None = None
    """The change that puts back what this undo took away (redo), where known."""
