"""A card's scheduled activities, and the next action they make.

The card's next_action and next_action_due columns are a copy of its earliest open
activity (domain.schedule.activity_order), so every reader of "the next action"
(board, search, stand-up, week, exports, calls) reads one row a card as before. The
copy is kept by `refresh`, called in the same transaction by everything that changes
activities (the scheduling commands in commands.py); writers that still speak of
"the" next action (the board's `f`, snooze, the card form, imports, undo) go through
`follow`, which turns what they wrote into the earliest open activity.

Every change to a card's activities is an edit of the card: its version rises, so an
undo or an edit made against what the rep saw is refused when someone else changed
the card's steps meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ScalarSelect, select
from sqlalchemy.orm import Session

from pipeline_tui.domain.schedule import Activity, ActivityKind, kind_for_words
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store.models import ActivityRow, CardRow
from pipeline_tui.store.rows import activity as view

_EARLIEST_FIRST = (
    ActivityRow.due.is_(None),
    ActivityRow.due,
    ActivityRow.due_time.is_(None),
    ActivityRow.due_time,
    ActivityRow.id,
)


def open_rows(session: Session, card_id: int) -> list[ActivityRow]:
    """The card's open activities, earliest first."""
    session.flush()
    return list(
        session.scalars(
            select(ActivityRow)
            .where(ActivityRow.card_id == card_id, ActivityRow.done_at.is_(None))
            .order_by(*_EARLIEST_FIRST)
        )
    )


def open_activities(session: Session, card_id: int) -> tuple[Activity, ...]:
    return tuple(view(row) for row in open_rows(session, card_id))


def earliest_open(session: Session, card_id: int) -> ActivityRow | None:
    rows = open_rows(session, card_id)
    return rows[0] if rows else None


def earliest_open_kind() -> ScalarSelect[ActivityKind]:
    """For a query over cards: the kind of each card's earliest open activity (its
    next action), NULL when it has none, so a step marked done from a list is logged
    as what it was scheduled as (domain.agenda.kind_for_activity), not only as its
    words read."""
    return (
        select(ActivityRow.kind)
        .where(ActivityRow.card_id == CardRow.id, ActivityRow.done_at.is_(None))
        .order_by(*_EARLIEST_FIRST)
        .limit(1)
        .correlate(CardRow)
        .scalar_subquery()
    )


def refresh(session: Session, card: CardRow) -> None:
    """Copy the card's earliest open activity into its next action (or clear it).

    The one place the copy is written: call it after any change to the card's
    activities, in the same transaction. Assigns only what differs, so a change that
    leaves the earliest step alone does not touch the card's columns.
    """
    earliest = earliest_open(session, card.id)
    action, due = (earliest.text, earliest.due) if earliest is not None else ("", None)
    if card.next_action != action:
        card.next_action = action
    if card.next_action_due != due:
        card.next_action_due = due
    session.flush()


def follow(session: Session, card: CardRow, now: datetime) -> None:
    """Make the earliest open activity say what the card's next action now says.

    For writers that set the card's next action itself: a new one is added (a task,
    or what its first word says) when there is none, an emptied one drops the
    earliest (the next one comes up), otherwise the earliest takes the new words and
    day (its time kept only if the day is). Then the copy is refreshed: a step moved
    later may leave another one the earliest.
    """
    session.flush()
    wanted = (clean_line(card.next_action)[:500], card.next_action_due)
    earliest = earliest_open(session, card.id)
    if earliest is None:
        if wanted[0] or wanted[1] is not None:
            session.add(
                ActivityRow(
                    card_id=card.id,
                    kind=kind_for_words(wanted[0]),
                    text=wanted[0],
                    due=wanted[1],
                    created_at=now,
                )
            )
    elif (earliest.text, earliest.due) != wanted:
        if not wanted[0] and wanted[1] is None:
            session.delete(earliest)
        else:
            if earliest.due != wanted[1]:
                earliest.due_time = None
            reword(earliest, wanted[0])
            earliest.due = wanted[1]
    refresh(session, card)


def reword(row: ActivityRow, text: str) -> None:
    """New words for a step, its kind not given (the board's `f`, `next CARD`, the
    week's `f`): a kind that only said what the old words said follows the new ones
    ("Call about the pilot" reworded "Send the quote" is an email now, and is logged
    as one when done); a kind the words never named (a meeting called "Pricing
    review") was chosen, and stays."""
    if text != row.text and row.kind is kind_for_words(row.text):
        row.kind = kind_for_words(text)
    row.text = text


def follow_cards(session: Session, card_ids: Iterable[int], now: datetime) -> None:
    """`follow` for cards written beside the ORM (an import's updates)."""
    for card_id in card_ids:
        card = session.get(CardRow, card_id)
        if card is not None:
            session.refresh(card)
            follow(session, card, now)


def snapshot(session: Session, card_id: int) -> tuple[Activity, ...]:
    """Every activity of the card, done ones too: what undo puts back."""
    session.flush()
    rows = session.scalars(
        select(ActivityRow).where(ActivityRow.card_id == card_id).order_by(ActivityRow.id)
    )
    return tuple(view(row) for row in rows)


def restore(session: Session, card: CardRow, activities: tuple[Activity, ...]) -> None:
    """Put the card's activities back as `snapshot` saw them, then refresh the copy."""
    wanted = {activity.id: activity for activity in activities}
    for row in session.scalars(select(ActivityRow).where(ActivityRow.card_id == card.id)):
        if row.id not in wanted:
            session.delete(row)
    session.flush()
    for activity in activities:
        found = session.get(ActivityRow, activity.id)
        # SQLite hands a freed id out again: another card's new step may hold it now,
        # and stays its own. This one comes back under a new id.
        row = (
            found
            if found is not None and found.card_id == card.id
            else ActivityRow(id=activity.id if found is None else None)
        )
        row.card_id = card.id
        session.add(row)
        row.kind, row.text = activity.kind, activity.text
        row.due, row.due_time = activity.due, activity.due_time
        row.done_at = activity.done_at
        if activity.created_at is not None:
            row.created_at = activity.created_at
    refresh(session, card)
