"""card.cadence_step, card.cadence_anchor, card.rhythm_days: the after-sale cadence

A card that becomes a client (or a repeat) steps through its stage's cadence from
config; it keeps the pending step and the day that step counts from. rhythm_days is a
rep's "keep in touch every N days", which replaces the stage's stale limit. All None
for cards written before this: no cadence running, the stage's limit applies.

Plain ADD COLUMNs (not a batch copy of the table), so SQLite keeps the full-text
triggers on card.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("cadence_step", "cadence_anchor", "rhythm_days")


def upgrade() -> None:
    op.add_column("card", sa.Column("cadence_step", sa.Integer(), nullable=True))
    op.add_column("card", sa.Column("cadence_anchor", sa.Date(), nullable=True))
    op.add_column("card", sa.Column("rhythm_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), again so the full-text triggers stay.
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE card DROP COLUMN {column}")
