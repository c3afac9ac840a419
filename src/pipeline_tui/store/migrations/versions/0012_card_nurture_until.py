"""card.nurture_until: a lead parked "not yet, until DATE"

A lead parked from the qualification checklist is off the active board (its column
and every count) until that day, and back on it from that day on: the board's reads
compare the date with today, so nothing has to run on the day. None: on the board.

A plain ADD COLUMN (not a batch copy of the table), so SQLite keeps the full-text
triggers on card. Cards written before this are all on the board.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("card", sa.Column("nurture_until", sa.Date(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), again so the full-text triggers stay.
    op.execute("ALTER TABLE card DROP COLUMN nurture_until")
