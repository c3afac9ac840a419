"""Full-text search over cards and what is written on them (the only SQL for search).

What is searched, each a *source*: the card's own fields (name, organisation, tags,
email, phone), and the prose written on it: research notes, the next action and
touchpoint summaries. A hit says which source matched (`found`), and for a note which
note. Another kind of text on a card (activities, say) is one more entry in PROSE plus
its full-text index in a migration.

SQLite uses the FTS5 tables made by migrations 0002, 0005 and 0010; PostgreSQL the
tsvector columns and the `pipeline_search` text search configuration made by 0003 and
0010. Both match every word of the query as a prefix and rank the results. Any other
database falls back to a case-insensitive substring match.

Three rules keep every search quick at a million notes, and keep it useful:

- A one-letter word is in nearly every note, so it narrows nothing there: it is matched
  against the card's own fields only, and prose is matched by the query's longer
  words. (A rep typing "franchise l" still sees the cards whose notes say "franchise"
  until the next letter narrows them.)
- The board filter finds every card whose own fields match, and for each kind of prose
  the FILTER_NOTE_CARDS cards with the newest text that matches. A word found in most
  notes would otherwise return most of the pipeline on every key, which narrows
  nothing.
- Ranking weighs the newest RANK_POOL matching cards, and the newest RANK_POOL matches
  of each kind of prose: every match when the words are rare, the recent ones when
  they are everywhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, literal, select, text
from sqlalchemy.orm import Session

from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.search import Found
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store.models import CardRow, ResearchNoteRow, TouchpointRow

_WORD = re.compile(r"\w+", re.UNICODE)
# Made by migration 0003 on PostgreSQL: 'simple' words, accents folded when possible.
PG_CONFIG = "pipeline_search"
# Migration 0003 indexes this much of each note (a tsvector must stay under 1 MB).
PG_NOTE_INDEXED_CHARS = 200_000

# Shorter words match the card's own fields only (see the module's rules).
NOTE_WORD_MIN = 2
# How many cards the board filter finds by each kind of prose, those with the newest first.
FILTER_NOTE_CARDS = 1_000
# How many of the newest matching cards, and matches of each kind of prose, ranking weighs.
RANK_POOL = 500
# PostgreSQL answers a word from its GIN index as a bitmap of every matching row, which
# it then reads and sorts by id: for a word in a fifth of a million notes that is
# 0.3-1.8 s. So each kind of prose is first searched in its newest rows only, read
# backwards on the primary key: a common word fills the pool (or the filter's cards)
# there after a few thousand rows. A word too rare for that is looked for further back
# or in the index, whichever costs less (`_pg_window`); one barely in the newest
# PG_SAMPLE_ROWS goes to the index at once. The newest matches are the same every way.
PG_RECENT_ROWS = 10_000
PG_FILTER_RECENT_ROWS = 12_000
# Reading those rows costs about 4 ms for each kind of prose, whatever the word. The
# newest PG_SAMPLE_ROWS are read first (0.4 ms): a word in fewer than
# PG_SAMPLE_MATCHES of those rows (half a percent) goes to the index at once. For a word
# spread evenly over time, at up to a million rows, that is where the window would have
# sent it after reading; a name typed in the filter is such a word in the notes. The
# price: a word common in older rows but missing from the newest thousand costs the
# index's 7 µs a match (70 ms for 10,000 matches), where the window would have found its
# matches in order.
PG_SAMPLE_ROWS = 1_000
PG_SAMPLE_MATCHES = 5
# A match read through the index costs about as much as this many of the newest rows
# read in order (7 µs and 0.3 µs a row, measured on 300,000 touchpoints on a warm
# server; notes are longer, and cost more both ways).
PG_INDEX_MATCH_ROWS = 25
# Words are not spread evenly over time: a window sized from the newest rows' share of
# matches is made this much longer, so that it rarely falls short.
PG_WINDOW_MARGIN = 1.25
# Migrations 0005 and 0010 give the prose indexes prefix indexes up to this many
# characters. FTS5 answers a longer prefix by merging the entries of every word that
# starts with it before the first row (tens of milliseconds per word found in half of
# a million notes), so an ASCII one is matched as the exact words that start with it,
# looked up one by one in the index's vocabulary table (note_fts_words...); past
# EXPANSION_LIMIT such words, the merge it is.
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
# The card's own fields, as card_fts (0010) holds them.
_CARD_FIELDS = ("name", "organisation", "tags", "email", "phone")


@dataclass(frozen=True)
class Prose:
    """One kind of text written on a card, and where its full-text index is."""

    found: Found
    table: str
    """The table that holds the text, one row per piece; `r` in the queries."""
    column: str
    card_id: str
    """The card a row belongs to, as SQL over `r`."""
    fts: str
    """SQLite: its FTS5 table (external content on `table`), with a vocabulary table
    named fts + "_words"."""
    pg_document: str
    """PostgreSQL: its generated tsvector column on `table`."""
    weight: float
    """Ranking: how much a match here counts next to the same match in a name."""
    long_text: bool = False
    """Too long to show whole: a snippet around the match is shown instead."""


PROSE: tuple[Prose, ...] = (
    Prose(
        Found.NOTE,
        "research_note",
        "body",
        "r.card_id",
        "note_fts",
        "search_document",
        weight=1.0,
        long_text=True,
    ),
    # The card's single next action, read through the card.
    Prose(Found.NEXT_ACTION, "card", "next_action", "r.id", "action_fts", "action_document", 1.2),
    Prose(
        Found.TOUCHPOINT,
        "touchpoint",
        "summary",
        "r.card_id",
        "touchpoint_fts",
        "search_document",
        0.9,
    ),
)
CARD_WEIGHT = 1.5
"""A match in the card's own fields (its name, mostly) ranks above the same in prose."""


