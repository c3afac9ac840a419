"""drafts: what a rep is typing, kept until it is saved or discarded

One row per rep, card, editor and subject (a note, the card form, a touchpoint, the
next action, qualification comments, an archive reason), so a dropped session or a
quit loses nothing typed. The new-card form's drafts have no card.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
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


def downgrade() -> None:
    op.drop_index("ix_draft_card", table_name="draft")
    op.drop_table("draft")
