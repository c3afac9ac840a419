"""call sessions: the figures of each sitting of calls, for the next stand-up

- call_session: who made the calls, when the session started and when its last call
  was logged, and how many calls ended in each outcome (reached, voicemail, no answer,
  meeting set, not interested). The calls themselves are touchpoints on the cards.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOMES = ("reached", "voicemail", "no_answer", "meeting_set", "not_interested")


def upgrade() -> None:
    op.create_table(
        "call_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_call_at", sa.DateTime(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in OUTCOMES),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_session")),
    )
    op.create_index("ix_call_session_started", "call_session", ["started_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_call_session_started", table_name="call_session")
    op.drop_table("call_session")
