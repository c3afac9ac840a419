"""What happened in the pipeline, as outside tools hear of it (hooks, the calendar file).

An event is recorded by the change that causes it and handed on only once that change
is committed, so a hook never hears of a change that was rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pipeline_tui.domain.stages import Stage


class EventName(StrEnum):
    CARD_ADDED = "card_added"
    STAGE_CHANGED = "stage_changed"
    BECAME_CLIENT = "became_client"
    ARCHIVED = "archived"
    RESTORED = "restored"
    NEXT_ACTION_DONE = "next_action_done"


EVENT_NAMES: tuple[str, ...] = tuple(name.value for name in EventName)


@dataclass(frozen=True)
class PipelineEvent:
    """One event about one card; `details` holds what is particular to the event
    (the stages of a move, the archive reason, the action done), as JSON-ready values."""

    name: EventName
    card_id: int
    card_name: str
    organisation: str
    stage: Stage
    at: datetime
    by: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The event as a hook reads it on stdin."""
        return {
            "event": self.name.value,
            "at": self.at.isoformat(),
            "by": self.by,
            "card": {
                "id": self.card_id,
                "name": self.card_name,
                "organisation": self.organisation,
                "stage": self.stage.value,
            },
            **self.details,
        }
