"""full-text search over cards and research notes

SQLite: FTS5 tables over the card and research_note tables, kept in sync by triggers
on every write and filled from the existing rows here. Other databases search with
their own full-text features, set up by their own revision.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENIZE = "unicode61 remove_diacritics 2"

SQLITE_UP = [
    f"""CREATE VIRTUAL TABLE card_fts USING fts5(
        name, organisation, tags, content='card', content_rowid='id', tokenize='{TOKENIZE}')""",
    """CREATE TRIGGER card_fts_insert AFTER INSERT ON card BEGIN
        INSERT INTO card_fts(rowid, name, organisation, tags)
        VALUES (new.id, new.name, new.organisation, new.tags);
    END""",
    """CREATE TRIGGER card_fts_delete AFTER DELETE ON card BEGIN
        INSERT INTO card_fts(card_fts, rowid, name, organisation, tags)
        VALUES ('delete', old.id, old.name, old.organisation, old.tags);
    END""",
    """CREATE TRIGGER card_fts_update AFTER UPDATE OF name, organisation, tags ON card BEGIN
        INSERT INTO card_fts(card_fts, rowid, name, organisation, tags)
        VALUES ('delete', old.id, old.name, old.organisation, old.tags);
        INSERT INTO card_fts(rowid, name, organisation, tags)
        VALUES (new.id, new.name, new.organisation, new.tags);
    END""",
    f"""CREATE VIRTUAL TABLE note_fts USING fts5(
        body, content='research_note', content_rowid='id', tokenize='{TOKENIZE}')""",
    """CREATE TRIGGER note_fts_insert AFTER INSERT ON research_note BEGIN
        INSERT INTO note_fts(rowid, body) VALUES (new.id, new.body);
    END""",
    """CREATE TRIGGER note_fts_delete AFTER DELETE ON research_note BEGIN
        INSERT INTO note_fts(note_fts, rowid, body) VALUES ('delete', old.id, old.body);
    END""",
    """CREATE TRIGGER note_fts_update AFTER UPDATE OF body ON research_note BEGIN
        INSERT INTO note_fts(note_fts, rowid, body) VALUES ('delete', old.id, old.body);
        INSERT INTO note_fts(rowid, body) VALUES (new.id, new.body);
    END""",
    "INSERT INTO card_fts(card_fts) VALUES ('rebuild')",
    "INSERT INTO note_fts(note_fts) VALUES ('rebuild')",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS note_fts_update",
    "DROP TRIGGER IF EXISTS note_fts_delete",
    "DROP TRIGGER IF EXISTS note_fts_insert",
    "DROP TABLE IF EXISTS note_fts",
    "DROP TRIGGER IF EXISTS card_fts_update",
    "DROP TRIGGER IF EXISTS card_fts_delete",
    "DROP TRIGGER IF EXISTS card_fts_insert",
    "DROP TABLE IF EXISTS card_fts",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