@dataclass(frozen=True)
class SearchHit:
    """One card, or one piece of text on it, that matches. `found` says where: for a
    note, `note_id` and `note_kind` say which; `snippet` is the matching text."""

    card_id: int
    card_name: str
    organisation: str
    stage: Stage
    note_id: int | None = None
    note_kind: NoteKind | None = None
    snippet: str = ""
    found: Found = Found.CARD


def words(query: str) -> list[str]:
    """The words of a query; quotes, *, -, : and the like are never search syntax."""
    return _WORD.findall(query)


def note_words(terms: list[str]) -> list[str]:
    """The words that are matched against prose: all but one-letter ones."""
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


def _fts_prose_expression(session: Session, source: Prose, terms: list[str]) -> str | None:
    """An FTS5 query for a prose index matching every word as a prefix, made where it
    can be of prefixes FTS5 indexes and exact words: it reads those newest first,
    unmerged."""
    return " AND ".join(_fts_prose_term(session, source, term) for term in terms) or None


def _fts_prose_term(session: Session, source: Prose, term: str) -> str:
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
            text(
                f"SELECT term FROM {source.fts}_words"
                " WHERE term >= :after AND term <= :last LIMIT 1"
            ),
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
    """Cards and the text on them matching all the words of `query`, best first."""
    dialect = _dialect(session)
    if dialect == "sqlite":
        return _search_sqlite(session, query, limit)
    if dialect == "postgresql":
        _pg_search_plans(session)
        return _search_postgresql(session, query, limit)
    return _search_substring(session, query, limit)


def matching_card_ids(session: Session, query: str) -> set[int]:
    """Every active card whose own fields match `query`, and for each kind of prose
    the FILTER_NOTE_CARDS active cards with the newest text that matches it."""
    terms = words(query)
    if not terms:
        return set()
    dialect = _dialect(session)
    if dialect == "sqlite":
        return _matching_card_ids_sqlite(session, terms)
    if dialect == "postgresql":
        _pg_search_plans(session)
        return _matching_card_ids_postgresql(session, terms)
    return {hit.card_id for hit in _search_substring(session, query, limit=None)}


# SQLite ---------------------------------------------------------------------------------


