"""The agenda: every open next action with a due date, by day, overdue first.

The store hands over `ScheduledAction`s; how they are grouped and labelled lives here,
so the shell, the calendar file and any screen show the same days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.schedule import ActivityKind
from pipeline_tui.domain.stages import Stage

DEFAULT_DAYS = 7


@dataclass(frozen=True)
class ScheduledAction:
    """One step due on one card."""

    card_id: int
    card_name: str
    organisation: str
    stage: Stage
    owner: str
    action: str
    due: date
    email: str = ""
    phone: str = ""
    updated_at: datetime | None = None
    """When the card (so the step) last changed: the calendar's DTSTAMP."""
    version: int = 0
    """Rises with every change to the card: the calendar's SEQUENCE."""
    activity_id: int | None = None
    """The scheduled activity this step is (domain.schedule), when every open activity
    is listed (the week); None: the card's next action, its earliest."""
    due_time: time | None = None
    kind: ActivityKind | None = None
    """The kind the step was scheduled as (a meeting called "Pricing review"); None: not
    known (a next action written beside the activities), its words say."""

    @property
    def key(self) -> str:
        """Names the line: one a card, or one an activity when every one is listed."""
        if self.activity_id is not None:
            return f"activity-{self.activity_id}"
        return f"card-{self.card_id}"

    def is_overdue(self, today: date) -> bool:
        return self.due < today


@dataclass(frozen=True)
class AgendaDay:
    """A heading and its actions: "Overdue", then one per day that has any."""

    label: str
    day: date | None
    """None for the overdue group, which spans days."""
    actions: tuple[ScheduledAction, ...]


def agenda_days(actions: Iterable[ScheduledAction], today: date) -> list[AgendaDay]:
    """Group actions (in due order) into Overdue, then each day from today on."""
    overdue: list[ScheduledAction] = []
    by_day: dict[date, list[ScheduledAction]] = {}
    for action in sorted(actions, key=lambda a: (a.due, a.card_name.casefold(), a.card_id)):
        if action.is_overdue(today):
            overdue.append(action)
        else:
            by_day.setdefault(action.due, []).append(action)
    days = [AgendaDay("Overdue", None, tuple(overdue))] if overdue else []
    days += [AgendaDay(day_label(day, today), day, tuple(items)) for day, items in by_day.items()]
    return days


def day_label(day: date, today: date) -> str:
    """ "Today · Mon 23 Nov", "Tomorrow · Tue 24 Nov", "Thu 26 Nov"."""
    plain = f"{day:%a} {day.day} {day:%b}" + ("" if day.year == today.year else f" {day.year}")
    if day == today:
        return f"Today · {plain}"
    if day == today + timedelta(days=1):
        return f"Tomorrow · {plain}"
    return plain


_KIND_WORDS = {
    "call": "call",
    "ring": "call",
    "phone": "call",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "send": "email",
    "reply": "email",
    "meet": "meeting",
    "meeting": "meeting",
    "demo": "meeting",
    "visit": "meeting",
    "lunch": "meeting",
    "coffee": "meeting",
    "follow": "follow-up",
    "follow-up": "follow-up",
    "check": "follow-up",
}


def kind_for_action(action: str, stage: Stage | None = None) -> TouchpointKind:
    """The touchpoint an action most likely was, from its first word ("Call Ann back":
    a call); a conversation when nothing says. "Follow up" or "check in" is a follow-up
    after a sale only with a client (or repeat): with a lead or a prospect it was a
    conversation (the first touchpoint sets the card's source, and reports count it)."""
    words = action.strip().lower().split()
    first = words[0].rstrip(":,.") if words else ""
    kind = TouchpointKind(_KIND_WORDS.get(first, TouchpointKind.CONVERSATION.value))
    if kind is TouchpointKind.FOLLOW_UP and stage not in (None, Stage.CLIENT, Stage.REPEAT):
        return TouchpointKind.CONVERSATION
    return kind


def kind_for_activity(
    kind: ActivityKind | None, action: str, stage: Stage | None = None
) -> TouchpointKind:
    """The touchpoint doing a scheduled step most likely was: the step's own kind when
    it is one (a call, an email, a meeting), else what its words say (kind_for_action).
    A step scheduled with a kind its words do not name ("Pricing review", a meeting)
    is logged as that kind; a task or research, as its words read."""
    if kind is not None and kind.touchpoint is not TouchpointKind.CONVERSATION:
        return kind.touchpoint
    return kind_for_action(action, stage)
