"""Scheduled activities: the steps a rep has planned on a card ("send the proposal
Fri", "call the CFO Tue"), each with a kind, a due day (and maybe a time) and words.

A card can hold several; the earliest open one is the card's next action, which the
board, the stand-up, the week and the exports show. Not to be confused with
domain/activity.py, which is about when a card was last worked on (staleness).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from pipeline_tui.domain.kinds import TouchpointKind


class ActivityKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    TASK = "task"
    RESEARCH = "research"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def touchpoint(self) -> TouchpointKind:
        """What doing it is logged as: a call is a call; a task, a conversation."""
        return _TOUCHPOINTS.get(self, TouchpointKind.CONVERSATION)


_TOUCHPOINTS = {
    ActivityKind.CALL: TouchpointKind.CALL,
    ActivityKind.EMAIL: TouchpointKind.EMAIL,
    ActivityKind.MEETING: TouchpointKind.MEETING,
}

_KIND_WORDS = {
    "call": ActivityKind.CALL,
    "ring": ActivityKind.CALL,
    "phone": ActivityKind.CALL,
    "email": ActivityKind.EMAIL,
    "e-mail": ActivityKind.EMAIL,
    "mail": ActivityKind.EMAIL,
    "send": ActivityKind.EMAIL,
    "reply": ActivityKind.EMAIL,
    "meet": ActivityKind.MEETING,
    "meeting": ActivityKind.MEETING,
    "demo": ActivityKind.MEETING,
    "visit": ActivityKind.MEETING,
    "lunch": ActivityKind.MEETING,
    "coffee": ActivityKind.MEETING,
    "research": ActivityKind.RESEARCH,
    "find": ActivityKind.RESEARCH,
    "look": ActivityKind.RESEARCH,
    "read": ActivityKind.RESEARCH,
}


def kind_for_words(words: str) -> ActivityKind:
    """The kind an activity most likely is, from its first word ("Call Ann": a call);
    a task when nothing says."""
    split = words.strip().lower().split()
    first = split[0].rstrip(":,.") if split else ""
    return _KIND_WORDS.get(first, ActivityKind.TASK)


def parse_kind(typed: str, words: str) -> ActivityKind:
    """The kind the rep typed (a whole name or its start: "c", "me"), or, when nothing
    is typed, the one the words suggest; raises ValueError naming the kinds."""
    typed = typed.strip().lower()
    if not typed:
        return kind_for_words(words)
    matches = [kind for kind in ActivityKind if kind.value.startswith(typed)]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(kind.value for kind in ActivityKind)
    raise ValueError(f"One of {names}.")


@dataclass(frozen=True)
class Activity:
    """One scheduled step on a card, open until it is done."""

    id: int
    kind: ActivityKind
    text: str
    due: date | None = None
    due_time: time | None = None
    created_at: datetime | None = None
    done_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    def is_overdue(self, today: date) -> bool:
        return self.due is not None and self.due < today


def activity_order(activity: Activity) -> tuple[bool, date, bool, time, int]:
    """Earliest first: by day, then time (a timed step before an untimed one on the
    same day), then the order they were added; undated steps after all dated ones."""
    return (
        activity.due is None,
        activity.due or date.min,
        activity.due_time is None,
        activity.due_time or time.min,
        activity.id,
    )


def describe_time(moment: time | None) -> str:
    return f"{moment:%H:%M}" if moment is not None else ""


class TimeError(ValueError):
    """A time of day that cannot be read."""


def parse_time(typed: str) -> time | None:
    """ "14:30", "9:05", "1430", "9" read as a time of day; "" as none."""
    typed = typed.strip().lower().replace(".", ":")
    if not typed:
        return None
    if ":" in typed:
        hours, _, minutes = typed.partition(":")
    elif len(typed) in (3, 4) and typed.isdigit():
        hours, minutes = typed[:-2], typed[-2:]
    else:
        hours, minutes = typed, "0"
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        raise TimeError(f"{typed!r} is not a time of day; try 14:30.") from None
