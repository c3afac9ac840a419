"""Events recorded inside a write transaction, handed on by the service after commit.

A change records what happened with `record`; PipelineService takes the list with
`take` once the transaction has committed and passes it to its listeners (hooks, the
calendar file). Writes made outside the service (imports, the demo) record nothing
that is heard: a bulk import is not a hundred "card added" posts to the team's chat.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pipeline_tui.domain.events import EventName, PipelineEvent
from pipeline_tui.store.models import CardRow

_KEY = "pipeline_events"


def record(session: Session, row: CardRow, name: EventName, **details: Any) -> None:
    """Note that `name` happened to the card in `row`, as of this transaction."""
    events: list[PipelineEvent] = session.info.setdefault(_KEY, [])
    events.append(
        PipelineEvent(
            name=name,
            card_id=row.id,
            card_name=row.name,
            organisation=row.organisation,
            stage=row.stage,
            at=details.pop("at"),
            by=details.pop("by"),
            details=details,
        )
    )


def take(session: Session) -> list[PipelineEvent]:
    """The events recorded in this session so far, forgetting them."""
    events: list[PipelineEvent] = session.info.pop(_KEY, [])
    return events
