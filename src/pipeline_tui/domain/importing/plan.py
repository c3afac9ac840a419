"""What an import will write: typed plans of cards and everything that hangs on them.

Plain values, built from a file (CSV, workbook, vCard, our JSON) before the database
is touched; the store matches them against existing cards and writes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.limits import NOTE
from pipeline_tui.domain.qualification import Answer
from pipeline_tui.domain.schedule import ActivityKind
from pipeline_tui.domain.stages import Stage

IMPORTED_FIELDS = "Imported fields"
"""The first line of the note that keeps the values no card field holds."""


def note_too_long(notes: Iterable[PlannedNote]) -> str | None:
    """Why a planned card's notes cannot be saved: one is longer than a note can be, as
    `pipeline-tui note` refuses it (None: they can be). An import had stored a note of
    5,000,000 characters that the card screen then crawled to show."""
    for note in notes:
        if len(note.body) > NOTE.chars:
            return f"a note has {len(note.body):,} characters; a note can have {NOTE.chars:,}"
    return None


@dataclass(frozen=True)
class PlannedNote:
    kind: NoteKind
    body: str
    created_at: datetime
    updated_at: datetime
    version: int = 1


@dataclass(frozen=True)
class PlannedTouchpoint:
    kind: TouchpointKind
    happened_on: date
    summary: str
    created_at: datetime


@dataclass(frozen=True)
class PlannedActivity:
    kind: ActivityKind
    text: str
    due: date | None
    due_time: time | None
    created_at: datetime
    done_at: datetime | None = None


@dataclass(frozen=True)
class PlannedCapture:
    """An email or invite `log -` logged on the card (store.models.CapturedItemRow),
    so that piping it again after a move to another database is still refused."""

    origin: str
    sequence: int
    logged_on: date
    next_action: str = ""
    next_action_due: date | None = None


@dataclass(frozen=True)
class PlannedCallSession:
    """A sitting of calls from the call queue (store.models.CallSessionRow): the
    stand-up's call figures, which a move to another database keeps."""

    owner: str
    started_at: datetime
    last_call_at: datetime
    reached: int
    voicemail: int
    no_answer: int
    meeting_set: int
    not_interested: int


@dataclass(frozen=True)
class PlannedStageEvent:
    from_stage: Stage | None
    to_stage: Stage
    at: datetime
    by: str
    note: str = ""


@dataclass(frozen=True)
class PlannedAnswer:
    criterion: str
    answer: Answer
    comment: str
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class PlannedCard:
    """One card to add, or to merge into the card it matches."""

    line: int
    """Where it came from: the file's line, or the card's number in an export."""
    name: str
    organisation: str
    email: str
    phone: str
    tags: tuple[str, ...]
    stage: Stage
    owner: str
    created_at: datetime
    updated_at: datetime
    next_action: str = ""
    next_action_due: date | None = None
    source: TouchpointKind | None = None
    market: Market | None = None
    archived_at: datetime | None = None
    archive_reason: ArchiveReason | None = None
    archive_note: str = ""
    position: int | None = None
    """Its order in its column in an export; None: below the others, in file order."""
    version: int = 1
    notes: tuple[PlannedNote, ...] = ()
    touchpoints: tuple[PlannedTouchpoint, ...] = ()
    events: tuple[PlannedStageEvent, ...] = ()
    answers: tuple[PlannedAnswer, ...] = ()
    activities: tuple[PlannedActivity, ...] = ()
    """Its scheduled steps, from an export; none given: its next action is its one."""
    captured: tuple[PlannedCapture, ...] = ()
    """The emails and invites logged on it by `log -`, from an export; one an origin."""
    old_id: int | None = None
    """Its id in the export it came from, so referrals can be linked again."""
    referred_by: int | None = None
    """The old id of the card that referred it."""
    value: Decimal | None = None
    expected_close: date | None = None
    won_value: Decimal | None = None
    """What it was won at, for a card archived as won."""
    nurture_until: date | None = None
    """A lead parked "not yet" until this day (domain.nurture)."""
    rhythm_days: int | None = None
    """Keep in touch every this many days (None: the stage's stale limit)."""
    cadence_step: int | None = None
    """Where it was in its stage's after-sale cadence, and the day that step counts from."""
    cadence_anchor: date | None = None
    cadence_base: date | None = None
    """That day before any contact moved it on (an export from before it was kept: the
    anchor)."""

    @property
    def archived(self) -> bool:
        return self.archived_at is not None