def _matching_card_ids_sqlite(session: Session, terms: list[str]) -> set[int]:
    # Archived cards are few next to matches: leaving them out costs one index range,
    # where checking each match against its card costs a lookup per match.
    ids = _id_set(
        session,
        "SELECT rowid AS id FROM card_fts WHERE card_fts MATCH :q"
        " AND rowid NOT IN (SELECT id FROM card WHERE archived_at IS NOT NULL)",
        {"q": _fts_prefixes(terms)},
    )
    prose_terms = note_words(terms)
    for source in PROSE if prose_terms else ():
        expression = _fts_prose_expression(session, source, prose_terms)
        # FTS5 hands the matches over newest first, so the LIMIT stops the reading.
        ids |= _id_set(
            session,
            f"SELECT DISTINCT {source.card_id} AS id FROM {source.fts}"
            f" JOIN {source.table} r ON r.id = {source.fts}.rowid"
            f" JOIN card c ON c.id = {source.card_id}"
            f" WHERE {source.fts} MATCH :q AND c.archived_at IS NULL"
            f" ORDER BY {source.fts}.rowid DESC LIMIT :cards",
            {"q": expression, "cards": FILTER_NOTE_CARDS},
        )
    return ids


def _id_set(session: Session, query: str, params: dict[str, Any]) -> set[int]:
    """The ids a query returns (SQLite), as one row of text: a one-letter filter can
    match tens of thousands of cards, and a row each costs more in Python than the
    search."""
    row = session.execute(text(f"SELECT group_concat(id) FROM ({query}) AS found"), params).scalar()
    return _ids_of(row)


def _ids_of(joined: str | None) -> set[int]:
    """The ids in a comma-separated row of them. Read as a JSON array: C's parser turns
    100,000 ids into ints in half the time of int() on each (7 against 12 ms)."""
    return set(json.loads(f"[{joined}]")) if joined else set()


def _search_sqlite(session: Session, query: str, limit: int) -> list[SearchHit]:
    terms = words(query)
    if not terms:
        return []
    # Each pool is read newest first and stops at RANK_POOL rows; it is scored as a
    # whole (the average length is the pool's) and only the best rows come back.
    marked = " + ".join(
        f"length(highlight(card_fts, {index}, {_MARK}, ''))" for index in range(len(_CARD_FIELDS))
    )
    size = " + ".join(f"length(card_fts.{field})" for field in _CARD_FIELDS)
    card_rows = session.execute(
        text(
            f"SELECT id, name, organisation, stage, {_SCORE} AS score FROM ("
            "SELECT c.id, c.name, c.organisation, c.stage,"
            f" {marked} - ({size}) AS tf, {size} AS size "
            "FROM card_fts JOIN card c ON c.id = card_fts.rowid "
            "WHERE card_fts MATCH :q AND c.archived_at IS NULL "
            "ORDER BY card_fts.rowid DESC LIMIT :pool) "
            "ORDER BY score DESC, id DESC LIMIT :limit"
        ),
        {"q": _fts_prefixes(terms), "pool": RANK_POOL, "limit": limit},
    ).all()
    ranked = [(-row[4] * CARD_WEIGHT, _card_hit(row)) for row in card_rows]
    prose_terms = note_words(terms)
    for source in PROSE if prose_terms else ():
        expression = _fts_prose_expression(session, source, prose_terms)
        assert expression is not None
        ranked += _prose_hits_sqlite(session, source, expression, limit)
    ranked.sort(key=lambda pair: pair[0])  # stable: a card before prose that scores the same
    return [hit for _, hit in ranked[:limit]]


def _prose_hits_sqlite(
    session: Session, source: Prose, expression: str, limit: int
) -> list[tuple[float, SearchHit]]:
    fts, column = source.fts, source.column
    kind = "r.kind" if source.found is Found.NOTE else "NULL"
    shown = "NULL" if source.long_text else f"r.{column}"
    rows = session.execute(
        text(
            f"SELECT card_id, name, organisation, stage, {_SCORE} AS score, id, kind, shown"
            " FROM ("
            f"SELECT {source.card_id} AS card_id, c.name, c.organisation, c.stage, r.id,"
            f" {kind} AS kind, {shown} AS shown,"
            f" length(highlight({fts}, 0, {_MARK}, '')) - length(r.{column}) AS tf,"
            f" length(r.{column}) AS size "
            f"FROM {fts} JOIN {source.table} r ON r.id = {fts}.rowid "
            f"JOIN card c ON c.id = {source.card_id} "
            f"WHERE {fts} MATCH :q AND c.archived_at IS NULL "
            f"ORDER BY {fts}.rowid DESC LIMIT :pool) "
            "ORDER BY score DESC, id DESC LIMIT :limit"
        ),
        {"q": expression, "pool": RANK_POOL, "limit": limit},
    ).all()
    if source.long_text:
        snippets = _snippets(session, fts, expression, [row[5] for row in rows])
    else:
        snippets = {row[5]: row[7] for row in rows}
    return [
        (-row[4] * source.weight, _prose_hit(row, source, row[5], row[6], snippets[row[5]]))
        for row in rows
    ]


