"""research_note ids are never handed out twice (SQLite)

SQLite gives a new row the highest id plus one, so a note added after the newest note
was deleted took the deleted note's id, at version 1. An editor still open on the
deleted note (another rep's, at version 1) then saved over the new note, possibly on
another card, with no word to either rep; a draft of an edit to the deleted note was
offered against the new one. With AUTOINCREMENT an id is used once. PostgreSQL's
sequences already never hand one out twice.

SQLite cannot add AUTOINCREMENT to a table, so the table is copied into a new one
(Alembic's batch mode, ids kept); the full-text triggers on it go with the old table
and are made again, and note_fts, which reads the notes by id, stays as it is.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOTE_TRIGGERS = [
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
]
"""As revision 0002 made them."""


def _copy_notes(autoincrement: bool) -> None:
    with op.batch_alter_table(
        "research_note",
        recreate="always",
        table_kwargs={"sqlite_autoincrement": autoincrement},
    ):
        pass
    for statement in NOTE_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _copy_notes(autoincrement=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _copy_notes(autoincrement=False)
