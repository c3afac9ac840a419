"""Full-text search over card fields and research notes (the only SQL for search).

SQLite uses the FTS5 tables made by migrations 0002 and 0005; PostgreSQL the tsvector
columns and the `pipeline_search` text search configuration made by migration 0003.
Both match every word of the query as a prefix and rank the results. Any other
database falls back to a case-insensitive substring match.

Three rules keep every search quick at a million notes, and keep it useful:

- A one-letter word is in nearly every note, so it narrows nothing there: it is matched
  against card names, organisations and tags only, and notes are matched by the
  query's longer words. (A rep typing "franchise l" still sees the cards whose notes
  say "franchise" until the next letter narrows them.)
- The board filter finds every card whose name, organisation or tags match, and the
  FILTER_NOTE_CARDS cards with the newest notes that match. A word found in most notes
  would otherwise return most of the pipeline on every key, which narrows nothing.
- Ranking weighs the newest RANK_POOL matching cards, and the newest RANK_POOL matching
  notes: every match when the words are rare, the recent ones when they are everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, select, text
from sqlalchemy.orm import Session

from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store.models import CardRow, ResearchNoteRow

_WORD = re.compile(r"\w+", re.UNICODE)
# Made by migration 0003 on PostgreSQL: 'simple' words, accents folded when possible.
PG_CONFIG = "pipeline_search"
# Migration 0003 indexes this much of each note (a tsvector must stay under 1 MB).
PG_NOTE_INDEXED_CHARS = 200_000

# Shorter words match card names, organisations and tags only (see the module's rules).
NOTE_WORD_MIN = 2
# How many cards the board filter finds by their notes, those with the newest first.
FILTER_NOTE_CARDS = 1_000
# How many of the newest matching cards, and notes, ranking weighs.
RANK_POOL = 500
# Migration 0005 gives note_fts prefix indexes up to this many characters. FTS5 answers
# a longer prefix by merging the entries of every word that starts with it before the
# first row (tens of milliseconds per word found in half of a million notes), so an
# ASCII one is matched as the exact words that start with it, looked up one by one in
# note_fts_words; past EXPANSION_LIMIT such words, the merge it is.
NOTE_PREFIX_INDEXED = 3
EXPANSION_LIMIT = 16
# No word holds a character below "0" (FTS5's unicode61 keeps letters and digits) nor
# above the last code point, so these bound the words that start with a given one.
_FIRST_WORD_CHAR = "0"
_LAST_CHAR = "\U0010ffff"
# Ranking on SQLite is BM25's term frequency and length normalisation without its
# rarity weight: bm25() counts every row matching each word to weigh it, which costs
# as much as the whole search for a common word. The weight is the same for every
# match of a one-word query anyway. Matched words are counted from highlight()'s marks.
_MARK = "char(1)"
_K1 = 1.2
_B = 0.75
_SCORE = f"tf * {_K1 + 1} / (tf + {_K1} * ({1 - _B} + {_B} * size / max(avg(size) OVER (), 1.0)))"


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


def note_words(terms: list[str]) -> list[str]:
    """The words that are matched against notes: all but one-letter ones."""
    return [term for term in terms if len(term) >= NOTE_WORD_MIN]


def fts_expression(query: str) -> str | None:
    """An FTS5 query matching every word as a prefix, with nothing left to misparse."""
    return _fts_prefixes(words(query))


def tsquery_expression(query: str) -> str | None:
    """A PostgreSQL tsquery matching every word as a prefix; each word is quoted, so
    nothing in it is ever read as tsquery syntax (&, |, !, <->, :, *, parentheses)."""
    return _tsquery(words(query))


def _fts_prefixes(terms: list[str]) -> str | None:
    return " ".join(f'"{term}"*' for term in terms) or None


def _tsquery(terms: list[str]) -> str | None:
    return " & ".join(f"'{term}':*" for term in terms) or None


def _fts_note_expression(session: Session, terms: list[str]) -> str | None:
    """An FTS5 query for note_fts matching every word as a prefix, made where it can be
    of prefixes FTS5 indexes and exact words: it reads those newest first, unmerged."""
    return " AND ".join(_fts_note_term(session, term) for term in terms) or None


def _fts_note_term(session: Session, term: str) -> str:
    prefix = f'"{term}"*'
    # Only ASCII words are looked up: their folding by unicode61 is plain lower case.
    if len(term) <= NOTE_PREFIX_INDEXED or not (term.isascii() and term.isalnum()):
        return prefix
    folded = term.lower()
    found: list[str] = []
    after = folded
    # One word at a time: fts5vocab's instance table yields a word's first occurrence
    # without reading the rest, where its row table counts them all.
    while len(found) <= EXPANSION_LIMIT:
        word = session.execute(
            text("SELECT term FROM note_fts_words WHERE term >= :after AND term <= :last LIMIT 1"),
            {"after": after, "last": folded + _LAST_CHAR},
        ).scalar()
        if word is None:
            break
        found.append(word)
        after = word + _FIRST_WORD_CHAR
    if not found or len(found) > EXPANSION_LIMIT:
        return prefix
    return "(" + " OR ".join(_fts_quoted(word) for word in found) + ")"


def _fts_quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


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
    """Every active card whose name, organisation or tags match `query`, and the
    FILTER_NOTE_CARDS active cards with the newest notes that match it."""
    terms = words(query)
    if not terms:
        return set()
    dialect = _dialect(session)
    if dialect == "sqlite":
        return _matching_card_ids_sqlite(session, terms)
    if dialect == "postgresql":
        return _matching_card_ids_postgresql(session, terms)
    return {hit.card_id for hit in _search_substring(session, query, limit=None)}


def _matching_card_ids_sqlite(session: Session, terms: list[str]) -> set[int]:
    # Archived cards are few next to matches: leaving them out costs one index range,
    # where checking each match against its card costs a lookup per match.
    ids = _id_set(
        session,
        "SELECT rowid AS id FROM card_fts WHERE card_fts MATCH :q"
        " AND rowid NOT IN (SELECT id FROM card WHERE archived_at IS NOT NULL)",
        {"q": _fts_prefixes(terms)},
    )
    expression = _fts_note_expression(session, note_words(terms))
    if expression is not None:
        # FTS5 hands the matches over newest first, so the LIMIT stops the reading.
        ids |= _id_set(
            session,
            "SELECT DISTINCT n.card_id AS id FROM note_fts"
            " JOIN research_note n ON n.id = note_fts.rowid"
            " JOIN card c ON c.id = n.card_id"
            " WHERE note_fts MATCH :q AND c.archived_at IS NULL"
            " ORDER BY note_fts.rowid DESC LIMIT :cards",
            {"q": expression, "cards": FILTER_NOTE_CARDS},
        )
    return ids


def _id_set(session: Session, query: str, params: dict[str, Any]) -> set[int]:
    """The ids a query returns, as one row of text: a one-letter filter can match tens
    of thousands of cards, and a row each costs more in Python than the search."""
    joined = session.execute(text(f"SELECT group_concat(id) FROM ({query})"), params).scalar()
    return set(map(int, joined.split(","))) if joined else set()


def _matching_card_ids_postgresql(session: Session, terms: list[str]) -> set[int]:
    ids = set(
        session.execute(
            text(
                f"WITH q AS (SELECT to_tsquery('{PG_CONFIG}', :q) AS query) "
                "SELECT c.id FROM card c, q WHERE c.archived_at IS NULL"
                " AND c.search_document @@ q.query"
            ),
            {"q": _tsquery(terms)},
        ).scalars()
    )
    expression = _tsquery(note_words(terms))
    if expression is not None:
        ids.update(
            session.execute(
                text(
                    f"WITH q AS (SELECT to_tsquery('{PG_CONFIG}', :q) AS query) "
                    "SELECT n.card_id FROM research_note n JOIN card c ON c.id = n.card_id, q"
                    " WHERE c.archived_at IS NULL AND n.search_document @@ q.query"
                    " GROUP BY n.card_id ORDER BY max(n.id) DESC LIMIT :cards"
                ),
                {"q": expression, "cards": FILTER_NOTE_CARDS},
            ).scalars()
        )
    return ids


def _search_sqlite(session: Session, query: str, limit: int) -> list[SearchHit]:
    terms = words(query)
    if not terms:
        return []
    # Each pool is read newest first and stops at RANK_POOL rows; it is scored as a
    # whole (the average length is the pool's) and only the best rows come back.
    card_rows = session.execute(
        text(
            f"SELECT id, name, organisation, stage, {_SCORE} AS score FROM ("
            "SELECT c.id, c.name, c.organisation, c.stage,"
            f" length(highlight(card_fts, 0, {_MARK}, '')) + length(highlight(card_fts, 1,"
            f" {_MARK}, '')) + length(highlight(card_fts, 2, {_MARK}, ''))"
            " - length(c.name) - length(c.organisation) - length(c.tags) AS tf,"
            " length(c.name) + length(c.organisation) + length(c.tags) AS size "
            "FROM card_fts JOIN card c ON c.id = card_fts.rowid "
            "WHERE card_fts MATCH :q AND c.archived_at IS NULL "
            "ORDER BY card_fts.rowid DESC LIMIT :pool) "
            "ORDER BY score DESC, id DESC LIMIT :limit"
        ),
        {"q": _fts_prefixes(terms), "pool": RANK_POOL, "limit": limit},
    ).all()
    ranked: list[tuple[float, SearchHit]] = [(-row[4], _card_hit(row)) for row in card_rows]
    expression = _fts_note_expression(session, note_words(terms))
    if expression is not None:
        note_rows = session.execute(
            text(
                f"SELECT card_id, name, organisation, stage, {_SCORE} AS score, id, kind FROM ("
                "SELECT n.card_id, c.name, c.organisation, c.stage, n.id, n.kind,"
                f" length(highlight(note_fts, 0, {_MARK}, '')) - length(n.body) AS tf,"
                " length(n.body) AS size "
                "FROM note_fts JOIN research_note n ON n.id = note_fts.rowid "
                "JOIN card c ON c.id = n.card_id "
                "WHERE note_fts MATCH :q AND c.archived_at IS NULL "
                "ORDER BY note_fts.rowid DESC LIMIT :pool) "
                "ORDER BY score DESC, id DESC LIMIT :limit"
            ),
            {"q": expression, "pool": RANK_POOL, "limit": limit},
        ).all()
        snippets = _snippets(session, expression, [row[5] for row in note_rows])
        ranked += [(-row[4], _note_hit(row, row[5], row[6], snippets[row[5]])) for row in note_rows]
    ranked.sort(key=lambda pair: pair[0])  # stable: a card before a note that scores the same
    return [hit for _, hit in ranked[:limit]]


def _snippets(session: Session, expression: str, note_ids: list[int]) -> dict[int, str]:
    """snippet() reads and splits a note's text again: it is run for the notes shown.

    They are read in one pass over their range of ids, which the pool keeps short:
    asked for rowids one by one, FTS5 sets the whole query up again for each.
    """
    if not note_ids:
        return {}
    rows = session.execute(
        text(
            "SELECT rowid, CASE WHEN rowid IN :ids"
            " THEN snippet(note_fts, 0, '', '', '…', 10) END FROM note_fts "
            "WHERE note_fts MATCH :q AND rowid BETWEEN :first AND :last"
        ).bindparams(bindparam("ids", expanding=True)),
        {"q": expression, "ids": note_ids, "first": min(note_ids), "last": max(note_ids)},
    )
    return {int(note_id): snippet for note_id, snippet in rows if snippet is not None}


def _search_postgresql(session: Session, query: str, limit: int) -> list[SearchHit]:
    terms = words(query)
    if not terms:
        return []
    card_rows = session.execute(
        text(
            f"WITH q AS (SELECT to_tsquery('{PG_CONFIG}', :q) AS query), "
            "pool AS (SELECT c.id, c.name, c.organisation, c.stage,"
            " ts_rank(c.search_document, q.query, 2) AS rank "
            "FROM card c, q WHERE c.search_document @@ q.query AND c.archived_at IS NULL "
            "ORDER BY c.id DESC LIMIT :pool) "
            "SELECT id, name, organisation, stage, rank FROM pool "
            "ORDER BY rank DESC, id DESC LIMIT :limit"
        ),
        {"q": _tsquery(terms), "pool": RANK_POOL, "limit": limit},
    ).all()
    ranked: list[tuple[float, SearchHit]] = [(-row[4], _card_hit(row)) for row in card_rows]
    expression = _tsquery(note_words(terms))
    if expression is not None:
        # The snippet is worked out for the notes shown only: ts_headline re-reads the text.
        note_rows = session.execute(
            text(
                f"WITH q AS (SELECT to_tsquery('{PG_CONFIG}', :q) AS query), "
                "pool AS (SELECT n.id, n.card_id, n.kind,"
                " ts_rank(n.search_document, q.query, 2) AS rank "
                "FROM research_note n JOIN card c ON c.id = n.card_id, q "
                "WHERE n.search_document @@ q.query AND c.archived_at IS NULL "
                "ORDER BY n.id DESC LIMIT :pool), "
                "best AS (SELECT * FROM pool ORDER BY rank DESC, id DESC LIMIT :limit) "
                "SELECT c.id, c.name, c.organisation, c.stage, best.rank, best.id, best.kind,"
                f" ts_headline('{PG_CONFIG}', left(n.body, {PG_NOTE_INDEXED_CHARS}), q.query,"
                ' \'StartSel="", StopSel="", MaxWords=10, MinWords=3, ShortWord=0,'
                " MaxFragments=1, FragmentDelimiter=…') "
                "FROM best JOIN card c ON c.id = best.card_id"
                " JOIN research_note n ON n.id = best.id, q "
                "ORDER BY best.rank DESC, best.id DESC"
            ),
            {"q": expression, "pool": RANK_POOL, "limit": limit},
        ).all()
        ranked += [(-row[4], _note_hit(row, row[5], row[6], row[7])) for row in note_rows]
    # ts_rank (normalised by length, as bm25 is): higher is a better match.
    ranked.sort(key=lambda pair: pair[0])
    return [hit for _, hit in ranked[:limit]]


def _search_substring(session: Session, query: str, limit: int | None) -> list[SearchHit]:
    terms = [term.lower() for term in words(query)]
    if not terms:
        return []

    def all_in(terms: list[str], *columns: Any) -> ColumnElement[bool]:
        haystack = func.lower(func.concat_ws(" ", *columns))
        return and_(*(haystack.contains(term, autoescape=True) for term in terms))

    active = CardRow.archived_at.is_(None)
    cards = select(CardRow.id, CardRow.name, CardRow.organisation, CardRow.stage).where(
        active, all_in(terms, CardRow.name, CardRow.organisation, CardRow.tags)
    )
    hits = [_card_hit(row) for row in session.execute(cards.limit(limit))]
    in_notes = note_words(terms)
    if in_notes:
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
            .where(active, all_in(in_notes, ResearchNoteRow.body))
        )
        hits += [
            _note_hit(row, row[4], row[5], row[6]) for row in session.execute(notes.limit(limit))
        ]
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