def _snippets(session: Session, fts: str, expression: str, ids: list[int]) -> dict[int, str]:
    """snippet() reads and splits a text again: it is run for the matches shown.

    They are read in one pass over their range of ids, which the pool keeps short:
    asked for rowids one by one, FTS5 sets the whole query up again for each.
    """
    if not ids:
        return {}
    rows = session.execute(
        text(
            f"SELECT rowid, CASE WHEN rowid IN :ids THEN snippet({fts}, 0, '', '', '…', 10) END"
            f" FROM {fts} WHERE {fts} MATCH :q AND rowid BETWEEN :first AND :last"
        ).bindparams(bindparam("ids", expanding=True)),
        {"q": expression, "ids": ids, "first": min(ids), "last": max(ids)},
    )
    return {int(row_id): snippet for row_id, snippet in rows if snippet is not None}


# PostgreSQL ---------------------------------------------------------------------------------


def _matching_card_ids_postgresql(session: Session, terms: list[str]) -> set[int]:
    """The cards whose own fields match, and for each kind of prose the
    FILTER_NOTE_CARDS active cards with its newest matching rows (`_pg_newest_steps`).
    The kinds take their steps together, one statement a step, the first with the
    cards' own fields, rather than a statement for each kind and step: each is a trip
    to the server and back through SQLAlchemy (0.5-1 ms), for searches of 0.2-0.8 ms.

    What is counted is cards, not rows: a card's several matching rows make the
    index's work look smaller than it is, so the estimate leans to the index."""
    expression = _tsquery(note_words(terms))
    searches = {
        index: _pg_newest_steps(
            partial(_pg_recent, source),
            source.table,
            PG_FILTER_RECENT_ROWS,
            FILTER_NOTE_CARDS,
            len,
            matched=lambda rows: int(rows[0][-2]),  # the matching rows, over every card
        )
        for index, source in enumerate(PROSE if expression is not None else ())
    }
    steps = {index: next(search) for index, search in searches.items()}
    ids: set[int] = set()
    first = True
    while first or steps:
        # A row: the kind of prose (-1: the cards' own fields), then a card, the rows
        # that matched and the table's estimated size; or every own match, as text.
        # The queries are written out in each part, not read from a WITH shared by
        # them, which PostgreSQL does not inline when several parts read it: as a
        # constant each is matched before the card is looked up, and the planner knows
        # how common its words are.
        branches = []
        if first:
            branches.append(
                "SELECT -1, NULL, NULL, NULL, (SELECT string_agg(c.id::text, ',') FROM card c"
                " WHERE c.archived_at IS NULL"
                f" AND c.search_document @@ to_tsquery('{PG_CONFIG}', :own))"
            )
        for index, (rows, _by_key) in steps.items():
            source = PROSE[index]
            # Grouped by card and ordered by each card's newest row: no order to choose.
            # Whether the card is archived is looked up once a card, not once a row: a
            # common word matches several rows of a card among the newest.
            branches.append(
                f"(SELECT {index}, {source.card_id}, sum(count(*)) OVER (),"
                f" {_pg_table_rows(source.table)}, NULL FROM {rows} r"
                f" WHERE r.{source.pg_document} @@ to_tsquery('{PG_CONFIG}', :q)"
                f" GROUP BY {source.card_id} HAVING {_pg_active(source)}"
                " ORDER BY max(r.id) DESC LIMIT :cards)"
            )
        found: dict[int, list[Any]] = {index: [] for index in steps}
        for row in session.execute(
            text(" UNION ALL ".join(branches)),
            {"own": _tsquery(terms), "q": expression, "cards": FILTER_NOTE_CARDS},
        ):
            if row[0] >= 0:
                found[row[0]].append(row[1:4])
            else:
                ids |= _ids_of(row[4])
        first = False
        for index in list(steps):
            try:
                steps[index] = searches[index].send(found[index])
            except StopIteration as done:
                ids.update(int(row[0]) for row in done.value)
                del steps[index]
    return ids


