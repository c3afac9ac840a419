"""What the models describe and what the migrations add beside them.

The full-text search objects (SQLite's FTS5 tables and their triggers, PostgreSQL's
generated tsvector columns and GIN indexes) are written by hand in the migrations and
have no model: comparing the models with a database leaves them out.
"""

from __future__ import annotations

from typing import Any

FULL_TEXT_COLUMNS = frozenset({"search_document", "action_document"})


def is_full_text_object(name: str | None, type_: str) -> bool:
    """Whether a database object belongs to full-text search (kept by migrations only)."""
    if name is None:
        return False
    if type_ == "table":
        return "_fts" in name  # card_fts, note_fts, note_fts_words and FTS5's own tables
    if type_ == "column":
        return name in FULL_TEXT_COLUMNS
    if type_ == "index":
        return name.endswith(("_search", "_trgm")) or "_fts" in name
    return False


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's include_object hook: compare everything but the full-text objects."""
    return not (reflected and compare_to is None and is_full_text_object(name, type_))
