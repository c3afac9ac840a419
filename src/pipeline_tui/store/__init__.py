"""SQLAlchemy models, database set-up, migrations and the one service API.

Nothing here knows about Textual; the UI and the CLI call `PipelineService`.

The names below are imported when first used: SQLAlchemy takes about as long to import
as Textual, and the board's first screenful does not need it (see store/peek.py).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from pipeline_tui.store.errors import ConflictError, NotFoundError, StoreError

if TYPE_CHECKING:
    from pipeline_tui.store.database import Database, open_database
    from pipeline_tui.store.service import PipelineService

_LAZY = {
    "Database": "pipeline_tui.store.database",
    "open_database": "pipeline_tui.store.database",
    "PipelineService": "pipeline_tui.store.service",
}

__all__ = [
    "ConflictError",
    "Database",
    "NotFoundError",
    "PipelineService",
    "StoreError",
    "open_database",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