def _pg_recent(source: Prose, rows: int) -> str:
    """The newest `rows` rows of a prose table, read backwards on its primary key."""
    read = dict.fromkeys(("id", source.card_id.removeprefix("r."), source.pg_document))
    return f"(SELECT {', '.join(read)} FROM {source.table} ORDER BY id DESC LIMIT {int(rows)})"


def _pg_active(source: Prose) -> str:
    """The row's card is not archived, looked up on the card's primary key: as a join,
    PostgreSQL plans for thousands of matches of a word it has no statistics for and
    reads the whole card table to hash it."""
    return f"(SELECT c.archived_at FROM card c WHERE c.id = {source.card_id}) IS NULL"


def _pg_search_plans(session: Session) -> None:
    """Each search planned for its own words, without JIT, for this transaction.

    psycopg prepares a statement it has sent five times, and after five more runs
    PostgreSQL may settle on a generic plan, which cannot fold `to_tsquery(:q)` into a
    constant: it parses the query again for every row it tests (10,000 of them in a
    newest-rows pool, +10 ms).
    JIT: the planner's guess for a rare prefix is costly enough to trigger it (about
    150 ms), for a query that then reads a handful of rows."""
    session.execute(
        text(
            "SELECT set_config('jit', 'off', true),"
            " set_config('plan_cache_mode', 'force_custom_plan', true)"
        )
    )


def _search_postgresql(session: Session, query: str, limit: int) -> list[SearchHit]:
    terms = words(query)
    if not terms:
        return []

    def best_cards(searched: str, by_key: bool) -> list[Any]:
        return list(
            session.execute(
                text(
                    f"WITH q AS (SELECT to_tsquery('{PG_CONFIG}', :q) AS query), "
                    f"pool AS (SELECT c.id, c.search_document AS document FROM {searched} c"
                    f" WHERE c.search_document @@ to_tsquery('{PG_CONFIG}', :q)"
                    f" AND c.archived_at IS NULL ORDER BY {_pg_order('c', by_key)} DESC"
                    " LIMIT :pool) "
                    "SELECT c.id, c.name, c.organisation, c.stage,"
                    " ts_rank(pool.document, q.query, 2) AS rank, (SELECT count(*) FROM pool),"
                    f" {_pg_table_rows('card')}"
                    " FROM pool JOIN card c ON c.id = pool.id, q"
                    " ORDER BY rank DESC, c.id DESC LIMIT :limit"
                ),
                {"q": _tsquery(terms), "pool": RANK_POOL, "limit": limit},
            )
        )

    def newest_cards(rows: int) -> str:
        return (
            "(SELECT id, search_document, archived_at FROM card"
            f" ORDER BY id DESC LIMIT {int(rows)})"
        )

    card_rows = _pg_newest_first(
        best_cards,
        newest_cards,
        "card",
        PG_RECENT_ROWS,
        RANK_POOL,
        _pg_pool_size,
    )
    ranked = [(-row[4] * CARD_WEIGHT, _card_hit(row)) for row in card_rows]
    expression = _tsquery(note_words(terms))
    if expression is not None:
        for source in PROSE:
            ranked += _prose_hits_postgresql(session, source, expression, limit)
    # ts_rank (normalised by length, as bm25 is): higher is a better match.
    ranked.sort(key=lambda pair: pair[0])
    return [hit for _, hit in ranked[:limit]]


