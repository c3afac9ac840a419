"""After-sale cadence: the steps a card takes after it becomes a client (or a repeat).

A cadence is written in config as steps counted from the day the card entered the stage:
"+7d check in after delivery", "+30d ask for a referral", "+90d offer the next service".
The offsets are cumulative, but what a rep expects is a rhythm, not a calendar: when a
step is done late, or the rep talked to the client in between, the next one is counted
from that day. So a card keeps only the step it is at and an anchor day, and

    step k is due on  anchor + (offset_k - offset_{k-1})

where the anchor is the day the card entered the stage (for step 0) or the day the step
before was done, moved on to the day of any later touchpoint (the gap counts from the
latest contact).

Offsets are months and days ("+2w" is 14 days): a gap of "+7d" then "+3m" is three
months less seven days. Months land on the same day of the month, or the month's last
day when it is shorter (31 Jan + 1 month is 28 or 29 Feb), so a gap never depends on
the time zone or daylight saving: everything here is a calendar day.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline_tui.domain.dates import add_months, month_span
from pipeline_tui.domain.limits import NEXT_ACTION, clip
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line

CADENCE_STAGES: tuple[Stage, ...] = (Stage.CLIENT, Stage.REPEAT)
"""The stages with a cadence: it starts when a card moves into one, stops when it leaves."""


def leaves_cadences(from_stage: Stage, to_stage: Stage) -> bool:
    """Whether a move takes a card back out of the stages with a cadence (to a
    prospect or a lead, who has had no delivery to check in after): the step its
    cadence had waiting goes with the cadence. Moved on from Client to Repeat, the
    step stays (the rep may still mean to)."""
    return from_stage in CADENCE_STAGES and to_stage not in CADENCE_STAGES


DEFAULT_STEPS: dict[Stage, tuple[str, ...]] = {
    Stage.CLIENT: (
        "+7d check in after delivery",
        "+30d ask for a referral",
        "+90d offer the next service",
    ),
    Stage.REPEAT: ("+30d check in", "+90d offer the next service"),
}

MAX_OFFSET_DAYS = 3660
"""About ten years: a step further out than that is a typo, not a plan."""

MAX_RHYTHM_DAYS = 365
"""Keep in touch at least once a year; a longer rhythm is no rhythm."""

_STEP = re.compile(r"^\+\s*(\d{1,4})\s*([dwm])\s+(\S.*)$", re.IGNORECASE)
_DAYS_PER = {"d": 1, "w": 7}


class CadenceError(ValueError):
    """A step or a rhythm that cannot be used; the message is one sentence for the rep."""


@dataclass(frozen=True, order=True)
class Offset:
    """How far after the start a step is: whole months, then days."""

    months: int = 0
    days: int = 0

    def __sub__(self, other: Offset) -> Offset:
        return Offset(self.months - other.months, self.days - other.days)

    @property
    def shortest_days(self) -> int:
        """The fewest days this can be, from any day of the calendar (months back come
        into a gap from "+4m" to "+124d")."""
        return self.days + (month_span(self.months)[0] if self.months else 0)

    @property
    def longest_days(self) -> int:
        """The most days this can be, from any day of the calendar."""
        return self.days + (month_span(self.months)[1] if self.months else 0)

    def after(self, day: date) -> date:
        """`day` moved on by this offset: months first (clamped to the month's end),
        then days."""
        return add_months(day, self.months) + timedelta(days=self.days)


@dataclass(frozen=True)
class CadenceStep:
    offset: Offset
    text: str
    written: str
    """The step as config has it ("+7d check in after delivery"), for messages."""


def parse_step(written: str) -> CadenceStep:
    """A step from config: "+7d text", "+2w text" or "+3m text"; CadenceError naming
    the step otherwise."""
    match = _STEP.match(clean_line(written))
    if match is None:
        raise CadenceError(
            f"{written!r} is not a step; write the days, weeks or months after the start "
            'and what to do, like "+7d check in after delivery"'
        )
    amount, unit, text = int(match[1]), match[2].lower(), clean_line(match[3])
    offset = Offset(months=amount) if unit == "m" else Offset(days=amount * _DAYS_PER[unit])
    if offset.longest_days > MAX_OFFSET_DAYS or offset.shortest_days < 1:
        raise CadenceError(f"{written!r} must be between 1 day and ten years after the start")
    if len(text) > NEXT_ACTION.chars:
        raise CadenceError(
            f"{written!r} is longer than a next action can be ({NEXT_ACTION.chars} characters)"
        )
    return CadenceStep(offset, text, written)


@dataclass(frozen=True)
class Cadence:
    """A stage's steps, in order."""

    stage: Stage
    steps: tuple[CadenceStep, ...]

    def gap(self, index: int) -> Offset:
        """How long after its anchor step `index` is due."""
        previous = self.steps[index - 1].offset if index > 0 else Offset()
        return self.steps[index].offset - previous

    def due(self, index: int, anchor: date) -> date:
        """The day step `index` is due, counted from `anchor`."""
        return self.gap(index).after(anchor)


def parse_cadence(stage: Stage, written: Sequence[str]) -> Cadence:
    """A stage's cadence from config; CadenceError naming the bad step. Each step must
    come later than the one before it from whatever day the earlier one is done on."""
    steps = tuple(parse_step(text) for text in written)
    cadence = Cadence(stage, steps)
    for index in range(1, len(steps)):
        if cadence.gap(index).shortest_days < 1:
            raise CadenceError(
                f"{steps[index].written!r} must come after {steps[index - 1].written!r}; "
                "list the steps in order"
            )
    return cadence


def default_cadences() -> dict[Stage, Cadence]:
    return {stage: parse_cadence(stage, steps) for stage, steps in DEFAULT_STEPS.items()}


@dataclass(frozen=True)
class CadencePlace:
    """Where a card is in its stage's cadence."""

    stage: Stage
    index: int
    """The pending step (0 first); len(steps) once every step is done."""
    total: int
    text: str = ""
    due: date | None = None
    """When the pending step is due; None once the cadence is finished."""

    @property
    def finished(self) -> bool:
        return self.due is None

    @property
    def number(self) -> int:
        """The pending step counted from 1, as a rep says it."""
        return self.index + 1

    @property
    def name(self) -> str:
        return f"{self.stage.label} cadence"

    @property
    def progress(self) -> str:
        """ "step 2 of 3, ask for a referral, due 14 Jan", or "all 3 steps done"."""
        if self.due is None:
            return f"all {self.total} steps done"
        return f"step {self.number} of {self.total}, {self.text}, due {short_day(self.due)}"

    def describe(self) -> str:
        """ "Client cadence: step 2 of 3, ask for a referral, due 14 Jan"."""
        return f"{self.name}: {self.progress}"


def short_day(day: date) -> str:
    return f"{day.day} {day.strftime('%b')}"


def place(cadence: Cadence, index: int, anchor: date | None) -> CadencePlace:
    """Where a card at step `index`, anchored on `anchor`, is in `cadence` (a cadence
    shortened in config since: finished)."""
    total = len(cadence.steps)
    if anchor is None or not 0 <= index < total:
        return CadencePlace(cadence.stage, total, total)
    step = cadence.steps[index]
    return CadencePlace(cadence.stage, index, total, step.text, cadence.due(index, anchor))


def touched(anchor: date, on: date) -> date:
    """The pending step's anchor after a touchpoint `on`: the latest contact counts
    (a touchpoint logged for a day before the anchor changes nothing)."""
    return max(anchor, on)


NO_RHYTHM = ("", "none", "clear", "-")
"""What clears a card's rhythm, typed in the dialog or the shell (any case)."""


def parse_rhythm(text: str) -> int | None:
    """A keep-in-touch rhythm as typed, the dialog's and the shell's one rule: "21",
    "21d" or "21 days"; None for empty or "none" (the stage's stale limit applies).

    A number out of range is named whole ("100000 is not a rhythm"), never cut short.
    """
    key = " ".join(text.strip().lower().split())
    if key in NO_RHYTHM:
        return None
    number = key.removesuffix("days").removesuffix("day").removesuffix("d").strip()
    if not (number.isascii() and number.isdigit()):
        raise CadenceError(
            f"{clean_line(text.strip())!r} is not a number of days; write one like 21, or none."
        )
    number = number.lstrip("0") or "0"
    if len(number) > len(str(MAX_RHYTHM_DAYS)):
        raise CadenceError(
            f"Keep in touch every 1 to {MAX_RHYTHM_DAYS} days; {number} is not a rhythm."
        )
    return check_rhythm(int(number))


def check_rhythm(days: int | None) -> int | None:
    """A keep-in-touch rhythm in days (None: none, the stage's stale limit applies)."""
    if days is not None and not 1 <= days <= MAX_RHYTHM_DAYS:
        raise CadenceError(
            f"Keep in touch every 1 to {MAX_RHYTHM_DAYS} days; {days} is not a rhythm."
        )
    return days


def step_words(text: str) -> str:
    """A step's words as the card's next action holds them once scheduled."""
    return clip("next_action", clean_line(text))


def is_step_of(cadences: Mapping[Stage, Cadence], stage: Stage, words: str) -> bool:
    """Whether `words` are one of the steps of `stage`'s cadence, as the store
    schedules them: what a move back out of it may take away (leaves_cadences)."""
    cadence = cadences.get(stage)
    if not words or cadence is None:
        return False
    return any(words == step_words(step.text) for step in cadence.steps)


def first_step(
    cadences: Mapping[Stage, Cadence], stage: Stage, today: date
) -> tuple[str, date] | None:
    """The next action a card with none is given as it comes into `stage` today (the
    first step of the stage's cadence, as the store schedules it); None if none."""
    cadence = cadences.get(stage)
    if stage not in CADENCE_STAGES or cadence is None or not cadence.steps:
        return None
    return step_words(cadence.steps[0].text), cadence.due(0, today)
