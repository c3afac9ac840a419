"""board_clock: one row counting every write, so an app sees others' changes cheaply

Polling used to sum over every active card (a full scan every few seconds at 100,000
cards) and could not tell this app's own writes from another's. Every write
transaction now adds one to board_clock.revision and learns the number it got.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    clock = op.create_table(
        "board_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_clock")),
    )
    op.bulk_insert(clock, [{"id": 1, "revision": 0}])


def downgrade() -> None:
    op.drop_table("board_clock")
