"""captured_item: where each touchpoint logged by `log -` came from

An email's Message-ID, or an invite's UID (and RECURRENCE-ID), with the invite's
SEQUENCE, the day it was logged and the next action it set: one row a card. Piping
the same item again is refused; an updated invite moves the next action it set, and
a cancelled one clears it, while it is still the card's. Touchpoints logged before
this have no row: they are not known as duplicates, as before.

A new table: card and touchpoint (and their full-text triggers) are untouched.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "captured_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=1000), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("logged_on", sa.Date(), nullable=False),
        sa.Column("next_action", sa.String(length=500), nullable=False),
        sa.Column("next_action_due", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["card.id"],
            name=op.f("fk_captured_item_card_id_card"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_captured_item")),
    )
    op.create_index("ix_captured_item_origin", "captured_item", ["origin"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_captured_item_origin", table_name="captured_item")
    op.drop_table("captured_item")
