"""Bulk inserts of planned cards, and the updates of the cards they merge into.

Core inserts (not the ORM's unit of work): many rows a statement, ids back in order.
Everything runs inside the caller's one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from pipeline_tui.domain.importing.plan import (
    PlannedAnswer,
    PlannedCapture,
    PlannedCard,
    PlannedNote,
    PlannedStageEvent,
    PlannedTouchpoint,
)
from pipeline_tui.domain.money import to_cents
from pipeline_tui.domain.schedule import kind_for_words
from pipeline_tui.store import schedule
from pipeline_tui.store.importing.merge import Existing, Resolution
from pipeline_tui.store.models import (
    ActivityRow,
    CapturedItemRow,
    CardRow,
    QualificationAnswerRow,
    ResearchNoteRow,
    StageEventRow,
    TouchpointRow,
)

CHUNK = 5000
T = TypeVar("T")
Progress = Callable[[str, int, int], None]


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def table_of(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _positions(session: Session, cards: Sequence[PlannedCard]) -> list[int]:
    """Each new card's position: below the cards already in its column, in the file's
    order; an export's cards keep their own order (and, in an empty column, their
    positions as they were)."""
    below: dict[str, int] = {
        stage: int(last) + 1
        for stage, last in session.execute(
            select(CardRow.stage, func.max(CardRow.position))
            .where(CardRow.archived_at.is_(None))
            .group_by(CardRow.stage)
        )
    }
    positions = [card.position or 0 for card in cards]
    by_stage: dict[str, list[int]] = {}
    for index, card in enumerate(cards):
        if not card.archived:
            by_stage.setdefault(card.stage.value, []).append(index)
    for stage, indexes in by_stage.items():
        # Stable: a CSV keeps the file's order, an export each column's order.
        indexes.sort(key=lambda i: (cards[i].position is None, cards[i].position or 0))
        placed = [i for i in indexes if cards[i].position is not None]
        if stage not in below and placed:
            following = max(positions[i] for i in placed) + 1
            for i in indexes:
                if cards[i].position is None:
                    positions[i] = following
                    following += 1
            continue
        following = below.get(stage, 0)
        for i in indexes:
            positions[i] = following
            following += 1
    return positions


def _card_values(card: PlannedCard, position: int) -> dict[str, Any]:
    return {
        "name": card.name,
        "organisation": card.organisation,
        "email": card.email,
        "phone": card.phone,
        "tags": " ".join(card.tags),
        "stage": card.stage.value,
        "position": position,
        "owner": card.owner,
        "next_action": card.next_action,
        "next_action_due": card.next_action_due,
        "source": card.source.value if card.source else None,
        "market": card.market.value if card.market else None,
        "created_at": card.created_at,
        "updated_at": card.updated_at,
        "archived_at": card.archived_at,
        "archive_reason": card.archive_reason.value if card.archive_reason else None,
        "archive_note": card.archive_note,
        "version": card.version,
        "value_cents": to_cents(card.value) if card.value is not None else None,
        "expected_close": card.expected_close,
        "won_value_cents": to_cents(card.won_value) if card.won_value is not None else None,
        "nurture_until": card.nurture_until,
        "rhythm_days": card.rhythm_days,
        "cadence_step": card.cadence_step,
        "cadence_anchor": card.cadence_anchor,
        "cadence_base": card.cadence_base,
    }


def _note(card_id: int, note: PlannedNote) -> dict[str, Any]:
    return {
        "card_id": card_id,
        "kind": note.kind.value,
        "body": note.body,
        "created_at": note.created_at,
        "updated_at": note.updated_at,
        "version": note.version,
    }


def _touchpoint(card_id: int, touchpoint: PlannedTouchpoint) -> dict[str, Any]:
    return {
        "card_id": card_id,
        "kind": touchpoint.kind.value,
        "happened_on": touchpoint.happened_on,
        "summary": touchpoint.summary,
        "created_at": touchpoint.created_at,
    }


def _event(card_id: int, event: PlannedStageEvent) -> dict[str, Any]:
    return {
        "card_id": card_id,
        "from_stage": event.from_stage.value if event.from_stage else None,
        "to_stage": event.to_stage.value,
        "at": event.at,
        "by": event.by,
        "note": event.note,
    }


def _activities(card_id: int, card: PlannedCard, now: datetime) -> list[dict[str, Any]]:
    """A new card's scheduled activities; a file without them (a contacts file, an
    older export): its next action, as its one open activity (store/schedule.py)."""
    if card.activities:
        return [
            {
                "card_id": card_id,
                "kind": a.kind.value,
                "text": a.text,
                "due": a.due,
                "due_time": a.due_time,
                "created_at": a.created_at,
                "done_at": a.done_at,
            }
            for a in card.activities
        ]
    if not card.next_action and card.next_action_due is None:
        return []
    return [
        {
            "card_id": card_id,
            "kind": kind_for_words(card.next_action).value,
            "text": card.next_action,
            "due": card.next_action_due,
            "due_time": None,
            "created_at": card.updated_at or now,
            "done_at": None,
        }
    ]


def _captured(card_id: int, item: PlannedCapture) -> dict[str, Any]:
    return {
        "card_id": card_id,
        "origin": item.origin,
        "sequence": item.sequence,
        "logged_on": item.logged_on,
        "next_action": item.next_action,
        "next_action_due": item.next_action_due,
    }


def _answer(card_id: int, answer: PlannedAnswer) -> dict[str, Any]:
    return {
        "card_id": card_id,
        "criterion": answer.criterion,
        "answer": answer.answer.value,
        "comment": answer.comment,
        "updated_at": answer.updated_at,
        "updated_by": answer.updated_by,
    }


def write(session: Session, plan: Resolution, now: datetime, progress: Progress) -> None:
    cards = plan.new
    positions = _positions(session, cards)
    connection = session.connection()
    card_table = table_of(CardRow)
    statement = insert(card_table).returning(card_table.c.id, sort_by_parameter_order=True)
    # SQLite: this transaction holds the write lock (BEGIN IMMEDIATE), so the next ids
    # are known and plain executemany is used; RETURNING in parameter order would go
    # row by row there. Other databases hand out ids from their sequence, in order.
    next_id = (
        int(session.scalar(select(func.max(card_table.c.id))) or 0) + 1
        if connection.dialect.name == "sqlite"
        else None
    )
    ids: list[int] = []
    total = len(cards)
    for start in range(0, total, CHUNK):
        chunk = [
            _card_values(card, position)
            for card, position in zip(
                cards[start : start + CHUNK], positions[start : start + CHUNK], strict=True
            )
        ]
        if next_id is not None:
            chunk_ids = list(range(next_id, next_id + len(chunk)))
            next_id += len(chunk)
            for values, card_id in zip(chunk, chunk_ids, strict=True):
                values["id"] = card_id
            connection.execute(insert(card_table), chunk)
        else:
            chunk_ids = list(connection.execute(statement, chunk).scalars().all())
        ids.extend(chunk_ids)
        progress("saving", len(ids), total)
    children: list[tuple[type[Any], list[dict[str, Any]]]] = [
        (StageEventRow, [_event(i, e) for i, c in zip(ids, cards, strict=True) for e in c.events]),
        (ResearchNoteRow, [_note(i, n) for i, c in zip(ids, cards, strict=True) for n in c.notes]),
        (
            TouchpointRow,
            [_touchpoint(i, t) for i, c in zip(ids, cards, strict=True) for t in c.touchpoints],
        ),
        (
            QualificationAnswerRow,
            [_answer(i, a) for i, c in zip(ids, cards, strict=True) for a in c.answers],
        ),
        (
            ActivityRow,
            [a for i, c in zip(ids, cards, strict=True) for a in _activities(i, c, now)],
        ),
        (
            CapturedItemRow,
            [_captured(i, item) for i, c in zip(ids, cards, strict=True) for item in c.captured],
        ),
    ]
    _merge_children(plan.existing, children)
    for model, rows in children:
        for rows_chunk in chunks(rows):
            connection.execute(insert(table_of(model)), list(rows_chunk))
    new_ids = {card.old_id: i for card, i in zip(cards, ids, strict=True) if card.old_id}
    referrals = [
        {"b_id": card_id, "b_ref": ref, "b_updated": card.updated_at}
        for card, card_id in zip(cards, ids, strict=True)
        if card.referred_by is not None
        and (ref := new_ids.get(card.referred_by) or plan.aliases.get(card.referred_by))
    ]
    if referrals:
        connection.execute(
            update(card_table)
            .where(card_table.c.id == bindparam("b_id"))
            .values(
                # updated_at given: linking a referral is not an edit of the card.
                referred_by_id=bindparam("b_ref"),
                updated_at=bindparam("b_updated"),
            ),
            referrals,
        )
    _update_existing(session, plan.existing, now)


def _merge_children(
    existing: Sequence[Existing], children: list[tuple[type[Any], list[dict[str, Any]]]]
) -> None:
    rows = dict((model, values) for model, values in children)
    for state in existing:
        rows[ResearchNoteRow].extend(_note(state.id, n) for n in state.new_notes)
        rows[TouchpointRow].extend(_touchpoint(state.id, t) for t in state.new_touchpoints)
        rows[QualificationAnswerRow].extend(_answer(state.id, a) for a in state.new_answers)
        rows[CapturedItemRow].extend(_captured(state.id, c) for c in state.new_captured)


def _update_existing(session: Session, existing: Sequence[Existing], now: datetime) -> None:
    card = table_of(CardRow)
    for state in existing:
        if not state.changes:
            continue
        values = dict(state.changes)
        if "tags" in values:
            values["tags"] = " ".join(values["tags"])
        if "value" in values:
            values["value_cents"] = to_cents(values.pop("value"))
        session.connection().execute(
            update(card)
            .where(card.c.id == state.id)
            .values(**values, updated_at=now, version=card.c.version + 1)
        )
    # A merged-in next action changes the card's earliest open activity.
    schedule.follow_cards(
        session,
        (
            state.id
            for state in existing
            if "next_action" in state.changes or "next_action_due" in state.changes
        ),
        now,
    )
