"""PostgreSQL full-text search over cards and research notes

PostgreSQL only (a no-op elsewhere; SQLite has its FTS5 tables from 0002):

- a text search configuration `pipeline_search`: the 'simple' parser and dictionary
  (no stemming, no stop words: names and company names are not English prose), with
  accents folded by the unaccent extension when it can be installed, so "chloe"
  finds "Chloé" as it does on SQLite;
- a stored generated tsvector column on `card` (name weighted above organisation above
  tags) and on `research_note` (body), each with a GIN index. Generated columns follow
  every write, so there are no triggers to keep in step.

A note's first 200,000 characters are indexed: PostgreSQL refuses a tsvector over
1 MB, which a note at the 2,000,000-character cap with many distinct words can reach.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONFIG = "pipeline_search"
NOTE_INDEXED_CHARS = 200_000


def _unaccent_available(connection: sa.Connection) -> bool:
    """Install unaccent if we may (it is a trusted extension since PostgreSQL 13)."""
    installed = connection.execute(
        sa.text("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
    ).scalar()
    if installed:
        return True
    available = connection.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
    ).scalar()
    if not available:
        return False
    savepoint = connection.begin_nested()
    try:
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except sa.exc.DBAPIError:  # not allowed to: plain 'simple' it is
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    op.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.simple)")
    if _unaccent_available(connection):
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
            "ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part "
            "WITH unaccent, simple"
        )
    op.execute(
        "ALTER TABLE card ADD COLUMN search_document tsvector GENERATED ALWAYS AS ("
        f" setweight(to_tsvector('{CONFIG}', name), 'A') ||"
        f" setweight(to_tsvector('{CONFIG}', organisation), 'B') ||"
        f" setweight(to_tsvector('{CONFIG}', tags), 'C')) STORED"
    )
    op.execute(
        "ALTER TABLE research_note ADD COLUMN search_document tsvector GENERATED ALWAYS AS ("
        f" to_tsvector('{CONFIG}', left(body, {NOTE_INDEXED_CHARS}))) STORED"
    )
    op.execute("CREATE INDEX ix_card_search ON card USING gin (search_document)")
    op.execute("CREATE INDEX ix_research_note_search ON research_note USING gin (search_document)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_research_note_search")
    op.execute("DROP INDEX IF EXISTS ix_card_search")
    op.execute("ALTER TABLE research_note DROP COLUMN IF EXISTS search_document")
    op.execute("ALTER TABLE card DROP COLUMN IF EXISTS search_document")
    op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")
