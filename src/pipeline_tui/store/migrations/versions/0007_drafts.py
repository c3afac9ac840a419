"""drafts, and a version on research notes

- draft: what a rep is typing in an editor (a note, the card form, a touchpoint, the
  next action, qualification comments, an archive reason), one row per rep, card,
  editor and subject, kept until it is saved or discarded, so a dropped session or a
  quit loses nothing typed;
- research_note.version: optimistic concurrency for notes, as the card has, so an edit
  saved against an older version of a note is refused instead of overwriting it.

Plain CREATE TABLE / ADD COLUMN: no table rebuild, so the FTS triggers on
research_note stay as they are.

Revision ID: 0007
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=True),
        sa.Column("editor", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["card.id"], name=op.f("fk_draft_card_id_card"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft")),
        sa.UniqueConstraint("owner", "card_id", "editor", "subject", name="uq_draft_key"),
    )
    op.create_index("ix_draft_card", "draft", ["card_id", "owner"], unique=False)
    op.add_column(
        "research_note",
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )


def downgrade() -> None:
    # Not a batch rebuild on SQLite (3.35+ drops a column in place): a rebuilt
    # research_note would lose its FTS triggers.
    op.execute("ALTER TABLE research_note DROP COLUMN version")
    op.drop_index("ix_draft_card", table_name="draft")
    op.drop_table("draft")
