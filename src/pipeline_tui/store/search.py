"""Full-text search over card fields and research notes (the only SQL for search).

SQLite uses the FTS5 tables made by migration 0002; PostgreSQL the tsvector columns and
the `pipeline_search` text search configuration made by migration 0003. Both match
every word of the query as a prefix and rank the results. Any other database falls
back to a case-insensitive substring match.
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
# Made by migration 0003 on PostgreSQL: 'simple' words, accents folded when possible.
PG_CONFIG = "pipeline_search"
# Migration 0003 indexes this much of each note (a tsvector must stay under 1 MB).
PG_NOTE_INDEXED_CHARS = 200_000


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


def tsquery_expression(query: str) -> str | None:
    """A PostgreSQL tsquery matching every word as a prefix; each word is quoted, so
    nothing in it is ever read as tsquery syntax (&, |, !, <->, :, *, parentheses)."""
    terms = words(query)
    if not terms:
        return None
    return " & ".join(f"'{term}':*" for term in terms)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def search(session: Session, query: str, limit: int = 50) -> list[SearchHit]:
    """Cards and notes matching all the words of `query`, best first."""
    dialect = _dialect(session)
    if dialect == "sqlite":
        return _search_sqlite(session, query, limit)
    if dialect == "postgresql":
        return _search_postgresql(session, query, limit)
    return _search_substring(session, query, limit)


def matching_card_ids(session: Session, query: str) -> set[int]:
    """Every active card whose name, organisation, tags or notes match `query`."""
    dialect = _dialect(session)
    if dialect == "postgresql":
        expression = tsquery_expression(query)
        if expression is None:
            return set()
        rows = session.execute(
            text(
                f"WITH q AS (SELECT to_tsquery('{PG_CONFIG}', :q) AS query) "
                "SELECT c.id FROM card c, q WHERE c.archived_at IS NULL"
                " AND c.search_document @@ q.query UNION "
                "SELECT c.id FROM research_note n JOIN card c ON c.id = n.card_id, q"
                " WHERE c.archived_at IS NULL AND n.search_document @@ q.query"
            ),
            {"q": expression},
        )
        return {int(card_id) for (card_id,) in rows}
    if dialect == "sqlite":
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


def _search_postgresql(session: Session, query: str, limit: int) -> list[SearchHit]:
    expression = tsquery_expression(query)
    if expression is None:
        return []
    card_rows = session.execute(
        text(
            f"WITH q AS (SELECT to_tsquery('{PG_CONFIG}', :q) AS query) "
            "SELECT c.id, c.name, c.organisation, c.stage,"
            " ts_rank(c.search_document, q.query, 2) AS rank "
            "FROM card c, q WHERE c.search_document @@ q.query AND c.archived_at IS NULL "
            "ORDER BY rank DESC, c.id LIMIT :limit"
        ),
        {"q": expression, "limit": limit},
    ).all()
    # The snippet is worked out for the notes shown only: ts_headline re-reads the text.
    note_rows = session.execute(
        text(
            f"WITH q AS (SELECT to_tsquery('{PG_CONFIG}', :q) AS query), "
            "best AS (SELECT n.id, n.card_id, n.kind, n.body,"
            " ts_rank(n.search_document, q.query, 2) AS rank "
            "FROM research_note n JOIN card c ON c.id = n.card_id, q "
            "WHERE n.search_document @@ q.query AND c.archived_at IS NULL "
            "ORDER BY rank DESC, n.id LIMIT :limit) "
            "SELECT c.id, c.name, c.organisation, c.stage, best.rank, best.id, best.kind,"
            f" ts_headline('{PG_CONFIG}', left(best.body, {PG_NOTE_INDEXED_CHARS}), q.query,"
            ' \'StartSel="", StopSel="", MaxWords=10, MinWords=3, ShortWord=0,'
            " MaxFragments=1, FragmentDelimiter=…') "
            "FROM best JOIN card c ON c.id = best.card_id, q ORDER BY best.rank DESC, best.id"
        ),
        {"q": expression, "limit": limit},
    ).all()
    ranked: list[tuple[float, SearchHit]] = [(-row[4], _card_hit(row)) for row in card_rows]
    ranked += [(-row[4], _note_hit(row, row[5], row[6], row[7])) for row in note_rows]
    # ts_rank (normalised by length, as bm25 is): higher is a better match.
    ranked.sort(key=lambda pair: pair[0])
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
