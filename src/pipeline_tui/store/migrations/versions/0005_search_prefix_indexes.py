"""prefix indexes for full-text search at a million notes

SQLite only (a no-op elsewhere; PostgreSQL's GIN indexes from 0003 match prefixes as
they are):

- card_fts and note_fts are made again with FTS5 prefix indexes, for the first one and
  two characters of card words and the first two and three of note words. Without
  them FTS5 answers a prefix by merging the index entries of every word that starts
  with it before it returns the first row: hundreds of milliseconds for a short prefix
  over a million notes, however few rows the query wants;
- note_fts_words, an fts5vocab table listing every word occurrence in note_fts, so a
  longer prefix can be matched as the exact words that start with it (see
  store/search.py): it finds the next word in the index without counting the last.

The tables keep their names, columns and tokenizer, so the triggers from 0002 that
keep them in step with card and research_note stay as they are; each index is rebuilt
from its table here.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENIZE = "unicode61 remove_diacritics 2"


def _fts_tables(card_prefix: str, note_prefix: str) -> list[str]:
    return [
        "DROP TABLE card_fts",
        f"""CREATE VIRTUAL TABLE card_fts USING fts5(
            name, organisation, tags, content='card', content_rowid='id',
            tokenize='{TOKENIZE}'{card_prefix})""",
        "INSERT INTO card_fts(card_fts) VALUES ('rebuild')",
        "DROP TABLE note_fts",
        f"""CREATE VIRTUAL TABLE note_fts USING fts5(
            body, content='research_note', content_rowid='id',
            tokenize='{TOKENIZE}'{note_prefix})""",
        "INSERT INTO note_fts(note_fts) VALUES ('rebuild')",
    ]


SQLITE_UP = [
    *_fts_tables(", prefix='1 2'", ", prefix='2 3'"),
    "CREATE VIRTUAL TABLE note_fts_words USING fts5vocab(note_fts, instance)",
]

SQLITE_DOWN = [
    "DROP TABLE IF EXISTS note_fts_words",
    *_fts_tables("", ""),
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
