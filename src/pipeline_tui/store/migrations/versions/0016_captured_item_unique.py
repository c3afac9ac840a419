"""captured_item: one row per item and card, enforced by the database

`log -` looks for the item's Message-ID or UID before it writes, but two instances on
one PostgreSQL database (two reps' sessions, or one rep's two terminals) can both look,
find nothing, and both log the same email. A unique constraint on (origin, card_id)
makes the second insert fail, and `log -` turns that into the usual refusal.

Rows already doubled that way are reduced to the earliest (the lowest id: the first
log, whose day the refusal names); the touchpoints they logged stay, as nothing says
which of two equal touchpoints was the second. The constraint's index starts with
origin, so it serves the look-up by origin and the old index on origin alone goes.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM captured_item WHERE id NOT IN"
        " (SELECT MIN(id) FROM captured_item GROUP BY origin, card_id)"
    )
    with op.batch_alter_table("captured_item", schema=None) as batch_op:
        batch_op.drop_index("ix_captured_item_origin")
        batch_op.create_unique_constraint("uq_captured_item_origin_card_id", ["origin", "card_id"])


def downgrade() -> None:
    with op.batch_alter_table("captured_item", schema=None) as batch_op:
        batch_op.drop_constraint("uq_captured_item_origin_card_id", type_="unique")
        batch_op.create_index("ix_captured_item_origin", ["origin"], unique=False)