def _prose_hits_postgresql(
    session: Session, source: Prose, expression: str, limit: int
) -> list[tuple[float, SearchHit]]:
    kind = "r.kind" if source.found is Found.NOTE else "NULL"
    if source.long_text:
        # Worked out for the matches shown only: ts_headline re-reads the text. It
        # marks no cut, so "…" is added where the text goes on, as SQLite's snippet().
        column = f"r.{source.column}"
        headline = (
            f"ts_headline('{PG_CONFIG}', left({column}, {PG_NOTE_INDEXED_CHARS}),"
            ' q.query, \'StartSel="", StopSel="", MaxWords=10, MinWords=3, ShortWord=0,'
            " MaxFragments=1, FragmentDelimiter=…')"
        )
        space = "E' \\t\\r\\n'"
        shown = (
            f"(SELECT CASE WHEN starts_with(ltrim({column}, {space}), h) THEN '' ELSE '…' END"
            f" || h || CASE WHEN right(rtrim({column}, {space}), length(h)) = h"
            " THEN '' ELSE '…' END"
            f" FROM (SELECT {headline} AS h) AS headline)"
        )
    else:
        shown = f"r.{source.column}"

    def best_of(searched: str, by_key: bool) -> list[Any]:
        return list(
            session.execute(
                text(
                    f"WITH q AS (SELECT to_tsquery('{PG_CONFIG}', :q) AS query), "
                    # The query is written out here, not read from q: as a constant
                    # it is matched before the card is looked up, and the planner
                    # knows how common its words are.
                    f"pool AS (SELECT r.id, {source.card_id} AS card_id,"
                    f" r.{source.pg_document} AS document FROM {searched} r "
                    f"WHERE r.{source.pg_document} @@ to_tsquery('{PG_CONFIG}', :q)"
                    f" AND {_pg_active(source)} ORDER BY {_pg_order('r', by_key)} DESC"
                    " LIMIT :pool), "
                    "best AS (SELECT pool.id, pool.card_id,"
                    " ts_rank(pool.document, q.query, 2) AS rank FROM pool, q"
                    " ORDER BY rank DESC, id DESC LIMIT :limit) "
                    f"SELECT c.id, c.name, c.organisation, c.stage, best.rank, best.id, {kind},"
                    f" {shown}, (SELECT count(*) FROM pool), {_pg_table_rows(source.table)} "
                    f"FROM best JOIN card c ON c.id = best.card_id"
                    f" JOIN {source.table} r ON r.id = best.id, q "
                    "ORDER BY best.rank DESC, best.id DESC"
                ),
                {"q": expression, "pool": RANK_POOL, "limit": limit},
            )
        )

    rows = _pg_newest_first(
        best_of,
        lambda count: _pg_recent(source, count),
        source.table,
        PG_RECENT_ROWS,
        RANK_POOL,
        _pg_pool_size,
    )
    return [
        (-row[4] * source.weight, _prose_hit(row, source, row[5], row[6], row[7])) for row in rows
    ]


def _pg_pool_size(rows: list[Any]) -> int:
    """The size of the ranking pool, which a search's rows give next to last."""
    return int(rows[0][-2])


def _pg_newest_first(
    best_of: Callable[[str, bool], list[Any]],
    newest: Callable[[int], str],
    table: str,
    searched: int,
    wanted: int,
    counted: Callable[[list[Any]], int],
) -> list[Any]:
    """What `best_of(searched, by_key)` finds among the newest matches, found the
    cheapest way: it takes each of `_pg_newest_steps` in turn."""
    steps = _pg_newest_steps(newest, table, searched, wanted, counted)
    step = next(steps)
    while True:
        try:
            step = steps.send(best_of(*step))
        except StopIteration as done:
            return list(done.value)


def _pg_newest_steps(
    newest: Callable[[int], str],
    table: str,
    searched: int,
    wanted: int,
    counted: Callable[[list[Any]], int],
    matched: Callable[[list[Any]], int] | None = None,
) -> Generator[tuple[str, bool], list[Any], list[Any]]:
    """The searches that find the newest matches the cheapest way, one at a time: each
    step yields what to search (a table, or its newest rows from `newest(count)`) and
    whether in primary key order (by_key), and is sent the rows found, which end with
    the table's estimated number of rows; it returns the rows that answer.
    `counted(rows)` says how many of the `wanted` matches rows hold, `matched(rows)` how
    many rows matched (several may be one card's; by default as many as counted).

    Matches found among the newest rows are the newest, as no older match is newer. The
    newest PG_SAMPLE_ROWS are read first, backwards on the primary key: they are the
    answer if they hold the `wanted` matches; a word in fewer than PG_SAMPLE_MATCHES of
    them is rare, and the whole table is searched through its index (not walked
    backwards, which for a rare word would read every row). Otherwise the newest
    `searched` rows are read, where a common word gives as many matches at once. When
    they fall short, a longer window of newest rows is read if `_pg_window` estimates it
    cheaper than the index; when it is not, or it falls short too, the index it is.
    """
    sample = yield newest(PG_SAMPLE_ROWS), True
    if sample and counted(sample) >= wanted:
        return sample
    if ((matched or counted)(sample) if sample else 0) < PG_SAMPLE_MATCHES:
        return (yield table, False)
    rows = yield newest(searched), True
    found = counted(rows) if rows else 0
    if found >= wanted:
        return rows
    window = _pg_window(found, float(rows[0][-1]), searched, wanted) if rows else None
    if window is not None:
        rows = yield newest(window), True
        if rows and counted(rows) >= wanted:
            return rows
    return (yield table, False)


