"""touchpoint ids are never handed out twice (SQLite)

A touchpoint deleted from a card's timeline comes back with its own id when undo
brings it back, so that the rep's older changes naming it (the `t` that logged it, the
`x` whose touchpoint it is) still find it. SQLite gave a new row the highest id plus
one, so the id of the newest touchpoint, once deleted, went to the next one logged on
any card: a card screen still showing the deleted one then deleted that one, on
another card, with `d`. With AUTOINCREMENT an id is used once. PostgreSQL's sequences
already never hand one out twice.

SQLite cannot add AUTOINCREMENT to a table, so the table is copied into a new one
(Alembic's batch mode, ids kept); the full-text triggers on it go with the old table
and are made again, and touchpoint_fts, which reads the touchpoints by id, stays.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOUCHPOINT_TRIGGERS = [
    """CREATE TRIGGER touchpoint_fts_insert AFTER INSERT ON touchpoint BEGIN
        INSERT INTO touchpoint_fts(rowid, summary) VALUES (new.id, new.summary);
    END""",
    """CREATE TRIGGER touchpoint_fts_delete AFTER DELETE ON touchpoint BEGIN
        INSERT INTO touchpoint_fts(touchpoint_fts, rowid, summary)
            VALUES ('delete', old.id, old.summary);
    END""",
    """CREATE TRIGGER touchpoint_fts_update AFTER UPDATE OF summary ON touchpoint BEGIN
        INSERT INTO touchpoint_fts(touchpoint_fts, rowid, summary)
            VALUES ('delete', old.id, old.summary);
        INSERT INTO touchpoint_fts(rowid, summary) VALUES (new.id, new.summary);
    END""",
]
"""As revision 0010 made them."""


def _copy_touchpoints(autoincrement: bool) -> None:
    with op.batch_alter_table(
        "touchpoint",
        recreate="always",
        table_kwargs={"sqlite_autoincrement": autoincrement},
    ):
        pass
    for statement in TOUCHPOINT_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _copy_touchpoints(autoincrement=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _copy_touchpoints(autoincrement=False)
