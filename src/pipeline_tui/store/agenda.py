"""What is due: the open next actions with a due date, for the agenda and the calendar.

Everything that reads or completes "the next step" from the shell goes through this
module and the service methods over it (agenda, schedule_next, complete_next), so the
shell and the calendar file do not depend on how a step is stored.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pipeline_tui.domain.agenda import ScheduledAction
from pipeline_tui.store.models import CardRow


def scheduled_actions(
    session: Session,
    *,
    until: date | None = None,
    owner: str | None = None,
    today: date | None = None,
) -> list[ScheduledAction]:
    """Every active card's dated next action due on or before `until` (None: all),
    earliest first; `owner`: only that rep's cards; `today`: leaving out cards parked
    "not yet" that are still away on that day."""
    query = select(
        CardRow.id,
        CardRow.name,
        CardRow.organisation,
        CardRow.stage,
        CardRow.owner,
        CardRow.next_action,
        CardRow.next_action_due,
        CardRow.email,
        CardRow.phone,
        CardRow.updated_at,
        CardRow.version,
    ).where(CardRow.archived_at.is_(None), CardRow.next_action_due.is_not(None))
    if until is not None:
        query = query.where(CardRow.next_action_due <= until)
    if owner is not None:
        query = query.where(CardRow.owner == owner)
    if today is not None:
        query = query.where(or_(CardRow.nurture_until.is_(None), CardRow.nurture_until <= today))
    query = query.order_by(CardRow.next_action_due, CardRow.name, CardRow.id)
    return [
        ScheduledAction(
            card_id=row.id,
            card_name=row.name,
            organisation=row.organisation,
            stage=row.stage,
            owner=row.owner,
            action=row.next_action,
            due=row.next_action_due,
            email=row.email,
            phone=row.phone,
            updated_at=row.updated_at,
            version=row.version,
        )
        for row in session.execute(query)
    ]
