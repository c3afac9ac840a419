"""The brief: what to know before calling someone, on one screen or one message.

The latest note of each kind that matters on a call (problem, goal, gap, urgency,
insight), the qualification criteria not yet answered turned into questions to ask,
the last few touchpoints, who referred them and when, the activity that is due, and
how to reach them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pipeline_tui.domain.calls import DueActivity
from pipeline_tui.domain.cards import CardLink, TouchpointView
from pipeline_tui.domain.kinds import Market, NoteKind, TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line, clean_text

BRIEF_NOTE_KINDS: tuple[NoteKind, ...] = (
    NoteKind.PROBLEM,
    NoteKind.GOAL,
    NoteKind.GAP,
    NoteKind.URGENCY,
    NoteKind.INSIGHT,
)
"""The kinds of research a call is prepared with, in the order the brief shows them."""
LAST_TOUCHPOINTS = 3


@dataclass(frozen=True)
class BriefNote:
    kind: NoteKind
    body: str
    updated_at: datetime

    @property
    def first_line(self) -> str:
        """The note's first line of text, sanitised (Markdown marks and all)."""
        for line in clean_text(self.body).splitlines():
            if line.strip():
                return clean_line(line)
        return ""

    @property
    def has_more(self) -> bool:
        """Whether the note says more than its first line."""
        lines = [line for line in clean_text(self.body).splitlines() if line.strip()]
        return len(lines) > 1


@dataclass(frozen=True)
class Referral:
    """Who introduced this person, and on what day."""

    referrer: CardLink
    organisation: str
    on: date


@dataclass(frozen=True)
class Brief:
    card_id: int
    name: str
    organisation: str
    stage: Stage
    owner: str
    email: str
    phone: str
    version: int
    """The card's version when read: a next action set from the brief is checked against it."""
    source: TouchpointKind | None = None
    market: Market | None = None
    score: str | None = None
    """The qualification score ("2/4") for leads and prospects."""
    due: DueActivity | None = None
    next_action: str = ""
    """The card's next action in the rep's words, dated (`due`) or not."""
    notes: tuple[BriefNote, ...] = ()
    """The latest note of each of BRIEF_NOTE_KINDS that the card has, in that order."""
    questions: tuple[Question, ...] = ()
    touchpoints: tuple[TouchpointView, ...] = ()
    """The last few, newest first."""
    referral: Referral | None = None
    archived: bool = False

    @property
    def missing_kinds(self) -> tuple[NoteKind, ...]:
        """The brief's kinds of note the card has none of: research still to do."""
        present = {note.kind for note in self.notes}
        return tuple(kind for kind in BRIEF_NOTE_KINDS if kind not in present)


def latest_notes(notes: list[BriefNote]) -> tuple[BriefNote, ...]:
    """The newest note of each brief kind, in the brief's order."""
    newest: dict[NoteKind, BriefNote] = {}
    for note in notes:
        kept = newest.get(note.kind)
        if note.kind in BRIEF_NOTE_KINDS and (kept is None or note.updated_at > kept.updated_at):
            newest[note.kind] = note
    return tuple(newest[kind] for kind in BRIEF_NOTE_KINDS if kind in newest)


# The default criteria, asked the way a rep would ask them on a call.
_QUESTIONS = {
    "can afford it": "What budget is set aside for this, and who signs it off?",
    "genuinely needs what we offer": "What happens if they leave this problem as it is?",
    "has a track record of following through": (
        "What did they last start like this, and how did it go?"
    ),
    "values and goals align": "What matters most to them in who they work with?",
}


@dataclass(frozen=True)
class Question:
    """A criterion not yet answered, and how to ask about it on a call."""

    criterion: str
    ask: str


def question_for(criterion: str) -> Question | None:
    """An unanswered qualification criterion as a question to ask on the call."""
    text = clean_line(criterion)
    if not text:
        return None
    known = _QUESTIONS.get(text.casefold())
    if known is not None:
        return Question(text, known)
    return Question(text, f"Find out: {text.rstrip('.?! ')}?")


def questions_for(unanswered: list[str]) -> tuple[Question, ...]:
    return tuple(q for q in (question_for(c) for c in unanswered) if q is not None)
