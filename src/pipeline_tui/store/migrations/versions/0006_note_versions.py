"""research_note.version: a note edited by two reps at once is no longer overwritten

Every save of a note bumps its version; a save made against an older version is
refused, so the first rep's edit is never lost. Existing notes start at version 1.

A plain ADD COLUMN (not a batch copy of the table), so SQLite keeps the full-text
triggers on research_note.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "research_note",
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), again so the full-text triggers stay.
    op.execute("ALTER TABLE research_note DROP COLUMN version")