def _pg_order(alias: str, by_key: bool) -> str:
    """The pool's order: id on the primary key, or id + 0, which the planner cannot
    read from the primary key and so finds through the full-text index."""
    return f"{alias}.id" if by_key else f"{alias}.id + 0"


def _pg_table_rows(table: str) -> str:
    """The table's estimated number of rows, as SQL: from its last ANALYZE, VACUUM or
    CREATE INDEX; before any of them -1 (PostgreSQL 14 and later) or 0, which
    `_pg_window` takes for a small table (the index it is)."""
    return f"(SELECT reltuples FROM pg_class WHERE oid = '{table}'::regclass)"


def _pg_window(found: int, table_rows: float, searched: int, wanted: int) -> int | None:
    """How many of the newest rows should hold `wanted` matches, given `found` in the
    newest `searched`; None when the index is the cheaper way to them.

    A word in a few percent of the rows is the costly case for both ways: the newest
    10,000 rows hold too few matches, and the index has thousands to read and sort
    (35-45 ms for 5,000 touchpoints). Reading further back costs in proportion to the
    rows read, the index in proportion to the matches in the whole table.
    """
    if found == 0 or table_rows <= searched:
        return None
    window = int(searched * wanted / found * PG_WINDOW_MARGIN)
    matches = found * table_rows / searched
    if window >= table_rows or window > PG_INDEX_MATCH_ROWS * matches:
        return None
    return window


# Any other database ---------------------------------------------------------------------------


def _search_substring(session: Session, query: str, limit: int | None) -> list[SearchHit]:
    terms = [term.lower() for term in words(query)]
    if not terms:
        return []

    def all_in(terms: list[str], *columns: Any) -> ColumnElement[bool]:
        haystack = func.lower(func.concat_ws(" ", *columns))
        return and_(*(haystack.contains(term, autoescape=True) for term in terms))

    active = CardRow.archived_at.is_(None)
    card = (CardRow.id, CardRow.name, CardRow.organisation, CardRow.stage)
    fields = (CardRow.name, CardRow.organisation, CardRow.tags, CardRow.email, CardRow.phone)
    cards = select(*card).where(active, all_in(terms, *fields))
    hits = [_card_hit(row) for row in session.execute(cards.limit(limit))]
    in_prose = note_words(terms)
    if not in_prose:
        return hits if limit is None else hits[:limit]
    notes = (
        select(
            *card,
            ResearchNoteRow.id,
            ResearchNoteRow.kind,
            func.substr(ResearchNoteRow.body, 1, 80),
        )
        .join(ResearchNoteRow, ResearchNoteRow.card_id == CardRow.id)
        .where(active, all_in(in_prose, ResearchNoteRow.body))
    )
    actions = select(*card, CardRow.id, literal(None), CardRow.next_action).where(
        active, all_in(in_prose, CardRow.next_action)
    )
    touchpoints = (
        select(*card, TouchpointRow.id, literal(None), TouchpointRow.summary)
        .join(TouchpointRow, TouchpointRow.card_id == CardRow.id)
        .where(active, all_in(in_prose, TouchpointRow.summary))
    )
    for source, statement in zip(PROSE, (notes, actions, touchpoints), strict=True):
        hits += [
            _prose_hit(row, source, row[4], row[5], row[6])
            for row in session.execute(statement.limit(limit))
        ]
    return hits if limit is None else hits[:limit]


def _card_hit(row: Any) -> SearchHit:
    return SearchHit(int(row[0]), row[1], row[2], Stage(row[3]))


def _prose_hit(row: Any, source: Prose, row_id: int, kind: str | None, shown: str) -> SearchHit:
    return SearchHit(
        int(row[0]),
        row[1],
        row[2],
        Stage(row[3]),
        note_id=int(row_id) if source.found is Found.NOTE else None,
        note_kind=NoteKind(kind) if kind is not None else None,
        snippet=shown or "",
        found=source.found,
    )
