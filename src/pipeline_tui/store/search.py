"""Full-text search over card fields and research notes (the only SQL for search).

SQLite uses the FTS5 tables made by migration 0002. Any other database falls back to
a case-insensitive substring match until its own full-text index is set up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, text
from sqlalchemy.orm import Session

from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store.models import CardRow, ResearchNoteRow

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchHit:
    """One card or note that matches; `note_id` is set when the words are in a note."""

    card_id: int
    card_name: str
    organisation: str
    stage: Stage
    note_id: int | None = None
    note_kind: NoteKind | None = None
    snippet: str = ""


def words(query: str) -> list[str]:
    """The words of a query; quotes, *, -, : and the like are never search syntax."""
    return _WORD.findall(query)


def fts_expression(query: str) -> str | None:
    """An FTS5 query matching every word as a prefix, with nothing left to misparse."""
    terms = words(query)
    if not terms:
        return None
    return " ".join(f'"{term}"*' for term in terms)


def search(session: Session, query: str, limit: int = 50) -> list[SearchHit]:
    """Cards and notes matching all the words of `query`, best first."""
    if session.get_bind().dialect.name == "sqlite":
        return _search_sqlite(session, query, limit)
    return _search_substring(session, query, limit)


def matching_card_ids(session: Session, query: str) -> set[int]:
    """Every active card whose name, organisation, tags or notes match `query`."""
    if session.get_bind().dialect.name == "sqlite":
        expression = fts_expression(query)
        if expression is None:
            return set()
        rows = session.execute(
            text(
                "SELECT c.id FROM card c WHERE c.archived_at IS NULL AND c.id IN ("
                " SELECT rowid FROM card_fts WHERE card_fts MATCH :q UNION"
                " SELECT n.card_id FROM note_fts JOIN research_note n ON n.id = note_fts.rowid"
                " WHERE note_fts MATCH :q)"
            ),
            {"q": expression},
        )
        return {int(card_id) for (card_id,) in rows}
    return {hit.card_id for hit in _search_substring(session, query, limit=None)}


def _search_sqlite(session: Session, query: str, limit: int) -> list[SearchHit]:
    expression = fts_expression(query)
    if expression is None:
        return []
    card_rows = session.execute(
        text(
            "SELECT c.id, c.name, c.organisation, c.stage, bm25(card_fts) AS rank "
            "FROM card_fts JOIN card c ON c.id = card_fts.rowid "
            "WHERE card_fts MATCH :q AND c.archived_at IS NULL ORDER BY rank LIMIT :limit"
        ),
        {"q": expression, "limit": limit},
    ).all()
    note_rows = session.execute(
        text(
            "SELECT c.id, c.name, c.organisation, c.stage, bm25(note_fts) AS rank, "
            "n.id, n.kind, snippet(note_fts, 0, '', '', '…', 10) "
            "FROM note_fts JOIN research_note n ON n.id = note_fts.rowid "
            "JOIN card c ON c.id = n.card_id "
            "WHERE note_fts MATCH :q AND c.archived_at IS NULL ORDER BY rank LIMIT :limit"
        ),
        {"q": expression, "limit": limit},
    ).all()
    ranked: list[tuple[float, SearchHit]] = [(row[4], _card_hit(row)) for row in card_rows]
    ranked += [(row[4], _note_hit(row, row[5], row[6], row[7])) for row in note_rows]
    ranked.sort(key=lambda pair: pair[0])  # bm25: lower is a better match
    return [hit for _, hit in ranked[:limit]]


def _search_substring(session: Session, query: str, limit: int | None) -> list[SearchHit]:
    terms = [term.lower() for term in words(query)]
    if not terms:
        return []

    def all_words_in(*columns: Any) -> ColumnElement[bool]:
        haystack = func.lower(func.concat_ws(" ", *columns))
        return and_(*(haystack.contains(term, autoescape=True) for term in terms))

    active = CardRow.archived_at.is_(None)
    cards = select(CardRow.id, CardRow.name, CardRow.organisation, CardRow.stage).where(
        active, all_words_in(CardRow.name, CardRow.organisation, CardRow.tags)
    )
    notes = (
        select(
            CardRow.id,
            CardRow.name,
            CardRow.organisation,
            CardRow.stage,
            ResearchNoteRow.id,
            ResearchNoteRow.kind,
            func.substr(ResearchNoteRow.body, 1, 80),
        )
        .join(ResearchNoteRow, ResearchNoteRow.card_id == CardRow.id)
        .where(active, all_words_in(ResearchNoteRow.body))
    )
    hits = [_card_hit(row) for row in session.execute(cards.limit(limit))]
    hits += [_note_hit(row, row[4], row[5], row[6]) for row in session.execute(notes.limit(limit))]
    return hits if limit is None else hits[:limit]


def _card_hit(row: Any) -> SearchHit:
    return SearchHit(int(row[0]), row[1], row[2], Stage(row[3]))


def _note_hit(row: Any, note_id: int, kind: str, snippet: str) -> SearchHit:
    return SearchHit(
        int(row[0]),
        row[1],
        row[2],
        Stage(row[3]),
        note_id=int(note_id),
        note_kind=NoteKind(kind),
        snippet=snippet,
    )
