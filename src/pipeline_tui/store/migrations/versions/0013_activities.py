"""activity: several scheduled steps a card (kind, due day and time, words)

A card's next action becomes the earliest of its open activities; card.next_action and
card.next_action_due stay, kept equal to that one, so everything that reads them goes
on working. Each card's next action written before this (words or a due day) becomes
one open activity of kind task, with the same words and day: nothing is lost.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("due_time", sa.Time(), nullable=True),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["card_id"], ["card.id"], name=op.f("fk_activity_card_id_card"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    op.create_index("ix_activity_card", "activity", ["card_id", "done_at", "due"], unique=False)
    # Archived cards too: restoring one brings its next action back with it. Stamped
    # with the card's last edit, the nearest known moment the step was written.
    op.execute(
        "INSERT INTO activity (card_id, kind, due, due_time, text, created_at, done_at)"
        " SELECT id, 'task', next_action_due, NULL, next_action, updated_at, NULL FROM card"
        " WHERE next_action <> '' OR next_action_due IS NOT NULL"
    )


def downgrade() -> None:
    # The cards' next actions are still in card.next_action: only the later steps go.
    op.drop_index("ix_activity_card", table_name="activity")
    op.drop_table("activity")
