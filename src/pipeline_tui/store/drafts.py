"""Drafts in the database: kept, read back and removed, each within the caller's session.

A rep's draft is found by (owner, card, editor, subject); at most one row each. Fields
are stored as a JSON object of strings; what the editor showed before the rep typed
(the draft's `base`), when known, is an object of strings under rows.DRAFT_BASE beside them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, select
from sqlalchemy.orm import Session

from pipeline_tui.domain.drafts import Draft, DraftKey, Fields
from pipeline_tui.domain.text import clean_text
from pipeline_tui.store.models import CardRow, DraftRow
from pipeline_tui.store.rows import DRAFT_BASE, draft

FIELD_MAX_CHARS = 2_100_000
"""A field longer than this is cut: the longest editor (a note) holds 2,000,000."""


def _where(owner: str, key: DraftKey) -> list[ColumnElement[bool]]:
    card = DraftRow.card_id.is_(None) if key.card_id is None else DraftRow.card_id == key.card_id
    return [
        DraftRow.owner == owner,
        card,
        DraftRow.editor == key.editor.value,
        DraftRow.subject == key.subject,
    ]


def _strings(fields: Fields) -> dict[str, str]:
    return {str(name): clean_text(str(value))[:FIELD_MAX_CHARS] for name, value in fields.items()}


def _encode(fields: Fields, base: Fields) -> str:
    kept: dict[str, Any] = _strings(fields)
    kept.pop(DRAFT_BASE, None)
    if base:
        kept[DRAFT_BASE] = _strings(base)
    return json.dumps(kept, ensure_ascii=False)


def keep(
    session: Session,
    owner: str,
    key: DraftKey,
    fields: Fields,
    base_version: int | None,
    now: datetime,
    base: Fields | None = None,
    knew: Sequence[Mapping[str, str] | None] | None = None,
    keep_elsewhere: Callable[[Draft], bool] | None = None,
) -> bool:
    """Keep (or replace) the rep's draft for `key`, typed against `base_version` over
    `base` (what the editor showed, if it says). A draft on a card that is gone (taken
    away by another session's undo) is refused: the database has nowhere to keep it,
    and taken as kept it was lost, the file the session's end had written it to
    removed as soon as the database seemed to have it.

    `knew` is what the caller's session may have left there (each fields, or None for
    no draft; None: whatever is there is replaced). Two sessions of one rep share the
    slot, and the last to write had silently taken the other's text: a draft that says
    anything else was kept by another session, and is replaced only once
    `keep_elsewhere` has it (it returns whether it kept it); otherwise it stays, and
    this one is refused: False."""
    if not has_place(session, key):
        return False
    row = session.scalars(select(DraftRow).where(*_where(owner, key)).limit(1)).first()
    if row is None:
        row = DraftRow(
            owner=owner, card_id=key.card_id, editor=key.editor.value, subject=key.subject
        )
        session.add(row)
    elif knew is not None:
        found = draft(row)
        ours = [None if known is None else _strings(known) for known in [*knew, fields]]
        theirs = found is not None and found.fields not in ours
        if found is not None and theirs and not (keep_elsewhere and keep_elsewhere(found)):
            return False
    row.fields = _encode(fields, base or {})
    row.base_version = base_version
    row.saved_at = now
    return True


def has_place(session: Session, key: DraftKey) -> bool:
    """Whether a draft for `key` can be kept: its card is there (a card taken away by
    another session's undo is not, nor will it be again)."""
    return key.card_id is None or session.get(CardRow, key.card_id) is not None


def read(session: Session, owner: str, key: DraftKey) -> Draft | None:
    row = session.scalars(
        select(DraftRow).where(*_where(owner, key)).order_by(DraftRow.saved_at.desc()).limit(1)
    ).first()
    return draft(row) if row is not None else None


def of_card(session: Session, owner: str, card_id: int) -> list[Draft]:
    """The rep's drafts on one card, the newest first."""
    rows = session.scalars(
        select(DraftRow)
        .where(DraftRow.owner == owner, DraftRow.card_id == card_id)
        .order_by(DraftRow.saved_at.desc(), DraftRow.id.desc())
    )
    return [found for found in map(draft, rows) if found is not None]


def remove(session: Session, owner: str, keys: Iterable[DraftKey]) -> None:
    for key in keys:
        session.execute(delete(DraftRow).where(*_where(owner, key)))


def remove_if_holding(session: Session, owner: str, key: DraftKey, held: Sequence[Fields]) -> None:
    """Remove the rep's draft for `key` if it holds exactly one of `held`: a draft of
    anything else (typed since, or by another session) stays."""
    known = []
    for fields in held:
        strings = _strings(fields)
        strings.pop(DRAFT_BASE, None)
        known.append(strings)
    for row in session.scalars(select(DraftRow).where(*_where(owner, key))):
        found = draft(row)
        if found is not None and found.fields in known:
            session.delete(row)


def held(owner: str) -> ColumnElement[bool]:
    """Whether the rep holds a draft on the card of the enclosing query (the board's
    mark): a correlated EXISTS, one index seek per card."""
    return exists().where(DraftRow.card_id == CardRow.id, DraftRow.owner == owner)
