"""Drafts in the database: kept, read back and removed, each within the caller's session.

A rep's draft is found by (owner, card, editor, subject); at most one row each. Fields
are stored as a JSON object of strings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, select
from sqlalchemy.orm import Session

from pipeline_tui.domain.drafts import Draft, DraftKey, Editor, Fields
from pipeline_tui.domain.text import clean_text
from pipeline_tui.store.models import CardRow, DraftRow

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


def _encode(fields: Fields) -> str:
    return json.dumps(
        {str(name): clean_text(str(value))[:FIELD_MAX_CHARS] for name, value in fields.items()},
        ensure_ascii=False,
    )


def _decode(text: str) -> dict[str, str]:
    try:
        value: Any = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(name): str(field) for name, field in value.items()}


def _draft(row: DraftRow) -> Draft | None:
    try:
        editor = Editor(row.editor)
        key = DraftKey(editor, row.card_id, row.subject)
    except ValueError:  # written by a newer release
        return None
    return Draft(key, _decode(row.fields), row.saved_at, row.base_version)


def keep(
    session: Session,
    owner: str,
    key: DraftKey,
    fields: Fields,
    base_version: int | None,
    now: datetime,
) -> None:
    """Keep (or replace) the rep's draft for `key`. A draft on a card that is gone is
    dropped: there is nothing left to save it to."""
    if key.card_id is not None and session.get(CardRow, key.card_id) is None:
        return
    row = session.scalars(select(DraftRow).where(*_where(owner, key)).limit(1)).first()
    if row is None:
        row = DraftRow(
            owner=owner, card_id=key.card_id, editor=key.editor.value, subject=key.subject
        )
        session.add(row)
    row.fields = _encode(fields)
    row.base_version = base_version
    row.saved_at = now


def read(session: Session, owner: str, key: DraftKey) -> Draft | None:
    row = session.scalars(
        select(DraftRow).where(*_where(owner, key)).order_by(DraftRow.saved_at.desc()).limit(1)
    ).first()
    return _draft(row) if row is not None else None


def of_card(session: Session, owner: str, card_id: int) -> list[Draft]:
    """The rep's drafts on one card, the newest first."""
    rows = session.scalars(
        select(DraftRow)
        .where(DraftRow.owner == owner, DraftRow.card_id == card_id)
        .order_by(DraftRow.saved_at.desc(), DraftRow.id.desc())
    )
    return [draft for draft in map(_draft, rows) if draft is not None]


def remove(session: Session, owner: str, keys: Iterable[DraftKey]) -> None:
    for key in keys:
        session.execute(delete(DraftRow).where(*_where(owner, key)))


def held(owner: str) -> ColumnElement[bool]:
    """Whether the rep holds a draft on the card of the enclosing query (the board's
    mark): a correlated EXISTS, one index seek per card."""
    return exists().where(DraftRow.card_id == CardRow.id, DraftRow.owner == owner)
