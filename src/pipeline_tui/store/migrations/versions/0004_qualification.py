"""qualification answers, override notes on stage moves, referral lookups

- qualification_answer: one row per card and criterion (keyed by the criterion's text),
  yes / no / unknown with a comment;
- stage_event.note: why a move was unusual (a lead moved on without passing
  qualification), empty for ordinary moves;
- indexes for the board: card.referred_by_id (referral counts) and research_note
  (card_id, updated_at) (the last note per card, for staleness).

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qualification_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(length=200), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["card.id"],
            name=op.f("fk_qualification_answer_card_id_card"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualification_answer")),
        sa.UniqueConstraint("card_id", "criterion", name="uq_qualification_answer_card_criterion"),
    )
    # Plain ADD COLUMN / CREATE INDEX: no table rebuild, so the card's FTS triggers stay.
    op.add_column(
        "stage_event",
        sa.Column("note", sa.String(length=1000), nullable=False, server_default=""),
    )
    op.create_index("ix_card_referred_by", "card", ["referred_by_id"], unique=False)
    op.create_index(
        "ix_research_note_activity", "research_note", ["card_id", "updated_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_research_note_activity", table_name="research_note")
    op.drop_index("ix_card_referred_by", table_name="card")
    with op.batch_alter_table("stage_event", schema=None) as batch_op:
        batch_op.drop_column("note")
    op.drop_table("qualification_answer")
