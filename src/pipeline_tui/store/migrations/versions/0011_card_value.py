"""card.value_cents, card.expected_close, card.won_value_cents: what a deal is worth

A card may carry a deal value and the day the rep expects it to close; stage
probabilities weigh the values into a forecast. Values are whole cents (BigInteger):
exact on both databases and in their sums, whatever the configured currency. When a
card is archived as won, the value it was won at is kept apart from the value (which
stays editable), so the stand-up can report what was won.

Plain ADD COLUMNs (not batch copies of the table), so SQLite keeps the full-text
triggers on card. Cards written before this open with no value.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("value_cents", "expected_close", "won_value_cents")


def upgrade() -> None:
    op.add_column("card", sa.Column("value_cents", sa.BigInteger(), nullable=True))
    op.add_column("card", sa.Column("expected_close", sa.Date(), nullable=True))
    op.add_column("card", sa.Column("won_value_cents", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), again so the full-text triggers stay.
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE card DROP COLUMN {column}")
