"""What is due: the open next actions with a due date, for the agenda and the calendar.

Everything that reads or completes "the next step" from the shell goes through this
module and the service methods over it (agenda, schedule_next, complete_next), so the
shell and the calendar file do not depend on how a step is stored.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from pipeline_tui.domain.agenda import ScheduledAction
from pipeline_tui.store.models import ActivityRow, CardRow
from pipeline_tui.store.schedule import earliest_open_kind


def scheduled_actions(
    session: Session,
    *,
    until: date | None = None,
    owner: str | None = None,
    today: date | None = None,
    every_activity: bool = False,
) -> list[ScheduledAction]:
    """Every active card's dated next action due on or before `until` (None: all),
    earliest first; `owner`: only that rep's cards; `today`: leaving out the steps of
    cards parked "not yet" that are still away that day and on the step's own day.
    `every_activity`: each open dated activity of those cards, not only each card's
    earliest (a card can have two steps this week)."""
    if every_activity:
        return _every_activity(session, until=until, owner=owner, today=today)
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
        earliest_open_kind().label("kind"),
    ).where(CardRow.archived_at.is_(None), CardRow.next_action_due.is_not(None))
    if until is not None:
        query = query.where(CardRow.next_action_due <= until)
    if owner is not None:
        query = query.where(CardRow.owner == owner)
    if today is not None:
        query = query.where(_back_by(today, CardRow.next_action_due))
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
            kind=row.kind,
        )
        for row in session.execute(query)
    ]


def _every_activity(
    session: Session, *, until: date | None, owner: str | None, today: date | None
) -> list[ScheduledAction]:
    query = (
        select(
            CardRow.id,
            CardRow.name,
            CardRow.organisation,
            CardRow.stage,
            CardRow.owner,
            CardRow.email,
            CardRow.phone,
            CardRow.updated_at,
            CardRow.version,
            ActivityRow.id.label("activity_id"),
            ActivityRow.kind,
            ActivityRow.text,
            ActivityRow.due,
            ActivityRow.due_time,
        )
        .join(ActivityRow, ActivityRow.card_id == CardRow.id)
        .where(
            CardRow.archived_at.is_(None),
            ActivityRow.done_at.is_(None),
            ActivityRow.due.is_not(None),
        )
    )
    if until is not None:
        query = query.where(ActivityRow.due <= until)
    if owner is not None:
        query = query.where(CardRow.owner == owner)
    if today is not None:
        query = query.where(_back_by(today, ActivityRow.due))
    query = query.order_by(
        ActivityRow.due,
        ActivityRow.due_time.is_(None),
        ActivityRow.due_time,
        CardRow.name,
        CardRow.id,
        ActivityRow.id,
    )
    return [
        ScheduledAction(
            card_id=row.id,
            card_name=row.name,
            organisation=row.organisation,
            stage=row.stage,
            owner=row.owner,
            action=row.text,
            due=row.due,
            email=row.email,
            phone=row.phone,
            updated_at=row.updated_at,
            version=row.version,
            activity_id=row.activity_id,
            due_time=row.due_time,
            kind=row.kind,
        )
        for row in session.execute(query)
    ]


def _back_by(today: date, due: InstrumentedAttribute[date | None]) -> ColumnElement[bool]:
    """The card is not parked, or back by `today` or by the step's day: a lead parked
    until Thursday with a call on Friday has that call in the week (it was left out of
    the week, the stand-up and `agenda` until Thursday came)."""
    return or_(
        CardRow.nurture_until.is_(None),
        CardRow.nurture_until <= today,
        CardRow.nurture_until <= due,
    )
