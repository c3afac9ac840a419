"""card.cadence_base: the day the pending cadence step counts from before any contact

The anchor (card.cadence_anchor) is that day moved on to the latest touchpoint. Kept
alone, it could not be taken back when a contact was undone after the cadence had moved
on and back (a step marked done and undone between): the step stayed counted from a
call that was no longer there. With the base kept, the anchor is always the later of the
base and the card's latest touchpoint, and is counted again whenever undo changes either.

Cards written before this take their anchor as their base: the contacts already counted
in it stay counted.

A plain ADD COLUMN (not a batch copy of the table), so SQLite keeps the full-text
triggers on card.

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("card", sa.Column("cadence_base", sa.Date(), nullable=True))
    op.execute("UPDATE card SET cadence_base = cadence_anchor")


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), again so the full-text triggers stay.
    op.execute("ALTER TABLE card DROP COLUMN cadence_base")
