"""card ids are never handed out twice (SQLite)

Undo of a card just added deletes it, and SQLite gave the next new card the highest id
plus one: the deleted card's id, when it was the newest. Everything still naming the
old card by its id then reached the new one, another customer: a card form or a note
editor open on it saved there (its version matched, both cards being new), an undo
brought the old card's note or touchpoint back onto it, an editor's draft kept as the
session ended was offered there. With AUTOINCREMENT an id is used once. PostgreSQL's
sequences already never hand one out twice.

SQLite cannot add AUTOINCREMENT to a table, so the table is copied into a new one
(Alembic's batch mode, ids kept), as 0017 and 0019 did for notes and touchpoints. The
card is the parent of every other row: dropping the old table with foreign keys
enforced would delete them all (ON DELETE CASCADE), so the schema is changed with
enforcement off (store/migrate.py schema_change, which checks every key before the
commit), and this migration refuses to run otherwise. The triggers on the card (its
full-text index) go with the old table and are made again as they were.

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _copy_cards(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "The card table is copied with foreign keys off (store/migrate.py"
            " schema_change): with them on, dropping the old table deletes every row"
            " that belongs to a card."
        )
    triggers = list(
        bind.execute(
            sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'card'")
        ).scalars()
    )
    # The ids are kept, and with AUTOINCREMENT the highest of them is the sequence's.
    with op.batch_alter_table(
        "card", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass
    for statement in triggers:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _copy_cards(autoincrement=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _copy_cards(autoincrement=False)
