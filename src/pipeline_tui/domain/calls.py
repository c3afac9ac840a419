"""The power hour: which cards to call, in what order, and what each call's outcome means.

The queue walks the cards whose due activity is overdue or due today (then, when the rep
asks, the rest of the week). One key gives a call's outcome and the next step it
suggests; once the rep confirms the step, the call is logged with it: a touchpoint
("Call: voicemail") and the step, together. A session's figures (calls,
reached, meetings set) are kept for the next morning's stand-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from pipeline_tui.domain.cards import CardSummary, Change

WEEK_AHEAD_DAYS = 7
"""What "the rest of the week" covers: the seven days after today."""
NURTURE_DAYS = 90
"""How far off a "not now" call is tried again, when the rep keeps the card."""


# The activity that is due ---------------------------------------------------------------


@dataclass(frozen=True)
class DueActivity:
    """What the rep is meant to do next with a card, and when."""

    text: str
    due: date

    def is_overdue(self, today: date) -> bool:
        return self.due < today


def due_activity(card: CardSummary) -> DueActivity | None:
    """The card's activity that is due: today its one next action and its date.

    Every reader of "what is due on this card" asks here, so the day a card holds
    several scheduled activities only this (and the store's read of the queue) change.
    """
    if card.next_action_due is None:
        return None
    return DueActivity(card.next_action, card.next_action_due)


# The queue ------------------------------------------------------------------------------


class QueuePart(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    WEEK = "week"

    @property
    def label(self) -> str:
        return {"overdue": "Overdue", "today": "Due today", "week": "This week"}[self.value]


@dataclass(frozen=True)
class QueueEntry:
    card: CardSummary
    activity: DueActivity
    part: QueuePart


def week_end(today: date) -> date:
    """The last day "the rest of the week" covers."""
    return today + timedelta(days=WEEK_AHEAD_DAYS)


def part_of(activity: DueActivity, today: date) -> QueuePart | None:
    """Where a due activity sits in the queue; None when it is not due this week."""
    if activity.due < today:
        return QueuePart.OVERDUE
    if activity.due == today:
        return QueuePart.TODAY
    if activity.due <= week_end(today):
        return QueuePart.WEEK
    return None


def build_queue(
    cards: Iterable[CardSummary], today: date, *, week: bool = False
) -> tuple[QueueEntry, ...]:
    """The calls to make, in order: overdue (longest waiting first), due today (furthest
    stage first: clients and prospects are closest to money), then, with `week`, what
    is due in the next seven days, soonest first. Each card once."""
    entries: list[QueueEntry] = []
    seen: set[int] = set()
    for card in cards:
        activity = due_activity(card)
        if activity is None or card.id in seen:
            continue
        part = part_of(activity, today)
        if part is None or (part is QueuePart.WEEK and not week):
            continue
        seen.add(card.id)
        entries.append(QueueEntry(card, activity, part))
    return tuple(sorted(entries, key=_queue_order))


_PART_ORDER = {QueuePart.OVERDUE: 0, QueuePart.TODAY: 1, QueuePart.WEEK: 2}


def _queue_order(entry: QueueEntry) -> tuple[int, date, int, str, int]:
    card = entry.card
    return (
        _PART_ORDER[entry.part],
        entry.activity.due,
        -card.stage.order,
        card.name.casefold(),
        card.id,
    )


# Outcomes ---------------------------------------------------------------------------------


class CallOutcome(StrEnum):
    REACHED = "reached"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no-answer"
    MEETING_SET = "meeting-set"
    NOT_INTERESTED = "not-interested"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]

    @property
    def key(self) -> str:
        """The one key that logs this outcome in the call queue."""
        return _OUTCOME_KEYS[self]

    @property
    def summary(self) -> str:
        """The touchpoint's line: "Call: voicemail"."""
        return f"Call: {self.label.lower()}"

    @property
    def reached(self) -> bool:
        """Whether the rep spoke to the person (a meeting set or a "no" needs a talk)."""
        return self in (CallOutcome.REACHED, CallOutcome.MEETING_SET, CallOutcome.NOT_INTERESTED)


_OUTCOME_LABELS = {
    CallOutcome.REACHED: "Reached",
    CallOutcome.VOICEMAIL: "Voicemail",
    CallOutcome.NO_ANSWER: "No answer",
    CallOutcome.MEETING_SET: "Meeting set",
    CallOutcome.NOT_INTERESTED: "Not interested",
}
_OUTCOME_KEYS = {
    CallOutcome.REACHED: "r",
    CallOutcome.VOICEMAIL: "v",
    CallOutcome.NO_ANSWER: "a",
    CallOutcome.MEETING_SET: "m",
    CallOutcome.NOT_INTERESTED: "x",
}


@dataclass(frozen=True)
class NextStep:
    """The next action a call's outcome suggests, for the rep to confirm or change.

    `ask_date`: the date is the rep's to give (a meeting); `offer_archive`: the person
    said no, so archiving the card is offered beside trying again much later.
    """

    action: str
    due: date | None
    ask_date: bool = False
    offer_archive: bool = False


def suggested_next_step(outcome: CallOutcome, today: date, step: str = "") -> NextStep:
    """What to do after a call about `step` (the card's next action, in the rep's
    words): voicemail, that step again in two days; no answer, tomorrow ("Try again"
    for a card without one: the step is not done, and is not lost); reached, the rep
    says; a meeting, on the day agreed; not interested, archive or check in again in
    three months."""
    again = step if step.strip() else "Try again"
    if outcome is CallOutcome.VOICEMAIL:
        return NextStep(again, today + timedelta(days=2))
    if outcome is CallOutcome.NO_ANSWER:
        return NextStep(again, today + timedelta(days=1))
    if outcome is CallOutcome.MEETING_SET:
        return NextStep("Meeting", None, ask_date=True)
    if outcome is CallOutcome.NOT_INTERESTED:
        return NextStep("Check in again", today + timedelta(days=NURTURE_DAYS), offer_archive=True)
    return NextStep("", None)


# A session's figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class CallTally:
    """Calls logged in one session (or several added up), by outcome."""

    reached: int = 0
    voicemail: int = 0
    no_answer: int = 0
    meeting_set: int = 0
    not_interested: int = 0

    @property
    def calls(self) -> int:
        return (
            self.reached + self.voicemail + self.no_answer + self.meeting_set + self.not_interested
        )

    @property
    def spoke_to(self) -> int:
        """Calls where the rep reached the person, whatever came of it."""
        return self.reached + self.meeting_set + self.not_interested

    def count(self, outcome: CallOutcome) -> int:
        return int(getattr(self, _FIELDS[outcome]))

    def plus(self, outcome: CallOutcome, calls: int = 1) -> CallTally:
        """The tally with `calls` more (fewer, if negative; never below none) of `outcome`."""
        values = {name: getattr(self, name) for name in _FIELDS.values()}
        values[_FIELDS[outcome]] = max(0, values[_FIELDS[outcome]] + calls)
        return CallTally(**values)

    def __add__(self, other: CallTally) -> CallTally:
        return CallTally(
            **{name: getattr(self, name) + getattr(other, name) for name in _FIELDS.values()}
        )

    def describe(self) -> str:
        """ "11 calls, 4 spoken to, 2 meetings set": everyone reached, whatever came of
        it (a meeting set or a "no" needs a talk too)."""
        calls = f"{self.calls} call{'s' if self.calls != 1 else ''}"
        meetings = f"{self.meeting_set} meeting{'s' if self.meeting_set != 1 else ''} set"
        return f"{calls}, {self.spoke_to} spoken to, {meetings}"


_FIELDS = {
    CallOutcome.REACHED: "reached",
    CallOutcome.VOICEMAIL: "voicemail",
    CallOutcome.NO_ANSWER: "no_answer",
    CallOutcome.MEETING_SET: "meeting_set",
    CallOutcome.NOT_INTERESTED: "not_interested",
}


def outcome_field(outcome: CallOutcome) -> str:
    """The name of the tally's (and the stored session's) count for `outcome`."""
    return _FIELDS[outcome]


@dataclass(frozen=True)
class CallSession:
    """One sitting of calls by one rep: when it started and what came of it."""

    id: int
    owner: str
    started_at: datetime
    last_call_at: datetime
    tally: CallTally


@dataclass(frozen=True)
class OwnerCalls:
    """A rep's calls over the stand-up's days: the sessions and their figures added up."""

    owner: str
    sessions: int
    tally: CallTally


def calls_by_owner(sessions: Iterable[CallSession]) -> tuple[OwnerCalls, ...]:
    """Sessions added up per rep, the rep with most calls first, then by name."""
    totals: dict[str, tuple[int, CallTally]] = {}
    for session in sessions:
        count, tally = totals.get(session.owner, (0, CallTally()))
        totals[session.owner] = (count + 1, tally + session.tally)
    result = [OwnerCalls(owner, count, tally) for owner, (count, tally) in totals.items()]
    return tuple(sorted(result, key=lambda o: (-o.tally.calls, o.owner.casefold(), o.owner)))


@dataclass(frozen=True)
class LoggedCall:
    """A call just logged: the session it counts in, its touchpoint's line, the card's
    version, and the change to the card made with it (its next step, or its archiving),
    for undo."""

    session_id: int
    summary: str
    version: int
    change: Change | None = None
