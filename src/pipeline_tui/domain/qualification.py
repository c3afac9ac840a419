"""Qualification: a checklist of ideal-client criteria, each answered yes, no or unknown.

Answers are keyed by the criterion's text, so a team can reword, add or drop criteria
in the config: answers to criteria no longer listed are kept but not counted, and new
criteria start as unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pipeline_tui.domain.limits import CRITERION, MOVE_NOTE, QUALIFICATION_COMMENT
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line

DEFAULT_CRITERIA: tuple[str, ...] = (
    "can afford it",
    "genuinely needs what we offer",
    "has a track record of following through",
    "values and goals align",
)
QUALIFIED_STAGES: frozenset[Stage] = frozenset({Stage.LEAD, Stage.PROSPECT})
"""Stages whose cards carry a checklist (a client has already shown it qualified)."""
CRITERION_MAX = CRITERION.chars
COMMENT_MAX = QUALIFICATION_COMMENT.chars


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    @property
    def mark(self) -> str:
        """A symbol for the answer, so it never relies on colour alone."""
        return _MARKS[self]


_MARKS = {Answer.YES: "✓", Answer.NO: "✗", Answer.UNKNOWN: "?"}


@dataclass(frozen=True)
class CriterionAnswer:
    answer: Answer = Answer.UNKNOWN
    comment: str = ""


def criteria_from_config(
    criteria: Sequence[str] | None = None, extend: Sequence[str] = ()
) -> tuple[str, ...]:
    """The checklist: `criteria` replaces the defaults, `extend` adds to them.

    Blank entries and repeats (ignoring case) are dropped; the first spelling wins.
    """
    base = DEFAULT_CRITERIA if criteria is None else criteria
    result: list[str] = []
    seen: set[str] = set()
    for raw in (*base, *extend):
        text = clean_line(raw)[:CRITERION_MAX]
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            result.append(text)
    return tuple(result)


@dataclass(frozen=True)
class Qualification:
    """One card's checklist: the criteria in force and the answers given so far."""

    criteria: tuple[str, ...]
    answers: Mapping[str, CriterionAnswer] = field(default_factory=dict)

    def answer(self, criterion: str) -> CriterionAnswer:
        return self.answers.get(criterion, CriterionAnswer())

    @property
    def met(self) -> int:
        return met_count(
            self.criteria, (c for c, a in self.answers.items() if a.answer is Answer.YES)
        )

    @property
    def total(self) -> int:
        return len(self.criteria)

    @property
    def score(self) -> str:
        return format_score(self.met, self.total)

    @property
    def is_complete(self) -> bool:
        """Every criterion answered yes or no (nothing left unknown)."""
        return all(self.answer(c).answer is not Answer.UNKNOWN for c in self.criteria)

    @property
    def passes(self) -> bool:
        """Qualified: every criterion answered yes. An empty checklist passes."""
        return self.met == self.total

    @property
    def failed(self) -> tuple[str, ...]:
        """The criteria not answered yes, in checklist order."""
        return tuple(c for c in self.criteria if self.answer(c).answer is not Answer.YES)

    def override_note(self, reason: str = "") -> str:
        """What a stage move records when the rep moves a card that did not pass, with
        the rep's `reason` (whole: the list of what failed is what gives way, so the
        note fits the stage history's MOVE_NOTE; a dozen criteria left no room for it)."""
        head = f"qualification overridden at {self.score}"
        tail = f": {reason}" if reason else ""
        missing = "; ".join(f"{c}: {self.answer(c).answer.value}" for c in self.failed)
        room = MOVE_NOTE.chars - len(head) - len(tail) - len(" ()")
        if len(missing) > room:
            missing = missing[: max(room - 1, 0)] + "…"
        return f"{head} ({missing}){tail}"


def checked_on_the_way(from_stage: Stage, to_stage: Stage) -> bool:
    """Whether a move is held to the checklist: a lead moving on (to prospect or
    beyond) must pass it, or be moved with a recorded override, never silently."""
    return from_stage is Stage.LEAD and to_stage.order > Stage.LEAD.order


def met_count(criteria: Iterable[str], yes: Iterable[str]) -> int:
    """How many of `criteria` are among the criteria answered yes."""
    return len(set(criteria) & set(yes))


def format_score(met: int, total: int) -> str:
    return f"{met}/{total}"
